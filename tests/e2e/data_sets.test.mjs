// Browser test of the Data sets tab against the real service set: an admin (open access here)
// uploads the five tables of another data set, sees a bad file refused with its file, line and
// column while the served data stays as it was, selects the new set and finds the views built
// from it.
//
//   CHURN_BUILD_DIR=build node --test tests/e2e/data_sets.test.mjs
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';

import {launchBrowser} from './browser.mjs';
import {assertClean, assertCspWatchReports, watchPage} from './page_watch.mjs';
import {ServiceStack, binaryPath, waitFor} from './service_stack.mjs';

const buildDir = path.resolve(process.env.CHURN_BUILD_DIR || 'build');
const count = (value) => Number(value).toLocaleString('en-US');

let stack;
let baseUrl;
let browser;
let page;
let watch;
let uploadDir;

async function api(pathAndQuery) {
  const response = await fetch(`${baseUrl}${pathAndQuery}`, {signal: AbortSignal.timeout(15000)});
  assert.ok(response.ok, `${pathAndQuery}: HTTP ${response.status}`);
  return response.json();
}

async function showTab(name) {
  const tab = page.getByRole('tab', {name});
  await tab.click();
  await waitFor(`the ${name} tab selected`, async () => (await tab.getAttribute('aria-selected')) === 'true',
                {timeoutMs: 10000});
}

// The five tables of a data set as files for the file input.
function tableFiles(dir, replace = {}) {
  return ['accounts', 'subscriptions', 'feature_usage', 'churn_events', 'support_tickets'].map((table) => {
    const name = `${table}.csv`;
    const text = replace[name] ?? fs.readFileSync(path.join(dir, name), 'utf8');
    return {name, mimeType: 'text/csv', buffer: Buffer.from(text)};
  });
}

describe('data sets', {timeout: 300000}, () => {
  before(async () => {
    stack = new ServiceStack(buildDir);
    try {
      baseUrl = await stack.start();
    } catch (error) {
      error.message += `\n${stack.allLogTails()}`;
      throw error;
    }
    // Another data set: fewer accounts than the stack's own.
    uploadDir = path.join(stack.workDir, 'other');
    const generated = spawnSync(binaryPath(buildDir, 'churnctl'),
                                ['generate', '--out', uploadDir, '--accounts', '25', '--seed', '11'],
                                {encoding: 'utf8', timeout: 60000});
    assert.equal(generated.status, 0, generated.stderr);
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.setDefaultTimeout(15000);
    // The refused upload's 400 is expected; the browser logs it as a failed resource.
    watch = await watchPage(page, baseUrl, {expectedConsoleErrors: [/status of 400/]});
  });

  after(async () => {
    await browser?.close();
    await stack?.stop({keepWorkDir: Boolean(process.env.CHURN_E2E_KEEP)});
  });

  test('upload five files, see a bad file refused, select the new set and see it served', async () => {
    const before = await api('/api/v1/executive');
    await page.goto(`${baseUrl}/#data-sets`);
    await showTab('Data sets');
    const rows = page.locator('[data-testid="data-set-list"] tbody tr');
    await waitFor('the configured data folder listed', async () => (await rows.count()) === 1);
    assert.equal(await rows.first().getAttribute('data-current'), 'true');

    // A bad value: refused with file, line and column; nothing listed, nothing served changes.
    const subscriptions = fs.readFileSync(path.join(uploadDir, 'subscriptions.csv'), 'utf8').split('\n');
    const arr = subscriptions[0].split(',').indexOf('arr_amount');
    const second = subscriptions[2].split(',');
    second[arr] = 'lots';
    subscriptions[2] = second.join(',');
    // Columns count characters from 1, as an editor shows them.
    const column = second.slice(0, arr).join(',').length + (arr > 0 ? 2 : 1);
    await page.getByLabel('Data set name').fill('broken');
    await page.getByLabel('Tables (five CSV files, or one zip)').setInputFiles(
      tableFiles(uploadDir, {'subscriptions.csv': subscriptions.join('\n')}));
    await page.getByRole('button', {name: 'Upload data set'}).click();
    const error = page.locator('[data-testid="data-set-error"]');
    await waitFor('the upload refused', async () => (await error.count()) === 1, {timeoutMs: 60000});
    assert.match(await error.textContent(), new RegExp(`subscriptions\\.csv:3:${column}: arr_amount`));
    assert.equal(await rows.count(), 1);
    assert.equal((await api('/api/v1/executive')).customers, before.customers);

    // The five good files.
    await page.getByLabel('Data set name').fill('other-export');
    await page.getByLabel('Tables (five CSV files, or one zip)').setInputFiles(tableFiles(uploadDir));
    await page.getByRole('button', {name: 'Upload data set'}).click();
    const uploaded = page.locator('[data-testid="data-set-uploaded"]');
    await waitFor('the upload accepted', async () => (await uploaded.count()) === 1, {timeoutMs: 60000});
    assert.match(await uploaded.textContent(), /^other-export uploaded: 5 tables/);
    await waitFor('the new set listed', async () => (await rows.count()) === 2);
    const newRow = page.locator('[data-testid="data-set-list"] tr[data-name="other-export"]');
    assert.equal(await newRow.getAttribute('data-current'), 'false');

    // Selected: the gateway serves it, and the Executive view shows it.
    await page.getByRole('button', {name: 'Select other-export'}).click();
    await waitFor('the new set in use', async () => (await newRow.getAttribute('data-current')) === 'true',
                  {timeoutMs: 60000});
    const after = await api('/api/v1/executive');
    assert.notEqual(after.customers, before.customers, 'a data set with other customers');
    assert.ok(Number(after.freshness.snapshot_version) > Number(before.freshness.snapshot_version));
    await showTab('Executive');
    const customers = page.locator('#panel-executive [data-field="customers"]');
    await waitFor('the executive figures of the new set',
                  async () => (await customers.textContent()) === count(after.customers));
    assert.match(await page.locator('#freshness').textContent(), new RegExp(`v${after.freshness.snapshot_version}`));

    // And back to the configured folder.
    await showTab('Data sets');
    await page.getByRole('button', {name: 'Select Configured data folder'}).click();
    await waitFor('the configured folder in use',
                  async () => (await rows.first().getAttribute('data-current')) === 'true', {timeoutMs: 60000});
    assert.equal((await api('/api/v1/executive')).customers, before.customers);
    fs.mkdirSync(path.join(buildDir, 'e2e'), {recursive: true});
    await page.screenshot({path: path.join(buildDir, 'e2e', 'data-sets.png')});

    assertClean(watch);
    await assertCspWatchReports(page, watch);
  });
});
