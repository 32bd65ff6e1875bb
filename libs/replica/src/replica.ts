import type { DroppedMessage, ReplicaChange, SnapshotPageMessage } from './replica-change';
import { ReplicaState } from './replica-state';
import { SseParser } from './sse-parser';

export interface ReplicaOptions {
  /** The producer's base URL, e.g. `http://127.0.0.1:3000`. */
  url: string;
  /** Only IDs starting with this. */
  prefix?: string;
  /** An API key with the `read` scope, when the server has keys on. */
  apiKey?: string;
  /** Rows per snapshot page (at most the server's CHANGES_SNAPSHOT_PAGE_MAX). */
  pageSize?: number;
  /** Wait before reconnecting after the stream ended or failed (default 500 ms, doubled up to 10 s while failing). */
  reconnectDelayMs?: number;
  /** A fetch implementation (default: the global one). */
  fetch?: typeof fetch;
  /**
   * Skip the snapshot and follow the change topic from this cursor (`"0:0,1:0,..."`: its
   * beginning). The replica then holds what the compacted topic kept: the latest record of every ID.
   */
  fromCursor?: string;
}

type Listener<T> = (value: T) => void;
interface ReplicaEvents {
  /** A change applied from the stream (not the snapshot's rows). */
  change: ReplicaChange;
  /** The stream ended or failed; the replica reconnects from its cursor. */
  disconnect: { reason: string };
  /** The server dropped this subscriber (e.g. too slow); the replica reconnects from its cursor. */
  dropped: DroppedMessage;
}

/**
 * A local, read-only replica of EVENTS (or of the IDs with a prefix), kept in sync by the change
 * stream. `start()` loads a paged snapshot whose first page carries the change topic's position
 * taken before any row was read, then follows GET /v1/changes from that position; after a drop or
 * a network failure it reconnects with the last cursor (`Last-Event-ID`).
 *
 * Consistency: eventually equal to EVENTS (every ID, every version) once writes stop; per ID
 * monotonic (a version never goes back: duplicates and older versions are ignored). Not a
 * snapshot across IDs: two IDs may be seen at different moments. Reads never wait for the server.
 */
export class Replica {
  private readonly state = new ReplicaState();
  private readonly listeners = new Map<keyof ReplicaEvents, Set<Listener<never>>>();
  private readonly abort = new AbortController();
  private readonly fetch: typeof fetch;
  private running: Promise<void> | undefined;
  /** The position in the change stream after everything applied so far. */
  cursor = '';
  /** Changes applied from the stream, and ignored (duplicate or older version). */
  readonly counts = { applied: 0, ignored: 0, reconnects: 0 };

  constructor(private readonly options: ReplicaOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  /** Creates a replica, loads the snapshot (unless `fromCursor`) and starts following the stream. */
  static async start(options: ReplicaOptions): Promise<Replica> {
    const replica = new Replica(options);
    if (options.fromCursor !== undefined) replica.cursor = options.fromCursor;
    else await replica.loadSnapshot();
    replica.running = replica.follow();
    return replica;
  }

  get(id: string): Record<string, unknown> | undefined {
    return this.state.get(id);
  }

  /** The version held for an ID (deleted IDs keep theirs), or undefined if never seen. */
  version(id: string): number | undefined {
    return this.state.entry(id)?.version;
  }

  entry(id: string): ReplicaChange | undefined {
    return this.state.entry(id);
  }

  /** IDs held, deleted and expired ones excluded (as get() sees them, by this clock). */
  get size(): number {
    return this.state.size;
  }

  ids(): IterableIterator<string> {
    return this.state.ids();
  }

  on<K extends keyof ReplicaEvents>(event: K, listener: Listener<ReplicaEvents[K]>): () => void {
    const set = this.listeners.get(event) ?? new Set();
    set.add(listener as Listener<never>);
    this.listeners.set(event, set);
    return () => set.delete(listener as Listener<never>);
  }

  /** Stops following the stream. */
  async close(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  private emit<K extends keyof ReplicaEvents>(event: K, value: ReplicaEvents[K]): void {
    for (const listener of this.listeners.get(event) ?? []) (listener as Listener<ReplicaEvents[K]>)(value);
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}), ...extra };
  }

  private endpoint(path: string, query: Record<string, string | undefined>): string {
    const url = new URL(path, this.options.url);
    for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== '') url.searchParams.set(name, value);
    return url.toString();
  }

  private async loadSnapshot(): Promise<void> {
    let after: string | undefined;
    let cursor: string | undefined;
    do {
      const url = this.endpoint('/v1/changes/snapshot', { prefix: this.options.prefix, after, limit: String(this.options.pageSize ?? 1000) });
      const response = await this.fetch(url, { headers: this.headers(), signal: this.abort.signal });
      if (!response.ok) throw new Error(`snapshot page answered ${response.status}: ${await response.text()}`);
      const page = (await response.json()) as SnapshotPageMessage;
      cursor ??= page.cursor;
      for (const change of page.changes) this.state.apply(change);
      after = page.next ?? undefined;
    } while (after !== undefined);
    if (cursor === undefined) throw new Error('the snapshot carried no cursor');
    this.cursor = cursor;
  }

  private async follow(): Promise<void> {
    let delay = this.options.reconnectDelayMs ?? 500;
    while (!this.abort.signal.aborted) {
      let reason: string;
      try {
        reason = await this.streamOnce(() => (delay = this.options.reconnectDelayMs ?? 500));
      } catch (error) {
        if (this.abort.signal.aborted) return;
        reason = (error as Error).message;
      }
      this.emit('disconnect', { reason });
      this.counts.reconnects++;
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(10_000, delay * 2);
    }
  }

  /** One connection: applies changes until the stream ends; returns why it ended. */
  private async streamOnce(connected: () => void): Promise<string> {
    const url = this.endpoint('/v1/changes', { prefix: this.options.prefix });
    const response = await this.fetch(url, {
      headers: this.headers({ accept: 'text/event-stream', 'last-event-id': this.cursor }),
      signal: this.abort.signal,
    });
    if (!response.ok || !response.body) return `the stream answered ${response.status}`;
    connected();
    const parser = new SseParser();
    const decoder = new TextDecoder();
    let ended = 'the server ended the stream';
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      for (const message of parser.feed(decoder.decode(chunk, { stream: true }))) {
        if (message.event === 'change') {
          const change = JSON.parse(message.data) as ReplicaChange;
          if (this.state.apply(change)) {
            this.counts.applied++;
            this.emit('change', change);
          } else this.counts.ignored++;
        } else if (message.event === 'dropped') {
          const dropped = JSON.parse(message.data) as DroppedMessage;
          ended = `dropped: ${dropped.reason}`;
          this.emit('dropped', dropped);
        }
        if (message.lastEventId) this.cursor = message.lastEventId;
      }
    }
    return ended;
  }
}
