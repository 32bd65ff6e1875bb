import type { ChangeEvent } from '@async2/domain';

/** Deterministic PRNG (mulberry32) so a failing run can be replayed with its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random events of all four ops over `idCount` IDs (some non-ASCII), about half with an eventId. */
export function randomEvents(random: () => number, count: number, idCount: number, tag: string): ChangeEvent[] {
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
  const events: ChangeEvent[] = [];
  for (let i = 0; i < count; i++) {
    const n = Math.floor(random() * idCount);
    const id = n % 10 === 0 ? `ünïcode-${n}-✓` : `entity-${n}`;
    const roll = random();
    let event: ChangeEvent;
    if (roll < 0.25) event = { id, op: 'set', data: { name: `${tag}-${i}`, n: Math.floor(random() * 100), tags: [pick(['a', 'b', 'c'])] } };
    else if (roll < 0.55) event = { id, op: 'merge', data: { name: random() < 0.3 ? null : `m-${i}`, nested: { [pick(['x', 'y', 'z'])]: random() < 0.2 ? null : i } } };
    else if (roll < 0.9) event = { id, op: 'incr', data: { n: Math.floor(random() * 10) - 3, hits: 1 } };
    else event = { id, op: 'delete' };
    if (random() < 0.5) event.eventId = `${tag}-${i}`;
    events.push(event);
  }
  return events;
}

export interface Ack {
  event: ChangeEvent;
  partition: number;
  offset: number;
}

/** Sends events one per request (`single`) or in batches, `concurrency` requests at a time; returns the acks. */
export async function sendEvents(baseUrl: string, events: ChangeEvent[], mode: { single: true } | { batchSize: number }, concurrency = 32): Promise<Ack[]> {
  const requests: ChangeEvent[][] = [];
  const size = 'single' in mode ? 1 : mode.batchSize;
  for (let i = 0; i < events.length; i += size) requests.push(events.slice(i, i + size));
  const acks: Ack[] = [];
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      const group = requests[next++];
      const single = 'single' in mode;
      const response = await fetch(`${baseUrl}/v1/${single ? 'events' : 'events:batch'}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(single ? group[0] : { events: group }),
      });
      const body = (await response.json()) as { partition: number; offset: number; results?: Array<{ status: string; partition: number; offset: number }> };
      if (response.status !== 202) throw new Error(`publish answered ${response.status}: ${JSON.stringify(body)}`);
      const results = single ? [body] : body.results!;
      results.forEach((r, i) => acks.push({ event: group[i], partition: r.partition, offset: r.offset }));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return acks;
}
