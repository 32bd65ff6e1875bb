// `npm test`: every test, with real services. Builds dist/ (the e2e tests run the built apps),
// lints (the module boundaries are part of the architecture), checks that package.json's
// dependencies are exact (knip), runs the unit tier, starts a throwaway local Kafka broker when
// KAFKA_BROKERS is unset, then the integration and e2e tiers on one worker. PostgreSQL is the
// server at TEST_DATABASE_ADMIN_URL (default the local one); every suite creates and drops its own
// database. Prints one closing line: "N passed, N failed".
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from '../build/build.mjs';
import { ensureLocalKafka } from '../local-kafka/kafka.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = (tool) => join(root, 'node_modules', '.bin', tool);
const reports = mkdtempSync(join(tmpdir(), 'async2-tests-'));
const totals = { passed: 0, failed: 0 };
/** Each failed test, named with the head of its message: printed again at the very end, where CI's tail shows it. */
const failures = [];
const say = (msg) => console.log(`[test] ${msg}`);

/** How long jest may take to exit after writing its report before the runner stops it. */
const EXIT_GRACE_MS = 30_000;

/**
 * One tier. Jest waits for every handle a test left open (a socket, a timer) before it exits: a
 * suite that fails halfway can leave one, and then the run would hang until CI's own limit. The
 * report is jest's last act, so once it exists the runner gives jest EXIT_GRACE_MS, then stops it
 * and counts the leak as a failure (the report's own results are counted either way).
 */
