// Runs before `npm start` and `npm test` (as prestart/pretest), possibly on the machine's older
// Node: installs the dependencies when node_modules is missing or older than package-lock.json.
// The project's scripts then run on the Node from the npm `node` package (node_modules/.bin/node).
const { existsSync, statSync } = require('node:fs');
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');

const root = join(__dirname, '..', '..');
const marker = join(root, 'node_modules', '.package-lock.json');
const lock = join(root, 'package-lock.json');
const nodeBinary = join(root, 'node_modules', '.bin', 'node');

const stale = !existsSync(marker) || !existsSync(nodeBinary) || statSync(lock).mtimeMs > statSync(marker).mtimeMs;
if (stale) {
  console.log('[bootstrap] installing dependencies (npm install from package-lock.json)');
  const result = spawnSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('[bootstrap] npm install failed');
    process.exit(result.status ?? 1);
  }
}
// Why not `npm ci`: npm 11 writes this lock without the other platforms' optional binaries
// (@swc/core-*, @unrs/resolver-binding-*) and `npm ci` then refuses it as out of sync;
// `npm install` honours the locked versions and installs the one binary this platform needs.
