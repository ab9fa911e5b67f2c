// Model quality view: the analyst's loop. How well the rules in force would have warned (the
// backtest ingest runs on the data's history), then a rules editor: "What if" shows who would
// change level today and how the backtest's precision and lift would move, "Apply" (admin)
// puts the edited rules in force and the views are rebuilt with them.
import {getJson, postJson} from './api.js';
import {errorBox, loadingText, riskBadge, statCard} from './components.js';
import {announce, h, replace} from './dom.js';
import {formatCount, formatDecimal, formatMoney, formatPercent} from './format.js';
import {may, onSessionChange} from './session.js';
import {thresholdFields} from './rules_thresholds.js';

// A backtest recomputes when it is not cached: longer than a view.
const BACKTEST_TIMEOUT_MS = 120000;
const AT_K = ['10', '50', '100', '1%', '5%'];

const METRIC_LABELS = {
  roc_auc: 'ROC AUC',
  pr_auc: 'PR AUC',
  precision_high: 'Precision (High)',
  recall_high: 'Recall (High)',
  precision_high_medium: 'Precision (High+Medium)',
  recall_high_medium: 'Recall (High+Medium)',
  lead_time_median_days: 'Median lead time (days)',
  share_caught_30d: 'Churned caught ≥ 30 days ahead',
};

function metricLabel(name) {
  if (name in METRIC_LABELS) return METRIC_LABELS[name];
  const [kind, k] = name.split('/');
  if (kind === 'precision_at_k') return `Precision@${k}`;
  if (kind === 'lift_at_k') return `Lift@${k}`;
  return name;
}

const isNumber = (value) => typeof value === 'number' && Number.isFinite(value);
// Shares as percents, lifts and AUCs with decimals, undefined as a dash.
const pct = (value) => (isNumber(value) ? formatPercent(value) : '—');
const dec = (value, digits = 3) => (isNumber(value) ? value.toFixed(digits) : '—');
const isShare = (metric) => /precision|recall|share/.test(metric);

function formatMetric(metric, value) {
  if (!isNumber(value)) return '—';
  if (isShare(metric)) return formatPercent(value);
  if (metric === 'lead_time_median_days') return formatDecimal(value);
  return value.toFixed(metric.startsWith('lift') ? 2 : 3);
}

function formatChange(metric, change) {
  if (!isNumber(change)) return '—';
  const sign = change > 0 ? '+' : change < 0 ? '−' : '±';
  const size = Math.abs(change);
  if (isShare(metric)) return `${sign}${(size * 100).toFixed(1)} pts`;
  if (metric === 'lead_time_median_days') return `${sign}${formatDecimal(size)}`;
  return `${sign}${size.toFixed(metric.startsWith('lift') ? 2 : 3)}`;
}

function changeClass(change) {
  if (!isNumber(change) || change === 0) return 'num';
  return `num ${change > 0 ? 'delta-up' : 'delta-down'}`;
}

function table(testId, caption, headers, rows) {
  return h('div', {class: 'table-scroll'},
    h('table', {class: 'data-table compact', 'data-testid': testId},
      h('caption', {class: 'visually-hidden'}, caption),
      h('thead', {}, h('tr', {}, headers.map(([text, numeric]) =>
        h('th', {scope: 'col', class: numeric ? 'num' : undefined}, text)))),
      h('tbody', {}, rows)));
}

export class ModelQualityView {
  constructor(root, context) {
    this.root = root;
    this.context = context;
    this.quality = null;     // the last GET /api/v1/model-quality answer
    this.editorText = null;  // the editor's text, kept across reloads of the view
    this.tried = null;       // the text the last what-if ran on (Apply applies exactly that)
    this.whatIf = null;
    this.busy = false;
    onSessionChange(() => { if (this.quality) this.render(); });
  }

  async load() {
    if (!this.root.hasChildNodes()) replace(this.root, loadingText('Running the backtest…'));
    try {
      const quality = await getJson('/api/v1/model-quality', {timeoutMs: BACKTEST_TIMEOUT_MS});
      this.context.onFreshness(quality.freshness);
      const rulesChanged = this.quality && this.quality.rules?.sha256 !== quality.rules?.sha256;
      this.quality = quality;
      if (this.editorText === null || rulesChanged) this.editorText = quality.rules_yaml;
      this.render();
    } catch (error) {
      replace(this.root, errorBox(`Model quality unavailable. ${error.message}`));
    }
  }

