import { CONTROL_HEADER, decodeParkedControl, encodeParkedControl, isControlRecord } from './parked-control.v1';

const headersOf = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k, Buffer.from(v)]));

describe('parked control record v1', () => {
  it('encodes to fixed bytes and decodes back', () => {
    const encoded = encodeParkedControl({ id: 'user-1', action: 'skip-refused', refusedOffset: 41, ts: 1_700_000_000_000, by: 'ops' });
    expect({ key: encoded.key.toString(), value: encoded.value.toString(), headers: encoded.headers }).toEqual({
      key: 'user-1',
      value: '{"v":1,"id":"user-1","action":"skip-refused","refusedOffset":41,"ts":1700000000000,"by":"ops"}',
      headers: { 'x-async2-control': 'parked-v1' },
    });
    const headers = headersOf(encoded.headers);
    expect(isControlRecord(headers)).toBe(true);
    expect(decodeParkedControl(headers, encoded.key, encoded.value)).toEqual({ ok: true, control: { id: 'user-1', action: 'skip-refused', refusedOffset: 41, ts: 1_700_000_000_000, by: 'ops' } });
  });

  it.each<[string, Record<string, string>, string | null, string | null, RegExp]>([
    ['another kind', { [CONTROL_HEADER]: 'rebalance-v9' }, 'a', '{}', /unknown control record "rebalance-v9"/],
    ['no JSON', { [CONTROL_HEADER]: 'parked-v1' }, 'a', 'nope', /not JSON/],
    ['a null value', { [CONTROL_HEADER]: 'parked-v1' }, 'a', null, /not JSON/],
    ['version 2', { [CONTROL_HEADER]: 'parked-v1' }, 'a', '{"v":2,"id":"a","action":"replay","ts":1,"by":"x"}', /version 2/],
    ['a key that is not the id', { [CONTROL_HEADER]: 'parked-v1' }, 'b', '{"v":1,"id":"a","action":"replay","ts":1,"by":"x"}', /key does not equal/],
    ['an unknown action', { [CONTROL_HEADER]: 'parked-v1' }, 'a', '{"v":1,"id":"a","action":"undo","ts":1,"by":"x"}', /action must be one of replay, skip-refused, discard/],
    ['no refusedOffset', { [CONTROL_HEADER]: 'parked-v1' }, 'a', '{"v":1,"id":"a","action":"replay","ts":1,"by":"x"}', /refusedOffset must be/],
  ])('refuses %s with the reason', (_, headers, key, value, reason) => {
    const decoded = decodeParkedControl(headersOf(headers), key === null ? null : Buffer.from(key), value === null ? null : Buffer.from(value));
    expect(decoded).toEqual({ ok: false, reason: expect.stringMatching(reason) });
  });

  it('an event without the header is no control record', () => {
    expect(isControlRecord({ traceparent: Buffer.from('00-x') })).toBe(false);
  });
});
