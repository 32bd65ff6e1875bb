import { freePort, testBrokers, uniqueName, waitFor } from '@async2/testing';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { isAlive, StartScript } from './start-script';

// Issue 18, part 5: with DATABASE_URL unset and nothing on the PostgreSQL port (here another port
// than 5432, where this machine runs one), `npm start` starts a real PostgreSQL from npm, says so,
// serves a round trip on it, and stops it on exit.
describe('npm start without a PostgreSQL', () => {
  let dir: string;
  let start: StartScript | undefined;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'async2-start-pg-'));
    chmodSync(dir, 0o755); // as root the server runs as the user "postgres", which must reach its data dir
  });
  afterAll(() => {
    start?.killAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts an embedded PostgreSQL, round-trips an event through it, and stops it on exit', async () => {
    const port = await freePort();
    start = await StartScript.launch({
      DATABASE_URL: undefined,
      POSTGRES_LOCAL_PORT: String(port),
      POSTGRES_LOCAL_DATA_DIR: join(dir, 'data'),
      KAFKA_BROKERS: testBrokers().join(','),
    });
    await start.ready(); // the first start also creates the cluster (initdb: seconds)
    expect(start.stdout.find((line) => line.includes('postgres   '))).toContain(`127.0.0.1:${port}/async2 (embedded PostgreSQL from npm`);
    const started = start.descendants();

    const nonce = uniqueName('nonce');
    expect(await start.roundTrip('embedded-1', { nonce })).toEqual({ nonce });
    // The row is in that server's database, not anywhere else.
    const client = new Client({ connectionString: `postgres://postgres:async2-local@127.0.0.1:${port}/async2` });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT 1 FROM events WHERE id = $1', ['embedded-1']);
      expect(rows).toHaveLength(1);
    } finally {
      await client.end();
    }

    start.child.kill('SIGTERM');
    expect(await start.exited).toEqual({ code: 0, signal: null });
    expect(start.appLogs().some((l) => l.service === 'consumer' && l.msg === 'stopped: every folded event is committed')).toBe(true);
    await waitFor(() => started.every((pid) => !isAlive(pid)), { timeoutMs: 30_000, intervalMs: 200, what: 'the apps and the database to end' });
    await expect(new Client({ connectionString: `postgres://postgres:async2-local@127.0.0.1:${port}/postgres`, connectionTimeoutMillis: 2000 }).connect()).rejects.toThrow();
  });
});
