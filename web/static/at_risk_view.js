// At-Risk list: filters, sortable columns, paging, CSV export, and the customer brief of the
// selected row. Pages after the first are asked for with the gateway's page tokens, which are
// bound to the data and filters they came from: when the data changed in between (a refresh),
// the gateway refuses the token and the list starts again from page 1, saying why.
import {ApiError, downloadFile, getJson, queryString} from './api.js';
import {errorBox, loadingText, riskBadge} from './components.js';
import {CustomerBrief} from './customer_brief.js';
import {h, replace} from './dom.js';
import {formatCount, formatMoney, formatPercent, riskLevelName, toNumber, yesNo} from './format.js';

const RISK_LEVELS = ['high', 'medium', 'low'];
const PAGE_SIZES = [25, 50, 100];

// Sortable columns: the API's sort field and the direction of a first click.
const COLUMNS = [
  {key: 'customer_id', label: 'Customer', sort: 'customer_id', firstDescending: false},
  {key: 'account_name', label: 'Company', sort: 'account_name', firstDescending: false},
  {key: 'plan_tier', label: 'Plan', sort: 'plan_tier', firstDescending: false},
  {key: 'arr', label: 'ARR', sort: 'arr', firstDescending: true, numeric: true},
  {key: 'risk_score', label: 'Risk', sort: 'risk_score', firstDescending: true, numeric: true},
  {
    key: 'usage_drop_pct',
    label: 'Usage drop',
    sort: 'usage_drop_pct',
    firstDescending: true,
    numeric: true
  },
  {
    key: 'tickets_30d',
    label: 'Tickets 30d',
    sort: 'tickets_30d',
    firstDescending: true,
    numeric: true
  },
  {
    key: 'score_change_30d',
    label: 'Change 30d',
    sort: 'score_change_30d',
    firstDescending: true,
    numeric: true
  },
  {key: 'churned', label: 'Churned'},
  {key: 'top_reasons', label: 'Why at risk'},
];

// The at-risk order of the product (score, then ARR, then id) is the server's default.
const DEFAULT_SORT = {field: 'risk_score', descending: true};

export class AtRiskView {
  constructor(root, context) {
    this.root = root;
    this.context = context;
    this.filters = {
      planTiers: [],
      riskLevels: [],
      minArr: '',
      onlyChurned: false,
      minScoreChange: '',
      enteredHigh: false
    };
    this.sort = {...DEFAULT_SORT};
    this.pageSize = PAGE_SIZES[0];
    this.pageToken = '';  // empty: the first page
    this.knownPlanTiers = [];
    this.requestNumber = 0;
    this.restartNote = '';  // said once above the list after a refused page token
    this.built = false;
  }

  // Parameters shared by the list and its CSV export.
  filterParams() {
    return {
      plan_tier: this.filters.planTiers,
      risk_level: this.filters.riskLevels,
      min_arr: this.filters.minArr,
      churned: this.filters.onlyChurned ? 'true' : '',
      min_score_change_30d: this.filters.minScoreChange,
      entered_high: this.filters.enteredHigh ? 'true' : '',
      sort: isDefaultSort(this.sort) ? '' : `${this.sort.descending ? '-' : ''}${this.sort.field}`,
    };
  }

  async load() {
    if (!this.built) this.build();
    await Promise.all([this.loadPlanTiers(), this.loadPage()]);
  }

