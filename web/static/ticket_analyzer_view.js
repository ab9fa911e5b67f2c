// Ticket Analyzer: one pasted ticket, or a batch over a ticket text set with a progress bar fed
// by the gateway's NDJSON stream. Slow tickets come back with an error in their own row; the
// page stays responsive and the batch can be cancelled.
import {MAX_UPLOAD_BYTES, getJson, postJson, postNdjson, queryString} from './api.js';
import {errorBox, sourceBadge} from './components.js';
import {h, replace} from './dom.js';
import {formatCount, toNumber, yesNo} from './format.js';
import {currentSession, may, onSessionChange} from './session.js';

const DEFAULT_TIMEOUT_S = 60;
const DEFAULT_BATCH_SIZE = 10;
// Time the gateway may need around the per-ticket model deadlines.
const TRANSPORT_MARGIN_MS = 15000;

export class TicketAnalyzerView {
  constructor(root, context) {
    this.root = root;
    this.context = context;
    this.built = false;
  }

  async load() {
    if (!this.built) this.build();
    await this.loadSets();
  }

  build() {
    this.built = true;
    this.permissionNote = h('p', {class: 'permission-note', 'data-testid': 'analyze-permission-note', hidden: true});
    replace(this.root,
      h('h2', {}, 'Ticket analyzer'),
      this.permissionNote,
      h('div', {class: 'two-columns ticket-layout'}, this.singleTicketPanel(), this.batchPanel()));
    onSessionChange(() => this.applyPermissions());
    this.applyPermissions();
  }

  // The analyse buttons stay visible but disabled, with the reason, when the caller's role may
  // not analyse tickets (the gateway would answer 403); the ticket sets can still be browsed.
  applyPermissions() {
    const allowed = may('can_analyze_tickets');
    const session = currentSession();
    this.permissionNote.hidden = allowed;
    this.permissionNote.textContent = allowed ? '' :
      `Signed in as ${session?.name ?? '?'} (${session?.role ?? '?'}): this role may not analyse tickets.`;
    this.analyzeButton.disabled = !allowed;
    this.showSource();
  }

  // --- One pasted ticket ---

  singleTicketPanel() {
    const subject = h('input', {type: 'text', id: 'ticket-subject', maxlength: '500', autocomplete: 'off'});
    const body = h('textarea', {id: 'ticket-body', rows: '6', maxlength: '20000', required: true,
                                placeholder: 'Paste the ticket text here'});
    const timeout = h('input', {type: 'number', id: 'ticket-timeout', min: '1', max: '600',
                                value: String(DEFAULT_TIMEOUT_S)});
    const submit = h('button', {type: 'submit', class: 'primary'}, 'Analyze ticket');
    this.analyzeButton = submit;
    const result = h('div', {class: 'ticket-result', 'aria-live': 'polite', id: 'ticket-result'});
    const form = h('form', {class: 'stacked-form', onsubmit: async (event) => {
      event.preventDefault();
      const timeoutSeconds = clampSeconds(timeout.value);
      submit.disabled = true;
      replace(result, h('p', {class: 'loading', role: 'status'}, 'Analyzing…'));
      try {
        const response = await postJson('/api/v1/tickets/analyze',
                                         {subject: subject.value, body: body.value, timeout_ms: timeoutSeconds * 1000},
                                         {timeoutMs: timeoutSeconds * 1000 + TRANSPORT_MARGIN_MS});
        replace(result, analysisCard(response.analysis ?? {}));
      } catch (error) {
        replace(result, errorBox(`Analysis failed. ${error.message}`));
      } finally {
        submit.disabled = !may('can_analyze_tickets');
      }
    }},
      h('div', {class: 'field'}, h('label', {for: 'ticket-subject'}, 'Subject (optional)'), subject),
      h('div', {class: 'field'}, h('label', {for: 'ticket-body'}, 'Ticket text'), body),
      h('div', {class: 'field narrow'}, h('label', {for: 'ticket-timeout'}, 'Timeout (s)'), timeout),
      h('div', {class: 'field'}, submit));
    return h('section', {class: 'panel', 'aria-labelledby': 'single-ticket-heading'},
      h('h3', {id: 'single-ticket-heading'}, 'Analyze one ticket'),
      h('p', {class: 'muted'}, 'Ticket text stays on this machine: it is read by the local model, or by the ' +
                               'rule-based fallback when the model is off or slow.'),
      form, result);
  }

  // --- Batch over a ticket set ---

