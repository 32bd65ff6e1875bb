// The consumer's flush transaction on its own (no Kafka, no fold): the FlushWriter and the load of
// stored rows from dist/, on a migrated database, `rows` changed IDs per flush over existing keys.
// Splits a flush's time into loading the stored rows (findRecords) and the one transaction
// (BEGIN, the rows COPYed in, the flush statement, COMMIT), for the flush-vs-SQL comparison.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { workerMain } from '../lib/child.mjs';
import { ROOT } from '../lib/services.mjs';
import { median } from '../lib/stats.mjs';

const require = createRequire(import.meta.url);
const { DataSource } = require('typeorm');
const { EventsRepository, FlushWriter, dataSourceOptions } = require(join(ROOT, 'dist/libs/data-access/src/index.js'));

const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

workerMain(async ({ dbUrl, rows, runs = 5 }) => {
  const dataSource = new DataSource(dataSourceOptions({ url: dbUrl, poolSize: 2, applicationName: 'bench-flush-writer' }));
  await dataSource.initialize();
  const key = { consumerGroup: 'bench-flush-writer', topic: 'bench', partition: 0 };
  await dataSource.query('INSERT INTO oplog (consumer_group, topic, partition, next_offset, epoch) VALUES ($1, $2, 0, 0, 1)', [key.consumerGroup, key.topic]);
  const writer = new FlushWriter(dataSource);
  const events = new EventsRepository(dataSource);
  const find = [];
  const commit = [];
  let offset = 0;
  for (let run = 0; run <= runs; run++) {
    const records = Array.from({ length: rows }, (_, i) => ({ id: `w-${i}`, state: { n: run * rows + i }, deleted: false, version: run + 1, partition: 0, lastOffset: offset + i, eventTs: Date.now(), recentEventIds: [] }));
    offset += rows;
    let t0 = process.hrtime.bigint();
    await events.findRecords(records.map((r) => r.id));
    const tFind = ms(t0);
    t0 = process.hrtime.bigint();
    await writer.commit({ key, partition: 0, epoch: 1, nextOffset: offset, records });
    if (run > 0) { // the first run inserts; the rest update existing keys, like the SQL baseline
      find.push(tFind);
      commit.push(ms(t0));
    }
  }
  await dataSource.destroy();
  return { findMs: median(find), commitMs: median(commit), commitRate: rows / (median(commit) / 1000) };
});
