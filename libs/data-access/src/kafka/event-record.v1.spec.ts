import { DEFAULT_EVENT_LIMITS, type StampedEvent } from '@async2/domain';
import { decodeEventRecord, encodeEventRecord } from './event-record.v1';

// Byte fixtures of format v1: what the producer writes today, and what older producers wrote (no seq).
const WITH_IDENTITY = '{"v":1,"id":"order-7","op":"incr","data":{"n":2},"ts":1700000000000,"src":"producer-0~cafe0001","seq":41}';
const WITHOUT_IDENTITY = '{"v":1,"id":"order-7","op":"set","data":{"a":1},"eventId":"e-1","ts":1700000000000,"src":"producer-0"}';

const APPEND = '{"v":1,"id":"order-7","op":"append","data":{"log":[1]},"keepLast":5,"ts":1700000000000,"src":"producer-0","seq":3}';

const decode = (value: string, key = 'order-7') => decodeEventRecord(Buffer.from(key), Buffer.from(value), DEFAULT_EVENT_LIMITS);

describe('event record v1', () => {
  it('encodes the identity (src, seq) after the stamp, byte for byte', () => {
    const event: StampedEvent = { id: 'order-7', op: 'incr', data: { n: 2 }, ts: 1_700_000_000_000, src: 'producer-0~cafe0001', seq: 41 };
    const { key, value } = encodeEventRecord(event);
    expect(key.toString()).toBe('order-7');
    expect(value.toString()).toBe(WITH_IDENTITY);
    expect(decode(WITH_IDENTITY)).toEqual({ ok: true, event });
  });

  it('decodes a record without seq (older producers, other writers) with no identity', () => {
    const decoded = decode(WITHOUT_IDENTITY);
    expect(decoded).toEqual({ ok: true, event: { id: 'order-7', op: 'set', data: { a: 1 }, eventId: 'e-1', ts: 1_700_000_000_000, src: 'producer-0' } });
    expect(decoded.ok && 'seq' in decoded.event).toBe(false);
    expect(encodeEventRecord(decoded.ok ? decoded.event : ({} as StampedEvent)).value.toString()).toBe(WITHOUT_IDENTITY);
  });

  it.each([
    ['-1', 'seq must be a non-negative integer'],
    ['1.5', 'seq must be a non-negative integer'],
    ['"7"', 'seq must be a non-negative integer'],
    ['9007199254740993', 'seq must be a non-negative integer'],
  ])('refuses seq %s as poison, naming the rule', (seq, reason) => {
    expect(decode(WITH_IDENTITY.replace('"seq":41', `"seq":${seq}`))).toEqual({ ok: false, reason });
  });

  it('carries an append\'s keepLast after eventId, byte for byte', () => {
    const event: StampedEvent = { id: 'order-7', op: 'append', data: { log: [1] }, keepLast: 5, ts: 1_700_000_000_000, src: 'producer-0', seq: 3 };
    expect(encodeEventRecord(event).value.toString()).toBe(APPEND);
    expect(decode(APPEND)).toEqual({ ok: true, event });
  });

  it('refuses an append whose keepLast is above this consumer\'s APPEND_KEEP_LAST_MAX as poison', () => {
    const decoded = decodeEventRecord(Buffer.from('order-7'), Buffer.from(APPEND), { ...DEFAULT_EVENT_LIMITS, appendKeepLastMax: 4 });
    expect(decoded.ok).toBe(false);
    expect(!decoded.ok && decoded.reason).toMatch(/keepLast/);
  });

  it('carries the client\'s event time as eventTime, apart from the receive time ts', () => {
    const TIMED = '{"v":1,"id":"order-7","op":"merge","data":{"a":1},"eventTime":1600000000000,"ts":1700000000000,"src":"producer-0"}';
    const event: StampedEvent = { id: 'order-7', op: 'merge', data: { a: 1 }, eventTime: 1_600_000_000_000, ts: 1_700_000_000_000, src: 'producer-0' };
    expect(encodeEventRecord(event).value.toString()).toBe(TIMED);
    expect(decode(TIMED)).toEqual({ ok: true, event });
    // judged by the API's rules for ts: not on a delete, not 0
    expect(decode('{"v":1,"id":"order-7","op":"delete","eventTime":5,"ts":1,"src":"p"}')).toMatchObject({ ok: false, reason: expect.stringMatching(/ts/) });
    expect(decode(TIMED.replace('1600000000000', '0'))).toMatchObject({ ok: false, reason: expect.stringMatching(/ts/) });
  });

  it('carries ttlMs after the event time; a delete with ttlMs or a ttlMs out of range is poison', () => {
    const EXPIRING = '{"v":1,"id":"order-7","op":"merge","data":{"a":1},"ttlMs":60000,"ts":1700000000000,"src":"producer-0","seq":9}';
    const event: StampedEvent = { id: 'order-7', op: 'merge', data: { a: 1 }, ttlMs: 60_000, ts: 1_700_000_000_000, src: 'producer-0', seq: 9 };
    expect(encodeEventRecord(event).value.toString()).toBe(EXPIRING);
    expect(decode(EXPIRING)).toEqual({ ok: true, event });
    expect(decode('{"v":1,"id":"order-7","op":"delete","ttlMs":5,"ts":1,"src":"p"}')).toMatchObject({ ok: false, reason: expect.stringMatching(/ttlMs/) });
    expect(decode(EXPIRING.replace('60000', '0'))).toMatchObject({ ok: false, reason: expect.stringMatching(/ttlMs/) });
  });

  it('carries a condition as if, judged by the API\'s rules when decoded', () => {
    const CONDITIONAL = '{"v":1,"id":"order-7","op":"merge","data":{"a":1},"if":{"version":3},"ts":1700000000000,"src":"producer-0","seq":4}';
    const event: StampedEvent = { id: 'order-7', op: 'merge', data: { a: 1 }, condition: { version: 3 }, ts: 1_700_000_000_000, src: 'producer-0', seq: 4 };
    expect(encodeEventRecord(event).value.toString()).toBe(CONDITIONAL);
    expect(decode(CONDITIONAL)).toEqual({ ok: true, event });
    expect(decode('{"v":1,"id":"order-7","op":"delete","if":{"absent":true},"ts":1,"src":"p"}')).toMatchObject({ ok: true, event: { condition: { absent: true } } });
    expect(decode(CONDITIONAL.replace('{"version":3}', '{"version":3,"present":true}'))).toMatchObject({ ok: false, reason: expect.stringMatching(/exactly one/) });
  });

  it('refuses a record whose key is not its id', () => {
    expect(decode(WITH_IDENTITY, 'order-8')).toEqual({ ok: false, reason: 'record key does not equal the event id' });
  });

  // A lenient decode reads the key 0xFF as U+FFFD, the id "\uFFFD": equal as strings, but Kafka's
  // partitioner hashed the byte 0xFF, and the consumer hashes the key's bytes (misplacedRecord).
  it('refuses a key that is not UTF-8 even where its lenient decoding equals the id', () => {
    const value = Buffer.from('{"v":1,"id":"\uFFFD","op":"set","data":{"a":1},"ts":1,"src":"p"}');
    expect(decodeEventRecord(Buffer.from([0xff]), value, DEFAULT_EVENT_LIMITS)).toEqual({ ok: false, reason: 'record key does not equal the event id' });
    expect(decodeEventRecord(Buffer.from('\uFFFD'), value, DEFAULT_EVENT_LIMITS)).toMatchObject({ ok: true, event: { id: '\uFFFD' } });
  });
});