  batchPanel() {
    this.setSelect = h('select', {id: 'batch-set'});
    this.setInfo = h('p', {class: 'muted', id: 'batch-set-info'});
    this.sourceFolder = h('input', {type: 'radio', name: 'batch-source', value: 'folder', checked: true});
    this.sourceUpload = h('input', {type: 'radio', name: 'batch-source', value: 'upload'});
    this.uploadInput = h('input', {type: 'file', id: 'batch-upload', accept: '.csv,text/csv'});
    this.uploadField = h('div', {class: 'field', hidden: true},
      h('label', {for: 'batch-upload'}, 'Ticket CSV file'), this.uploadInput,
      h('p', {class: 'muted'}, 'Analysed for this batch only; an uploaded file never feeds the scores.'));
    this.setField = h('div', {class: 'field'}, h('label', {for: 'batch-set'}, 'Ticket set'), this.setSelect, this.setInfo);
    for (const radio of [this.sourceFolder, this.sourceUpload]) {
      radio.addEventListener('change', () => this.showSource());
    }
    this.batchLimit = h('input', {type: 'number', id: 'batch-limit', min: '1', max: '10000',
                                  value: String(DEFAULT_BATCH_SIZE)});
    this.batchTimeout = h('input', {type: 'number', id: 'batch-timeout', min: '1', max: '600',
                                    value: String(DEFAULT_TIMEOUT_S)});
    this.runButton = h('button', {type: 'submit', class: 'primary'}, 'Run batch');
    this.cancelButton = h('button', {type: 'button', class: 'secondary', disabled: true,
                                     onclick: () => this.abortController?.abort()}, 'Cancel');
    this.progressBar = h('progress', {id: 'batch-progress', max: '1', value: '0', 'aria-labelledby': 'batch-progress-label'});
    this.progressText = h('span', {id: 'batch-progress-label', role: 'status', 'aria-live': 'polite'}, 'Not started');
    this.batchMessage = h('div', {class: 'batch-message'});
    this.resultsBody = h('tbody');
    this.setSelect.addEventListener('change', () => this.describeSelectedSet());

    const form = h('form', {class: 'stacked-form', onsubmit: (event) => {
      event.preventDefault();
      this.runBatch();
    }},
      h('fieldset', {class: 'checks'}, h('legend', {}, 'Tickets from'),
        h('label', {}, this.sourceFolder, ' the tickets folder'),
        h('label', {}, this.sourceUpload, ' a CSV file I upload')),
      this.setField,
      this.uploadField,
      h('div', {class: 'field-row'},
        h('div', {class: 'field narrow'}, h('label', {for: 'batch-limit'}, 'Tickets to process'), this.batchLimit),
        h('div', {class: 'field narrow'}, h('label', {for: 'batch-timeout'}, 'Timeout per ticket (s)'), this.batchTimeout)),
      h('div', {class: 'field-row'}, this.runButton, this.cancelButton));

    return h('section', {class: 'panel', 'aria-labelledby': 'batch-heading'},
      h('h3', {id: 'batch-heading'}, 'Batch analysis'),
      form,
      h('div', {class: 'progress'}, this.progressBar, this.progressText),
      this.batchMessage,
      h('div', {class: 'table-scroll'},
        h('table', {class: 'data-table compact', id: 'batch-results'},
          h('caption', {class: 'visually-hidden'}, 'Batch results, one row per ticket'),
          h('thead', {}, h('tr', {},
            ['#', 'Ticket', 'Customer', 'Category', 'Sentiment', 'Churn intent', 'Source', 'Time', 'Error']
              .map((label) => h('th', {scope: 'col', class: label === '#' || label === 'Time' ? 'num' : undefined}, label)))),
          this.resultsBody)));
  }

  async loadSets() {
    if (this.running) return;
    try {
      const response = await getJson('/api/v1/tickets/sets');
      this.sets = response.sets ?? [];
    } catch (error) {
      this.sets = [];
      replace(this.batchMessage, errorBox(`Ticket sets unavailable. ${error.message}`));
    }
    const previous = this.setSelect.value;
    replace(this.setSelect, this.sets.length
      ? this.sets.map((set) => h('option', {value: set.name, selected: set.name === previous},
                                 `${set.name} (${formatCount(set.rows)} tickets)`))
      : h('option', {value: ''}, 'No ticket set found'));
    this.describeSelectedSet();
    this.showSource();
  }

  uploading() {
    return this.sourceUpload.checked;
  }

  showSource() {
    this.setField.hidden = this.uploading();
    this.uploadField.hidden = !this.uploading();
    if (!this.running) {
      this.runButton.disabled = !may('can_analyze_tickets') || (!this.uploading() && !this.sets?.length);
    }
  }

  describeSelectedSet() {
    const set = this.sets?.find((candidate) => candidate.name === this.setSelect.value);
    this.setInfo.textContent = set
      ? `${set.file || set.name}: text from ${set.text_columns || 'unknown columns'}; ` +
        (set.linked ? `linked to customers by ${set.key_column}.` : 'demo set (not linked to customers).')
      : 'Put ticket CSV files in the tickets folder of the data directory.';
  }

