// The data-freshness strip under the header: which snapshot the views show, how old it is,
// and a warning banner when the gateway says the views are stale.
import {h, replace} from './dom.js';
import {formatAge, formatInstant, toNumber} from './format.js';

export class FreshnessBanner {
  constructor(summaryNode, alertNode) {
    this.summaryNode = summaryNode;
    this.alertNode = alertNode;
    this.lastKey = '';
  }

  // `freshness` is the DataFreshness message every view response carries.
  update(freshness) {
    if (!freshness) return;
    const key = JSON.stringify(freshness);
    if (key === this.lastKey) return;
    this.lastKey = key;

    const version = toNumber(freshness.snapshot_version);
    replace(this.summaryNode,
            version > 0
              ? [h('span', {}, 'Snapshot ', h('strong', {'data-field': 'snapshot_version'}, `v${version}`)),
                 h('span', {}, 'Views built ', h('strong', {}, formatInstant(freshness.as_of))),
                 h('span', {}, 'Usage window ends ', h('strong', {}, freshness.usage_window_end || '—')),
                 h('span', {}, 'Support window ends ', h('strong', {}, freshness.support_window_end || '—'))]
              : h('span', {}, 'No data loaded yet'));

    if (freshness.stale || version === 0) {
      const age = toNumber(freshness.stale_seconds);
      this.showAlert(version === 0 ? 'No data yet: the gateway has not received a snapshot.'
                                   : `Data is stale: these views are ${formatAge(age)} old.`,
                     freshness.last_error ? `Last refresh failed: ${freshness.last_error}` : '');
    } else {
      replace(this.alertNode);
      this.alertNode.hidden = true;
    }
  }

  // The gateway itself did not answer: what is on screen may be out of date.
  showUnreachable(message) {
    this.lastKey = '';
    this.showAlert('The gateway is not answering: the figures shown may be out of date.', message);
  }

  showAlert(headline, detail) {
    replace(this.alertNode, h('p', {}, h('strong', {}, headline), detail ? ` ${detail}` : null));
    this.alertNode.hidden = false;
  }
}
