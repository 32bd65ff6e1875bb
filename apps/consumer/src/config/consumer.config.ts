import { EnvReader, type FoldSettings, readFoldSettings, readSharedSettings, type SharedSettings } from '@async2/data-access';
import { hostname } from 'node:os';
import { type FailPointSpec, parseFailPoint } from '../faults/fail-point';
import { parseAcceptOffsetGap } from './accept-offset-gap';

/** Which partitions this instance owns: an explicit list, or every partition of the topic. */
export type PartitionSelection = { kind: 'list'; partitions: number[] } | { kind: 'all' };

export interface ConsumerConfig extends SharedSettings, FoldSettings {
  host: string;
  port: number;
  partitions: PartitionSelection;
  /** Longest a fresh read may wait for the fold (its `waitMs` is capped at this). */
  readMaxWaitMs: number;
  flushIntervalMs: number;
  flushMaxEvents: number;
  maxCachedIds: number;
  shutdownFlushTimeoutMs: number;
  /** Backpressure: when a partition's uncommitted IDs or record bytes reach these, its fetching pauses until a flush commits. */
  bufferMaxIds: number;
  bufferMaxBytes: number;
  /** How often lag and the OPLOG claim (is the epoch still ours?) are checked. */
  progressCheckMs: number;
  kafkaSessionTimeoutMs: number;
  /** How long a group rebalance waits for members to rejoin (a dead member holds it up this long). */
  kafkaRebalanceTimeoutMs: number;
  /** How often the change relay looks for outbox rows it was not woken for (leftovers of a crash, retries). */
  changeRelayPollMs: number;
  /** How long a fenced instance stays live: then /health/live fails, so the orchestrator restarts it and it claims again. */
  fencedLivenessGraceMs: number;
  /** TTL: how often each partition's flush asks EVENTS for its expired rows, and at most how many it takes at once. */
  ttlSweepIntervalMs: number;
  ttlSweepMaxIds: number;
  /** Parked events a partition holds in memory; beyond it the committed ones are left in the parked store until a release loads them. */
  parkedMaxHeldEvents: number;
  /** How long the verdicts of conditional events are kept (VERDICT_RETENTION_MS, counted from the producer's receive time). */
  verdictRetentionMs: number;
  /** ACCEPT_OFFSET_GAP: partition -> the first offset after a gap the operator accepts losing the records before. */
  acceptOffsetGap: Map<number, number>;
  /** Test-only crash injection (FAIL_POINT); undefined in normal operation. */
  failPoint: FailPointSpec | undefined;
}

export const CONSUMER_CONFIG = Symbol('CONSUMER_CONFIG');

