import { createTestDatabase, freePortFollowedBy, type TestDatabase, uniqueName, waitFor } from '@async2/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { isAlive, StartScript } from './start-script';

// Issue 18, part 4: however `npm start` is stopped (a signal to the script, a signal to npm, npm
// killed outright), it stops the apps gracefully (the consumer commits what it folded) and the
// broker it started: afterwards no process it started runs and the broker's port is closed.
describe('npm start stops everything it started, however it is stopped', () => {
  let database: TestDatabase;
  let brokerPort: number;
  let brokerData: string;
  let start: StartScript | undefined;

  beforeAll(async () => {
    database = await createTestDatabase('async2_start_stop');
    // One broker instance (data dir and port) for every case: each launch starts it, each stop stops it.
    brokerPort = await freePortFollowedBy(1);
    brokerData = join(mkdtempSync(join(tmpdir(), 'async2-start-broker-')), 'data');
  });
  afterEach(() => {
    start?.killAll();
    start = undefined;
  });
  afterAll(async () => {
    await database?.drop();
    rmSync(dirname(brokerData), { recursive: true, force: true });
  });

  // `npm start` is npm, which runs start.mjs: npm forwards SIGTERM and SIGINT to it; SIGHUP or
  // SIGKILL kill npm alone, and start.mjs sees its parent gone. Ctrl-C signals every process of the
  // terminal's foreground group: the apps must not get it too (a second signal, start.mjs's SIGTERM,
  // would make them exit at once, before the consumer's last commit).
  it.each([
    ['the terminal (Ctrl-C: the whole process group)', 'SIGINT'],
    ['start.mjs', 'SIGTERM'],
    ['start.mjs', 'SIGHUP'],
    ['npm', 'SIGTERM'],
    ['npm', 'SIGHUP'],
    ['npm', 'SIGKILL'],
  ] as const)('%s receiving %s', async (target, signal) => {
    start = await StartScript.launch(
      { KAFKA_BROKERS: undefined, KAFKA_LOCAL_PORT: String(brokerPort), KAFKA_LOCAL_DATA_DIR: brokerData, DATABASE_URL: database.url },
      { viaNpm: target === 'npm' },
    );
    await start.ready();
    const nonce = uniqueName('nonce');
    expect(await start.roundTrip(`stop-${signal}`, { nonce })).toEqual({ nonce });
    const started = start.descendants();
    // The apps and the broker at least (npm adds start.mjs, and maybe a shell).
    expect(started.length).toBeGreaterThanOrEqual(target === 'npm' ? 4 : 3);
    expect(await portAnswers(brokerPort)).toBe(true);

    if (target === 'npm' || target === 'start.mjs') start.child.kill(signal);
    else start.signalGroup(signal);
    await start.exited;
    await waitFor(() => started.every((pid) => !isAlive(pid)), { timeoutMs: 90_000, intervalMs: 200, what: `every process npm start started (${started.join(', ')}) to end` });
    expect(await portAnswers(brokerPort)).toBe(false);
    expect(start.appLogs().some((l) => l.service === 'consumer' && l.msg === 'stopped: every folded event is committed')).toBe(true);
  });
});

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}
