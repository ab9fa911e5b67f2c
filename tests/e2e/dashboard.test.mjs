// Browser test of the dashboard against the real service set: every view must show the
// figures the JSON API returns, and the CSM workflows (filter, brief, outcome, ticket
// analysis, batch) must work end to end in Chromium.
//
//   CHURN_BUILD_DIR=build node --test tests/e2e/dashboard.test.mjs
//   CHURN_E2E_BASE_URL=http://127.0.0.1:8080 ...   (use an already running gateway instead)
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';

import {launchBrowser} from './browser.mjs';
import {assertClean, assertCspWatchReports, watchPage} from './page_watch.mjs';
import {FAKE_OLLAMA, SLOW_TICKET_SET, ServiceStack, TICKET_SET, binaryPath, waitFor} from './service_stack.mjs';

const SEED_TICKET = 'Our renewal quote is beyond our budget; we may downgrade or cancel.';
const buildDir = path.resolve(process.env.CHURN_BUILD_DIR || 'build');
const screenshotDir = path.join(buildDir, 'e2e');
const count = (value) => Number(value).toLocaleString('en-US');
const money = (value) => new Intl.NumberFormat('en-US', {style: 'currency', currency: 'USD', maximumFractionDigits: 0})
                           .format(Number(value));

let stack;
let baseUrl;
let browser;
let page;
const watches = [];

// A missing real component skips on a developer's machine and fails in CI (CI=true), where a skip
// would make a green run that proved nothing.
function skipUnlessCi(t, reason) {
  if (process.env.CI === 'true') assert.fail(`${reason} (CI=true: a missing real component is a failure)`);
  t.skip(reason);
}

// A page that records its errors and CSP violations and may load nothing from outside
// `origin` (no CDN, no fonts, no trackers).
async function openPage(origin) {
  const opened = await browser.context.newPage();
  opened.setDefaultTimeout(15000);
  watches.push(await watchPage(opened, origin));
  return opened;
}

async function api(pathAndQuery, init) {
  const response = await fetch(`${baseUrl}${pathAndQuery}`, {...init, signal: AbortSignal.timeout(15000)});
  assert.ok(response.ok, `${pathAndQuery}: HTTP ${response.status} ${await response.clone().text()}`);
  return response.json();
}

// The click is handled by the page's own code: wait for the tab to say it is selected.
async function showTab(name, onPage = page) {
  const tab = onPage.getByRole('tab', {name});
  await tab.click();
  await waitFor(`the ${name} tab selected`, async () => (await tab.getAttribute('aria-selected')) === 'true',
                {timeoutMs: 10000});
}

async function screenshot(name, onPage = page) {
  fs.mkdirSync(screenshotDir, {recursive: true});
  await onPage.evaluate(() => {
    window.scrollTo(0, 0);
    for (const scroller of document.querySelectorAll('section.brief')) scroller.scrollTop = 0;
  });
  await onPage.screenshot({path: path.join(screenshotDir, `${name}.png`), fullPage: false});
}

// The date `days` before `date` (YYYY-MM-DD).
function daysBefore(date, days) {
  return new Date(Date.parse(`${date}T00:00:00Z`) - days * 86400000).toISOString().slice(0, 10);
}

// Waits until the gateway's risk-history backfill is complete (the four weeks before the usage
// window end E are stored; they are replayed newest first, so E-28 comes last) and returns the
// Executive response then.
async function waitForRiskHistory() {
  let executive;
  await waitFor('the risk history backfill', async () => {
    executive = await api('/api/v1/executive');
    if (!executive.level_moves) return false;
    const top = await api('/api/v1/at-risk?sort=-score_change_30d&limit=1');
    const id = top.customers?.[0]?.signals?.customer_id;
    if (!id || top.movements?.[0]?.score_change_30d === undefined) return false;
    const brief = await api(`/api/v1/customers/${encodeURIComponent(id)}`);
    const oldest = daysBefore(executive.freshness.usage_window_end, 28);
    return (brief.risk_trend ?? []).some((point) => point.date === oldest);
  }, {timeoutMs: 60000});
  return executive;
}

