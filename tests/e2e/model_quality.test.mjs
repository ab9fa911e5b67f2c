// Browser test of the analyst's loop in the Model quality tab, against the real service set:
// the backtest of the rules in force is shown as the API reports it; editing a threshold and
// asking "What if" lists who would change level and how the backtest would move; "Apply" puts
// the rules in force and the At-Risk list shows the new levels.
//
//   CHURN_BUILD_DIR=build node --test tests/e2e/model_quality.test.mjs
//   CHURN_E2E_SCREENSHOT=/path/analyst-loop.png   also save the what-if screen there
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';

import {launchBrowser} from './browser.mjs';
import {assertClean, watchPage} from './page_watch.mjs';
import {ServiceStack, waitFor} from './service_stack.mjs';

const buildDir = path.resolve(process.env.CHURN_BUILD_DIR || 'build');
const screenshotDir = path.join(buildDir, 'e2e');
const count = (value) => Number(value).toLocaleString('en-US');

let stack;
let baseUrl;
let browser;
let page;
let watch;

async function api(pathAndQuery, init) {
  const response = await fetch(`${baseUrl}${pathAndQuery}`, {...init, signal: AbortSignal.timeout(120000)});
  assert.ok(response.ok, `${pathAndQuery}: HTTP ${response.status} ${await response.clone().text()}`);
  return response.json();
}

// customer id -> risk score of every customer in the current views.
async function scores() {
  const list = await api('/api/v1/at-risk?limit=1000');
  assert.equal(list.customers.length, Number(list.total_matched), 'one page holds every customer');
  return new Map(list.customers.map((c) => [c.signals.customer_id, Number(c.assessment.risk_score)]));
}

async function showTab(name) {
  const tab = page.getByRole('tab', {name});
  await tab.click();
  await waitFor(`the ${name} tab selected`, async () => (await tab.getAttribute('aria-selected')) === 'true',
                {timeoutMs: 10000});
}

async function screenshot(name) {
  fs.mkdirSync(screenshotDir, {recursive: true});
  const file = path.join(screenshotDir, `${name}.png`);
  await page.screenshot({path: file, fullPage: true});
  return file;
}

