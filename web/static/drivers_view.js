// Drivers view: what drives risk across segments.
import {getJson, queryString} from './api.js';
import {barRow, errorBox, loadingText} from './components.js';
import {h, replace} from './dom.js';
import {formatCount, formatDecimal, toNumber} from './format.js';

const SEGMENTS = [['plan_tier', 'Plan tier'], ['industry', 'Industry'], ['country', 'Country']];

export class DriversView {
  constructor(root, context) {
    this.root = root;
    this.context = context;
    this.segment = 'plan_tier';
  }

  async load() {
    if (!this.root.hasChildNodes()) replace(this.root, loadingText());
    try {
      const drivers = await getJson(`/api/v1/drivers${queryString({segment: this.segment})}`);
      this.context.onFreshness(drivers.freshness);
      this.render(drivers);
    } catch (error) {
      replace(this.root, errorBox(`Drivers view unavailable. ${error.message}`));
    }
  }

  render(drivers) {
    const tiers = drivers.plan_tiers ?? [];
    const driverCounts = drivers.drivers ?? [];
    const reasons = drivers.churn_reasons ?? [];
    const segments = drivers.segments ?? [];
    const maxDriver = Math.max(0, ...driverCounts.map((d) => toNumber(d.customers)));
    const maxReason = Math.max(0, ...reasons.map((r) => toNumber(r.count)));
    const segmentLabel = (SEGMENTS.find(([key]) => key === (drivers.segment || this.segment)) ?? SEGMENTS[0])[1];

    replace(this.root,
      h('h2', {}, 'Risk drivers'),
      h('div', {class: 'two-columns'},
        h('section', {class: 'panel', 'aria-labelledby': 'drivers-tier-heading'},
          h('h3', {id: 'drivers-tier-heading'}, 'Mean risk score by plan tier'),
          tiers.length
            ? h('div', {class: 'bars', 'data-testid': 'plan-tier-bars'},
                tiers.map((tier) => barRow(
                    `${tier.plan_tier || '(none)'} (${formatCount(tier.customers)})`,
                    toNumber(tier.mean_risk_score), 100, formatDecimal(tier.mean_risk_score))))
            : h('p', {class: 'muted'}, 'No customers.')),
        h('section', {class: 'panel', 'aria-labelledby': 'drivers-count-heading'},
          h('h3', {id: 'drivers-count-heading'}, 'Drivers in customers\u2019 top reasons'),
          driverCounts.length
            ? h('div', {class: 'bars', 'data-testid': 'driver-bars'},
                driverCounts.map((driver) => barRow(driver.label || driver.rule, toNumber(driver.customers),
                                                    maxDriver, formatCount(driver.customers), 'accent')))
            : h('p', {class: 'muted'}, 'No rule fired for any customer.'))),
      h('div', {class: 'two-columns'},
        h('section', {class: 'panel', 'aria-labelledby': 'drivers-reasons-heading'},
          h('h3', {id: 'drivers-reasons-heading'}, 'Churn event reasons'),
          reasons.length
            ? h('div', {class: 'bars', 'data-testid': 'churn-reason-bars'},
                reasons.map((reason) => barRow(reason.reason_code || '(blank)', toNumber(reason.count), maxReason,
                                               formatCount(reason.count), 'muted-fill')))
            : h('p', {class: 'muted'}, 'No churn events in the data.')),
        h('section', {class: 'panel', 'aria-labelledby': 'drivers-segment-heading'},
          h('div', {class: 'panel-header'},
            h('h3', {id: 'drivers-segment-heading'}, `Risk levels by ${segmentLabel.toLowerCase()}`),
            this.segmentPicker()),
          segmentTable(segments, segmentLabel))));
  }

  segmentPicker() {
    const select = h('select', {id: 'drivers-segment', onchange: (event) => {
      this.segment = event.target.value;
      this.load();
    }}, SEGMENTS.map(([key, label]) => h('option', {value: key, selected: key === this.segment}, label)));
    return h('label', {class: 'inline-field'}, 'Segment ', select);
  }
}

function segmentTable(segments, segmentLabel) {
  if (!segments.length) return h('p', {class: 'muted'}, 'No customers.');
  return h('table', {class: 'data-table compact', 'data-testid': 'segment-table'},
    h('thead', {}, h('tr', {},
      h('th', {scope: 'col'}, segmentLabel),
      h('th', {scope: 'col', class: 'num'}, 'High'),
      h('th', {scope: 'col', class: 'num'}, 'Medium'),
      h('th', {scope: 'col', class: 'num'}, 'Low'),
      h('th', {scope: 'col'}, h('span', {class: 'visually-hidden'}, 'Distribution')))),
    h('tbody', {}, segments.map((segment) => {
      const counts = [toNumber(segment.high), toNumber(segment.medium), toNumber(segment.low)];
      const total = counts.reduce((a, b) => a + b, 0);
      return h('tr', {},
        h('th', {scope: 'row'}, segment.segment || '(none)'),
        counts.map((count) => h('td', {class: 'num'}, formatCount(count))),
        h('td', {}, h('span', {class: 'stack', 'aria-hidden': 'true'},
          ['risk-high', 'risk-medium', 'risk-low'].map((modifier, index) => h('span', {
            class: `stack-part ${modifier}`,
            style: {width: `${total ? (counts[index] / total * 100).toFixed(1) : 0}%`},
          })))));
    })));
}