  async runBatch() {
    const limit = Math.max(1, Math.round(toNumber(this.batchLimit.value)) || DEFAULT_BATCH_SIZE);
    const timeoutSeconds = clampSeconds(this.batchTimeout.value);
    let endpoint;
    let requestOptions;
    let expected = limit;
    if (this.uploading()) {
      const file = this.uploadInput.files?.[0];
      if (!file) {
        replace(this.batchMessage, errorBox('Choose a CSV file to upload.'));
        return;
      }
      if (file.size > MAX_UPLOAD_BYTES) {
        replace(this.batchMessage, errorBox(`${file.name} is larger than ${MAX_UPLOAD_BYTES / 1048576} MiB.`));
        return;
      }
      endpoint = `/api/v1/tickets/upload/analyze${queryString({file_name: file.name, limit,
                                                                timeout_ms: timeoutSeconds * 1000})}`;
      requestOptions = {rawBody: file, contentType: 'text/csv'};
    } else {
      const setName = this.setSelect.value;
      if (!setName) return;
      const set = this.sets.find((candidate) => candidate.name === setName);
      expected = Math.min(limit, toNumber(set?.rows) || limit);
      endpoint = `/api/v1/tickets/sets/${encodeURIComponent(setName)}/analyze`;
      requestOptions = {body: {limit, timeout_ms: timeoutSeconds * 1000}};
    }

    this.running = true;
    this.abortController = new AbortController();
    this.runButton.disabled = true;
    this.cancelButton.disabled = false;
    replace(this.resultsBody);
    replace(this.batchMessage);
    this.setProgress(0, expected);
    let received = 0;
    try {
      await postNdjson(endpoint, requestOptions.body,
        (message) => {
          if (message.error && !message.result) throw new Error(message.error.message ?? message.error);
          const total = toNumber(message.total) || expected;
          if (message.result) {
            received += 1;
            this.resultsBody.append(batchRow(received, message.result));
          }
          this.setProgress(toNumber(message.done) || received, total);
          if (message.text_columns) {
            this.setInfo.textContent = `Text from ${message.text_columns}; ` +
              (message.linked ? 'linked to customers.' : 'demo set (not linked to customers).');
          }
        },
        {...requestOptions, signal: this.abortController.signal,
         timeoutMs: expected * (timeoutSeconds * 1000 + 1000) + TRANSPORT_MARGIN_MS});
      this.progressText.textContent += ' · finished';
    } catch (error) {
      const cancelled = error?.name === 'AbortError';
      replace(this.batchMessage, cancelled ? h('p', {class: 'muted', role: 'status'}, 'Batch cancelled.')
                                           : errorBox(`Batch stopped. ${error.message}`));
    } finally {
      this.running = false;
      this.cancelButton.disabled = true;
      this.showSource();
    }
  }

  setProgress(done, total) {
    this.progressBar.max = Math.max(1, total);
    this.progressBar.value = Math.min(done, Math.max(1, total));
    this.progressText.textContent = `${formatCount(done)} of ${formatCount(total)} tickets analysed`;
  }
}

function clampSeconds(value) {
  const seconds = Math.round(toNumber(value));
  return Math.min(600, Math.max(1, seconds || DEFAULT_TIMEOUT_S));
}

function analysisCard(analysis) {
  const fields = [
    ['Category', analysis.category || '—', 'category'],
    ['Sentiment', analysis.sentiment || '—', 'sentiment'],
    ['Churn intent', yesNo(analysis.churn_intent), 'churn_intent'],
    ['Recommended action', analysis.recommended_action || '—', 'recommended_action'],
    ['Summary', analysis.summary || '—', 'summary'],
  ];
  return h('div', {class: 'analysis', 'data-testid': 'analysis'},
    h('div', {class: 'analysis-badges'},
      sourceBadge(analysis.source),
      analysis.churn_intent ? h('span', {class: 'badge risk-high'}, 'Churn intent') : null,
      analysis.cached ? h('span', {class: 'badge neutral'}, 'cached') : null,
      analysis.model ? h('span', {class: 'muted'}, analysis.model) : null,
      h('span', {class: 'muted'}, `${formatCount(analysis.latency_ms)} ms`)),
    analysis.error ? h('p', {class: 'error-inline', 'data-field': 'error'}, `Error: ${analysis.error}`) : null,
    h('dl', {class: 'facts'}, fields.map(([label, value, field]) =>
      [h('dt', {}, label), h('dd', {'data-field': field}, value)])),
    h('details', {open: true},
      h('summary', {}, 'Structured JSON'),
      h('pre', {class: 'json', 'data-field': 'json'}, JSON.stringify(analysis, null, 2))));
}

function batchRow(index, result) {
  return h('tr', {class: result.error ? 'has-error' : undefined},
    h('td', {class: 'num'}, String(index)),
    h('td', {class: 'mono'}, result.ticket_id || '—'),
    h('td', {class: 'mono'}, result.customer_id || '—'),
    h('td', {}, result.category || '—'),
    h('td', {}, result.sentiment || '—'),
    h('td', {}, yesNo(result.churn_intent)),
    h('td', {}, sourceBadge(result.source)),
    h('td', {class: 'num'}, `${formatCount(result.latency_ms)} ms`),
    h('td', {class: 'error-cell', 'data-col': 'error'}, result.error || ''));
}