  build() {
    this.built = true;
    this.filterForm = h('form', {class: 'filters', 'aria-label': 'Filter the at-risk list', onsubmit: (event) => {
      event.preventDefault();
      this.readFilters();
      this.firstPage();
    }});
    this.tierFieldset = h('fieldset', {class: 'checks'}, h('legend', {}, 'Plan tier'));
    this.minArrInput = h('input', {type: 'number', id: 'filter-min-arr', min: '0', step: '100',
                                   inputmode: 'numeric', placeholder: '0'});
    this.onlyChurnedInput = h('input', {type: 'checkbox', id: 'filter-churned'});
    this.minScoreChangeInput = h('input', {
      type: 'number',
      id: 'filter-min-score-change',
      min: '-100',
      max: '100',
      step: '1',
      inputmode: 'numeric',
      placeholder: 'any'
    });
    this.enteredHighInput = h('input', {type: 'checkbox', id: 'filter-entered-high'});
    this.levelInputs = RISK_LEVELS.map((level) => h('input', {type: 'checkbox', name: 'risk_level', value: level}));
    replace(
        this.filterForm, this.tierFieldset,
        h('fieldset', {class: 'checks'}, h('legend', {}, 'Risk level'),
          this.levelInputs.map(
              (input) => h('label', {}, input, ` ${riskLevelName(levelEnum(input.value))}`))),
        h('div', {class: 'field'},
          h('label',
            {for: 'filter-min-arr'
            },
            'Minimum ARR ($)'),
          this.minArrInput),
        h('div', {class: 'field checkbox-field'},
          h('label', {}, this.onlyChurnedInput, ' Only churned')),
        h('div', {class: 'field'},
          h('label',
            {for: 'filter-min-score-change'
            },
            'Score change 30d at least'),
          this.minScoreChangeInput),
        h('div', {class: 'field checkbox-field'},
          h('label', {}, this.enteredHighInput, ' Entered High since the previous snapshot')),
        h('div', {class: 'filter-actions'},
          h('button', {type: 'submit', class: 'primary'}, 'Apply filters'),
          h('button', {type: 'button', class: 'secondary', onclick: () => this.resetFilters()},
            'Reset')));

    this.summary = h('p', {class: 'list-summary', role: 'status', 'aria-live': 'polite'});
    this.exportLinks = h('div', {class: 'export-links'});
    this.exportStatus = h('span', {class: 'error-inline', role: 'status', 'aria-live': 'polite'});
    this.tableRegion = h('div', {class: 'table-region'});
    this.pager = h('nav', {class: 'pager', 'aria-label': 'Pages of the at-risk list'});
    this.briefRegion = h('section', {class: 'brief', 'aria-label': 'Customer brief', hidden: true});
    this.brief = new CustomerBrief(this.briefRegion, this.context, () => this.closeBrief());

    replace(this.root,
      h('h2', {}, 'At-risk customers'),
      this.filterForm,
      h('div', {class: 'list-toolbar'}, this.summary, this.exportLinks),
      h('div', {class: 'list-and-brief'},
        h('div', {class: 'list-column'}, this.tableRegion, this.pager),
        this.briefRegion));
  }

  async loadPlanTiers() {
    if (this.knownPlanTiers.length) return;
    try {
      const drivers = await getJson('/api/v1/drivers');
      this.knownPlanTiers = (drivers.plan_tiers ?? []).map((tier) => tier.plan_tier).filter(Boolean);
    } catch {
      this.knownPlanTiers = [];  // the filter is still usable without tier names from the data
    }
    replace(this.tierFieldset, h('legend', {}, 'Plan tier'),
      this.knownPlanTiers.length
        ? this.knownPlanTiers.map((tier) => h('label', {},
            h('input', {type: 'checkbox', name: 'plan_tier', value: tier,
                        checked: this.filters.planTiers.includes(tier)}), ` ${tier}`))
        : h('span', {class: 'muted'}, 'No plan tiers'));
  }

  readFilters() {
    this.filters = {
      planTiers:
          [...this.tierFieldset.querySelectorAll('input:checked')].map((input) => input.value),
      riskLevels: this.levelInputs.filter((input) => input.checked).map((input) => input.value),
      minArr: this.minArrInput.value.trim(),
      onlyChurned: this.onlyChurnedInput.checked,
      minScoreChange: this.minScoreChangeInput.value.trim(),
      enteredHigh: this.enteredHighInput.checked,
    };
  }

  resetFilters() {
    this.filterForm.reset();
    this.readFilters();
    this.sort = {...DEFAULT_SORT};
    this.firstPage();
  }

  firstPage() {
    this.pageToken = '';
    this.loadPage();
  }

  async loadPage() {
    const thisRequest = ++this.requestNumber;
    this.tableRegion.setAttribute('aria-busy', 'true');
    if (!this.tableRegion.hasChildNodes()) replace(this.tableRegion, loadingText());
    const params = {...this.filterParams(), limit: this.pageSize, page_token: this.pageToken};
    try {
      const page = await getJson(`/api/v1/at-risk${queryString(params)}`);
      if (thisRequest !== this.requestNumber) return;  // a newer request superseded this one
      this.context.onFreshness(page.freshness);
      this.renderPage(page);
      if (this.restartNote) this.summary.textContent = `${this.restartNote} ${this.summary.textContent}`;
      this.restartNote = '';
    } catch (error) {
      if (thisRequest !== this.requestNumber) return;
      if (this.pageToken && isRefusedPageToken(error)) {
        // The data (or the filters) changed since this page's token was issued.
        this.restartNote = 'The list changed since it was loaded; back to page 1.';
        this.firstPage();
        return;
      }
      replace(this.tableRegion, errorBox(`At-risk list unavailable. ${error.message}`));
      replace(this.pager);
      this.summary.textContent = '';
    } finally {
      if (thisRequest === this.requestNumber) this.tableRegion.removeAttribute('aria-busy');
    }
  }

