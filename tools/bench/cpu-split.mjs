#!/usr/bin/env node
// Where a machine's CPU goes while a bench runs, per kind of process: the broker, the producer, the
// consumer, PostgreSQL, the bench's load generators, the rest. Reads /proc (Linux) every second and
// prints each second's CPU (% of one core) per kind; on SIGINT/SIGTERM prints the CPU-seconds of each.
//   node tools/bench/cpu-split.mjs > split.log &  npm run bench -- --only e2e ...;  kill %1
// Divide a kind's CPU-seconds by the events the run carried for its CPU per event.
import { readdirSync, readFileSync } from 'node:fs';

const KINDS = [
  ['broker', /kafka\.Kafka/],
  ['producer', /apps\/producer\//],
  ['consumer', /apps\/consumer\//],
  ['postgres', /^postgres/],
  ['loadgen', /bench\/workers\//],
  ['other', /./],
];
const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU ticks (user + system) of every live process, and its kind. */
function sample() {
  const now = new Map();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      now.set(pid, { ticks: Number(fields[11]) + Number(fields[12]), kind: KINDS.find(([, pattern]) => pattern.test(command))[0] });
    } catch {
      // the process ended between readdir and read
    }
  }
  return now;
}

const totals = Object.fromEntries(KINDS.map(([kind]) => [kind, 0]));
let previous = sample();
let previousAt = Date.now();
console.log(`second ${KINDS.map(([kind]) => kind).join(' ')}`);
const timer = setInterval(() => {
  const current = sample();
  const at = Date.now();
  const ticks = Object.fromEntries(KINDS.map(([kind]) => [kind, 0]));
  for (const [pid, { ticks: now, kind }] of current) {
    const before = previous.get(pid);
    if (before !== undefined) ticks[kind] += now - before.ticks; // a process born this second counts from the next
  }
  const seconds = (at - previousAt) / 1000;
  for (const [kind] of KINDS) totals[kind] += ticks[kind] / TICKS_PER_SECOND;
  console.log(`${new Date(at).toISOString().slice(11, 19)} ${KINDS.map(([kind]) => Math.round((100 * ticks[kind]) / TICKS_PER_SECOND / seconds)).join(' ')}`);
  previous = current;
  previousAt = at;
}, 1000);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    clearInterval(timer);
    console.log(`cpu-seconds ${KINDS.map(([kind]) => `${kind}=${totals[kind].toFixed(1)}`).join(' ')}`);
    process.exit(0);
  });
}