describe('dashboard', {timeout: 300000}, () => {
  before(async () => {
    if (process.env.CHURN_E2E_BASE_URL) {
      baseUrl = process.env.CHURN_E2E_BASE_URL.replace(/\/$/, '');
    } else {
      stack = new ServiceStack(buildDir);
      try {
        // Four weekly dates of backfilled risk history, replayed without pauses.
        baseUrl = await stack.start({gatewayArgs: ['--history_backfill_days=28', '--history_backfill_pause_ms=0']});
      } catch (error) {
        error.message += `\n${stack.allLogTails()}`;
        throw error;
      }
    }
    browser = await launchBrowser();
    page = await openPage(baseUrl);
  });

  after(async () => {
    await browser?.close();
    if (stack) {
      await stack.stop({keepWorkDir: Boolean(process.env.CHURN_E2E_KEEP)});
    }
  });

  test('Executive view shows the API figures', async () => {
    const executive = await api('/api/v1/executive');
    assert.ok(Number(executive.customers) > 0, 'the demo data has customers');
    await page.goto(`${baseUrl}/`);
    await showTab('Executive');
    const field = (name) => page.locator(`#panel-executive [data-field="${name}"]`);
    await waitFor('executive figures', async () => (await field('customers').textContent()) !== null);
    assert.equal(await field('customers').textContent(), count(executive.customers));
    assert.equal(await field('high_risk_customers').textContent(), count(executive.high_risk_customers));
    assert.equal(await field('total_arr').textContent(), money(executive.total_arr));
    assert.equal(await field('high_risk_arr').textContent(), money(executive.high_risk_arr));
    assert.equal(await field('churn_rate').textContent(), `${(executive.churn_rate * 100).toFixed(1)}%`);
    assert.equal(await field('usage_window_end').textContent(), executive.freshness.usage_window_end);
    assert.equal(await field('support_window_end').textContent(), executive.freshness.support_window_end);
    assert.match(await page.locator('#freshness').textContent(), new RegExp(`v${executive.freshness.snapshot_version}`));
    // Timestamps arrive as RFC 3339 text (protobuf's JSON mapping of Timestamp) and are shown
    // to the minute, in UTC.
    assert.match(executive.freshness.as_of, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
    assert.equal(await field('as_of').textContent(),
                 `${executive.freshness.as_of.slice(0, 16).replace('T', ' ')} UTC`);
    // Without a tokens file nobody is asked to sign in, and the header says access is open.
    assert.equal(await page.locator('#sign-in').count(), 0, 'no sign-in prompt without auth');
    assert.equal(await page.locator('#session-info').textContent(), 'Open access');
    assert.equal(await page.getByRole('button', {name: 'Sign out'}).isVisible(), false);
    await screenshot('executive');
  });

  test('Refresh data asks the gateway for a refresh and reports the result', async () => {
    await page.getByRole('button', {name: 'Refresh data'}).click();
    const status = page.locator('#refresh-status');
    await waitFor('refresh result', async () => /up to date|New data loaded/.test(await status.textContent()),
                  {timeoutMs: 60000});
    assert.equal(await page.getByRole('button', {name: 'Refresh data'}).isEnabled(), true);
  });

  test('Drivers view shows plan tiers, drivers and churn reasons', async () => {
    const drivers = await api('/api/v1/drivers');
    await showTab('Drivers');
    const tierBars = page.locator('[data-testid="plan-tier-bars"] .bar-row');
    await tierBars.first().waitFor();
    assert.equal(await tierBars.count(), drivers.plan_tiers.length);
    const firstTier = drivers.plan_tiers[0];
    assert.match(await tierBars.first().textContent(), new RegExp(firstTier.plan_tier));
    const driverBars = page.locator('[data-testid="driver-bars"] .bar-row');
    assert.equal(await driverBars.count(), drivers.drivers.length);
    const reasonBars = page.locator('[data-testid="churn-reason-bars"] .bar-row');
    assert.equal(await reasonBars.count(), drivers.churn_reasons.length);
    assert.equal(await page.locator('[data-testid="segment-table"] tbody tr').count(), drivers.segments.length);
    await screenshot('drivers');
  });

  test('At-Risk list matches the API, filters and sorts', async () => {
    const firstPage = await api('/api/v1/at-risk?limit=25');
    await showTab('At-Risk list');
    const rows = page.locator('#at-risk-table tbody tr');
    await rows.first().waitFor();
    assert.equal(await rows.count(), firstPage.customers.length);
    const firstApiRow = firstPage.customers[0];
    assert.equal(await rows.first().getAttribute('data-customer-id'), firstApiRow.signals.customer_id);
    assert.equal(await rows.first().locator('[data-col="arr"]').textContent(), money(firstApiRow.signals.arr));
    assert.match(await page.locator('.list-summary').textContent(), new RegExp(`of ${count(firstPage.total_matched)} customers`));

    // Filter: High risk only.
    const highOnly = await api('/api/v1/at-risk?risk_level=high&limit=25');
    await page.getByRole('checkbox', {name: 'High', exact: true}).check();
    await page.getByRole('button', {name: 'Apply filters'}).click();
    const summary = page.locator('.list-summary');
    await waitFor('filtered summary', async () =>
      (await summary.textContent()).includes(`of ${count(highOnly.total_matched)} customers`) ||
      (Number(highOnly.total_matched) === 0 && (await summary.textContent()).startsWith('No customer')));
    for (const badge of await page.locator('#at-risk-table tbody [data-col="risk_score"] .badge').allTextContents()) {
      assert.match(badge, /^High/);
    }
    if (highOnly.customers.length) {
      assert.equal(await rows.first().getAttribute('data-customer-id'), highOnly.customers[0].signals.customer_id);
    }
    const exportHref = await page.getByRole('link', {name: 'Export list (CSV)'}).getAttribute('href');
    assert.match(exportHref, /risk_level=high/);
    const exported = await fetch(`${baseUrl}${exportHref}`, {signal: AbortSignal.timeout(15000)});
    assert.ok(exported.ok, `export: HTTP ${exported.status}`);
    assert.match(exported.headers.get('content-type') ?? '', /csv/);

    // Sort by ARR, largest first: the first row must be the API's.
    await page.getByRole('button', {name: 'Reset'}).click();
    const byArr = await api('/api/v1/at-risk?sort=-arr&limit=25');
    await page.locator('#at-risk-table th[data-col="arr"] button').click();
    await waitFor('ARR sort', async () =>
      (await rows.first().getAttribute('data-customer-id')) === byArr.customers[0].signals.customer_id);
    assert.equal(await page.locator('#at-risk-table th[data-col="arr"]').getAttribute('aria-sort'), 'descending');

    // Back to the default order for the brief.
    await page.getByRole('button', {name: 'Reset'}).click();
    await waitFor('default order', async () =>
      (await rows.first().getAttribute('data-customer-id')) === firstApiRow.signals.customer_id);
  });

  test('customer brief shows reasons, checklist and drafts; an outcome is recorded and listed', async () => {
    const rows = page.locator('#at-risk-table tbody tr');
    const customerId = await rows.first().getAttribute('data-customer-id');
    const brief = await api(`/api/v1/customers/${encodeURIComponent(customerId)}`);
    await rows.first().click();
    const panel = page.locator('section.brief');
    await panel.locator('[data-field="customer_id"]').waitFor();
    assert.equal(await panel.locator('[data-field="customer_id"]').textContent(), customerId);
    assert.equal(await panel.locator('[data-field="arr"]').textContent(), money(brief.customer.signals.arr));
    // No trained model in this service set: no second opinion, and no empty section for it.
    assert.equal(brief.second_opinion, undefined);
    assert.equal(await panel.getByTestId('second-opinion').count(), 0);
    const reasons = brief.customer.assessment.reasons ?? [];
    if (reasons.length) {
      assert.deepEqual(await panel.locator('[data-field="reasons"] li').allTextContents(), reasons);
    }
    assert.deepEqual(await panel.locator('[data-field="actions"] li').allTextContents(),
                     brief.customer.assessment.actions ?? []);
    assert.equal(await panel.locator('[data-field="checklist"] > li').count(), brief.checklist.length);
    assert.equal(await panel.locator('[data-field="email_subject"]').textContent(), brief.outreach.email_subject);
    assert.equal(await panel.getByRole('button', {name: /^Copy/}).count(), 3);

    const note = `E2E follow-up ${Date.now()}: <b>not markup</b>`;
    await panel.getByLabel('Outcome', {exact: true}).selectOption({label: 'Meeting scheduled'});
    await panel.getByLabel('Note', {exact: true}).fill(note);
    await panel.getByRole('button', {name: 'Record outcome'}).click();
    const listed = panel.locator('[data-testid="outcome-list"] li').filter({hasText: note});
    await listed.waitFor();
    assert.match(await listed.textContent(), /Meeting scheduled/);
    // Persisted by the gateway, not just drawn by the page.
    const after = await api(`/api/v1/customers/${encodeURIComponent(customerId)}`);
    const recorded = after.outcomes.find((outcome) => outcome.notes === note);
    assert.ok(recorded, 'the outcome is in the API');
    assert.match(recorded.recorded_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    assert.ok((await listed.textContent()).includes(`${recorded.recorded_at.slice(0, 16).replace('T', ' ')} UTC`));
    await screenshot('at-risk-brief');
  });

  test('risk history: level moves, the score-change sort and filters, the trend chart', async () => {
    const executive = await waitForRiskHistory();
    const moves = executive.level_moves;
    assert.equal(moves.to_date, executive.freshness.usage_window_end);
    assert.equal(moves.from_date, daysBefore(executive.freshness.usage_window_end, 7));

    // Executive: how many customers moved up or down a level.
    await showTab('Executive');
    const movesPanel = page.locator('[data-testid="level-moves"]');
    await waitFor('level moves', async () =>
      (await movesPanel.locator('[data-field="moved_up"]').count()) === 1, {timeoutMs: 15000});
    assert.equal(await movesPanel.locator('[data-field="moved_up"]').textContent(), count(moves.moved_up));
    assert.equal(await movesPanel.locator('[data-field="moved_down"]').textContent(), count(moves.moved_down));
    assert.equal(await movesPanel.locator('[data-field="level_moves_dates"]').textContent(),
                 `From ${moves.from_date} to ${moves.to_date}`);

    // At-Risk: sort by the 30-day score change, largest rise first, as the API does.
    await showTab('At-Risk list');
    const rows = page.locator('#at-risk-table tbody tr');
    await rows.first().waitFor();
    const byChange = await api('/api/v1/at-risk?sort=-score_change_30d&limit=25');
    await page.locator('#at-risk-table th[data-col="score_change_30d"] button').click();
    const apiIds = byChange.customers.map((customer) => customer.signals.customer_id);
    await waitFor('score-change sort', async () =>
      (await rows.first().getAttribute('data-customer-id')) === apiIds[0]);
    assert.deepEqual(await rows.evaluateAll((nodes) => nodes.map((node) => node.dataset.customerId)), apiIds);
    const change = Number(byChange.movements[0].score_change_30d);
    assert.equal(await rows.first().locator('[data-col="score_change_30d"] .score-change').textContent(),
                 change > 0 ? `+${change}` : change < 0 ? `−${Math.abs(change)}` : '0');

    // Filter: entered High since the previous snapshot, and a minimum rise.
    const entered = await api('/api/v1/at-risk?entered_high=true&limit=25');
    await page.getByRole('checkbox', {name: 'Entered High since the previous snapshot'}).check();
    await page.getByRole('button', {name: 'Apply filters'}).click();
    const summary = page.locator('.list-summary');
    const matches = (total) => async () => Number(total) === 0
      ? (await summary.textContent()).startsWith('No customer')
      : (await summary.textContent()).includes(`of ${count(total)} customers`);
    await waitFor('entered-High filter', matches(entered.total_matched));
    assert.equal(await page.locator('#at-risk-table tbody [data-field="entered_high"]').count(),
                 entered.customers.length);
    await page.getByRole('checkbox', {name: 'Entered High since the previous snapshot'}).uncheck();
    const rising = await api('/api/v1/at-risk?min_score_change_30d=10&limit=25');
    await page.getByLabel('Score change 30d at least').fill('10');
    await page.getByRole('button', {name: 'Apply filters'}).click();
    await waitFor('score-change filter', matches(rising.total_matched));
    for (const text of await page.locator('#at-risk-table tbody [data-col="score_change_30d"] .score-change')
      .allTextContents()) {
      assert.ok(Number(text.replace('+', '')) >= 10, `change ${text} is at least 10`);
    }

    // The brief of the customer whose score rose most: its trend as a chart.
    await page.getByRole('button', {name: 'Reset'}).click();
    await page.locator('#at-risk-table th[data-col="score_change_30d"] button').click();
    await waitFor('score-change sort again', async () =>
      (await rows.first().getAttribute('data-customer-id')) === apiIds[0]);
    const brief = await api(`/api/v1/customers/${encodeURIComponent(apiIds[0])}`);
    assert.ok(brief.risk_trend.length >= 2, 'the top riser has a history');
    await rows.first().click();
    const chart = page.locator('section.brief [data-testid="risk-trend-chart"]');
    await chart.waitFor();
    const points = chart.locator('circle.trend-point');
    assert.equal(await points.count(), brief.risk_trend.length);
    assert.deepEqual(await points.evaluateAll((nodes) => nodes.map((node) => [node.dataset.date, Number(node.dataset.score)])),
                     brief.risk_trend.map((point) => [point.date, Number(point.risk_score)]));
    assert.equal(await chart.locator('path.trend-line').count(), 1);
    const first = brief.risk_trend[0];
    const last = brief.risk_trend[brief.risk_trend.length - 1];
    assert.equal(await chart.getAttribute('aria-label'),
                 `Risk score from ${first.risk_score} on ${first.date} to ${last.risk_score} on ${last.date}, ` +
                 `${brief.risk_trend.length} snapshots.`);
    const trendSection = page.locator('section.brief section.brief-section')
      .filter({has: page.locator('[data-testid="risk-trend-chart"]')});
    await trendSection.scrollIntoViewIfNeeded();
    fs.mkdirSync(screenshotDir, {recursive: true});
    await trendSection.screenshot({path: path.join(screenshotDir, 'risk-trend-chart.png')});
    await page.getByRole('button', {name: 'Close the customer brief'}).click();
    await page.getByRole('button', {name: 'Reset'}).click();
  });

  test('At-Risk paging: a page token from older data is refused and the list starts again at page 1', async (t) => {
    if (!stack) {
      t.skip('needs the test\'s own service stack (CHURN_E2E_BASE_URL is set)');
      return;
    }
    // The browser logs the refused request (HTTP 400) as a console error: expected here only.
    const pagingPage = await browser.context.newPage();
    pagingPage.setDefaultTimeout(15000);
    watches.push(await watchPage(pagingPage, baseUrl, {expectedConsoleErrors: [/status of 400/]}));
    try {
      await pagingPage.goto(`${baseUrl}/`);
      await showTab('At-Risk list', pagingPage);
      const summary = pagingPage.locator('.list-summary');
      const rows = pagingPage.locator('#at-risk-table tbody tr');
      await rows.first().waitFor();
      const next = pagingPage.getByRole('button', {name: 'Next →'});
      await next.click();
      await waitFor('page 2', async () => /^Showing 26–50 /.test(await summary.textContent()));
      const before = await api('/api/v1/executive');

      // New data: one subscription fewer makes a new snapshot, and the gateway new views.
      const subscriptions = fs.readdirSync(stack.dataDir).find((name) => name.endsWith('subscriptions.csv'));
      const file = path.join(stack.dataDir, subscriptions);
      const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
      fs.writeFileSync(`${file}.tmp`, `${lines.slice(0, -1).join('\n')}\n`);
      fs.renameSync(`${file}.tmp`, file);
      await waitFor('new views', async () => {
        await fetch(`${baseUrl}/api/v1/refresh`, {method: 'POST', headers: {'Content-Type': 'application/json'},
                                                  body: '{}', signal: AbortSignal.timeout(15000)});
        const now = await api('/api/v1/executive');
        return Number(now.freshness.snapshot_version) > Number(before.freshness.snapshot_version);
      }, {timeoutMs: 30000, intervalMs: 500});

      // Page 2's token for page 3 is from the old views: the dashboard starts over and says why.
      const fresh = await api('/api/v1/at-risk?limit=25');
      await next.click();
      await waitFor('back to page 1', async () =>
        /back to page 1\. Showing 1–25 /.test(await summary.textContent()));
      assert.equal(await rows.first().getAttribute('data-customer-id'), fresh.customers[0].signals.customer_id);
      assert.match(await pagingPage.locator('.page-status').textContent(), /^Page 1 of /);
      // And paging goes on with the new views' tokens.
      await next.click();
      await waitFor('page 2 of the new views', async () => /^Showing 26–50 /.test(await summary.textContent()));
    } finally {
      await pagingPage.close();
    }
  });

  test('Ticket Analyzer: the seed ticket is billing with churn intent, from the fallback', async () => {
    await showTab('Ticket Analyzer');
    await page.getByLabel('Ticket text').fill(SEED_TICKET);
    await page.getByRole('button', {name: 'Analyze ticket'}).click();
    const result = page.locator('[data-testid="analysis"]');
    await result.waitFor();
    assert.equal(await result.locator('[data-field="category"]').textContent(), 'billing');
    assert.equal(await result.locator('[data-field="churn_intent"]').textContent(), 'Yes');
    assert.equal(await result.locator('[data-field="source"]').textContent(), 'fallback');
    const json = JSON.parse(await result.locator('[data-field="json"]').textContent());
    assert.equal(json.churn_intent, true);
  });

  test('Ticket Analyzer batch streams progress for 3 tickets', async (t) => {
    const {sets = []} = await api('/api/v1/tickets/sets');
    if (!sets.length) {
      skipUnlessCi(t, 'no ticket text set is available');
      return;
    }
    const set = sets.find((candidate) => candidate.name === TICKET_SET) ??
                sets.find((candidate) => Number(candidate.rows) >= 3) ?? sets[0];
    const expected = Math.min(3, Number(set.rows));
    await page.getByLabel('Ticket set').selectOption(set.name);
    await page.getByLabel('Tickets to process').fill('3');
    await page.getByLabel('Timeout per ticket (s)').fill('5');
    await page.getByRole('button', {name: 'Run batch'}).click();
    const progressText = page.locator('#batch-progress-label');
    await waitFor('batch to finish', async () => /finished/.test(await progressText.textContent()),
                  {timeoutMs: 60000});
    assert.match(await progressText.textContent(), new RegExp(`^${expected} of ${expected} tickets`));
    assert.equal(await page.locator('#batch-results tbody tr').count(), expected);
    assert.equal(await page.locator('#batch-progress').evaluate((bar) => bar.value), expected);
    await screenshot('ticket-analyzer');
  });

  test('Ticket Analyzer batch on an uploaded CSV', async () => {
    await page.getByLabel('a CSV file I upload').check();
    assert.equal(await page.getByLabel('Ticket set').isVisible(), false);
    await page.getByLabel('Ticket CSV file').setInputFiles({
      name: 'uploaded.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('id,text\r\nU-1,"Please cancel our subscription, it is too expensive"\r\n' +
                          'U-2,"Love the product, thanks!"\r\n'),
    });
    await page.getByLabel('Tickets to process').fill('10');
    await page.getByRole('button', {name: 'Run batch'}).click();
    const progressText = page.locator('#batch-progress-label');
    await waitFor('upload batch to finish', async () => /finished/.test(await progressText.textContent()),
                  {timeoutMs: 60000});
    assert.match(await progressText.textContent(), /^2 of 2 tickets/);
    const rows = page.locator('#batch-results tbody tr');
    assert.equal(await rows.count(), 2);
    assert.equal(await rows.first().locator('td').nth(5).textContent(), 'Yes', 'churn intent of U-1');
    await page.getByLabel('the tickets folder').check();
  });

  test('a hanging model costs only its ticket: timeout in that row, the page stays usable', async (t) => {
    if (!stack) {
      t.skip('needs the test\'s own service stack (CHURN_E2E_BASE_URL is set)');
      return;
    }
    if (!fs.existsSync(binaryPath(buildDir, FAKE_OLLAMA))) {
      skipUnlessCi(t, `no ${FAKE_OLLAMA} in the build`);
      return;
    }
    const slowUrl = await stack.startSlowModelGateway();
    const slowPage = await openPage(slowUrl);
    try {
      await slowPage.goto(`${slowUrl}/#tickets`);
      await slowPage.getByLabel('Ticket set').selectOption(SLOW_TICKET_SET);
      await slowPage.getByLabel('Tickets to process').fill('3');
      await slowPage.getByLabel('Timeout per ticket (s)').fill('2');
      await slowPage.getByRole('button', {name: 'Run batch'}).click();
      const progressText = slowPage.locator('#batch-progress-label');
      await waitFor('the first ticket', async () => /^1 of 3/.test(await progressText.textContent()));

      // While the second ticket hangs in the model, the rest of the dashboard answers.
      const executive = await api('/api/v1/executive');
      await showTab('Executive', slowPage);
      await waitFor('executive figures during the batch', async () =>
        (await slowPage.locator('#panel-executive [data-field="customers"]').textContent()) === count(executive.customers));
      await showTab('Ticket Analyzer', slowPage);

      await waitFor('batch to finish', async () => /finished/.test(await progressText.textContent()),
                    {timeoutMs: 30000});
      const rows = slowPage.locator('#batch-results tbody tr');
      assert.equal(await rows.count(), 3);
      const errors = await slowPage.locator('#batch-results tbody [data-col="error"]').allTextContents();
      assert.deepEqual(errors, ['', 'timeout_after_2s', '']);
      const sources = await slowPage.locator('#batch-results tbody [data-field="source"]').allTextContents();
      assert.equal(sources[0], 'model');
      assert.equal(sources[2], 'model');
      assert.match(await rows.nth(1).getAttribute('class'), /has-error/);
      await screenshot('ticket-analyzer-timeout', slowPage);
    } finally {
      await slowPage.close();
    }
  });

  // Last: it takes the ingest service away.
  test('with ingest gone the views stay up and the page says they are stale', async (t) => {
    if (!stack) {
      t.skip('needs the test\'s own service stack (CHURN_E2E_BASE_URL is set)');
      return;
    }
    await stack.kill('ingest');
    const executive = await waitFor('stale executive view', async () => {
      const body = await api('/api/v1/executive');
      return body.freshness.stale ? body : null;
    }, {timeoutMs: 30000, intervalMs: 250});
    await page.goto(`${baseUrl}/#executive`);
    const banner = page.locator('#stale-banner');
    await banner.waitFor({state: 'visible'});
    assert.match(await banner.textContent(), /Data is stale/);
    if (executive.freshness.last_error) {
      assert.ok((await banner.textContent()).includes(executive.freshness.last_error));
    }
    assert.equal(await page.locator('#panel-executive [data-field="customers"]').textContent(),
                 count(executive.customers));
    assert.equal(await page.locator('#panel-executive [data-field="freshness_status"]').textContent(), 'Stale');
    await screenshot('executive-stale');
  });

  test('no page error, no CSP violation and nothing fetched from outside the gateway', async () => {
    for (const found of watches) assertClean(found);
    await assertCspWatchReports(page, watches[0]);
  });
});
