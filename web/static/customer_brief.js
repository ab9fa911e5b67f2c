// The customer brief: who the customer is, why they are at risk, what to do next (actions,
// checklist, outreach drafts) and the outcome log of what was done.
import {getJson, postJson} from './api.js';
import {copyButton, errorBox, loadingText, riskBadge, sourceBadge} from './components.js';
import {announce, h, replace} from './dom.js';
import {OUTCOME_KINDS, formatCount, formatInstant, formatMoney, formatPercent, outcomeKindName, toNumber,
        yesNo} from './format.js';
import {riskTrendChart} from './risk_trend_chart.js';
import {currentSession, may, onSessionChange} from './session.js';

export class CustomerBrief {
  constructor(root, context, onClose) {
    this.root = root;
    this.context = context;
    this.onClose = onClose;
    this.requestNumber = 0;
    // Another sign-in in this tab may bring another role: swap the form for the note or back.
    onSessionChange(() => {
      if (this.outcomeSlot) replace(this.outcomeSlot, this.outcomeControls());
    });
  }

  async show(customerId) {
    const thisRequest = ++this.requestNumber;
    this.customerId = customerId;
    replace(this.root, this.header(customerId), loadingText('Loading the customer brief…'));
    try {
      const brief = await getJson(customerPath(customerId));
      if (thisRequest !== this.requestNumber) return;
      this.context.onFreshness(brief.freshness);
      this.render(brief);
    } catch (error) {
      if (thisRequest !== this.requestNumber) return;
      replace(this.root, this.header(customerId), errorBox(`Brief unavailable. ${error.message}`));
    }
    this.root.querySelector('h3')?.focus();
  }

  header(title, subtitle) {
    return h('div', {class: 'brief-header'},
      h('div', {},
        h('h3', {tabindex: '-1', id: 'brief-title'}, title),
        subtitle ? h('p', {class: 'muted'}, subtitle) : null),
      h('button', {type: 'button', class: 'secondary small', 'aria-label': 'Close the customer brief',
                   onclick: () => this.onClose()}, 'Close'));
  }

  render(brief) {
    const signals = brief.customer?.signals ?? {};
    const assessment = brief.customer?.assessment ?? {};
    this.status = h('p', {class: 'copy-status', role: 'status', 'aria-live': 'polite'});
    this.outcomeSlot = h('div', {class: 'outcome-controls'}, this.outcomeControls());
    replace(
        this.root,
        this.header(
            signals.account_name || signals.customer_id || this.customerId,
            `${signals.industry || 'Unknown industry'} · ${signals.country || 'Unknown country'}`),
        this.identity(signals, assessment),
        section(
            'Why at risk', 'brief-why', reasonList(assessment),
            auditTrail(assessment.fired_rules ?? [])),
        brief.second_opinion ?
            section('Second opinion (trained model)', 'brief-second-opinion',
                    secondOpinion(brief.second_opinion)) :
            null,
        section(
            'Risk trend', 'brief-trend', riskTrend(brief.risk_trend ?? [], brief.risk_trend_error)),
        section(
            'Recommended actions', 'brief-actions',
            listOrEmpty(assessment.actions, 'No action recommended.', 'actions')),
        section('Next-best-action checklist', 'brief-checklist', checklist(brief.checklist ?? [])),
        section(
            'Outreach drafts', 'brief-outreach', this.outreach(brief.outreach ?? {}), this.status),
        section(
            'Outcome log', 'brief-outcomes', this.outcomeSlot,
            this.outcomeList(brief.outcomes ?? [])),
        (brief.ticket_analyses ?? []).length ?
            section('Analysed tickets', 'brief-tickets', ticketAnalyses(brief.ticket_analyses)) :
            null);
  }

  identity(signals, assessment) {
    return h('dl', {class: 'facts brief-facts'},
      h('dt', {}, 'Customer id'), h('dd', {class: 'mono', 'data-field': 'customer_id'}, signals.customer_id || '—'),
      h('dt', {}, 'Account id'), h('dd', {class: 'mono'}, signals.account_id || '—'),
      h('dt', {}, 'Company'), h('dd', {'data-field': 'account_name'}, signals.account_name || '—'),
      h('dt', {}, 'Plan'), h('dd', {}, signals.plan_tier || '—'),
      h('dt', {}, 'ARR'), h('dd', {'data-field': 'arr'}, formatMoney(signals.arr)),
      h('dt', {}, 'Churned'), h('dd', {}, yesNo(signals.churned)),
      h('dt', {}, 'Risk'), h('dd', {'data-field': 'risk'}, riskBadge(assessment.risk_level, toNumber(assessment.risk_score))),
      h('dt', {}, 'Signals'), h('dd', {},
        `usage drop ${formatPercent(signals.usage_drop_pct, 0)}, ${formatCount(signals.tickets_30d)} tickets and ` +
        `${formatCount(signals.errors_30d)} errors in 30d` +
        (signals.satisfaction_score !== undefined ? `, satisfaction ${toNumber(signals.satisfaction_score).toFixed(1)}/5` : '')));
  }

