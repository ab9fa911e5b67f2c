// CTest entry point of the browser test. Exits 77 (CTest's SKIP_RETURN_CODE) with a clear
// message when Chromium or node_modules are missing (fails instead when CI=true); otherwise runs
// the Node test files and fails when one of them fails.
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {CHROMIUM_PATH} from './browser.mjs';
import {missingBinaries} from './service_stack.mjs';

// In CI a missing browser or package is a broken runner, not a reason to skip.
const IN_CI = process.env.CI === 'true';
const MISSING_EXIT = IN_CI ? 1 : 77;
const MISSING_LABEL = IN_CI ? 'FAIL (CI=true)' : 'SKIP';
const here = path.dirname(new URL(import.meta.url).pathname);

if (!fs.existsSync(CHROMIUM_PATH)) {
  console.log(`${MISSING_LABEL}: no Chromium at ${CHROMIUM_PATH} ` +
              '(install Debian\'s package: apt-get install -y chromium)');
  process.exit(MISSING_EXIT);
}
if (!fs.existsSync(path.join(here, 'node_modules', 'playwright-core', 'package.json'))) {
  console.log(`${MISSING_LABEL}: playwright-core is not installed (run: cd ${here} && npm ci)`);
  process.exit(MISSING_EXIT);
}
const buildDir = process.env.CHURN_BUILD_DIR;
if (!buildDir) {
  console.error('CHURN_BUILD_DIR must name the CMake build directory with the service binaries');
  process.exit(2);
}
const missing = missingBinaries(buildDir);
if (missing.length) {
  console.error(`missing binaries in ${buildDir}: ${missing.join(', ')} (build them first)`);
  process.exit(1);
}

// One file per service set (without tokens, with a tokens file, the Model quality loop), one after the other:
// each starts its own four services and browser, and the machine may have two cores only.
let failed = false;
for (const file of ['dashboard.test.mjs', 'dashboard_auth.test.mjs', 'model_quality.test.mjs',
                    'data_sets.test.mjs', 'second_opinion.test.mjs']) {
  const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', path.join(here, file)],
                           {stdio: 'inherit', env: process.env});
  if (result.status !== 0) {
    console.error(`${file}: ${result.status === null ? `killed by ${result.signal}` : `exit ${result.status}`}`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
