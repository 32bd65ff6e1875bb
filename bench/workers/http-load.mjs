// HTTP load with autocannon's programmatic API, in its own process. Modes:
//   single: POST one event per request (IDs vary per request through setupRequest)
//   batch:  POST {"events":[...batchSize]} (a rotating pool of bodies with different IDs)
//   echo:   POST one event to the bare Nest echo handler (same body as single)
// `overallRate` (requests/s over all connections) turns it into a steady-rate load.
import { createRequire } from 'node:module';
import { workerMain } from '../lib/child.mjs';
import { benchEvent } from '../lib/event-records.mjs';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon');

workerMain(async ({ url, path, mode, connections, seconds, batchSize = 500, idCount = 10_000, overallRate, tag = 'h' }) => {
  let counter = 0;
  const pool = [];
  if (mode === 'batch') {
    for (let b = 0; b < 32; b++) {
      const events = Array.from({ length: batchSize }, (_, i) => benchEvent(b * batchSize + i, idCount, tag));
      pool.push(JSON.stringify({ events }));
    }
  }
  const setupRequest = (request) => {
    const n = counter++;
    request.body = mode === 'batch' ? pool[n % pool.length] : JSON.stringify(benchEvent(n, idCount, tag));
    return request;
  };
  const result = await autocannon({
    url: `${url}${path}`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    connections,
    duration: seconds,
    overallRate,
    requests: [{ setupRequest }],
  });
  const ok = result['2xx'];
  const perRequest = mode === 'batch' ? batchSize : 1;
  return {
    requests: ok,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    seconds: result.duration,
    requestRate: ok / result.duration,
    eventRate: (ok * perRequest) / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
  };
});
