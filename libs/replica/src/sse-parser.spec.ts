import { SseParser } from './sse-parser';

// Known answers from the WHATWG HTML spec's event stream examples ("Parsing an event stream").
describe('SseParser', () => {
  it('parses the spec example: multi-line data, ids that carry over, comments ignored', () => {
    const parser = new SseParser();
    const events = parser.feed(': test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\n');
    expect(events).toEqual([
      { event: 'message', data: 'first event', lastEventId: '1' },
      { event: 'message', data: 'second event', lastEventId: '' },
      { event: 'message', data: ' third event', lastEventId: '' },
    ]);
  });

  it('joins data lines with LF and names events', () => {
    expect(new SseParser().feed('event: change\ndata: YHOO\ndata: +2\ndata: 10\n\n')).toEqual([{ event: 'change', data: 'YHOO\n+2\n10', lastEventId: '' }]);
  });

  it('gives the same events whatever the chunking, with LF, CRLF or CR line ends', () => {
    const stream = 'retry: 1000\r\n\r\nid: 0:1,1:0\r\nevent: change\r\ndata: {"id":"a"}\r\n\r\n: heartbeat\r\rid: 0:2,1:0\revent: change\rdata: {"id":"b"}\r\r';
    const whole = new SseParser().feed(stream);
    expect(whole.map((e) => [e.lastEventId, e.data])).toEqual([
      ['0:1,1:0', '{"id":"a"}'],
      ['0:2,1:0', '{"id":"b"}'],
    ]);
    for (let size = 1; size <= 7; size++) {
      const parser = new SseParser();
      const events = [];
      for (let i = 0; i < stream.length; i += size) events.push(...parser.feed(stream.slice(i, i + size)));
      expect(events).toEqual(whole);
      expect(parser.retryMs).toBe(1000);
    }
  });

  it('dispatches nothing for an event without data, and keeps an incomplete event for the next chunk', () => {
    const parser = new SseParser();
    expect(parser.feed('id: 5\nevent: x\n\ndata: par')).toEqual([]);
    expect(parser.lastEventId).toBe('5');
    expect(parser.feed('tial\n\n')).toEqual([{ event: 'message', data: 'partial', lastEventId: '5' }]);
  });

  it('ignores an id containing NUL', () => {
    const parser = new SseParser();
    parser.feed('id: 1\n\nid: a\u0000b\ndata: x\n\n');
    expect(parser.lastEventId).toBe('1');
  });
});