  render() {
    const quality = this.quality;
    const report = quality.backtest ?? {};
    replace(this.root,
      h('h2', {}, 'Model quality'),
      backtestSummary(report, quality),
      h('div', {class: 'two-columns'},
        h('section', {class: 'panel', 'aria-labelledby': 'mq-at-k-heading'},
          h('h3', {id: 'mq-at-k-heading'}, 'Precision and lift of the top of the list'),
          atKTable(report)),
        h('section', {class: 'panel', 'aria-labelledby': 'mq-model-heading'},
          h('h3', {id: 'mq-model-heading'}, 'Rules against the model'),
          rulesVersusModel(report))),
      h('div', {class: 'two-columns'},
        h('section', {class: 'panel', 'aria-labelledby': 'mq-rules-heading'},
          h('h3', {id: 'mq-rules-heading'}, 'Each rule: how often it fired and who churned'),
          ruleFiringTable(report.rule_firing ?? [])),
        h('section', {class: 'panel', 'aria-labelledby': 'mq-calibration-heading'},
          h('h3', {id: 'mq-calibration-heading'}, 'Churn rate by risk level'),
          calibrationTable(report.calibration?.levels ?? []))),
      this.editor());
  }

  editor() {
    const textarea = h('textarea', {
      id: 'rules-editor', class: 'rules-editor mono', rows: 18, spellcheck: 'false',
      'aria-describedby': 'rules-editor-help',
      oninput: () => {
        this.editorText = textarea.value;
        this.updateButtons();
        refreshThresholds();
      },
    });
    textarea.value = this.editorText ?? '';
    const thresholds = h('div', {class: 'threshold-grid', 'data-testid': 'threshold-inputs'});
    const refreshThresholds = () => {
      replace(thresholds, thresholdFields(textarea.value, (next) => {
        textarea.value = next;
        this.editorText = next;
        this.updateButtons();
      }, () => textarea.value));
    };
    refreshThresholds();

    this.status = h('p', {class: 'page-status', role: 'status', 'aria-live': 'polite', 'data-testid': 'rules-status'});
    this.whatIfButton = h('button', {type: 'button', class: 'primary', onclick: () => this.runWhatIf()}, 'What if');
    this.applyButton = h('button', {type: 'button', onclick: () => this.apply()}, 'Apply');
    const reset = h('button', {type: 'button', class: 'secondary', onclick: () => {
      this.editorText = this.quality.rules_yaml;
      textarea.value = this.editorText;
      refreshThresholds();
      this.updateButtons();
    }}, 'Reset to the rules in force');
    this.whatIfButton.hidden = !may('can_try_rules');
    this.applyButton.hidden = !may('can_apply_rules');
    this.results = h('div', {class: 'what-if-results', 'data-testid': 'what-if-results'},
                     this.whatIf ? whatIfResults(this.whatIf) : null);
    const rules = this.quality.rules ?? {};
    const note = !may('can_try_rules')
      ? h('p', {class: 'permission-note'}, 'Trying rules needs a CSM or admin token; applying them an admin token.')
      : !may('can_apply_rules')
        ? h('p', {class: 'permission-note'}, 'Applying rules needs an admin token: you can try them here.')
        : null;
    const section = h('section', {class: 'panel', 'aria-labelledby': 'mq-editor-heading'},
      h('h3', {id: 'mq-editor-heading'}, 'Rules editor'),
      h('p', {id: 'rules-editor-help', class: 'muted'},
        `In force: version ${rules.version ?? '—'}, ${formatCount(rules.rule_count)} rules, `,
        h('span', {class: 'mono', 'data-field': 'rules_sha256'}, (rules.sha256 || '').slice(0, 12)),
        '. Edit a threshold below or the YAML itself, then “What if” to see who changes level and how the backtest moves. ',
        'Apply puts exactly the rules you tried in force.'),
      thresholds,
      h('label', {for: 'rules-editor', class: 'field'}, 'Rules (YAML)'),
      textarea,
      h('div', {class: 'form-actions'}, this.whatIfButton, this.applyButton, reset),
      note,
      this.status,
      this.results);
    this.updateButtons();
    return section;
  }

