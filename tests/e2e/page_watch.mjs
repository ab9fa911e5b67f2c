// What a dashboard page must never do, recorded while a test drives it: script errors, console
// errors, Content-Security-Policy violations (the gateway's policy is enforced: the browser
// context does not bypass CSP) and requests that leave the gateway's origin (aborted).
import assert from 'node:assert/strict';

import {waitFor} from './service_stack.mjs';

const REPORT_BINDING = '__churnE2eCspViolation';

// Starts watching `page`; returns the lists the watch fills. Console errors matching one of
// `expectedConsoleErrors` (e.g. the browser's own line for an expected 401) are not listed.
export async function watchPage(page, origin, {expectedConsoleErrors = []} = {}) {
  const found = {pageErrors: [], consoleErrors: [], cspViolations: [], blockedRequests: []};
  page.on('pageerror', (error) => found.pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    if (/Content Security Policy/i.test(text)) {
      found.cspViolations.push(`console: ${text}`);
    } else if (!expectedConsoleErrors.some((pattern) => pattern.test(text))) {
      found.consoleErrors.push(text);
    }
  });
  // The browser's own report, from the first byte of every document (init scripts and bindings
  // run outside the page's CSP, so watching does not change what the policy allows).
  await page.exposeFunction(REPORT_BINDING, (violation) => found.cspViolations.push(violation));
  await page.addInitScript((binding) => {
    document.addEventListener('securitypolicyviolation', (event) => {
      window[binding](`${event.effectiveDirective} refused ${event.blockedURI || 'inline content'} ` +
                      `(${event.sourceFile || 'document'}:${event.lineNumber})`);
    }, true);
  }, REPORT_BINDING);
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(`${origin}/`) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
    found.blockedRequests.push(url);
    return route.abort();
  });
  return found;
}

// Nothing recorded so far.
export function assertClean(found) {
  assert.deepEqual(found.cspViolations, [], 'Content-Security-Policy violations');
  assert.deepEqual(found.pageErrors, [], 'uncaught page errors');
  assert.deepEqual(found.consoleErrors, [], 'console errors');
  assert.deepEqual(found.blockedRequests, [], 'requests outside the gateway');
}

// A watch that never reports proves nothing: an inline style attribute, which the policy
// refuses, must show up as a violation. The report is removed again afterwards.
export async function assertCspWatchReports(page, found) {
  const before = found.cspViolations.length;
  await page.evaluate(() => {
    const probe = document.createElement('span');
    probe.setAttribute('style', 'color: red');
    document.body.append(probe);
    probe.remove();
  });
  // Both channels: the securitypolicyviolation event and the browser's console line.
  await waitFor('the CSP violation of the probe to be reported', () => {
    const reports = found.cspViolations.slice(before);
    return reports.some((report) => report.startsWith('console:')) &&
           reports.some((report) => !report.startsWith('console:'));
  }, {timeoutMs: 5000});
  assert.match(found.cspViolations.slice(before).join('\n'), /style-src/);
  found.cspViolations.splice(before);
}