  outreach(draft) {
    if (!draft.email_subject && !draft.email_body && !draft.slack_message) {
      return h('p', {class: 'muted'}, 'No draft for this customer.');
    }
    const block = (label, text, field) => h('div', {class: 'draft'},
      h('div', {class: 'draft-header'}, h('h5', {}, label), copyButton(label, () => text, this.status)),
      h('pre', {class: 'draft-text', 'data-field': field}, text || '—'));
    return h('div', {class: 'drafts'},
      block('Email subject', draft.email_subject ?? '', 'email_subject'),
      block('Email body', draft.email_body ?? '', 'email_body'),
      block('Slack message', draft.slack_message ?? '', 'slack_message'));
  }

  // The form, or why there is none: the server would refuse the caller's role (403).
  outcomeControls() {
    if (may('can_record_outcomes')) return this.outcomeForm();
    const session = currentSession();
    return h('p', {class: 'permission-note', 'data-testid': 'outcome-permission-note'},
             `Signed in as ${session?.name ?? '?'} (${session?.role ?? '?'}): this role may read the outcome ` +
             'log but not record outcomes.');
  }

  outcomeForm() {
    const kind = h('select', {id: 'outcome-kind', name: 'kind', required: true},
      OUTCOME_KINDS.map(([value, label]) => h('option', {value}, label)));
    const notes = h('textarea', {id: 'outcome-notes', name: 'notes', rows: '2', maxlength: '2000',
                                 placeholder: 'What happened, what comes next'});
    const submit = h('button', {type: 'submit', class: 'primary'}, 'Record outcome');
    const formStatus = h('p', {class: 'form-status', role: 'status', 'aria-live': 'polite'});
    const form = h('form', {class: 'outcome-form', 'aria-label': 'Record an outcome', onsubmit: async (event) => {
      event.preventDefault();
      submit.disabled = true;
      formStatus.textContent = 'Saving…';
      try {
        const saved = await postJson(`${customerPath(this.customerId)}/outcomes`,
                                     {kind: kind.value, notes: notes.value.trim()});
        notes.value = '';
        announce(formStatus, 'Outcome recorded.');
        if (saved?.outcome) this.prependOutcome(saved.outcome);
      } catch (error) {
        formStatus.textContent = `Not saved: ${error.message}`;
      } finally {
        submit.disabled = false;
      }
    }},
      h('div', {class: 'field'}, h('label', {for: 'outcome-kind'}, 'Outcome'), kind),
      h('div', {class: 'field grow'}, h('label', {for: 'outcome-notes'}, 'Note'), notes),
      h('div', {class: 'form-actions'}, submit, formStatus));
    return form;
  }

  outcomeList(outcomes) {
    this.outcomesNode = h('ol', {class: 'outcome-list', 'data-testid': 'outcome-list'});
    this.emptyOutcomes = h('p', {class: 'muted'}, 'Nothing recorded yet.');
    for (const outcome of outcomes) this.outcomesNode.append(outcomeItem(outcome));
    this.emptyOutcomes.hidden = outcomes.length > 0;
    return [this.emptyOutcomes, this.outcomesNode];
  }

  // Newest first, as the server lists them.
  prependOutcome(outcome) {
    this.outcomesNode.prepend(outcomeItem(outcome));
    this.emptyOutcomes.hidden = true;
  }
}

function customerPath(customerId) {
  return `/api/v1/customers/${encodeURIComponent(customerId)}`;
}

function section(title, id, ...content) {
  return h('section', {class: 'brief-section', 'aria-labelledby': id},
    h('h4', {id}, title), content);
}

function listOrEmpty(items, emptyText, field) {
  if (!items?.length) return h('p', {class: 'muted'}, emptyText);
  return h('ul', {class: 'plain-list', 'data-field': field}, items.map((item) => h('li', {}, item)));
}

