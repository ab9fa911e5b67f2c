// CTest entry point of the browser test. Exits 77 (CTest's SKIP_RETURN_CODE) with a clear
// message when Chromium or node_modules are missing; otherwise runs the Node test file and
// passes its exit code on.
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {CHROMIUM_PATH} from './browser.mjs';
import {missingBinaries} from './service_stack.mjs';

const SKIP = 77;
const here = path.dirname(new URL(import.meta.url).pathname);

if (!fs.existsSync(CHROMIUM_PATH)) {
  console.log(`SKIP: no Chromium at ${CHROMIUM_PATH} (install Debian's package: apt-get install -y chromium)`);
  process.exit(SKIP);
}
if (!fs.existsSync(path.join(here, 'node_modules', 'playwright-core', 'package.json'))) {
  console.log(`SKIP: playwright-core is not installed (run: cd ${here} && npm ci)`);
  process.exit(SKIP);
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

const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', path.join(here, 'dashboard.test.mjs')],
                         {stdio: 'inherit', env: process.env});
process.exit(result.status ?? 1);
