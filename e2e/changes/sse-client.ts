import { type SseEvent, SseParser } from '@async2/replica';

/** A raw SSE connection for tests: every event as it arrives, and a way to hang up. */
export class SseClient {
  readonly events: SseEvent[] = [];
  readonly received: Array<{ event: SseEvent; at: number }> = [];
  status = 0;
  private readonly abort = new AbortController();
  readonly done: Promise<void>;

  constructor(url: string, headers: Record<string, string> = {}) {
    this.done = this.read(url, headers).catch((error: Error) => {
      if (!this.abort.signal.aborted) throw error;
    });
  }

  private async read(url: string, headers: Record<string, string>): Promise<void> {
    const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: this.abort.signal });
    this.status = response.status;
    if (!response.ok || !response.body) return;
    const parser = new SseParser();
    const decoder = new TextDecoder();
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      for (const event of parser.feed(decoder.decode(chunk, { stream: true }))) {
        this.events.push(event);
        this.received.push({ event, at: Date.now() });
      }
    }
  }

  changes(): SseEvent[] {
    return this.events.filter((e) => e.event === 'change');
  }

  get lastEventId(): string {
    return this.events.at(-1)?.lastEventId ?? '';
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.done;
  }
}