describe('model quality', {timeout: 300000}, () => {
  before(async () => {
    stack = new ServiceStack(buildDir);
    try {
      baseUrl = await stack.start();
    } catch (error) {
      error.message += `\n${stack.allLogTails()}`;
      throw error;
    }
    browser = await launchBrowser({viewport: {width: 1400, height: 1100}});
    page = await browser.context.newPage();
    page.setDefaultTimeout(60000);
    watch = await watchPage(page, baseUrl);
  });

  after(async () => {
    await browser?.close();
    await stack?.stop({keepWorkDir: Boolean(process.env.CHURN_E2E_KEEP)});
  });

  test('the backtest of the rules in force is shown as the API reports it', async () => {
    const quality = await api('/api/v1/model-quality');
    const report = quality.backtest;
    assert.ok(report.rows > 0, 'the demo data has a history to backtest');
    await page.goto(`${baseUrl}/#model-quality`);
    const field = (name) => page.locator(`#panel-model-quality [data-field="${name}"]`);
    await field('base_rate').waitFor();
    assert.equal(await field('base_rate').textContent(), `${(report.base_rate * 100).toFixed(1)}%`);
    const auc = report.rules.roc_auc;
    assert.equal(await field('roc_auc').textContent(), typeof auc === 'number' ? auc.toFixed(3) : '—');
    assert.equal(await field('informative_text').textContent(), report.informative_text);
    assert.match(await field('backtest_window').textContent(),
                 new RegExp(`from ${quality.window.from} to ${quality.window.to}, every 30 days`));
    // One row per rule and tier, with the API's firing counts.
    const firingRows = page.locator('[data-testid="rule-firing-table"] tbody tr');
    assert.equal(await firingRows.count(), report.rule_firing.length);
    const first = report.rule_firing[0];
    assert.equal(await firingRows.first().locator('th').textContent(), first.rule);
    assert.equal(await firingRows.first().locator('td').first().textContent(), count(first.fired));
    assert.equal(await page.locator('[data-testid="level-calibration-table"] tbody tr').count(), 3);
    // No trained model in this build's report: said plainly.
    assert.equal(report.model, null);
    assert.match(await page.getByTestId('no-model').textContent(), /No model evaluated/);
    // The editor holds the rules in force.
    assert.equal(await page.locator('#rules-editor').inputValue(), quality.rules_yaml);
    assert.equal(await page.getByRole('button', {name: 'Apply', exact: true}).isDisabled(), true, 'nothing tried yet');
  });

  test('edit a threshold, see the what-if and the backtest change, apply, see the at-risk list change', async () => {
    const before = await scores();
    const medium = [...before.values()].filter((score) => score >= 30 && score < 60);
    assert.ok(medium.length > 0, 'the demo data has Medium customers');
    // The lowest Medium score becomes the start of High: every Medium from there moves up.
    const newHigh = Math.max(31, Math.min(...medium));
    const moving = [...before.values()].filter((score) => score >= newHigh && score < 60).length;
    const highAfter = [...before.values()].filter((score) => score >= newHigh).length;
    const highBefore = [...before.values()].filter((score) => score >= 60).length;
    assert.ok(moving > 0);

    // Edit the threshold with its generated input: only that number changes in the YAML.
    const threshold = page.locator('input[data-threshold="Level High from score"]');
    assert.equal(await threshold.inputValue(), '60');
    await threshold.fill(String(newHigh));
    await threshold.dispatchEvent('change');
    const yaml = await page.locator('#rules-editor').inputValue();
    assert.match(yaml, new RegExp(`high_min: ${newHigh}\\b`));
    assert.doesNotMatch(yaml, /high_min: 60\b/);

    await page.getByRole('button', {name: 'What if', exact: true}).click();
    const headline = page.locator('[data-field="what_if_headline"]');
    await headline.waitFor();
    assert.equal(await headline.textContent(),
                 `${count(moving)} of ${count(before.size)} customers would change level ` +
                 `(${count(moving)} would change score, reasons or actions).`);
    const changeRows = page.locator('[data-testid="level-changes-table"] tbody tr');
    assert.equal(await changeRows.count(), Math.min(moving, 100));
    assert.match(await changeRows.first().textContent(), /Medium.*High/);
    assert.equal(await page.locator('[data-field="levels_high"]').textContent(),
                 `${count(highBefore)} → ${count(highAfter)}`);

    // The backtest moves: a lower bar for High flags at least as many rows, so recall(High)
    // rises or stays; the table shows the API's figures for both rule sets.
    const whatIf = await api('/api/v1/rules/what-if', {
      method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify({candidate_yaml: yaml}),
    });
    const recall = whatIf.comparison.metrics.find((m) => m.metric === 'recall_high');
    assert.ok(recall.candidate >= recall.current);
    const recallRow = page.locator('[data-testid="backtest-delta-table"] tr[data-metric="recall_high"] td');
    assert.equal(await recallRow.nth(0).textContent(), `${(recall.current * 100).toFixed(1)}%`);
    assert.equal(await recallRow.nth(1).textContent(), `${(recall.candidate * 100).toFixed(1)}%`);
    const precision = whatIf.comparison.metrics.find((m) => m.metric === 'precision_high');
    const precisionRow = page.locator('[data-testid="backtest-delta-table"] tr[data-metric="precision_high"] td');
    assert.equal(await precisionRow.nth(1).textContent(),
                 typeof precision.candidate === 'number' ? `${(precision.candidate * 100).toFixed(1)}%` : '—');
    const saved = await screenshot('model-quality-what-if');
    if (process.env.CHURN_E2E_SCREENSHOT) fs.copyFileSync(saved, process.env.CHURN_E2E_SCREENSHOT);

    // Nothing applied yet: the views keep the old levels.
    assert.equal((await api('/api/v1/at-risk?risk_level=high&limit=1')).total_matched, String(highBefore));

    // Apply what was tried; the tab reloads with the new rules in force.
    const applyButton = page.getByRole('button', {name: 'Apply', exact: true});
    assert.equal(await applyButton.isDisabled(), false);
    await applyButton.click();
    const status = page.getByTestId('rules-status');
    await waitFor('the rules applied', async () => /Rules applied/.test(await status.textContent()),
                  {timeoutMs: 120000});
    const quality = await api('/api/v1/model-quality');
    assert.match(quality.rules_yaml, new RegExp(`high_min: ${newHigh}\\b`));
    assert.equal(await page.locator('[data-field="rules_sha256"]').textContent(), quality.rules.sha256.slice(0, 12));

    // The At-Risk list now has the new High customers.
    await showTab('At-Risk list');
    await page.getByRole('checkbox', {name: 'High', exact: true}).check();
    await page.getByRole('button', {name: 'Apply filters'}).click();
    const summary = page.locator('.list-summary');
    await waitFor('the High filter with the new rules', async () =>
      (await summary.textContent()).includes(`of ${count(highAfter)} customers`), {timeoutMs: 20000});
    for (const badge of await page.locator('#at-risk-table tbody [data-col="risk_score"] .badge').allTextContents()) {
      assert.match(badge, /^High/);
    }
    assertClean(watch);
  });
});
