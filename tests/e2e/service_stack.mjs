// Starts the real service set (ingest, scoring, enrichment, gateway) from a build directory on
// ephemeral loopback ports, over a freshly generated demo data folder, and stops it again.
// Every wait polls a condition with a deadline; nothing sleeps for a fixed time.
import {spawn, spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const SOURCE_DIR = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

export const BINARIES = {
  churnctl: 'tools/churnctl/churnctl',
  ingest: 'services/ingest/churn-ingest',
  scoring: 'services/scoring/churn-scoring',
  enrichment: 'services/enrichment/churn-enrichment',
  gateway: 'services/gateway/churn-gateway',
};
// Only for the slow-model scenario, which is skipped without it.
export const FAKE_OLLAMA = 'tests/fake_ollama/fake-ollama';

export function binaryPath(buildDir, name) {
  return path.join(buildDir, BINARIES[name] ?? name);
}

export function missingBinaries(buildDir) {
  return Object.keys(BINARIES).filter((name) => !fs.existsSync(binaryPath(buildDir, name)));
}

export const TICKET_SET = 'e2e_tickets.csv';
// Its second ticket makes the fake model hang: that ticket must time out, the others not.
export const SLOW_TICKET_SET = 'e2e_slow_model.csv';

// Polls `probe` (sync or async, truthy = done) every `intervalMs` until `timeoutMs` passes.
export async function waitFor(description, probe, {timeoutMs = 30000, intervalMs = 100} = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}` +
                      (lastError ? ` (last error: ${lastError.message})` : ''));
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

// "grpc_port=123\nmetrics_port=456\n" -> {grpc_port: 123, metrics_port: 456}
function readPortFile(file) {
  if (!fs.existsSync(file)) return null;
  const ports = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const [key, value] = line.split('=');
    if (key && value) ports[key.trim()] = Number(value.trim());
  }
  return ports;
}

function writeCsv(file, rows) {
  const csv = rows.map((row) => row.map((cell) => `"${cell.replaceAll('"', '""')}"`).join(',')).join('\r\n');
  fs.writeFileSync(file, `${csv}\r\n`);
}

// Small ticket text sets (demo sets: no key column) for the batch analysis.
function writeTicketSets(ticketsDir) {
  fs.mkdirSync(ticketsDir, {recursive: true});
  writeCsv(path.join(ticketsDir, TICKET_SET), [
    ['ticket_id', 'subject', 'body'],
    ['E2E-1', 'Renewal', 'Our renewal quote is beyond our budget; we may downgrade or cancel.'],
    ['E2E-2', 'Export broken', 'The CSV export crashes with an error every time since the update.'],
    ['E2E-3', 'Thanks', 'Onboarding went great, the team loves the new dashboard.'],
    ['E2E-4', 'Slow pages', 'Reports take minutes to load, it is very slow.'],
  ]);
  writeCsv(path.join(ticketsDir, SLOW_TICKET_SET), [
    ['ticket_id', 'subject', 'body'],
    ['SLOW-1', 'Invoice', 'We were charged twice on the last invoice.'],
    ['SLOW-2', 'Stuck', 'This ticket makes the model hang. [[fake:hang]]'],
    ['SLOW-3', 'Login', 'Users cannot log in since this morning.'],
  ]);
}

