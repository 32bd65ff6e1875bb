// What the scenarios start and look at: databases, topics, the built apps as processes, their
// metrics, OPLOG progress and a process's resident memory.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const pg = require('pg');
const { Kafka, logLevel } = require('kafkajs');
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const uniqueName = (prefix) => `${prefix}_${randomBytes(4).toString('hex')}`;

export const freePort = () =>
  new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

/** A fresh database on the admin URL's server; `drop()` removes it. */
export async function createDatabase(adminUrl, prefix = 'async2_bench') {
  const name = uniqueName(prefix);
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export async function withClient(url, work) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates the topic (and its DLQ) and waits until every partition has a leader. */
export async function createTopic(brokers, topic, partitions) {
  const admin = new Kafka({ clientId: 'bench-admin', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.createTopics({ waitForLeaders: false, topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }, { topic: `${topic}.dlq`, numPartitions: 1, replicationFactor: 1 }] });
    // A broker that just started may not answer metadata for a new topic at once: poll.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const led = await admin.fetchTopicMetadata({ topics: [topic] }).then(
        (m) => m.topics[0].partitions.length === partitions && m.topics[0].partitions.every((p) => p.leader >= 0),
        () => false,
      );
      if (led) return;
      if (Date.now() > deadline) throw new Error(`topic ${topic} has no leader for every partition after 30 s`);
      await sleep(100);
    }
  } finally {
    await admin.disconnect();
  }
}

/**
 * Starts a Node script as a process and waits for `GET readyPath` to answer 200. `nodeArgs` lets a
 * run add --cpu-prof. stdout/stderr are kept (last lines) for the error message.
 */
export async function startProcess(label, script, { port, env = {}, nodeArgs = [], readyPath = '/health/ready', timeoutMs = 90_000 }) {
  const child = spawn(process.execPath, [...nodeArgs, script], {
    cwd: ROOT,
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail = [];
  const keep = (d) => {
    tail.push(...d.toString().split('\n').filter(Boolean));
    tail.splice(0, Math.max(0, tail.length - 40));
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  const url = `http://127.0.0.1:${port}`;
  const proc = {
    label,
    url,
    pid: child.pid,
    tail,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${label} exited before it was ready:\n${tail.join('\n')}`);
    const status = await fetch(`${url}${readyPath}`).then((r) => r.status, () => 0);
    if (status === 200) return proc;
    if (Date.now() > deadline) {
      await proc.stop();
      throw new Error(`${label} was not ready within ${timeoutMs} ms:\n${tail.join('\n')}`);
    }
    await sleep(100);
  }
}

export const appScript = (name) => join(ROOT, 'dist', 'apps', name, 'src', 'main.js');

export const scrape = (proc) => fetch(`${proc.url}/metrics`).then((r) => r.text());

/** Sum of OPLOG.next_offset over the group's partitions: events the consumer committed. */
export async function committedEvents(client, group) {
  const { rows } = await client.query('SELECT coalesce(sum(next_offset), 0)::bigint AS n FROM oplog WHERE consumer_group = $1', [group]);
  return Number(rows[0].n);
}

/** Resident set size of a process in MiB, from /proc (Linux). */
export function rssMiB(pid) {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
  return kb / 1024;
}

/**
 * Polls the consumer's committed progress until `expected` events. The clock starts at `since`
 * (hrtime; the moment the consumer answered ready, so connecting and the group join are inside, as
 * they are for the bare-consume baseline, which starts its clock before run()). With `stopAfterMs`
 * it returns that long after `since`, whatever the progress.
 */
export async function waitForCommitted(dbUrl, group, expected, { since = process.hrtime.bigint(), timeoutMs = 600_000, onSample, stopAfterMs } = {}) {
  return withClient(dbUrl, async (client) => {
    const deadline = Date.now() + timeoutMs;
    let atStart;
    for (;;) {
      const n = await committedEvents(client, group).catch(() => 0); // OPLOG may not exist yet
      atStart ??= n;
      const at = process.hrtime.bigint();
      onSample?.(n);
      const seconds = Number(at - since) / 1e9;
      if (n >= expected || (stopAfterMs !== undefined && seconds * 1000 >= stopAfterMs)) return { events: n - atStart, committed: n, seconds, rate: (n - atStart) / seconds };
      if (Date.now() > deadline) throw new Error(`consumer committed ${n} of ${expected} events within ${timeoutMs} ms`);
      await sleep(25);
    }
  });
}
