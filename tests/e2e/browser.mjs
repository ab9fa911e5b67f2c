// Debian's Chromium driven by playwright-core (no browser download), with a fresh profile and
// the flags that keep it off the network: this machine allows loopback only.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const CHROMIUM_PATH = process.env.CHURN_CHROMIUM || '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchBrowser({viewport = {width: 1400, height: 1000}} = {}) {
  const {chromium} = await import('playwright-core');
  const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'churn-e2e-profile-'));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
    timeout: 60000,
  });
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      fs.rmSync(profileDir, {recursive: true, force: true});
    },
  };
}