export class ServiceStack {
  constructor(buildDir) {
    this.buildDir = buildDir;
    this.workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'churn-e2e-'));
    this.dataDir = path.join(this.workDir, 'data');
    this.ticketsDir = path.join(this.workDir, 'tickets');
    this.processes = [];
    this.ports = {};
  }

  generateData(accounts = 80) {
    const result = spawnSync(binaryPath(this.buildDir, 'churnctl'),
                             ['generate', '--out', this.dataDir, '--accounts', String(accounts)],
                             {encoding: 'utf8', timeout: 60000});
    if (result.status !== 0) {
      throw new Error(`churnctl generate failed (${result.status}): ${result.stderr}`);
    }
    writeTicketSets(this.ticketsDir);
  }

  // Planted data with a long history and a model trained on it by the build's churnctl, so the
  // Model quality tab can evaluate it out of sample: its labels end 2024-08-30, and the default
  // backtest window (a 90-day horizon before 2024-12-31) has as-of dates after that.
  trainModel() {
    const churnctl = (args) => {
      const result = spawnSync(binaryPath(this.buildDir, 'churnctl'), args, {encoding: 'utf8', timeout: 300000});
      if (result.status !== 0) {
        throw new Error(`churnctl ${args[0]} failed (${result.status}): ${result.stderr}`);
      }
    };
    churnctl(['generate', '--mode', 'planted', '--out', this.dataDir, '--accounts', '150',
              '--history-days', '540', '--end-date', '2024-12-31']);
    writeTicketSets(this.ticketsDir);
    this.modelFile = path.join(this.workDir, 'model.json');
    churnctl(['train', '--data', this.dataDir, '--from', '2023-10-15', '--to', '2024-06-01',
              '--step-days', '30', '--horizon-days', '90', '--rounds', '30', '--out', this.modelFile]);
  }

  // Starts one process (`name` is its role, `binary` a BINARIES key or a build-relative path)
  // and waits for its port file.
  async startService(name, args, {binary = name, serviceFlags = true} = {}) {
    const portFile = path.join(this.workDir, `${name}.ports`);
    const logFile = path.join(this.workDir, `${name}.log`);
    const log = fs.openSync(logFile, 'w');
    const flags = serviceFlags ? ['--grpc_address=127.0.0.1:0', '--metrics_address=127.0.0.1:0'] : [];
    const child = spawn(binaryPath(this.buildDir, binary), [...flags, `--port_file=${portFile}`, ...args],
                        {cwd: SOURCE_DIR, stdio: ['ignore', log, log]});
    fs.closeSync(log);
    const entry = {name, child, logFile, exited: false};
    child.on('exit', () => { entry.exited = true; });
    this.processes.push(entry);
    this.ports[name] = await waitFor(`${name} port file`, () => {
      if (entry.exited) throw new Error(`${name} exited early:\n${this.logTail(name)}`);
      const ports = readPortFile(portFile);
      return ports?.grpc_port ? ports : null;
    }, {timeoutMs: 30000});
    return this.ports[name];
  }

  grpcTarget(name) {
    return `127.0.0.1:${this.ports[name].grpc_port}`;
  }

  // A tokens file made by the build's churnctl, as an operator would: `tokens init` (service
  // tokens and an admin) and one `tokens add` per entry of `callers` ({name, role}). Returns
  // {file, tokens: {admin, <name>: token}}.
  createTokens(callers = []) {
    const dir = path.join(this.workDir, 'tokens');
    const churnctl = (args) => {
      const result = spawnSync(binaryPath(this.buildDir, 'churnctl'), ['tokens', ...args],
                               {encoding: 'utf8', timeout: 30000});
      if (result.status !== 0) {
        throw new Error(`churnctl tokens ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
      }
      return result.stdout;
    };
    // churnctl prints each new token once, as "<label> token: <token>".
    const tokenFrom = (stdout, label) => {
      const prefix = `${label} token: `;
      const line = stdout.split('\n').find((candidate) => candidate.startsWith(prefix));
      if (!line) throw new Error(`churnctl printed no "${prefix}" line:\n${stdout}`);
      return line.slice(prefix.length).trim();
    };
    const file = path.join(dir, 'tokens.yaml');
    const tokens = {admin: tokenFrom(churnctl(['init', '--dir', dir]), 'admin')};
    for (const {name, role} of callers) {
      tokens[name] = tokenFrom(churnctl(['add', '--file', file, '--name', name, '--role', role]), `${name} (${role})`);
    }
    return {file, tokens};
  }

  // The four services, the enrichment without a model (the rule-based fallback answers).
  // `gatewayArgs` go to the gateway only (e.g. --auth_tokens_file: the neighbours stay
  // unauthenticated on loopback, where only the gateway calls them).
  // With `model`: planted data and a trained model given to ingest and scoring (trainModel).
  async start({gatewayArgs = [], model = false} = {}) {
    if (model) {
      this.trainModel();
    } else {
      this.generateData();
    }
    const modelArgs = model ? [`--model_file=${this.modelFile}`] : [];
    await this.startService('ingest', [`--data_dir=${this.dataDir}`, `--tickets_dir=${this.ticketsDir}`, ...modelArgs]);
    await this.startService('scoring', ['--rules_file=config/scoring.yaml', ...modelArgs]);
    await this.startService('enrichment', [
      '--use_model=false',
      `--cache_path=${path.join(this.workDir, 'enrichment-cache.sqlite')}`,
    ]);
    this.baseUrl = await this.startGateway('gateway', 'enrichment', gatewayArgs);
    return this.baseUrl;
  }

  // A second gateway over the same ingest and scoring whose enrichment asks a fake Ollama
  // that hangs on request: the Ticket Analyzer's timeouts, for real. Returns its base URL.
  async startSlowModelGateway() {
    const fake = await this.startService('fake-ollama', [], {binary: FAKE_OLLAMA, serviceFlags: false});
    await this.startService('model-enrichment', [
      '--use_model=true',
      `--ollama_url=http://127.0.0.1:${fake.http_port}`,
      '--cache_path=',
    ], {binary: 'enrichment'});
    // Its risk history is not under test: no backfill competing with the slow model.
    return this.startGateway('model-gateway', 'model-enrichment', ['--history_backfill_days=0']);
  }

  // Starts a gateway over ingest, scoring and the named enrichment (plus `extraArgs`); resolves
  // with its base URL once /readyz answers (the first snapshot scored and the views built).
  async startGateway(name, enrichment, extraArgs = []) {
    const ports = await this.startService(name, [
      '--http_address=127.0.0.1:0',
      `--ingest_address=${this.grpcTarget('ingest')}`,
      `--scoring_address=${this.grpcTarget('scoring')}`,
      `--enrichment_address=${this.grpcTarget(enrichment)}`,
      `--outcomes_db=${path.join(this.workDir, `${name}-outcomes.sqlite`)}`,
      `--history_db=${path.join(this.workDir, `${name}-risk-history.sqlite`)}`,
      `--web_root=${path.join(SOURCE_DIR, 'web')}`,
      ...extraArgs,
    ], {binary: 'gateway'});
    if (!ports.http_port) throw new Error(`the ${name} port file names no http_port`);
    const baseUrl = `http://127.0.0.1:${ports.http_port}`;
    await waitFor(`${name} /readyz`, async () => {
      const response = await fetch(`${baseUrl}/readyz`, {signal: AbortSignal.timeout(2000)});
      return response.ok;
    }, {timeoutMs: 60000, intervalMs: 200});
    return baseUrl;
  }

  // Kills one process outright (a crashed neighbour) and waits until it is gone.
  async kill(name) {
    const entry = this.processes.find((candidate) => candidate.name === name);
    if (!entry || entry.exited) return;
    entry.child.kill('SIGKILL');
    await waitFor(`${name} to exit`, () => entry.exited, {timeoutMs: 10000});
  }

  logTail(name, lines = 30) {
    const entry = this.processes.find((candidate) => candidate.name === name);
    if (!entry || !fs.existsSync(entry.logFile)) return '';
    return fs.readFileSync(entry.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  }

  allLogTails() {
    return this.processes.map((entry) => `--- ${entry.name} ---\n${this.logTail(entry.name)}`).join('\n');
  }

  // SIGTERM (graceful drain), SIGKILL for anything still alive after `timeoutMs`.
  async stop({timeoutMs = 10000, keepWorkDir = false} = {}) {
    for (const entry of [...this.processes].reverse()) {
      if (!entry.exited) entry.child.kill('SIGTERM');
    }
    try {
      await waitFor('services to exit', () => this.processes.every((entry) => entry.exited), {timeoutMs});
    } catch {
      for (const entry of this.processes) if (!entry.exited) entry.child.kill('SIGKILL');
    }
    // CHURN_KEEP_TEST_SCRATCH=1 keeps every test's scratch (tests/testing/scratch_dir.h).
    if (!keepWorkDir && process.env.CHURN_KEEP_TEST_SCRATCH !== '1') {
      fs.rmSync(this.workDir, {recursive: true, force: true});
    }
  }
}
