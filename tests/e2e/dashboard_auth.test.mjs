// Browser test of the dashboard against a gateway that requires bearer tokens (a tokens file
// made by the build's churnctl): the sign-in prompt, a refused token, what a viewer and a CSM
// may do, the outcome recorded under the CSM's name, a token that stops working mid-session,
// and sign-out. The page must load without a Content-Security-Policy violation.
//
//   CHURN_BUILD_DIR=build node --test tests/e2e/dashboard_auth.test.mjs
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';

import {launchBrowser} from './browser.mjs';
import {assertClean, assertCspWatchReports, watchPage} from './page_watch.mjs';
import {ServiceStack, waitFor} from './service_stack.mjs';

const SEED_TICKET = 'Our renewal quote is beyond our budget; we may downgrade or cancel.';
const VIEWER = {name: 'vera', role: 'viewer'};
const CSM = {name: 'cameron', role: 'csm'};
const TOKEN_KEY = 'churn.api_token';  // web/static/session.js
const buildDir = path.resolve(process.env.CHURN_BUILD_DIR || 'build');
const screenshotDir = path.join(buildDir, 'e2e');
const count = (value) => Number(value).toLocaleString('en-US');

let stack;
let baseUrl;
let tokens;
let browser;
let page;
let watch;

// The JSON API as `token`'s caller; asserts the HTTP status (200 unless told).
async function api(pathAndQuery, token, {expectStatus = 200} = {}) {
  const response = await fetch(`${baseUrl}${pathAndQuery}`, {
    headers: token ? {Authorization: `Bearer ${token}`} : {},
    signal: AbortSignal.timeout(15000),
  });
  const text = await response.text();
  assert.equal(response.status, expectStatus, `${pathAndQuery}: HTTP ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

const prompt = () => page.getByRole('dialog', {name: 'Sign in'});

async function signIn(token) {
  await prompt().waitFor();
  await prompt().getByLabel('Access token').fill(token);
  await prompt().getByRole('button', {name: 'Sign in'}).click();
}

// The click is handled by the page's own code: wait for the tab to say it is selected.
async function showTab(name) {
  const tab = page.getByRole('tab', {name});
  await tab.click();
  await waitFor(`the ${name} tab selected`, async () => (await tab.getAttribute('aria-selected')) === 'true',
                {timeoutMs: 10000});
}

async function openFirstBrief() {
  await showTab('At-Risk list');
  const rows = page.locator('#at-risk-table tbody tr');
  await rows.first().waitFor();
  const customerId = await rows.first().getAttribute('data-customer-id');
  await rows.first().click();
  const panel = page.locator('section.brief');
  await waitFor('the brief of the first row', async () =>
    (await panel.locator('[data-field="customer_id"]').textContent({timeout: 1000})) === customerId);
  return {customerId, panel};
}

async function screenshot(name) {
  fs.mkdirSync(screenshotDir, {recursive: true});
  await page.screenshot({path: path.join(screenshotDir, `${name}.png`), fullPage: false});
}

describe('dashboard with authentication', {timeout: 300000}, () => {
  before(async () => {
    stack = new ServiceStack(buildDir);
    try {
      const made = stack.createTokens([VIEWER, CSM]);
      tokens = made.tokens;
      baseUrl = await stack.start({gatewayArgs: [`--auth_tokens_file=${made.file}`, '--history_backfill_days=0']});
    } catch (error) {
      error.message += `\n${stack.allLogTails()}`;
      throw error;
    }
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.setDefaultTimeout(15000);
    // Asking without a token is how the page learns that it must sign in: the browser logs
    // those 401 answers, and only those are expected.
    watch = await watchPage(page, baseUrl, {
      expectedConsoleErrors: [/Failed to load resource: the server responded with a status of 401/],
    });
  });

  after(async () => {
    await browser?.close();
    await stack?.stop({keepWorkDir: Boolean(process.env.CHURN_E2E_KEEP)});
  });

  test('the gateway refuses the API without a token and names the callers it knows', async () => {
    await api('/api/v1/executive', '', {expectStatus: 401});
    assert.deepEqual(await api('/api/v1/session', tokens[VIEWER.name]), {
      name: VIEWER.name, role: 'viewer', auth_required: true, can_record_outcomes: false,
      can_analyze_tickets: false, can_refresh: false, can_reload_data: false,
      can_try_rules: false, can_apply_rules: false,
      can_manage_data_sets: false,
    });
    const csm = await api('/api/v1/session', tokens[CSM.name]);
    assert.equal(csm.can_record_outcomes, true);
    assert.equal(csm.can_try_rules, true, 'a CSM may try rules');
    assert.equal(csm.can_apply_rules, false, 'only an admin applies them');
  });

  test('rules: a viewer may not try them, a CSM may not apply them (before the body is read)', async () => {
    const post = async (route, token) => (await fetch(`${baseUrl}${route}`, {
      method: 'POST', body: '{}', signal: AbortSignal.timeout(15000),
      headers: {'Content-Type': 'application/json', Authorization: `Bearer ${token}`},
    })).status;
    assert.equal(await post('/api/v1/rules/what-if', tokens[VIEWER.name]), 403);
    assert.equal(await post('/api/v1/rules/apply', tokens[VIEWER.name]), 403);
    assert.equal(await post('/api/v1/rules/apply', tokens[CSM.name]), 403);
    // Past the permission check, an empty candidate is the CSM's mistake, not a refusal.
    assert.equal(await post('/api/v1/rules/what-if', tokens[CSM.name]), 400);
    assert.equal(await post('/api/v1/rules/apply', tokens.admin), 400);
  });

  test('the first load asks for a token and shows no data before', async () => {
    await page.goto(`${baseUrl}/`);
    await prompt().waitFor();
    assert.equal(await prompt().getByLabel('Access token').getAttribute('type'), 'password');
    assert.match(await prompt().textContent(), /access token/i);
    assert.equal(await page.locator('#panel-executive [data-field="customers"]').count(), 0);
    assert.equal(await page.locator('#session-info').isVisible(), false);
    assert.equal(await page.locator('#refresh-button').isVisible(), false, 'no action before the role is known');
    assertClean(watch);  // the page and the prompt load within the policy
    await screenshot('auth-sign-in');
  });

  test('a wrong token is refused with a visible message and the prompt stays', async () => {
    await signIn('not-a-valid-token');
    const message = prompt().locator('#sign-in-message');
    await waitFor('the refusal', async () => /not accepted/.test(await message.textContent()));
    assert.equal(await message.isVisible(), true);
    assert.equal(await prompt().isVisible(), true);
    assert.equal(await page.evaluate((key) => sessionStorage.getItem(key), TOKEN_KEY), null);
  });

  test('a viewer sees the views, not the actions of other roles', async () => {
    const executive = await api('/api/v1/executive', tokens[VIEWER.name]);
    await signIn(tokens[VIEWER.name]);
    await prompt().waitFor({state: 'detached'});
    const customers = page.locator('#panel-executive [data-field="customers"]');
    await customers.waitFor();
    assert.equal(await customers.textContent(), count(executive.customers));
    assert.equal(await page.locator('#session-info').textContent(), `${VIEWER.name} · viewer`);
    assert.equal(await page.getByRole('button', {name: 'Sign out'}).isVisible(), true);
    assert.equal(await page.getByRole('button', {name: 'Refresh data'}).isVisible(), false,
                 'a viewer may not refresh');
    assert.equal(await page.evaluate((key) => sessionStorage.getItem(key), TOKEN_KEY), tokens[VIEWER.name]);

    // The brief and its outcome log, without the form to record one.
    const {panel} = await openFirstBrief();
    await panel.locator('[data-testid="outcome-list"]').waitFor({state: 'attached'});
    assert.equal(await panel.getByRole('button', {name: 'Record outcome'}).count(), 0);
    assert.equal(await panel.getByLabel('Note', {exact: true}).count(), 0);
    const outcomeNote = panel.locator('[data-testid="outcome-permission-note"]');
    assert.match(await outcomeNote.textContent(), /vera \(viewer\).*not record outcomes/);
    await outcomeNote.scrollIntoViewIfNeeded();
    await screenshot('auth-viewer-brief');

    // A CSV export goes with the token too (a plain link would be refused).
    const expected = await fetch(`${baseUrl}/api/v1/export/at-risk.csv`, {
      headers: {Authorization: `Bearer ${tokens[VIEWER.name]}`}, signal: AbortSignal.timeout(15000),
    }).then((response) => response.text());
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', {name: 'Export list (CSV)'}).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'at-risk.csv');
    assert.equal(fs.readFileSync(await download.path(), 'utf8'), expected);

    // The Ticket Analyzer: sets are listed, the analyse actions are disabled with the reason.
    await showTab('Ticket Analyzer');
    const note = page.locator('[data-testid="analyze-permission-note"]');
    await note.waitFor();
    assert.match(await note.textContent(), /vera \(viewer\).*may not analyse tickets/);
    assert.equal(await page.getByRole('button', {name: 'Analyze ticket'}).isDisabled(), true);
    assert.equal(await page.getByRole('button', {name: 'Run batch'}).isDisabled(), true);
    await screenshot('auth-viewer-tickets');

    // Data sets: listed, but uploading and selecting are an admin's.
    await showTab('Data sets');
    const dataSetNote = page.locator('[data-testid="data-sets-permission-note"]');
    await dataSetNote.waitFor();
    assert.match(await dataSetNote.textContent(), /vera \(viewer\).*needs an admin/);
    assert.equal(await page.getByRole('button', {name: 'Upload data set'}).isDisabled(), true);
    await page.locator('[data-testid="data-set-list"] tbody tr').first().waitFor();
    assert.equal(await page.getByRole('button', {name: 'Select Configured data folder'}).isDisabled(), true);
  });

  test('sign out forgets the token and brings the prompt back', async () => {
    await page.getByRole('button', {name: 'Sign out'}).click();
    await prompt().waitFor();
    assert.equal(await page.evaluate((key) => sessionStorage.getItem(key), TOKEN_KEY), null);
    assert.equal(await page.locator('#at-risk-table').count(), 0, 'nothing of the viewer\'s views is left');
    assert.equal(await page.locator('#session-info').isVisible(), false);
  });

  test('a CSM records an outcome, listed under the CSM token\'s name', async () => {
    await signIn(tokens[CSM.name]);
    await prompt().waitFor({state: 'detached'});
    await waitFor('the CSM in the header', async () =>
      (await page.locator('#session-info').textContent()) === `${CSM.name} · csm`);
    // A CSM may refresh (the latest snapshot; re-reading the data folder would be refused).
    await page.getByRole('button', {name: 'Refresh data'}).click();
    const refreshStatus = page.locator('#refresh-status');
    await waitFor('the CSM\'s refresh', async () => /up to date|New data loaded|failed/.test(await refreshStatus.textContent()),
                  {timeoutMs: 60000});
    assert.doesNotMatch(await refreshStatus.textContent(), /failed/);

    const {customerId, panel} = await openFirstBrief();
    assert.equal(await panel.locator('[data-testid="outcome-permission-note"]').count(), 0);
    const note = `E2E CSM call ${Date.now()}`;
    await panel.getByLabel('Outcome', {exact: true}).selectOption({label: 'Meeting scheduled'});
    await panel.getByLabel('Note', {exact: true}).fill(note);
    await panel.getByRole('button', {name: 'Record outcome'}).click();
    const listed = panel.locator('[data-testid="outcome-list"] li').filter({hasText: note});
    await listed.waitFor();
    assert.match(await listed.textContent(), new RegExp(`Meeting scheduled.*by ${CSM.name}`));

    // Persisted with recorded_by from the token, whoever the body would have claimed.
    const brief = await api(`/api/v1/customers/${encodeURIComponent(customerId)}`, tokens[VIEWER.name]);
    const saved = brief.outcomes.find((outcome) => outcome.notes === note);
    assert.ok(saved, 'the outcome is in the API');
    assert.equal(saved.recorded_by, CSM.name);
    await screenshot('auth-csm-outcome');

    // And the CSM's analyse action works (JSON with the token, not refused with 403 or 415).
    await showTab('Ticket Analyzer');
    assert.equal(await page.locator('[data-testid="analyze-permission-note"]').isVisible(), false);
    await page.getByLabel('Ticket text').fill(SEED_TICKET);
    await page.getByRole('button', {name: 'Analyze ticket'}).click();
    const result = page.locator('[data-testid="analysis"]');
    await result.waitFor();
    assert.equal(await result.locator('[data-field="category"]').textContent(), 'billing');
  });

  test('a token that stops working brings the prompt back and the view loads after sign-in', async () => {
    await page.evaluate((key) => sessionStorage.setItem(key, 'a-revoked-token'), TOKEN_KEY);
    const drivers = await api('/api/v1/drivers', tokens[CSM.name]);
    await showTab('Drivers');
    await prompt().waitFor();
    assert.match(await prompt().textContent(), /no longer accepts/);
    await signIn(tokens[CSM.name]);
    await prompt().waitFor({state: 'detached'});
    // The request that met the 401 was sent again with the new token.
    const tierBars = page.locator('[data-testid="plan-tier-bars"] .bar-row');
    await tierBars.first().waitFor();
    assert.equal(await tierBars.count(), drivers.plan_tiers.length);
  });

  test('no CSP violation, no page error and nothing fetched from outside the gateway', async () => {
    assertClean(watch);
    await assertCspWatchReports(page, watch);
  });
});
