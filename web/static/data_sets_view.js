// Data sets: upload the five tables (as CSV files or one zip) under a name, see why a file was
// refused (file, line and column, as the gateway says), list the data sets and select the one the
// views are built from. Upload and select are an admin's (load_data); everyone may list.
import {MAX_UPLOAD_BYTES, getJson, postJson, queryString, request} from './api.js';
import {errorBox} from './components.js';
import {announce, h, replace} from './dom.js';
import {formatCount} from './format.js';
import {currentSession, may, onSessionChange} from './session.js';

const UPLOAD_TIMEOUT_MS = 300000;          // validation reads every table
const NAME_PATTERN = '[A-Za-z0-9][A-Za-z0-9_\\-]{0,63}';  // '-' escaped: pattern attributes use the v flag

// A file's bytes as base64 (the JSON mapping of protobuf bytes).
function readBase64(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error ?? new Error(`cannot read ${file.name}`));
    reader.readAsDataURL(file);
  });
}

function formatBytes(bytes) {
  const value = Number(bytes) || 0;
  if (value >= 1048576) return `${(value / 1048576).toFixed(1)} MiB`;
  if (value >= 1024) return `${(value / 1024).toFixed(1)} KiB`;
  return `${value} B`;
}

export class DataSetsView {
  constructor(root, context) {
    this.root = root;
    this.context = context;
    this.built = false;
  }

  async load() {
    if (!this.built) this.build();
    await this.loadList();
  }

  build() {
    this.built = true;
    this.permissionNote = h('p', {class: 'permission-note', 'data-testid': 'data-sets-permission-note', hidden: true});
    this.nameInput = h('input', {type: 'text', id: 'data-set-name', required: true, pattern: NAME_PATTERN,
                                 maxlength: '64', autocomplete: 'off', placeholder: 'q3-export'});
    this.filesInput = h('input', {type: 'file', id: 'data-set-files', multiple: true,
                                  accept: '.csv,.zip,text/csv,application/zip'});
    this.uploadButton = h('button', {type: 'submit', class: 'primary'}, 'Upload data set');
    this.uploadMessage = h('div', {'data-testid': 'data-set-upload-message', role: 'status', 'aria-live': 'polite'});
    this.form = h('form', {class: 'data-set-upload', onsubmit: (event) => {
      event.preventDefault();
      this.upload();
    }},
      h('div', {class: 'field-row'},
        h('div', {class: 'field'},
          h('label', {for: 'data-set-name'}, 'Data set name'), this.nameInput),
        h('div', {class: 'field grow'},
          h('label', {for: 'data-set-files'}, 'Tables (five CSV files, or one zip)'), this.filesInput),
        h('div', {class: 'field'}, this.uploadButton)),
      h('p', {class: 'muted'},
        'Letters, digits, - and _ name the set. Every table is checked before the set is kept; ' +
        'a bad value is reported with its file, line and column, and the data served stays as it is.'),
      this.uploadMessage);
    this.listStatus = h('span', {class: 'muted', role: 'status', 'aria-live': 'polite'});
    this.list = h('div', {'data-testid': 'data-set-list'});
    replace(this.root,
      h('h2', {}, 'Data sets'),
      this.permissionNote,
      h('section', {class: 'panel'}, h('h3', {}, 'Upload'), this.form),
      h('section', {class: 'panel'}, h('h3', {}, 'Available data sets ', this.listStatus), this.list));
    onSessionChange(() => this.applyPermissions());
    this.applyPermissions();
  }

  applyPermissions() {
    const allowed = may('can_manage_data_sets');
    const session = currentSession();
    this.permissionNote.hidden = allowed;
    this.permissionNote.textContent = allowed ? '' :
      `Signed in as ${session?.name ?? '?'} (${session?.role ?? '?'}): uploading and selecting data sets needs an admin.`;
    this.uploadButton.disabled = !allowed;
    if (this.sets) this.renderList();
  }

  async loadList() {
    try {
      const {data_sets: sets = []} = await getJson('/api/v1/data-sets');
      this.sets = sets;
      this.renderList();
    } catch (error) {
      replace(this.list, errorBox(`Could not list the data sets: ${error.message}`));
    }
  }

