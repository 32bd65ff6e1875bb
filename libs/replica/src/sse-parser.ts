/**
 * An incremental Server-Sent Events parser (WHATWG HTML, "Parsing an event stream"): feed it text
 * as it arrives, in chunks cut anywhere, and it returns the complete events. Lines end in LF, CRLF
 * or CR; `:` lines are comments; `id` with a NUL is ignored; the last id carries over to the events
 * after it, as EventSource's `lastEventId` does.
 */
export interface SseEvent {
  /** `event:` field, or "message". */
  event: string;
  /** `data:` lines joined by LF. */
  data: string;
  /** The last event ID seen so far (this event's `id:`, or an earlier one). */
  lastEventId: string;
}

export class SseParser {
  private pending = '';
  private skipLeadingLf = false;
  private event = '';
  private data: string[] = [];
  private hasData = false;
  lastEventId = '';
  /** Reconnection time from a `retry:` field, when the server sent one. */
  retryMs: number | undefined;

  feed(chunk: string): SseEvent[] {
    let text = this.pending + chunk;
    if (this.skipLeadingLf && text.startsWith('\n')) text = text.slice(1);
    this.skipLeadingLf = false;
    const events: SseEvent[] = [];
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (c !== '\n' && c !== '\r') continue;
      this.line(text.slice(start, i), events);
      if (c === '\r') {
        if (i + 1 === text.length) this.skipLeadingLf = true; // a CRLF cut between two chunks
        else if (text[i + 1] === '\n') i++;
      }
      start = i + 1;
    }
    this.pending = text.slice(start);
    return events;
  }

  private line(line: string, events: SseEvent[]): void {
    if (line === '') {
      if (this.hasData) events.push({ event: this.event || 'message', data: this.data.join('\n'), lastEventId: this.lastEventId });
      this.event = '';
      this.data = [];
      this.hasData = false;
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') {
      this.data.push(value);
      this.hasData = true;
    } else if (field === 'id' && !value.includes('\u0000')) this.lastEventId = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.retryMs = Number(value);
  }
}