async function jest(tier, extraArgs, env, nodeArgs = []) {
  const report = join(reports, `${tier}.json`);
  say(`${tier} tests`);
  // A Node diagnostic report on SIGUSR2 lists the libuv handles still open (sockets with both
  // endpoints, timers, pipes): what the runner prints when jest does not exit.
  const diagnostics = ['--report-on-signal', '--report-signal=SIGUSR2', `--report-directory=${reports}`, '--report-exclude-env'];
  const child = spawn(process.execPath, [...nodeArgs, ...diagnostics, bin('jest'), '--selectProjects', tier, '--json', `--outputFile=${report}`, ...extraArgs, ...process.argv.slice(2)], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  let reportSeenAt;
  let stopping = false;
  const watch = setInterval(() => {
    if (reportSeenAt === undefined && existsSync(report)) reportSeenAt = Date.now();
    if (!stopping && reportSeenAt !== undefined && Date.now() - reportSeenAt > EXIT_GRACE_MS) {
      stopping = true;
      say(`${tier}: jest did not exit ${EXIT_GRACE_MS / 1000} s after its report (a test left a handle open): stopping it`);
      void stopWithHandleReport(child).catch((error) => say(`${tier}: no handle report (${error.message})`));
    }
  }, 1000);
  const { code, signal } = await exited;
  clearInterval(watch);
  try {
    const summary = JSON.parse(readFileSync(report, 'utf8'));
    totals.passed += summary.numPassedTests;
    totals.failed += summary.numFailedTests + summary.numRuntimeErrorTestSuites;
    failures.push(...failuresOf(tier, summary));
  } catch {
    totals.failed += 1; // no report: the runner itself failed
  }
  if (signal) totals.failed += 1; // stopped: a leaked handle is a defect too
  return code === 0;
}

/** Lines each failure keeps in the closing list: the assertion and where it failed (frames outside the project dropped). */
const FAILURE_LINES = 12;

/** The failed tests of one jest --json report (and suites that failed before any test ran), with the head of each message. */
function failuresOf(tier, summary) {
  const head = (message) =>
    message
      .replace(/\u001b\[[0-9;]*m/g, '')
      .split('\n')
      .filter((line) => line.trim() !== '' && !(/^\s*at /.test(line) && /node_modules|node:internal|<anonymous>/.test(line)))
      .slice(0, FAILURE_LINES);
  return summary.testResults.flatMap((suite) => {
    const file = suite.name.startsWith(root) ? suite.name.slice(root.length + 1) : suite.name;
    const failed = suite.assertionResults.filter((test) => test.status === 'failed');
    if (failed.length === 0 && suite.status === 'failed') return [{ title: `${tier} ${file} (the suite failed to run)`, lines: head(suite.message ?? '') }];
    return failed.map((test) => ({ title: `${tier} ${file} › ${test.fullName}`, lines: head(test.failureMessages.join('\n')) }));
  });
}

/** Asks the leaked jest for a diagnostic report, prints the handles that kept it alive, then stops it. */
async function stopWithHandleReport(child) {
  const before = new Set(readdirSync(reports));
  child.kill('SIGUSR2');
  let written;
  for (let i = 0; i < 50 && written === undefined; i++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    written = readdirSync(reports).find((name) => !before.has(name) && name.startsWith('report.') && name.endsWith('.json'));
  }
  try {
    if (written === undefined) throw new Error('jest wrote none in 10 s');
    await new Promise((resolve) => setTimeout(resolve, 500)); // the report is written in one go; let it finish
    const { libuv } = JSON.parse(readFileSync(join(reports, written), 'utf8'));
    const open = libuv.filter((handle) => handle.is_active && handle.is_referenced);
    say(`open handles (${open.length}), from ${join(reports, written)}:`);
    for (const handle of open) say(`  ${describeHandle(handle)}`);
  } finally {
    child.kill('SIGKILL');
  }
}

function describeHandle(handle) {
  const endpoint = (e) => (e ? `${e.ip4 ?? e.ip6 ?? e.host}:${e.port}` : '?');
  switch (handle.type) {
    case 'tcp':
      return `tcp ${endpoint(handle.localEndpoint)} -> ${endpoint(handle.remoteEndpoint)}`;
    case 'udp':
      return `udp ${endpoint(handle.localEndpoint)}`;
    case 'timer':
      return `timer (fires in ${handle.firesInMsFromNow} ms${handle.repeat ? `, every ${handle.repeat} ms` : ''})`;
    case 'process':
      return `child process ${handle.pid}`;
    default:
      return `${handle.type}${handle.filename ? ` ${handle.filename}` : ''}${handle.fd !== undefined ? ` fd ${handle.fd}` : ''}`;
  }
}

async function main() {
  let ok = true;
  const started = Date.now();
  build({ log: say });

  say('lint (module boundaries)');
  // @nx/enforce-module-boundaries reads Nx's cached project graph and silently skips itself
  // without one (a fresh clone): compute the graph first.
  const graph = spawnSync(process.execPath, [bin('nx'), 'show', 'projects'], { cwd: root, stdio: 'ignore', env: { ...process.env, NX_DAEMON: 'false' } });
  if (graph.status !== 0) throw new Error('nx could not compute the project graph');
  const lint = spawnSync(process.execPath, [bin('eslint'), 'apps', 'libs', 'e2e', 'tools', 'observability', 'bench'], { cwd: root, stdio: 'inherit' });
  if (lint.status !== 0) {
    ok = false;
    totals.failed += 1;
  }

  say('dependencies (every one imported, every import declared: knip.jsonc)');
  const knip = spawnSync(process.execPath, [bin('knip'), '--dependencies', '--no-progress'], { cwd: root, stdio: 'inherit' });
  if (knip.status !== 0) {
    ok = false;
    totals.failed += 1;
  }

  ok = (await jest('unit', [])) && ok;

  let kafka;
  const env = {};
  if (!process.env.KAFKA_BROKERS) {
    kafka = await ensureLocalKafka({ ephemeral: true, port: Number(process.env.KAFKA_TEST_PORT ?? 29092), log: say });
    env.KAFKA_BROKERS = kafka.brokers;
  }
  try {
    // The Kafka port's contract spec loads @platformatic/kafka, an ES module: jest loads one only with vm modules.
    ok = (await jest('integration', ['--runInBand'], env, ['--experimental-vm-modules', '--disable-warning=ExperimentalWarning'])) && ok;
    ok = (await jest('e2e', ['--runInBand'], env)) && ok;
  } finally {
    await kafka?.stop();
    rmSync(reports, { recursive: true, force: true });
  }
  say(`done in ${Math.round((Date.now() - started) / 1000)} s`);
  for (const failure of failures) {
    say(`FAILED ${failure.title}`);
    for (const line of failure.lines) say(`    ${line}`);
  }
  console.log(`tests: ${totals.passed} passed, ${totals.failed} failed`);
  process.exit(ok && totals.failed === 0 ? 0 : 1);
}

main().catch((error) => {
  console.error(`[test] ${error.stack ?? error}`);
  console.log(`tests: ${totals.passed} passed, ${totals.failed + 1} failed`);
  process.exit(1);
});