  updateButtons() {
    if (!this.whatIfButton) return;
    const text = this.editorText ?? '';
    this.whatIfButton.disabled = this.busy || !text.trim();
    // Only what was tried, and only a change.
    this.applyButton.disabled = this.busy || this.tried === null || this.tried !== text ||
                                text === this.quality?.rules_yaml;
    this.applyButton.title = this.applyButton.disabled ? 'Run “What if” on these rules first' : '';
  }

  async runWhatIf() {
    const candidate = this.editorText ?? '';
    this.busy = true;
    this.updateButtons();
    this.status.textContent = 'Scoring today’s customers and backtesting both rule sets…';
    try {
      const result = await postJson('/api/v1/rules/what-if', {candidate_yaml: candidate},
                                    {timeoutMs: BACKTEST_TIMEOUT_MS});
      this.context.onFreshness(result.freshness);
      this.whatIf = result;
      this.tried = candidate;
      replace(this.results, whatIfResults(result));
      announce(this.status, 'What if done: who changes level and how the backtest moves are below. Nothing is applied yet.', 0);
    } catch (error) {
      this.whatIf = null;
      this.tried = null;
      replace(this.results, errorBox(`What if failed. ${error.message}`));
      this.status.textContent = '';
    } finally {
      this.busy = false;
      this.updateButtons();
    }
  }

  async apply() {
    const yaml = this.tried;
    if (yaml === null) return;
    this.busy = true;
    this.updateButtons();
    this.status.textContent = 'Applying the rules and rebuilding the views…';
    try {
      const result = await postJson('/api/v1/rules/apply', {yaml}, {timeoutMs: BACKTEST_TIMEOUT_MS});
      this.context.onFreshness(result.freshness);
      this.tried = null;
      this.whatIf = null;
      this.editorText = yaml;
      await this.load();
      announce(this.status, result.changed
        ? `Rules applied (version ${result.rules?.version}, ${(result.rules?.sha256 || '').slice(0, 12)}); the views were rebuilt with them.`
        : 'These rules were already in force.', 0);
    } catch (error) {
      this.status.textContent = `Apply failed: ${error.message}`;
    } finally {
      this.busy = false;
      this.updateButtons();
    }
  }
}

function backtestSummary(report, quality) {
  const rules = report.rules ?? {};
  const window = quality.window ?? {};
  const dates = report.as_of_dates ?? [];
  const ci = Array.isArray(rules.roc_auc_ci95) ? rules.roc_auc_ci95 : null;
  const lead = rules.lead_time_days ?? {};
  return h('section', {class: 'panel', 'aria-labelledby': 'mq-summary-heading'},
    h('h3', {id: 'mq-summary-heading'}, 'Backtest of the rules in force'),
    h('p', {class: 'muted', 'data-field': 'backtest_window'},
      `${formatCount(dates.length)} as-of dates from ${window.from || '—'} to ${window.to || '—'}, every ` +
      `${window.step_days} days; churn counted within ${window.horizon_days} days of each date. ` +
      `${formatCount(report.rows)} customer-dates, ${formatCount(report.customers)} customers, ` +
      `${formatCount(report.churned_in_horizon)} churned within the horizon.`),
    h('p', {class: report.informative ? 'callout' : 'callout warning', 'data-field': 'informative_text'},
      report.informative_text || ''),
    h('dl', {class: 'stat-grid', 'aria-label': 'Backtest figures'},
      statCard('Base rate', pct(report.base_rate), 'base_rate', 'churned within the horizon'),
      statCard('ROC AUC', dec(rules.roc_auc), 'roc_auc', ci ? `95% CI ${dec(ci[0])}–${dec(ci[1])}` : 'no interval'),
      statCard('Precision (High)', pct(rules.precision_high), 'precision_high', `recall ${pct(rules.recall_high)}`),
      statCard('Precision (High+Medium)', pct(rules.precision_high_medium), 'precision_high_medium',
               `recall ${pct(rules.recall_high_medium)}`),
      statCard('Lift@5%', dec(rules.lift_at_k?.['5%'], 2), 'lift_at_5pct',
               `precision ${pct(rules.precision_at_k?.['5%'])}`),
      statCard('Lead time (median)', isNumber(lead.median) ? `${formatDecimal(lead.median)} days` : '—', 'lead_time',
               `${formatCount(lead.caught_high)} of ${formatCount(lead.churned_customers)} churned were High first`)));
}