function reasonList(assessment) {
  return listOrEmpty(assessment.reasons, 'No risk signal fired: keep regular touchpoints.', 'reasons');
}

// Every rule that added points: the audit trail behind the score.
function auditTrail(firedRules) {
  if (!firedRules.length) return null;
  return h('details', {class: 'audit'},
    h('summary', {}, `Score breakdown (${firedRules.length} rule${firedRules.length === 1 ? '' : 's'})`),
    h('table', {class: 'data-table compact'},
      h('thead', {}, h('tr', {},
        h('th', {scope: 'col'}, 'Rule'), h('th', {scope: 'col'}, 'Tier'),
        h('th', {scope: 'col', class: 'num'}, 'Points'), h('th', {scope: 'col'}, 'Reason'))),
      h('tbody', {}, firedRules.map((rule) => h('tr', {},
        h('td', {class: 'mono'}, rule.rule), h('td', {}, rule.tier),
        h('td', {class: 'num'}, `+${toNumber(rule.points)}`), h('td', {}, rule.reason))))));
}

// The trained model's estimate beside the rules: a second opinion, never the ranking.
function secondOpinion(opinion) {
  const horizon = toNumber(opinion.horizon_days);
  const reasons = opinion.top_contributions ?? [];
  return h('div', {'data-testid': 'second-opinion'},
    h('p', {},
      'Churn probability ',
      h('strong', {'data-field': 'churn_probability'}, formatPercent(opinion.churn_probability)),
      horizon > 0 ? ` within ${horizon} days` : '',
      '.'),
    reasons.length ?
        h('ul', {class: 'plain-list', 'data-field': 'model_reasons'},
          reasons.map((reason) => h('li', {}, reason.sentence))) :
        null,
    h('p', {class: 'muted'},
      'From a trained model, shown beside the rules for comparison: the rule score above ranks the list.'));
}

// The score over the risk history's snapshots, with the change in words beside the chart.
function riskTrend(points, error) {
  if (!points.length) {
    return h(
        'p', {class: 'muted', 'data-testid': 'risk-trend-empty'},
        error || 'No risk history for this customer yet.');
  }
  const first = toNumber(points[0].risk_score);
  const last = toNumber(points[points.length - 1].risk_score);
  const change = last - first;
  const changeText =
      change === 0 ? 'unchanged' : `${change > 0 ? '+' : '−'}${Math.abs(change)} points`;
  return h(
      'div', {class: 'trend'}, riskTrendChart(points),
      h('p', {class: 'muted', 'data-field': 'risk_trend_summary'},
        `${points.length} snapshot${points.length === 1 ? '' : 's'} since ${points[0].date}: ` +
            `${first} → ${last} (${changeText}).`));
}

function checklist(steps) {
  if (!steps.length) return h('p', {class: 'muted'}, 'No steps.');
  return h('ol', {class: 'checklist', 'data-field': 'checklist'}, steps.map((step) => {
    const due = toNumber(step.due_in_days);
    return h('li', {},
      h('span', {class: 'step-title'}, step.title),
      due > 0 ? h('span', {class: 'step-due'}, `due in ${due} day${due === 1 ? '' : 's'}`)
              : h('span', {class: 'step-due'}, 'today'),
      step.detail ? h('span', {class: 'step-detail'}, step.detail) : null);
  }));
}

function outcomeItem(outcome) {
  return h('li', {class: 'outcome', 'data-outcome-id': String(outcome.id ?? '')},
    h('span', {class: 'outcome-kind'}, outcomeKindName(outcome.kind)),
    h('time', {datetime: outcome.recorded_at || ''}, formatInstant(outcome.recorded_at)),
    outcome.recorded_by ? h('span', {class: 'muted'}, `by ${outcome.recorded_by}`) : null,
    outcome.notes ? h('p', {class: 'outcome-notes'}, outcome.notes) : null);
}

function ticketAnalyses(analyses) {
  return h('ul', {class: 'plain-list'}, analyses.map((analysis) => h('li', {},
    sourceBadge(analysis.source), ' ',
    h('strong', {}, analysis.category || 'other'), ` · ${analysis.sentiment || 'neutral'}`,
    analysis.churn_intent ? h('span', {class: 'badge risk-high'}, 'churn intent') : null,
    h('span', {class: 'muted'}, ` ${analysis.summary || analysis.error || ''}`))));
}