  renderPage(page) {
    // Re-rendering replaces the table and pager: keep keyboard focus on the control that was used.
    const focusKey = document.activeElement?.dataset?.focusKey;
    const rows = page.customers ?? [];
    const total = toNumber(page.total_matched);
    const first = toNumber(page.offset);
    this.summary.textContent = rows.length
      ? `Showing ${formatCount(first + 1)}–${formatCount(first + rows.length)} of ${formatCount(total)} customers`
      : 'No customer matches these filters.';

    const exportQuery = queryString(this.filterParams());
    replace(this.exportLinks,
      this.exportLink(`/api/v1/export/at-risk.csv${exportQuery}`, 'at-risk.csv', 'Export list (CSV)'),
      this.exportLink(`/api/v1/export/playbooks.csv${exportQuery}`, 'playbooks.csv', 'Export playbooks (CSV)'),
      this.exportStatus);

    replace(this.tableRegion, rows.length ? this.table(rows, page.movements ?? []) : null);
    this.renderPager(first, rows.length, total, page);
    if (focusKey) this.root.querySelector(`[data-focus-key="${CSS.escape(focusKey)}"]`)?.focus();
  }

  // A link (so it can be copied when the gateway runs without tokens) whose click fetches the
  // file with the tab's token, which a plain link would not send.
  exportLink(href, fileName, label) {
    return h('a', {class: 'button-link', href, download: fileName, onclick: async (event) => {
      event.preventDefault();
      this.exportStatus.textContent = '';
      try {
        await downloadFile(href, fileName, {timeoutMs: 60000});
      } catch (error) {
        if (error?.name !== 'AbortError') this.exportStatus.textContent = `Export failed: ${error.message}`;
      }
    }}, label);
  }

  table(rows, movements) {
    return h(
        'table', {class: 'data-table', id: 'at-risk-table'},
        h('caption', {class: 'visually-hidden'},
          'At-risk customers; select a row to open its brief'),
        h('thead', {}, h('tr', {}, COLUMNS.map((column) => this.headerCell(column)))),
        h('tbody', {}, rows.map((row, i) => this.row(row, movements[i] ?? {}))));
  }

  headerCell(column) {
    const className = column.numeric ? 'num' : undefined;
    if (!column.sort) return h('th', {scope: 'col', class: className, 'data-col': column.key}, column.label);
    const ariaSort = this.sort.field === column.sort ? (this.sort.descending ? 'descending' : 'ascending') : undefined;
    return h('th', {scope: 'col', class: className, 'aria-sort': ariaSort, 'data-col': column.key},
      h('button', {type: 'button', class: 'sort-button', 'data-sort': column.sort, 'data-focus-key': `sort-${column.sort}`,
                   onclick: () => this.toggleSort(column)},
        column.label,
        h('span', {class: 'sort-indicator', 'aria-hidden': 'true'},
          ariaSort === 'ascending' ? ' ▲' : ariaSort === 'descending' ? ' ▼' : ' ↕')));
  }

  toggleSort(column) {
    if (this.sort.field === column.sort) {
      this.sort.descending = !this.sort.descending;
    } else {
      this.sort = {field: column.sort, descending: column.firstDescending};
    }
    this.firstPage();
  }

