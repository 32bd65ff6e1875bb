// gRPC PublishStream load: `streams` concurrent streams sharing `events` events; every answer must
// be ACCEPTED. Uses the published contract from dist/ (build first).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { workerMain } from '../lib/child.mjs';
import { benchEvent } from '../lib/event-records.mjs';

const require = createRequire(import.meta.url);
const grpc = require('@grpc/grpc-js');
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { loadEventsPackageDefinition } = require(join(root, 'dist/libs/events-proto/src/index.js'));

function stream(client, events) {
  const call = client.PublishStream();
  let answers = 0;
  const done = new Promise((resolve, reject) => {
    call.on('data', (r) => {
      if (r.status !== 'RESULT_STATUS_ACCEPTED') reject(new Error(`stream answered ${r.status}`));
      answers += 1;
    });
    call.on('end', () => (answers === events.length ? resolve() : reject(new Error(`${answers} answers for ${events.length} events`))));
    call.on('error', reject);
  });
  return (async () => {
    for (const e of events) {
      if (!call.write({ id: e.id, op: 'OP_INCR', data: JSON.stringify(e.data) })) await new Promise((r) => call.once('drain', r));
    }
    call.end();
    await done;
  })();
}

workerMain(async ({ target, events, streams, idCount, tag = 'g' }) => {
  const Service = grpc.loadPackageDefinition(loadEventsPackageDefinition()).events.v1.EventService;
  const client = new Service(target, grpc.credentials.createInsecure());
  const all = Array.from({ length: events }, (_, i) => benchEvent(i, idCount, tag));
  const share = Math.ceil(events / streams);
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: streams }, (_, s) => stream(client, all.slice(s * share, (s + 1) * share))));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  client.close();
  return { events, seconds, rate: events / seconds };
});