function atKTable(report) {
  const rules = report.rules ?? {};
  return table('at-k-table', 'Precision and lift at K', [['Top K (per date)'], ['Precision', true], ['Lift', true]],
    AT_K.map((k) => h('tr', {},
      h('th', {scope: 'row'}, k.endsWith('%') ? `top ${k}` : `top ${k}`),
      h('td', {class: 'num'}, pct(rules.precision_at_k?.[k])),
      h('td', {class: 'num'}, dec(rules.lift_at_k?.[k], 2)))));
}

// The rules and a trained model on the same rows, when the report has a model.
function rulesVersusModel(report) {
  const model = report.model;
  if (!model) {
    return h('p', {class: 'muted', 'data-testid': 'no-model'},
             'No model evaluated: this backtest scores the rules only. A trained model evaluated on the same rows appears here beside them.');
  }
  const rules = report.rules ?? {};
  const rows = [
    ['roc_auc', rules.roc_auc, model.roc_auc],
    ['pr_auc', rules.pr_auc, model.pr_auc],
    ['precision_high', rules.precision_high, model.precision_high],
    ['recall_high', rules.recall_high, model.recall_high],
    ['precision_high_medium', rules.precision_high_medium, model.precision_high_medium],
    ['recall_high_medium', rules.recall_high_medium, model.recall_high_medium],
    ...AT_K.map((k) => [`lift_at_k/${k}`, rules.lift_at_k?.[k], model.lift_at_k?.[k]]),
  ];
  const interval = (ci) => Array.isArray(ci) && isNumber(ci[0]) && isNumber(ci[1]) ?
      `95% CI ${dec(ci[0])}–${dec(ci[1])}` : '—';
  rows.splice(1, 0, ['roc_auc_ci95', interval(rules.roc_auc_ci95), interval(model.roc_auc_ci95)]);
  return h('div', {},
    table('rules-vs-model', 'Rules against the model', [['Metric'], ['Rules', true], ['Model', true]],
      rows.map(([metric, a, b]) => h('tr', {'data-metric': metric},
        h('th', {scope: 'row'}, metric === 'roc_auc_ci95' ? 'ROC AUC interval' : metricLabel(metric)),
        h('td', {class: 'num'}, metric === 'roc_auc_ci95' ? a : formatMetric(metric, a)),
        h('td', {class: 'num'}, metric === 'roc_auc_ci95' ? b : formatMetric(metric, b))))),
    report.model_note ? h('p', {class: 'muted', 'data-field': 'model_note'}, report.model_note) : null);
}

function ruleFiringTable(firing) {
  if (!firing.length) return h('p', {class: 'muted'}, 'No rules.');
  return table('rule-firing-table', 'Per rule firing, churn rate and lift',
    [['Rule / tier'], ['Fired', true], ['Churned', true], ['Churn rate', true], ['Lift', true]],
    firing.map((rule) => h('tr', {class: rule.rule.includes('/') ? 'tier-row' : undefined},
      h('th', {scope: 'row'}, rule.rule),
      h('td', {class: 'num'}, formatCount(rule.fired)),
      h('td', {class: 'num'}, formatCount(rule.churned)),
      h('td', {class: 'num'}, pct(rule.churn_rate)),
      h('td', {class: 'num'}, dec(rule.lift, 2)))));
}

function calibrationTable(levels) {
  return table('level-calibration-table', 'Churn rate by risk level',
    [['Level'], ['Customer-dates', true], ['Churned', true], ['Churn rate', true], ['Scores', true]],
    [...levels].reverse().map((bin) => h('tr', {},
      h('th', {scope: 'row'}, bin.bin),
      h('td', {class: 'num'}, formatCount(bin.rows)),
      h('td', {class: 'num'}, formatCount(bin.churned)),
      h('td', {class: 'num'}, pct(bin.churn_rate)),
      h('td', {class: 'num'}, bin.rows ? `${bin.min_score}–${bin.max_score}` : '—'))));
}