  renderList() {
    const allowed = may('can_manage_data_sets');
    const rows = this.sets.map((set) => {
      const label = set.configured ? 'Configured data folder' : set.name;
      const select = h('button', {type: 'button', class: 'secondary small',
                                  disabled: set.current || !allowed,
                                  'aria-label': `Select ${label}`,
                                  onclick: () => this.select(set)}, set.current ? 'In use' : 'Select');
      return h('tr', {dataset: {name: set.name, current: String(Boolean(set.current))}},
        h('th', {scope: 'row'}, label, set.current ? h('span', {class: 'badge'}, ' current') : null),
        h('td', {}, set.configured ? '(the folder ingest was started with)' : (set.files ?? []).join(', ')),
        h('td', {class: 'num'}, set.configured ? '' : formatBytes(set.bytes)),
        h('td', {}, set.created_at ? `${set.created_at.slice(0, 16).replace('T', ' ')} UTC` : ''),
        h('td', {}, select));
    });
    replace(this.list, h('table', {class: 'data-table compact'},
      h('thead', {}, h('tr', {},
        h('th', {scope: 'col'}, 'Name'), h('th', {scope: 'col'}, 'Files'),
        h('th', {scope: 'col', class: 'num'}, 'Size'), h('th', {scope: 'col'}, 'Uploaded'),
        h('th', {scope: 'col'}, 'Use'))),
      h('tbody', {}, rows)));
  }

  async upload() {
    const name = this.nameInput.value.trim();
    const files = [...(this.filesInput.files ?? [])];
    if (!new RegExp(`^${NAME_PATTERN}$`).test(name)) {
      replace(this.uploadMessage, errorBox('Name the data set: letters, digits, - and _ (up to 64).'));
      return;
    }
    if (!files.length) {
      replace(this.uploadMessage, errorBox('Choose the five CSV tables, or one zip of them.'));
      return;
    }
    const zip = files.length === 1 && /\.zip$/i.test(files[0].name);
    const total = files.reduce((sum, file) => sum + file.size, 0);
    // JSON carries each file in base64: four bytes for every three.
    if ((zip ? total : Math.ceil(total / 3) * 4) > MAX_UPLOAD_BYTES) {
      replace(this.uploadMessage, errorBox(
        `The upload is larger than the gateway accepts (${MAX_UPLOAD_BYTES / 1048576} MiB)${zip ? '' : '; try one zip'}.`));
      return;
    }
    this.uploadButton.disabled = true;
    replace(this.uploadMessage, h('p', {class: 'loading'}, `Uploading and checking ${name}…`));
    try {
      let result;
      if (zip) {
        const {response, release} = await request(
          `/api/v1/data-sets/upload${queryString({name, file_name: files[0].name})}`,
          {method: 'POST', rawBody: files[0], contentType: 'application/zip', timeoutMs: UPLOAD_TIMEOUT_MS});
        try {
          result = await response.json();
        } finally {
          release();
        }
      } else {
        const encoded = await Promise.all(files.map(async (file) => ({file_name: file.name, content: await readBase64(file)})));
        result = await postJson('/api/v1/data-sets/upload', {name, files: encoded}, {timeoutMs: UPLOAD_TIMEOUT_MS});
      }
      const set = result.data_set ?? {};
      replace(this.uploadMessage, h('p', {class: 'upload-success', 'data-testid': 'data-set-uploaded'},
        `${set.name} uploaded: ${(set.files ?? []).length} tables, ${formatBytes(set.bytes)}. Select it below to use it.`));
      this.form.reset();
      await this.loadList();
    } catch (error) {
      replace(this.uploadMessage, h('div', {class: 'error-box', role: 'alert', 'data-testid': 'data-set-error'},
        `Not uploaded: ${error.message}`));
    } finally {
      this.uploadButton.disabled = !may('can_manage_data_sets');
    }
  }

  async select(set) {
    const label = set.configured ? 'the configured data folder' : set.name;
    this.listStatus.textContent = `Loading ${label}…`;
    try {
      const result = await postJson('/api/v1/data-sets/select', {name: set.name ?? ''}, {timeoutMs: UPLOAD_TIMEOUT_MS});
      // The gateway rebuilt its views; the freshness strip and every view follow.
      const executive = await getJson('/api/v1/executive');
      this.context.onFreshness(executive.freshness);
      announce(this.listStatus, `Now serving ${label}: ${formatCount(result.snapshot?.customer_count ?? 0)} customers.`, 8000);
      await this.loadList();
    } catch (error) {
      this.listStatus.textContent = '';
      replace(this.list, errorBox(`Could not select ${label}: ${error.message}`));
    }
  }
}
