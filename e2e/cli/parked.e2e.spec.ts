import { type ChangeEvent, type EntityRecord, partitionForKey } from '@async2/domain';
import { type AppProcess, type CliRun, TestPipeline, referenceFold, readWholeTopic, runCli, waitFor } from '@async2/testing';
import { randomEvents, seededRandom, sendEvents } from '../http-workload';

// Per-ID parking end to end (docs/parking.md), on the built apps and CLI with real Kafka and
// PostgreSQL: an incr past the safe range parks its ID, its later events wait while the other IDs
// flow on; `async2 parked replay --skip-refused` and the admin endpoint's discard release them in
// order through the partition's owner; EVENTS then equals the reference fold of the topic without
// the discarded events. Bad input to the CLI and the endpoint changes nothing. `async2 rebuild` of a
// partition with a parked ID keeps it parked with the same kept events (from 0, from an offset among
// them, and with the parked store damaged by hand), and refuses an offset a release makes inexact.
const PARTITIONS = 2;
const DEDUPE_WINDOW = 16;
const SEED = Number(process.env.E2E_SEED ?? 20261201);
const NEAR_MAX = 9_007_199_254_740_000;

const comparable = (r: EntityRecord) => ({ id: r.id, state: r.deleted ? null : JSON.parse(JSON.stringify(r.state)), deleted: r.deleted, version: r.version, partition: r.partition, lastOffset: r.lastOffset, recentEventIds: r.recentEventIds });

