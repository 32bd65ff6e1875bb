import { Inject, Injectable } from '@nestjs/common';
import { PRODUCER_CONFIG, type ProducerConfig } from '../config/producer.config';
import { ownerBaseUrl } from './owner-address';

/** The owning consumer's answer (its internal `GET /internal/v1/entities/:id`). */
export interface OwnerAnswer {
  partition: number;
  epoch: number;
  foldedUpTo: number;
  committedUpTo: number;
  from: 'memory' | 'memory+events' | 'events';
  entity: { id: string; state: Record<string, unknown> | null; deleted: boolean; version: number; lastOffset: number; eventTs: number; expiresAt?: number } | null;
}

export type OwnerOutcome = { ok: true; answer: OwnerAnswer } | { ok: false; reason: string };

// What the consumer needs to answer after its wait: the wait gets the bound minus this margin, so
// an owner that cannot reach the position says so before the producer stops listening.
const ANSWER_MARGIN_MS = 50;

/** Asks the consumer that owns a partition for an ID's state from its memory, within FRESH_READ_TIMEOUT_MS. */
@Injectable()
export class OwnerReadClient {
  constructor(@Inject(PRODUCER_CONFIG) private readonly config: ProducerConfig) {}

  async read(id: string, partition: number, options: { after?: number; minVersion?: number }): Promise<OwnerOutcome> {
    const { ownerUrlTemplate, timeoutMs } = this.config.freshRead;
    const query = new URLSearchParams({ waitMs: String(Math.max(0, timeoutMs - ANSWER_MARGIN_MS)) });
    if (options.after !== undefined) query.set('after', String(options.after));
    if (options.minVersion !== undefined) query.set('minVersion', String(options.minVersion));
    const url = `${ownerBaseUrl(ownerUrlTemplate, partition)}/internal/v1/entities/${encodeURIComponent(id)}?${query}`;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      const body = (await response.json()) as OwnerAnswer | { error?: { code?: string; message?: string } };
      if (response.status === 200 && 'foldedUpTo' in body && body.partition === partition) return { ok: true, answer: body };
      const error = 'error' in body ? body.error : undefined;
      return { ok: false, reason: `owner answered ${response.status} ${error?.code ?? ''}: ${error?.message ?? 'unexpected answer'}`.trim() };
    } catch (error) {
      const name = (error as Error).name;
      const why = name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : ((error as Error & { cause?: Error }).cause?.message ?? (error as Error).message);
      return { ok: false, reason: `owner unreachable: ${why}` };
    }
  }
}
