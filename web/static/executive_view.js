// Executive view: how risky is the base and how much ARR is at risk.
import {getJson} from './api.js';
import {barRow, errorBox, loadingText, statCard} from './components.js';
import {h, replace} from './dom.js';
import {formatCount, formatInstant, formatMoney, formatPercent, toNumber} from './format.js';

export class ExecutiveView {
  constructor(root, context) {
    this.root = root;
    this.context = context;
  }

  async load() {
    if (!this.root.hasChildNodes()) replace(this.root, loadingText());
    try {
      const executive = await getJson('/api/v1/executive');
      this.context.onFreshness(executive.freshness);
      this.render(executive);
    } catch (error) {
      replace(this.root, errorBox(`Executive view unavailable. ${error.message}`));
    }
  }

  render(executive) {
    const customers = toNumber(executive.customers);
    const high = toNumber(executive.high_risk_customers);
    const medium = toNumber(executive.medium_risk_customers);
    const low = toNumber(executive.low_risk_customers);
    const freshness = executive.freshness ?? {};

    const levels = [['High', high, 'risk-high'], ['Medium', medium, 'risk-medium'], ['Low', low, 'risk-low']];
    replace(
        this.root, h('h2', {}, 'Executive overview'),
        h('dl', {class: 'stat-grid', 'aria-label': 'Key figures'},
          statCard('Customers', formatCount(customers), 'customers', 'subscriptions scored'),
          statCard(
              'Churn rate', formatPercent(executive.churn_rate), 'churn_rate',
              `${formatCount(executive.churned_customers)} churned`),
          statCard(
              'High-risk share', formatPercent(executive.high_risk_share), 'high_risk_share',
              `${formatCount(high)} customers`),
          statCard('High-risk customers', formatCount(high), 'high_risk_customers'),
          statCard('Average ARR', formatMoney(executive.avg_arr), 'avg_arr'),
          statCard('Total ARR', formatMoney(executive.total_arr), 'total_arr'),
          statCard(
              'ARR at risk: High', formatMoney(executive.high_risk_arr), 'high_risk_arr',
              share(executive.high_risk_arr, executive.total_arr)),
          statCard(
              'ARR at risk: Medium', formatMoney(executive.medium_risk_arr), 'medium_risk_arr',
              share(executive.medium_risk_arr, executive.total_arr))),
        h('section', {class: 'panel', 'aria-labelledby': 'executive-levels-heading'},
          h('h3', {id: 'executive-levels-heading'}, 'Customers by risk level'),
          h('div', {class: 'bars'},
            levels.map(
                ([name, count, modifier]) => barRow(
                    name, count, customers,
                    `${formatCount(count)} (${formatPercent(customers ? count / customers : 0)})`,
                    modifier)))),
        levelMoves(executive.level_moves),
        h('section', {class: 'panel', 'aria-labelledby': 'executive-data-heading'},
          h('h3', {id: 'executive-data-heading'}, 'Data behind these figures'),
          h('dl', {class: 'facts'}, h('dt', {}, 'Usage window end'),
            h('dd', {'data-field': 'usage_window_end'}, freshness.usage_window_end || '—'),
            h('dt', {}, 'Support window end'),
            h('dd', {'data-field': 'support_window_end'}, freshness.support_window_end || '—'),
            h('dt', {}, 'Snapshot version'), h('dd', {}, formatCount(freshness.snapshot_version)),
            h('dt', {}, 'Views built'),
            h('dd', {'data-field': 'as_of'}, formatInstant(freshness.as_of)), h('dt', {}, 'Status'),
            h('dd', {'data-field': 'freshness_status'}, freshness.stale ? 'Stale' : 'Current'),
            freshness.rules_sha256 ?
                [
                  h('dt', {}, 'Scoring rules'),
                  h('dd', {class: 'mono'}, freshness.rules_sha256.slice(0, 12))
                ] :
                null)));
  }
}

// How many customers moved up or down a risk level between the two latest snapshots.
function levelMoves(moves) {
  const heading =
      h('h3', {id: 'executive-moves-heading'}, 'Level moves since the previous snapshot');
  if (!moves) {
    return h(
        'section', {
          class: 'panel',
          'aria-labelledby': 'executive-moves-heading',
          'data-testid': 'level-moves'
        },
        heading,
        h('p', {class: 'muted'}, 'The risk history holds fewer than two snapshots so far.'));
  }
  return h(
      'section',
      {class: 'panel', 'aria-labelledby': 'executive-moves-heading', 'data-testid': 'level-moves'},
      heading,
      h('dl', {class: 'stat-grid', 'aria-label': 'Level moves'},
        statCard('Moved up a level', formatCount(moves.moved_up), 'moved_up', 'e.g. Medium → High'),
        statCard(
            'Moved down a level', formatCount(moves.moved_down), 'moved_down',
            'e.g. High → Medium')),
      h('p', {class: 'muted', 'data-field': 'level_moves_dates'},
        `From ${moves.from_date} to ${moves.to_date}`));
}

function share(part, total) {
  const whole = toNumber(total);
  return whole > 0 ? `${formatPercent(toNumber(part) / whole)} of total ARR` : undefined;
}