export function loadConsumerConfig(environment: NodeJS.ProcessEnv = process.env, host = hostname()): ConsumerConfig {
  const env = new EnvReader(environment);
  const shared = readSharedSettings(env, 'consumer');
  const config: ConsumerConfig = {
    ...shared,
    host: env.string('HOST', '127.0.0.1'),
    port: env.int('PORT', 3001, { min: 0, max: 65535 }),
    partitions: parsePartitions(env.optionalString('PARTITIONS'), host, env, env.optionalString('POD_INDEX')),
    readMaxWaitMs: env.int('READ_MAX_WAIT_MS', 10000, { min: 0, max: 600000 }),
    flushIntervalMs: env.int('FLUSH_INTERVAL_MS', 1000, { min: 10, max: 600000 }),
    flushMaxEvents: env.int('FLUSH_MAX_EVENTS', 50000, { min: 1, max: 10000000 }),
    ...readFoldSettings(env),
    maxCachedIds: env.int('MAX_CACHED_IDS', 100000, { min: 0, max: 100000000 }),
    shutdownFlushTimeoutMs: env.int('SHUTDOWN_FLUSH_TIMEOUT_MS', 20000, { min: 0, max: 600000 }),
    bufferMaxIds: env.int('BUFFER_MAX_IDS', 50000, { min: 1, max: 100000000 }),
    bufferMaxBytes: env.int('BUFFER_MAX_BYTES', 64 * 1024 * 1024, { min: 1024, max: 16 * 1024 * 1024 * 1024 }),
    progressCheckMs: env.int('PROGRESS_CHECK_MS', 5000, { min: 100, max: 600000 }),
    kafkaSessionTimeoutMs: env.int('KAFKA_SESSION_TIMEOUT_MS', 30000, { min: 6000, max: 1800000 }),
    kafkaRebalanceTimeoutMs: env.int('KAFKA_REBALANCE_TIMEOUT_MS', 60000, { min: 6000, max: 1800000 }),
    changeRelayPollMs: env.int('CHANGE_RELAY_POLL_MS', 1000, { min: 10, max: 600000 }),
    fencedLivenessGraceMs: env.int('FENCED_LIVENESS_GRACE_MS', 30000, { min: 0, max: 86400000 }),
    ttlSweepIntervalMs: env.int('TTL_SWEEP_INTERVAL_MS', 1000, { min: 10, max: 3600000 }),
    ttlSweepMaxIds: env.int('TTL_SWEEP_MAX_IDS', 5000, { min: 1, max: 1000000 }),
    parkedMaxHeldEvents: env.int('PARKED_MAX_HELD_EVENTS', 10000, { min: 0, max: 100000000 }),
    verdictRetentionMs: env.int('VERDICT_RETENTION_MS', 24 * 60 * 60 * 1000, { min: 1000, max: 365 * 24 * 60 * 60 * 1000 }),
    acceptOffsetGap: parseAcceptOffsetGapVariable(env),
    failPoint: parseFailPointVariable(env),
  };
  env.done();
  return config;
}

/**
 * PARTITIONS: `all`, or a comma-separated list (`0,1`). When unset, a StatefulSet pod owns the
 * partition equal to its ordinal: POD_INDEX (the Helm chart passes the pod-index label
 * `apps.kubernetes.io/pod-index` through the downward API), else the hostname's suffix
 * (`consumer-3`); any other hostname means all partitions.
 */
export function parsePartitions(raw: string | undefined, host: string, env: EnvReader, podIndex?: string): PartitionSelection {
  if (raw === undefined && podIndex !== undefined) {
    if (/^\d{1,5}$/.test(podIndex.trim())) return { kind: 'list', partitions: [Number(podIndex.trim())] };
    env.problem(`POD_INDEX=${JSON.stringify(podIndex)}: must be a pod ordinal (0, 1, 2, ...)`);
    return { kind: 'all' };
  }
  if (raw === undefined) {
    const ordinal = /-(\d+)$/.exec(host);
    return ordinal ? { kind: 'list', partitions: [Number(ordinal[1])] } : { kind: 'all' };
  }
  if (raw.trim() === 'all') return { kind: 'all' };
  const items = raw.split(',').map((s) => s.trim());
  if (items.some((s) => !/^\d{1,5}$/.test(s))) {
    env.problem(`PARTITIONS=${JSON.stringify(raw)}: must be "all" or a comma-separated list of partition numbers`);
    return { kind: 'all' };
  }
  return { kind: 'list', partitions: [...new Set(items.map(Number))].sort((a, b) => a - b) };
}

function parseAcceptOffsetGapVariable(env: EnvReader): Map<number, number> {
  const raw = env.optionalString('ACCEPT_OFFSET_GAP');
  const parsed = parseAcceptOffsetGap(raw);
  if (typeof parsed === 'string') {
    env.problem(`ACCEPT_OFFSET_GAP=${JSON.stringify(raw)}: ${parsed}`);
    return new Map();
  }
  return parsed;
}

function parseFailPointVariable(env: EnvReader): FailPointSpec | undefined {
  const raw = env.optionalString('FAIL_POINT');
  if (raw === undefined) return undefined;
  const parsed = parseFailPoint(raw);
  if (typeof parsed === 'string') {
    env.problem(`FAIL_POINT=${JSON.stringify(raw)}: ${parsed}`);
    return undefined;
  }
  return parsed;
}
