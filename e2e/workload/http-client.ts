import type { ChangeEvent } from '@async2/domain';
import type { History, Outcome } from './history';
import type { WorkloadGenerator, WorkloadOp } from './workload';

export interface WorkloadRunOptions {
  baseUrl: string;
  generator: WorkloadGenerator;
  history: History;
  /** Requests in flight at once. */
  concurrency: number;
  /** Events per request: 1 uses POST /v1/events, more uses POST /v1/events:batch. */
  batchSize: number;
  /** Keep sending while this says so. */
  keepGoing: () => boolean;
  /** A request that has not answered by then is an `info` outcome. */
  requestTimeoutMs?: number;
  /** Retries of tracked and TTL ops whose outcome was `info`, with the same eventId (counter ops are never retried). */
  retries?: number;
  retryDelayMs?: number;
  /** Pause between requests of one worker, to keep a steady moderate rate. */
  pauseMs?: number;
}

/** Runs the workload over HTTP until `keepGoing()` is false; every attempt lands in the history. */
export async function runHttpWorkload(options: WorkloadRunOptions): Promise<void> {
  const { concurrency, batchSize, keepGoing, generator, history } = options;
  const retries = options.retries ?? 0;
  const retryQueue: Array<{ op: WorkloadOp; attempt: number; due: number }> = [];
  const worker = async () => {
    while (keepGoing()) {
      const now = Date.now();
      const due = retryQueue.findIndex((r) => r.due <= now);
      const group: Array<{ op: WorkloadOp; attempt: number }> = due >= 0 ? retryQueue.splice(due, 1) : Array.from({ length: batchSize }, () => ({ op: generator.next(), attempt: 0 }));
      const outcomes = await send(options, group.map((g) => g.op));
      outcomes.forEach((outcome, i) => {
        const { op, attempt } = group[i];
        history.record(op, outcome);
        if (outcome.type === 'info' && op.kind !== 'counter' && attempt < retries) {
          retryQueue.push({ op, attempt: attempt + 1, due: Date.now() + (options.retryDelayMs ?? 500) });
        }
      });
      if (options.pauseMs) await sleep(options.pauseMs);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  // Retries still due are sent once more after the load stops, so every retry the test planned happens.
  for (const pending of retryQueue) {
    await sleep(Math.max(0, pending.due - Date.now()));
    history.record(pending.op, (await send(options, [pending.op]))[0]);
  }
}

async function send(options: WorkloadRunOptions, ops: WorkloadOp[]): Promise<Outcome[]> {
  const single = ops.length === 1 && options.batchSize === 1;
  const url = `${options.baseUrl}/v1/${single ? 'events' : 'events:batch'}`;
  const body = JSON.stringify(single ? apiEvent(ops[0].event) : { events: ops.map((o) => apiEvent(o.event)) });
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(options.requestTimeoutMs ?? 10_000),
    });
    text = await response.text();
  } catch (error) {
    return ops.map(() => ({ type: 'info', reason: `no answer: ${(error as Error).message}` }));
  }
  return classify(response.status, text, ops.length, single);
}

/** An event as the HTTP API takes it: the event time (`eventTime` in the domain) travels as `ts`, the condition as `if`. */
export function apiEvent(event: ChangeEvent): Record<string, unknown> {
  const { eventTime, condition, ...rest } = event;
  const body: Record<string, unknown> = eventTime === undefined ? rest : { ...rest, ts: eventTime };
  if (condition !== undefined) body.if = condition;
  return body;
}

/** Maps an HTTP answer to one outcome per event. */
export function classify(status: number, text: string, events: number, single: boolean): Outcome[] {
  let parsed: { partition?: number; offset?: number; results?: Array<{ status: string; partition?: number; offset?: number }> } = {};
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: judged by the status alone
  }
  const all = (outcome: Outcome) => Array.from({ length: events }, () => outcome);
  if (status >= 400 && status < 500) return all({ type: 'fail', status, message: text.slice(0, 200) });
  if (status >= 500 || (status !== 202 && status !== 207)) {
    // 503 and other 5xx: Kafka may have taken it (a timeout after the append): unknown.
    if (status !== 503 || !parsed.results) return all({ type: 'info', reason: `HTTP ${status}` });
  }
  if (single) {
    if (typeof parsed.partition === 'number' && typeof parsed.offset === 'number') return [{ type: 'ok', partition: parsed.partition, offset: parsed.offset }];
    return [{ type: 'info', reason: `HTTP ${status} without a write position` }];
  }
  const results = parsed.results ?? [];
  return Array.from({ length: events }, (_, i): Outcome => {
    const r = results[i];
    if (r?.status === 'accepted' && typeof r.partition === 'number' && typeof r.offset === 'number') return { type: 'ok', partition: r.partition, offset: r.offset };
    return { type: 'info', reason: `batch result ${r?.status ?? 'missing'} (HTTP ${status})` };
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