  row(scored, movement) {
    const signals = scored.signals ?? {};
    const assessment = scored.assessment ?? {};
    const customerId = signals.customer_id || assessment.customer_id || '';
    const open = () => this.openBrief(customerId, rowNode);
    const rowNode =
        h('tr', {
          class: 'clickable',
          tabindex: '0',
          'data-customer-id': customerId,
          'aria-label': `${customerId} ${signals.account_name ?? ''}: open brief`,
          onclick: open,
          onkeydown: (event) => {
            if (event.key === 'Enter' || event.key === ' ') {
              event.preventDefault();
              open();
            }
          },
        },
          h('td', {class: 'mono', 'data-col': 'customer_id'}, customerId),
          h('td', {'data-col': 'account_name'}, signals.account_name || '—'),
          h('td', {'data-col': 'plan_tier'}, signals.plan_tier || '—'),
          h('td', {class: 'num', 'data-col': 'arr'}, formatMoney(signals.arr)),
          h('td', {class: 'num', 'data-col': 'risk_score'},
            riskBadge(assessment.risk_level, toNumber(assessment.risk_score))),
          h('td', {class: 'num', 'data-col': 'usage_drop_pct'},
            formatPercent(signals.usage_drop_pct, 0)),
          h('td', {class: 'num', 'data-col': 'tickets_30d'}, formatCount(signals.tickets_30d)),
          h('td', {class: 'num', 'data-col': 'score_change_30d'}, scoreChange(movement)),
          h('td', {'data-col': 'churned'}, yesNo(signals.churned)),
          h('td', {class: 'reasons', 'data-col': 'top_reasons'},
            assessment.top_reasons || 'No risk signal'));
    if (customerId === this.selectedCustomerId) rowNode.classList.add('selected');
    return rowNode;
  }

  renderPager(first, shown, total, page) {
    const pages = Math.max(1, Math.ceil(total / this.pageSize));
    const current = Math.floor(first / this.pageSize) + 1;
    const go = (token) => {
      this.pageToken = token;
      this.loadPage();
    };
    const sizeSelect = h('select', {id: 'page-size', 'data-focus-key': 'page-size', onchange: (event) => {
      this.pageSize = Number(event.target.value);
      this.firstPage();
    }}, PAGE_SIZES.map((size) => h('option', {value: String(size), selected: size === this.pageSize}, String(size))));
    const previousToken = page.previous_page_token ?? '';
    const nextToken = page.next_page_token ?? '';
    replace(this.pager,
      h('button', {type: 'button', class: 'secondary', 'data-focus-key': 'page-previous', disabled: !previousToken,
                   onclick: () => go(previousToken)},
        '← Previous'),
      h('span', {class: 'page-status'}, `Page ${current} of ${pages}`),
      h('button', {type: 'button', class: 'secondary', 'data-focus-key': 'page-next', disabled: !nextToken,
                   onclick: () => go(nextToken)}, 'Next →'),
      h('label', {class: 'inline-field', for: 'page-size'}, 'Rows per page '), sizeSelect);
  }

  openBrief(customerId, rowNode) {
    this.selectedCustomerId = customerId;
    for (const selected of this.tableRegion.querySelectorAll('tr.selected')) selected.classList.remove('selected');
    rowNode?.classList.add('selected');
    this.briefRegion.hidden = false;
    this.root.classList.add('with-brief');
    this.brief.show(customerId);
  }

  closeBrief() {
    this.briefRegion.hidden = true;
    this.root.classList.remove('with-brief');
    const row = this.tableRegion.querySelector(`tr[data-customer-id="${CSS.escape(this.selectedCustomerId ?? '')}"]`);
    row?.classList.remove('selected');
    row?.focus();
    this.selectedCustomerId = undefined;
  }
}

// "+12", "−5", "0" or "—" (no 30-day history), with "entered High" when it did.
function scoreChange(movement) {
  const known = movement.score_change_30d !== undefined && movement.score_change_30d !== null;
  const change = toNumber(movement.score_change_30d);
  const text = !known ? '—' : change > 0 ? `+${change}` : change < 0 ? `−${Math.abs(change)}` : '0';
  const direction = !known || change === 0 ? '' : change > 0 ? ' up' : ' down';
  return [
    h('span', {class: `score-change${direction}`}, text),
    movement.entered_high ?
        [' ', h('span', {class: 'badge risk-high', 'data-field': 'entered_high'}, 'entered High')] :
        null
  ];
}

function isDefaultSort(sort) {
  return sort.field === DEFAULT_SORT.field && sort.descending === DEFAULT_SORT.descending;
}

function levelEnum(level) {
  return `RISK_LEVEL_${level.toUpperCase()}`;
}

// The gateway's answer to a page token from older data or other filters (HTTP 400).
function isRefusedPageToken(error) {
  return error instanceof ApiError && error.status === 400 && /start from the first page/.test(error.message);
}
