import { type EntityRecord, partitionForKey } from '@async2/domain';
import { type AppProcess, type CliRun, TestPipeline, referenceFold, readWholeTopic, runCli, waitFor } from '@async2/testing';
import { randomEvents, seededRandom, sendEvents } from '../http-workload';

// The operator CLI (`async2`, the built bin) against a running pipeline on real Kafka and PostgreSQL:
// status, rebuilding a partition whose rows were corrupted, and bad input that must change nothing.
const PARTITIONS = 2;
const DEDUPE_WINDOW = 16;
const SEED = Number(process.env.E2E_SEED ?? 20261130);

/** The fields of a row the fold decides (updated_at is the write time; event_ts is checked to the ms). */
const comparable = (r: EntityRecord) => ({ id: r.id, state: r.deleted ? null : JSON.parse(JSON.stringify(r.state)), deleted: r.deleted, version: r.version, partition: r.partition, lastOffset: r.lastOffset, recentEventIds: r.recentEventIds });

describe('the operator CLI', () => {
  let pipeline: TestPipeline;
  let producerUrl: string;
  let consumer: AppProcess;
  const random = seededRandom(SEED);
  const cli = (...args: string[]): Promise<CliRun> => runCli(args, pipeline.env());

  /** EVENTS rows of `partition` must equal the reference fold of its records below `below` (all of them by default). */
  const expectRowsToEqualReferenceFold = async (partition?: number, below = Number.MAX_SAFE_INTEGER) => {
    const stored = (await readWholeTopic(pipeline.kafka, pipeline.topic)).filter((s) => (partition === undefined || s.partition === partition) && s.offset < below);
    const expected = referenceFold(stored, DEDUPE_WINDOW);
    const actual = [...(await pipeline.probe.eventsTable()).values()].filter((r) => partition === undefined || r.partition === partition);
    expect(actual.map(comparable).sort((a, b) => a.id.localeCompare(b.id))).toEqual([...expected.values()].map(comparable).sort((a, b) => a.id.localeCompare(b.id)));
    return expected.size;
  };

  beforeAll(async () => {
    pipeline = await TestPipeline.open({ name: 'cli', partitions: PARTITIONS, env: { DEDUPE_WINDOW: String(DEDUPE_WINDOW) }, consumerEnv: { PROGRESS_CHECK_MS: '300', MAX_CACHED_IDS: '40' } });
    producerUrl = (await pipeline.startProducer({ PRODUCE_LINGER_MS: '2' })).url;
    consumer = await pipeline.startConsumer();
    await sendEvents(producerUrl, randomEvents(random, 1200, 150, 'first'), { batchSize: 40 }, 4);
    await pipeline.waitUntilApplied();
  }, 120_000);

  afterAll(async () => {
    await pipeline?.close();
  });

  it('status: owner, epoch, committed and end offsets, lag per partition, and each consumer\'s lanes from its /metrics', async () => {
    const run = await cli('status', '--json', '--consumer', consumer.url);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    const oplog = await pipeline.probe.oplog(pipeline.topic);
    const ends = await pipeline.endOffsets();
    expect(report).toMatchObject({ topic: pipeline.topic, consumerGroup: 'async2-consumer' });
    expect(report.topicId).toMatch(/^[0-9a-f]{32}$/);
    expect(report.partitions).toEqual(
      [0, 1].map((p) => ({
        partition: p,
        owner: oplog.get(p)!.owner,
        epoch: oplog.get(p)!.epoch,
        committedOffset: ends.get(p),
        logStartOffset: 0,
        endOffset: ends.get(p),
        lag: 0,
        lastChange: expect.any(String),
        state: 'ok',
        lanes: [{ consumer: consumer.url, lane: 'active' }],
        parked: [],
      })),
    );
    expect(report.consumers).toEqual([{ url: consumer.url, lanes: { 0: 'active', 1: 'active' }, paused: { fenced: 0, bufferFull: 0, offsetGap: 0 } }]);

    const human = await cli('status');
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^PARTITION +OWNER +EPOCH +COMMITTED +LOG START +END +LAG +LAST CHANGE +STATE +PARKED$/m);
    expect(human.stdout).toMatch(new RegExp(`^0 +${oplog.get(0)!.owner} +1 +${ends.get(0)} +0 +${ends.get(0)} +0 +\\S+ +ok +0$`, 'm'));
  }, 60_000);

  it('rebuild: corrupted rows of a partition come back equal to the reference fold; the fenced owner stops; a restarted consumer resumes after the rebuild', async () => {
    // Corrupt partition 0 on purpose: wrong states and versions, a row missing, a row that should not exist.
    await pipeline.probe.query(`UPDATE events SET state = '{"corrupted": true}', version = version + 1000 WHERE partition = 0 AND id IN (SELECT id FROM events WHERE partition = 0 AND NOT deleted ORDER BY id LIMIT 10)`);
    await pipeline.probe.query(`DELETE FROM events WHERE id = (SELECT id FROM events WHERE partition = 0 ORDER BY id DESC LIMIT 1)`);
    await pipeline.probe.query(`INSERT INTO events (id, state, deleted, version, partition, last_offset, event_ts) VALUES ('ghost', '{"x":1}', false, 1, 0, 0, now())`);
    const partition1Before = [...(await pipeline.probe.eventsTable()).values()].filter((r) => r.partition === 1);
    const epochBefore = (await pipeline.probe.oplog(pipeline.topic)).get(0)!.epoch;

    // Events keep arriving while the rebuild runs: partition 1 goes on; partition 0's wait in Kafka.
    const during = sendEvents(producerUrl, randomEvents(random, 400, 150, 'during'), { batchSize: 10 }, 2);
    const run = await cli('rebuild', '--partition', '0', '--json');
    await during;
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ partition: 0, fromOffset: 0, epoch: epochBefore + 1, owner: expect.stringMatching(/^async2-rebuild-/) });
    expect(run.stderr).toMatch(/partition 0: claimed with epoch \d+: .* is fenced and stops writing this partition/);
    expect(run.stderr).toMatch(/partition 0: folded to offset \d+ of \d+ \(100%\)/);

    // Partition 0 equals the fold of its records up to where the rebuild stopped; the owner wrote nothing after the claim.
    const rows = await expectRowsToEqualReferenceFold(0, result.nextOffset);
    expect(result.rowsAfter).toBe(rows);
    expect((await pipeline.probe.eventsTable()).has('ghost')).toBe(false);
    expect((await pipeline.probe.oplog(pipeline.topic)).get(0)).toEqual({ nextOffset: result.nextOffset, epoch: epochBefore + 1, owner: result.owner });
    await waitFor(async () => JSON.parse((await cli('status', '--json', '--consumer', consumer.url)).stdout).partitions[0].lanes[0]?.lane === 'fenced', { timeoutMs: 15_000, what: "the owner's lane of partition 0 to be fenced" });
    expect(consumer.logs.join('\n')).toMatch(/partition 0: fenced: /);
    // Partition 1 was never touched by the rebuild and its owner kept going.
    await pipeline.waitUntilApplied({ ends: new Map([[1, (await pipeline.endOffsets()).get(1)!]]) });
    expect([...(await pipeline.probe.eventsTable()).values()].filter((r) => r.partition === 1).length).toBeGreaterThanOrEqual(partition1Before.length);

    // As the CLI says: a restarted consumer claims again and resumes where the rebuild stopped.
    await consumer.stop();
    consumer = await pipeline.startConsumer();
    await sendEvents(producerUrl, randomEvents(random, 300, 150, 'after'), { batchSize: 30 }, 2);
    await pipeline.waitUntilApplied();
    await expectRowsToEqualReferenceFold();
    expect((await pipeline.probe.oplog(pipeline.topic)).get(0)!.epoch).toBe(epochBefore + 2);
  }, 180_000);

  it('bad input exits 2 with a clear error and changes nothing: unknown command or flag, unknown partition, an offset below the log start', async () => {
    await pipeline.waitUntilApplied();
    // Retention in miniature: the first 10 records of partition 1 are removed.
    await pipeline.admin.deleteTopicRecords({ topic: pipeline.topic, partitions: [{ partition: 1, offset: '10' }] });
    const eventsBefore = await pipeline.probe.eventsTable();
    const oplogBefore = await pipeline.probe.oplog(pipeline.topic);

    const refusals: Array<[string[], RegExp]> = [
      [['rebiuld', '--partition', '0'], /unknown command "rebiuld/],
      [['rebuild', '--partition', '0', '--offset', '3'], /unknown flag --offset for async2 rebuild/],
      [['rebuild', '--partition', '7'], new RegExp(`topic ${pipeline.topic} has no partition 7: it has 2 \\(0-1\\)`)],
      [['rebuild', '--partition', '1'], new RegExp(`--from-offset 0: ${pipeline.topic}-1 no longer holds that offset: its first offset is 10 .*Nothing was changed`)],
      [['rebuild', '--partition', '1', '--from-offset', '9'], /its first offset is 10/],
      [['status', '--consumer', 'localhost:3001'], /--consumer="localhost:3001": must be an http:\/\/ or https:\/\/ URL/],
    ];
    for (const [args, message] of refusals) {
      const run = await cli(...args);
      expect({ args, code: run.code, stdout: run.stdout }).toEqual({ args, code: 2, stdout: '' });
      expect(run.stderr).toMatch(message);
    }
    expect(await pipeline.probe.eventsTable()).toEqual(eventsBefore);
    expect(await pipeline.probe.oplog(pipeline.topic)).toEqual(oplogBefore); // no claim: the owner was not fenced
    expect((await pipeline.probe.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_tables WHERE tablename LIKE 'events_rebuild_%'`))[0].n).toBe(0);

    // The status says what it can know: the partition's log starts at 10, its OPLOG is past it.
    const status = JSON.parse((await cli('status', '--json')).stdout);
    expect(status.partitions[1]).toMatchObject({ logStartOffset: 10, state: 'ok' });
  }, 120_000);

  it('rebuild sweeps like the consumer: an ID whose ttlMs passed stays the tombstone the consumer swept, with its version', async () => {
    const id = Array.from({ length: 100 }, (_, i) => `cli-ttl-${i}`).find((candidate) => partitionForKey(candidate, PARTITIONS) === 0)!;
    const answer = await fetch(`${producerUrl}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id, op: 'set', data: { user: 'ada' }, ttlMs: 1000 }) });
    expect(answer.status).toBe(202);
    // The consumer's sweep (TTL_SWEEP_INTERVAL_MS, 1 s by default) makes it a tombstone: version 2.
    const swept = await waitFor(async () => {
      const row = (await pipeline.probe.eventsTable()).get(id);
      return row?.deleted ? row : undefined;
    }, { timeoutMs: 20_000, what: `the consumer to sweep ${id}` });
    expect(swept).toMatchObject({ version: 2, state: null });

    // Replayed from offset 0 the fold leaves the ID live with a past expiry; the rebuild's sweep makes the same tombstone.
    const run = await cli('rebuild', '--partition', '0', '--json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).expiredIds).toBeGreaterThanOrEqual(1);
    const rebuilt = (await pipeline.probe.eventsTable()).get(id);
    expect(rebuilt).toMatchObject({ deleted: true, state: null, version: 2, eventTs: swept.eventTs });
    const [{ live }] = await pipeline.probe.query<{ live: number }>(`SELECT count(*)::int AS live FROM events WHERE partition = 0 AND NOT deleted AND expires_at <= now()`);
    expect(live).toBe(0);
  }, 120_000);
});
