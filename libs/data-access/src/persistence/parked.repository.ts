import type { HeldParkedId, ParkedEvent, ParkedId, StampedEvent } from '@async2/domain';
import type { DataSource } from 'typeorm';
import type { OplogKey } from './oplog.repository';

/** A parked ID as reads, the admin endpoint and the CLI show it (its events counted, not listed). */
export interface ParkedSummary {
  id: string;
  partition: number;
  reason: string;
  refusedOffset: number;
  /** The refused event's producer time. */
  parkedAt: Date;
  events: number;
}

interface HeaderRow {
  id: string;
  partition: number;
  reason: string;
  refused_offset: string;
  parked_at: Date;
  events: number;
}

const HEADER = `SELECT p.id, p.partition, p.reason, p.refused_offset::text AS refused_offset, p.parked_at,
  (SELECT count(*) FROM parked_events e WHERE e.consumer_group = p.consumer_group AND e.topic = p.topic AND e.partition = p.partition AND e.id = p.id)::int AS events
  FROM parked_ids p WHERE p.consumer_group = $1 AND p.topic = $2`;

/**
 * PARKED_IDS and PARKED_EVENTS (docs/parking.md): written only by the flush transaction
 * (parked-statement.ts); read here, at a claim (the owner's fold holds every parked event of its
 * partitions) and by operators.
 */
export class ParkedRepository {
  constructor(private readonly dataSource: DataSource) {}

  // Offsets are read as text (bigint) under another name: ORDER BY an output alias of type text would sort "13" before "9".

  /** Every parked ID of a partition with its events in Kafka order. Read after the claim, so it matches next_offset. */
  async load(key: OplogKey, partition: number): Promise<ParkedId[]> {
    const headers = await this.list(key, partition);
    const rows: Array<{ id: string; offset_text: string; event: StampedEvent }> = await this.dataSource.query(
      'SELECT id, source_offset::text AS offset_text, event FROM parked_events WHERE consumer_group = $1 AND topic = $2 AND partition = $3 ORDER BY source_offset',
      [key.consumerGroup, key.topic, partition],
    );
    const byId = new Map<string, ParkedId>(headers.map((h) => [h.id, { id: h.id, reason: h.reason, refusedOffset: h.refusedOffset, parkedAt: h.parkedAt.getTime(), events: [] }]));
    for (const row of rows) byId.get(row.id)?.events.push({ event: row.event, offset: Number(row.offset_text) });
    return [...byId.values()];
  }

  /**
   * Every parked ID of a partition with none of its events in memory (all `spilled`: a release loads
   * them with findEvents), so a claim costs one row per parked ID however many events wait.
   */
  async loadSpilled(key: OplogKey, partition: number): Promise<HeldParkedId[]> {
    const headers = await this.list(key, partition);
    return headers.map((h) => ({ id: h.id, reason: h.reason, refusedOffset: h.refusedOffset, parkedAt: h.parkedAt.getTime(), events: [], spilled: h.events }));
  }

  /** The stored events of these parked IDs of a partition, each ID's in Kafka order (an ID with none is left out). */
  async findEvents(key: OplogKey, partition: number, ids: readonly string[]): Promise<Map<string, ParkedEvent[]>> {
    const byId = new Map<string, ParkedEvent[]>();
    if (ids.length === 0) return byId;
    const rows: Array<{ id: string; offset_text: string; event: StampedEvent }> = await this.dataSource.query(
      'SELECT id, source_offset::text AS offset_text, event FROM parked_events WHERE consumer_group = $1 AND topic = $2 AND partition = $3 AND id = ANY($4) ORDER BY source_offset',
      [key.consumerGroup, key.topic, partition, ids],
    );
    for (const row of rows) {
      const events = byId.get(row.id) ?? [];
      events.push({ event: row.event, offset: Number(row.offset_text) });
      byId.set(row.id, events);
    }
    return byId;
  }

  /** The parked IDs of one partition, or of all, by partition then refused offset. */
  async list(key: OplogKey, partition?: number): Promise<ParkedSummary[]> {
    const rows: HeaderRow[] = await this.dataSource.query(
      `${HEADER}${partition === undefined ? '' : ' AND p.partition = $3'} ORDER BY p.partition, p.refused_offset`,
      partition === undefined ? [key.consumerGroup, key.topic] : [key.consumerGroup, key.topic, partition],
    );
    return rows.map(summary);
  }

  /** One parked ID (undefined: not parked), with its events in order. */
  async find(key: OplogKey, id: string): Promise<(ParkedSummary & { kept: Array<{ offset: number; event: StampedEvent }> }) | undefined> {
    const [row]: HeaderRow[] = await this.dataSource.query(`${HEADER} AND p.id = $3`, [key.consumerGroup, key.topic, id]);
    if (!row) return undefined;
    const events: Array<{ offset_text: string; event: StampedEvent }> = await this.dataSource.query(
      'SELECT source_offset::text AS offset_text, event FROM parked_events WHERE consumer_group = $1 AND topic = $2 AND partition = $3 AND id = $4 ORDER BY source_offset',
      [key.consumerGroup, key.topic, row.partition, id],
    );
    return { ...summary(row), kept: events.map((e) => ({ offset: Number(e.offset_text), event: e.event })) };
  }
}

function summary(row: HeaderRow): ParkedSummary {
  return { id: row.id, partition: row.partition, reason: row.reason, refusedOffset: Number(row.refused_offset), parkedAt: new Date(row.parked_at), events: row.events };
}