const LEVEL_ORDER = {RISK_LEVEL_LOW: 1, RISK_LEVEL_MEDIUM: 2, RISK_LEVEL_HIGH: 3};

function whatIfHeadline(result) {
  const summary = result.summary ?? {};
  return `${formatCount(summary.level_changed)} of ${formatCount(summary.customers)} customers would change level ` +
         `(${formatCount(summary.changed)} would change score, reasons or actions).`;
}

function whatIfResults(result) {
  const summary = result.summary ?? {};
  const before = summary.levels_before ?? {};
  const after = summary.levels_after ?? {};
  const changes = result.level_changes ?? [];
  const comparison = result.comparison ?? {};
  const transitions = summary.transitions ?? [];
  return [
    h('h4', {}, 'Who changes level today'),
    h('p', {'data-field': 'what_if_headline'}, whatIfHeadline(result)),
    h('dl', {class: 'facts'},
      ...['high', 'medium', 'low'].flatMap((level) => [
        h('dt', {}, `${level[0].toUpperCase()}${level.slice(1)}`),
        h('dd', {'data-field': `levels_${level}`},
          `${formatCount(before[level])} → ${formatCount(after[level])}`)]),
      transitions.length ? [h('dt', {}, 'Moves'),
        h('dd', {}, transitions.map((t) => `${riskName(t.from)} → ${riskName(t.to)}: ${formatCount(t.count)}`).join('; '))] : null),
    changes.length
      ? table('level-changes-table', 'Customers whose level would change',
          [['Customer'], ['Company'], ['Plan'], ['ARR', true], ['Level now'], ['With the candidate'], ['Score', true]],
          changes.map((row) => {
            const change = row.change ?? {};
            const up = (LEVEL_ORDER[change.level_after] ?? 0) > (LEVEL_ORDER[change.level_before] ?? 0);
            return h('tr', {},
              h('td', {class: 'mono'}, change.customer_id),
              h('td', {}, row.account_name || '—'),
              h('td', {}, row.plan_tier || '—'),
              h('td', {class: 'num'}, formatMoney(row.arr)),
              h('td', {}, riskBadge(change.level_before)),
              h('td', {}, riskBadge(change.level_after), h('span', {class: 'visually-hidden'}, up ? ' (up)' : ' (down)')),
              h('td', {class: 'num'}, `${change.score_before ?? 0} → ${change.score_after ?? 0}`));
          }))
      : h('p', {class: 'muted'}, 'Nobody changes level.'),
    h('h4', {}, 'How the backtest would change'),
    comparison.same_rows === false
      ? h('p', {class: 'callout warning'}, 'The two backtests cover different rows: the data changed between them.')
      : null,
    table('backtest-delta-table', 'Backtest of the rules in force against the candidate',
      [['Metric'], ['In force', true], ['Candidate', true], ['Change', true]],
      (comparison.metrics ?? []).map((m) => h('tr', {'data-metric': m.metric},
        h('th', {scope: 'row'}, metricLabel(m.metric)),
        h('td', {class: 'num'}, formatMetric(m.metric, m.current)),
        h('td', {class: 'num'}, formatMetric(m.metric, m.candidate)),
        h('td', {class: changeClass(m.change)}, formatChange(m.metric, m.change))))),
    h('h4', {}, 'Each rule with the candidate'),
    table('rule-delta-table', 'Per rule firing and lift, in force against candidate',
      [['Rule / tier'], ['Fired now', true], ['Fired', true], ['Lift now', true], ['Lift', true], ['Change', true]],
      (comparison.rules ?? []).map((r) => h('tr', {},
        h('th', {scope: 'row'}, r.rule),
        h('td', {class: 'num'}, formatCount(r.fired_current)),
        h('td', {class: 'num'}, formatCount(r.fired_candidate)),
        h('td', {class: 'num'}, dec(r.lift_current, 2)),
        h('td', {class: 'num'}, dec(r.lift_candidate, 2)),
        h('td', {class: changeClass(r.lift_change)}, formatChange('lift', r.lift_change))))),
  ];
}

function riskName(level) {
  return {RISK_LEVEL_HIGH: 'High', RISK_LEVEL_MEDIUM: 'Medium', RISK_LEVEL_LOW: 'Low'}[level] ?? 'Unknown';
}