describe('parked IDs: park, replay, discard', () => {
  let pipeline: TestPipeline;
  let producerUrl: string;
  let consumer: AppProcess;
  /** Set by the first test: x's refused offset, and y's events the discard dropped (partition:offset). */
  let xRefusedOffset: number;
  let discarded: Set<string>;
  const partitionOf = (id: string) => partitionForKey(id, PARTITIONS);
  const random = seededRandom(SEED);
  const cli = (...args: string[]): Promise<CliRun> => runCli(args, pipeline.env());
  const send = (events: ChangeEvent[]) => sendEvents(producerUrl, events, { single: true }, 1);
  const http = async (method: string, path: string) => {
    const response = await fetch(`${producerUrl}${path}`, { method });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    pipeline = await TestPipeline.open({ name: 'parked', partitions: PARTITIONS, env: { DEDUPE_WINDOW: String(DEDUPE_WINDOW) }, consumerEnv: { PROGRESS_CHECK_MS: '300', MAX_CACHED_IDS: '40' } });
    producerUrl = (await pipeline.startProducer({ PRODUCE_LINGER_MS: '2' })).url;
    consumer = await pipeline.startConsumer();
  }, 120_000);

  /**
   * EVENTS (of one partition, or all) equals the reference fold of the topic without the discarded
   * events, and without `kept` (partition:offset), the events of IDs parked now (the reference fold
   * does not park: it refuses the event and applies the later ones).
   */
  const expectEventsToEqualReferenceFold = async (partition?: number, kept: ReadonlySet<string> = new Set()) => {
    const stored = (await readWholeTopic(pipeline.kafka, pipeline.topic)).filter(
      (s) => !discarded.has(`${s.partition}:${s.offset}`) && !kept.has(`${s.partition}:${s.offset}`) && (partition === undefined || s.partition === partition),
    );
    const expected = referenceFold(stored, DEDUPE_WINDOW);
    const actual = [...(await pipeline.probe.eventsTable()).values()].filter((r) => partition === undefined || r.partition === partition);
    expect(actual.map(comparable).sort((a, b) => a.id.localeCompare(b.id))).toEqual([...expected.values()].map(comparable).sort((a, b) => a.id.localeCompare(b.id)));
    return expected;
  };

  afterAll(async () => {
    await pipeline?.close();
  });

  it('parks an ID at the refused event, keeps its later events in order, and lets the others flow on; replay and discard release them as if applied once in order', async () => {
    await send([{ id: 'x', op: 'set', data: { n: NEAR_MAX } }, { id: 'y', op: 'set', data: { n: NEAR_MAX, tag: 'y0' } }]);
    await sendEvents(producerUrl, randomEvents(random, 300, 60, 'before'), { batchSize: 20 }, 4);
    // Refused: the sums leave the safe range. Then later events of x and y, and of everyone else.
    await send([{ id: 'x', op: 'incr', data: { n: 1000 } }, { id: 'y', op: 'incr', data: { n: 5000 } }]);
    await send([{ id: 'x', op: 'incr', data: { n: 991 }, eventId: 'x-later-1' }, { id: 'x', op: 'merge', data: { tag: 'x1' } }, { id: 'y', op: 'merge', data: { tag: 'y1' } }]);
    await sendEvents(producerUrl, randomEvents(random, 300, 60, 'parked'), { batchSize: 20 }, 4);
    await pipeline.waitUntilApplied();

    // Reads say so; the row is the state before the refused event.
    const read = await http('GET', '/v1/entities/x');
    expect(read).toMatchObject({ status: 200, body: { state: { n: NEAR_MAX }, version: 1, parked: true, parkedReason: expect.stringMatching(/incr of "n" leaves the safe number range/) } });
    expect((await http('GET', '/v1/entities/entity-1')).body.parked).toBeUndefined();

    // Status and list show both parked IDs per partition.
    const status = JSON.parse((await cli('status', '--json')).stdout);
    for (const id of ['x', 'y']) expect(status.partitions[partitionOf(id)].parked).toContain(id);
    const list = JSON.parse((await cli('parked', 'list', '--json')).stdout);
    expect(list.parked.map((p: { id: string }) => p.id).sort()).toEqual(['x', 'y']);
    const shown = JSON.parse((await cli('parked', 'show', 'x', '--json')).stdout);
    expect(shown.kept.map((k: { event: ChangeEvent }) => k.event.op)).toEqual(['incr', 'incr', 'merge']);
    xRefusedOffset = shown.refusedOffset;
    const yKept = (await http('GET', '/v1/admin/parked/y')).body.kept as Array<{ offset: number }>;
    expect(yKept).toHaveLength(2);

    // Bad input: a clear error, nothing sent, nothing changed.
    const endsBefore = await pipeline.endOffsets();
    const eventsBefore = await pipeline.probe.eventsTable();
    const refusals: Array<[string[], RegExp]> = [
      [['parked', 'replay', 'nobody'], /"nobody" is not parked/],
      [['parked', 'discard', 'entity-1'], /"entity-1" is not parked/],
      [['parked', 'show', 'nobody'], /"nobody" is not parked/],
      [['parked', 'list', '--partition', '7'], new RegExp(`topic ${pipeline.topic} has no partition 7: it has 2 \\(0-1\\)`)],
      [['parked', 'replay'], /takes <id>, got none/],
    ];
    for (const [args, message] of refusals) {
      const run = await cli(...args);
      expect({ args, code: run.code, stdout: run.stdout }).toEqual({ args, code: 2, stdout: '' });
      expect(run.stderr).toMatch(message);
    }
    expect(await http('POST', '/v1/admin/parked/nobody/replay')).toMatchObject({ status: 404, body: { error: { code: 'not_parked' } } });
    expect(await http('GET', '/v1/admin/parked?partition=7')).toMatchObject({ status: 400, body: { error: { violations: [{ field: 'partition', rule: 'range' }] } } });
    expect(await http('GET', '/v1/admin/parked?partition=-1')).toMatchObject({ status: 400, body: { error: { violations: [{ field: 'partition', rule: 'integer' }] } } });
    expect(await http('POST', '/v1/admin/parked/x/replay?skip=all')).toMatchObject({ status: 400, body: { error: { violations: [{ field: 'skip', rule: 'enum' }] } } });
    expect(await http('POST', '/v1/admin/parked/x/discard?refusedOffset=-3')).toMatchObject({ status: 400, body: { error: { violations: [{ field: 'refusedOffset', rule: 'integer' }] } } });
    // A request naming another parking than the current one (released and refused again since) discards nothing.
    expect(await http('POST', `/v1/admin/parked/x/discard?refusedOffset=${xRefusedOffset + 1}`)).toMatchObject({
      status: 409,
      body: { error: { code: 'parked_at_another_event', message: expect.stringContaining(`parked at the refused event at offset ${xRefusedOffset} now, not at ${xRefusedOffset + 1}`) } },
    });
    expect(await pipeline.endOffsets()).toEqual(endsBefore);
    expect(await pipeline.probe.eventsTable()).toEqual(eventsBefore);

    // Replay x without its refused event (the CLI waits for the owner's outcome), discard y's through the endpoint.
    const replay = await cli('parked', 'replay', 'x', '--skip-refused');
    expect({ code: replay.code, stderr: replay.stderr }).toEqual({ code: 0, stderr: expect.stringMatching(/skip-refused of x \(3 kept events\) sent at offset \d+/) });
    expect(replay.stdout).toMatch(/skip-refused of x applied \(partition \d, offset \d+\): version 3, state \{"n":9007199254740991,"tag":"x1"\}\nno longer parked/);
    const discard = await http('POST', `/v1/admin/parked/y/discard?refusedOffset=${yKept[0].offset}`);
    expect(discard).toMatchObject({ status: 202, body: { id: 'y', action: 'discard', refusedOffset: yKept[0].offset, partition: partitionOf('y'), events: 2 } });
    // More events after the releases: they apply after the released ones.
    await send([{ id: 'x', op: 'incr', data: { n: -1 } }, { id: 'y', op: 'merge', data: { tag: 'y2' } }]);
    await sendEvents(producerUrl, randomEvents(random, 200, 60, 'after'), { batchSize: 20 }, 4);
    await pipeline.waitUntilApplied();
    await waitFor(async () => ((await http('GET', '/v1/admin/parked')).body.parked as unknown[]).length === 0, { timeoutMs: 10_000, what: 'no parked IDs' });
    expect(await http('POST', '/v1/admin/parked/y/discard')).toMatchObject({ status: 404, body: { error: { code: 'not_parked' } } });

    // EVENTS equals the reference fold of the whole topic (the refused incrs are refused there too) without y's discarded events.
    discarded = new Set(yKept.map((k) => `${partitionOf('y')}:${k.offset}`));
    const expected = await expectEventsToEqualReferenceFold();
    expect(expected.get('x')).toMatchObject({ state: { n: Number.MAX_SAFE_INTEGER - 1, tag: 'x1' } });
    expect(expected.get('y')).toMatchObject({ state: { n: NEAR_MAX, tag: 'y2' } });
    const x = await http('GET', '/v1/entities/x');
    expect(x.body.parked).toBeUndefined();
  }, 180_000);

  it('rebuild keeps a parked ID parked with the same kept events, from 0 and from an offset among them, restores a damaged parked store, refuses an offset a release makes inexact; a replay then releases it', async () => {
    // r shares x's partition (x was parked and released there by the first test).
    const partition = partitionOf('x');
    const r = Array.from({ length: 50 }, (_, i) => `r-${i}`).find((id) => partitionOf(id) === partition) as string;
    await send([{ id: r, op: 'set', data: { n: NEAR_MAX } }]);
    await sendEvents(producerUrl, randomEvents(random, 200, 60, 'rebuild'), { batchSize: 20 }, 4);
    // The refused incr parks r; after it the partition gets only r's events, so every other row's last event is below them.
    await send([{ id: r, op: 'incr', data: { n: 1000 } }, { id: r, op: 'incr', data: { n: 991 } }, { id: r, op: 'merge', data: { tag: 'r1' } }, { id: r, op: 'incr', data: { n: -1 }, eventId: 'r-late' }]);
    await pipeline.waitUntilApplied();

    const parkedStore = async () => ({
      list: JSON.parse((await cli('parked', 'list', '--partition', String(partition), '--json')).stdout),
      r: JSON.parse((await cli('parked', 'show', r, '--json')).stdout),
    });
    const consumerStore = await parkedStore();
    expect(consumerStore.list.parked.map((p: { id: string }) => p.id)).toEqual([r]);
    expect(consumerStore.r.kept.map((k: { event: ChangeEvent }) => k.event.op)).toEqual(['incr', 'incr', 'merge', 'incr']);
    const kept: number[] = consumerStore.r.kept.map((k: { offset: number }) => k.offset);
    const parkedEvents = new Set(kept.map((offset) => `${partition}:${offset}`));
    const consumerRows = await expectEventsToEqualReferenceFold(partition, parkedEvents);
    expect(consumerRows.get(r)).toMatchObject({ state: { n: NEAR_MAX }, version: 1 });
    const rebuild = async (...args: string[]) => {
      const run = await cli('rebuild', '--partition', String(partition), ...args, '--json');
      expect({ args, code: run.code }).toEqual({ args, code: 0 });
      return JSON.parse(run.stdout);
    };
    const parkedAfter = [{ id: r, refusedOffset: kept[0], events: 4 }];

    // From 0 (the fold parks r itself and releases x at its control record, as the consumer did).
    expect(await rebuild()).toMatchObject({ fromOffset: 0, parkedBefore: [r], parkedAfter });
    expect(await parkedStore()).toEqual(consumerStore);
    await expectEventsToEqualReferenceFold(partition, parkedEvents);
    // From an offset among r's kept events: those below it are kept from the store, the others refolded and appended.
    expect(await rebuild('--from-offset', String(kept[2]))).toMatchObject({ fromOffset: kept[2], parkedBefore: [r], parkedAfter });
    expect(await parkedStore()).toEqual(consumerStore);
    await expectEventsToEqualReferenceFold(partition, parkedEvents);
    // The parked store damaged by hand: the fold parks an ID the store does not hold, and the swap writes it back.
    await pipeline.probe.query('DELETE FROM parked_events WHERE id = $1', [r]);
    await pipeline.probe.query('DELETE FROM parked_ids WHERE id = $1', [r]);
    expect((await cli('parked', 'show', r)).code).toBe(2);
    expect(await rebuild()).toMatchObject({ parkedBefore: [], parkedAfter });
    expect(await parkedStore()).toEqual(consumerStore);
    await expectEventsToEqualReferenceFold(partition, parkedEvents);

    // From an offset after x's refused event: x's release (its control record, below OPLOG's offset) answered a
    // parking the store no longer holds, so the state at that offset is unknown: refused before any claim.
    const oplogBefore = await pipeline.probe.oplog(pipeline.topic);
    const from = xRefusedOffset + 1;
    const refused = await cli('rebuild', '--partition', String(partition), '--from-offset', String(from));
    expect({ code: refused.code, stdout: refused.stdout }).toEqual({ code: 2, stdout: '' });
    expect(refused.stderr).toMatch(
      new RegExp(`--from-offset ${from}: the control record at offset \\d+ releases "x" parked at offset ${xRefusedOffset}, before ${from}, .*Rebuild from an offset at most ${xRefusedOffset} \\(--from-offset 0 is always exact\\); nothing was changed`),
    );
    expect(await pipeline.probe.oplog(pipeline.topic)).toEqual(oplogBefore);
    expect(await parkedStore()).toEqual(consumerStore);
    expect((await pipeline.probe.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_tables WHERE tablename LIKE 'events_rebuild_%'`))[0].n).toBe(0);

    // The rebuilds fenced the consumer: restarted, it loads the rebuilt parked store, and the operator's replay releases r in order.
    await consumer.stop();
    consumer = await pipeline.startConsumer();
    const replay = await cli('parked', 'replay', r, '--skip-refused');
    expect({ code: replay.code, stderr: replay.stderr }).toEqual({ code: 0, stderr: expect.stringMatching(new RegExp(`skip-refused of ${r} \\(4 kept events\\) sent at offset \\d+`)) });
    expect(replay.stdout).toMatch(/no longer parked/);
    await pipeline.waitUntilApplied();
    const expected = await expectEventsToEqualReferenceFold();
    expect(expected.get(r)).toMatchObject({ state: { n: NEAR_MAX + 990, tag: 'r1' }, version: 4 });
    expect(JSON.parse((await cli('parked', 'list', '--json')).stdout).parked).toEqual([]);
  }, 180_000);
});
