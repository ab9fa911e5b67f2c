// Browser test of the trained model beside the rules, against the real service set started with
// a model trained by churnctl (ingest: long views and the model's backtest; scoring: its second
// opinion): the customer brief shows the labelled second opinion as the API reports it, and the
// Model quality tab's "Rules against the model" the model's figures and note. The stack without
// a model (the other browser tests) shows neither section; model_quality.test.mjs checks that.
//
//   CHURN_BUILD_DIR=build node --test tests/e2e/second_opinion.test.mjs
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';

import {launchBrowser} from './browser.mjs';
import {assertClean, watchPage} from './page_watch.mjs';
import {ServiceStack} from './service_stack.mjs';

const buildDir = path.resolve(process.env.CHURN_BUILD_DIR || 'build');
const screenshotDir = path.join(buildDir, 'e2e');

async function screenshot(name) {
  fs.mkdirSync(screenshotDir, {recursive: true});
  await page.screenshot({path: path.join(screenshotDir, `${name}.png`), fullPage: true});
}

let stack;
let baseUrl;
let browser;
let page;
let watch;

async function api(pathAndQuery) {
  const response = await fetch(`${baseUrl}${pathAndQuery}`, {signal: AbortSignal.timeout(120000)});
  assert.ok(response.ok, `${pathAndQuery}: HTTP ${response.status} ${await response.clone().text()}`);
  return response.json();
}

describe('second opinion of a trained model', {timeout: 300000}, () => {
  before(async () => {
    stack = new ServiceStack(buildDir);
    try {
      baseUrl = await stack.start({model: true});
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

  test('the brief shows the model\'s probability and reasons beside the rules', async () => {
    await page.goto(`${baseUrl}/#at-risk`);
    const rows = page.locator('#at-risk-table tbody tr');
    await rows.first().waitFor();
    const customerId = await rows.first().getAttribute('data-customer-id');
    const brief = await api(`/api/v1/customers/${encodeURIComponent(customerId)}`);
    const opinion = brief.second_opinion;
    assert.ok(opinion, 'the API brief carries the second opinion');
    assert.equal(opinion.label, 'second opinion (trained model)');
    await rows.first().click();
    const panel = page.locator('section.brief');
    const section = panel.locator('[data-testid="second-opinion"]');
    await section.waitFor();
    assert.equal(await panel.locator('#brief-second-opinion').textContent(), 'Second opinion (trained model)');
    assert.equal(await section.locator('[data-field="churn_probability"]').textContent(),
                 `${(opinion.churn_probability * 100).toFixed(1)}%`);
    assert.deepEqual(await section.locator('[data-field="model_reasons"] > li').allTextContents(),
                     opinion.top_contributions.map((c) => c.sentence));
    await screenshot('brief-second-opinion');
    // The rules still rank: the list's first row is the rules' highest score, whatever the model says.
    const list = await api('/api/v1/at-risk?limit=1');
    assert.equal(list.customers[0].signals.customer_id, customerId);
    assertClean(watch);
  });

  test('the Model quality tab shows the model\'s figures beside the rules', async () => {
    const quality = await api('/api/v1/model-quality');
    const model = quality.backtest.model;
    assert.ok(model, 'ingest evaluated the model out of sample');
    await page.goto(`${baseUrl}/#model-quality`);
    const table = page.getByTestId('rules-vs-model');
    await table.waitFor();
    const cells = (metric) => table.locator(`tr[data-metric="${metric}"] td`);
    assert.equal(await cells('roc_auc').nth(1).textContent(),
                 typeof model.roc_auc === 'number' ? model.roc_auc.toFixed(3) : '—');
    assert.equal(await cells('pr_auc').nth(1).textContent(),
                 typeof model.pr_auc === 'number' ? model.pr_auc.toFixed(3) : '—');
    const ci = model.roc_auc_ci95;
    assert.equal(await cells('roc_auc_ci95').nth(1).textContent(),
                 Array.isArray(ci) ? `95% CI ${ci[0].toFixed(3)}–${ci[1].toFixed(3)}` : '—');
    const recall = model.recall_high;
    assert.equal(await cells('recall_high').nth(1).textContent(),
                 typeof recall === 'number' ? `${(recall * 100).toFixed(1)}%` : '—');
    assert.equal(await page.locator('[data-field="model_note"]').textContent(), quality.backtest.model_note);
    assert.match(quality.backtest.model_note, /Out of sample/);
    // The window shown starts where the model could be evaluated, for the rules too.
    assert.equal(quality.window.from, quality.backtest.as_of_dates[0].as_of);
    assert.match(await page.locator('[data-field="backtest_window"]').textContent(),
                 new RegExp(`from ${quality.window.from} to ${quality.window.to}`));
    assert.equal(await page.getByTestId('no-model').count(), 0);
    await screenshot('model-quality-with-model');
    assertClean(watch);
  });
});
