import { decodeChangeRecord, encodeChangeRecord } from './change-record.v1';

// Byte fixtures of format v1: a reader in another language must see exactly these bytes.
const SET_FIXTURE = '{"v":1,"id":"user-1","version":3,"deleted":false,"state":{"name":"Ada","visits":2},"partition":1,"offset":41,"ts":1735787045678}';
const DELETE_FIXTURE = '{"v":1,"id":"user-2","version":7,"deleted":true,"state":null,"partition":0,"offset":9,"ts":1735787045000}';

describe('change record v1', () => {
  it('encodes a change and a deletion to the fixture bytes, keyed by id', () => {
    const set = encodeChangeRecord({ id: 'user-1', version: 3, deleted: false, state: { name: 'Ada', visits: 2 }, partition: 1, offset: 41, ts: 1735787045678 });
    expect(set.key.toString('utf8')).toBe('user-1');
    expect(set.value.toString('utf8')).toBe(SET_FIXTURE);
    const deletion = encodeChangeRecord({ id: 'user-2', version: 7, deleted: true, state: null, partition: 0, offset: 9, ts: 1735787045000 });
    expect(deletion.value.toString('utf8')).toBe(DELETE_FIXTURE);
  });

  it('decodes the fixtures back', () => {
    expect(decodeChangeRecord(Buffer.from('user-1'), Buffer.from(SET_FIXTURE))).toEqual({
      ok: true,
      change: { id: 'user-1', version: 3, deleted: false, state: { name: 'Ada', visits: 2 }, partition: 1, offset: 41, ts: 1735787045678 },
    });
    expect(decodeChangeRecord(Buffer.from('user-2'), Buffer.from(DELETE_FIXTURE))).toMatchObject({ ok: true, change: { deleted: true, state: null, version: 7 } });
  });

  it('carries the expiry (ttlMs) after ts when the ID has one, and reads it back', () => {
    const EXPIRING = '{"v":1,"id":"s-1","version":1,"deleted":false,"state":{"u":1},"partition":0,"offset":3,"ts":1735787045000,"expiresAt":1735787105000}';
    const change = { id: 's-1', version: 1, deleted: false, state: { u: 1 }, partition: 0, offset: 3, ts: 1735787045000, expiresAt: 1735787105000 };
    expect(encodeChangeRecord(change).value.toString('utf8')).toBe(EXPIRING);
    expect(decodeChangeRecord(Buffer.from('s-1'), Buffer.from(EXPIRING))).toEqual({ ok: true, change });
    expect(decodeChangeRecord(Buffer.from('s-1'), Buffer.from(EXPIRING.replace('1735787105000', '"soon"')))).toMatchObject({ ok: false, reason: expect.stringMatching(/expiresAt/) });
  });

  it.each([
    ['a Kafka tombstone', 'user-1', null, 'no value'],
    ['another version', 'user-1', SET_FIXTURE.replace('"v":1', '"v":2'), 'unsupported'],
    ['a key that is not the id', 'user-9', SET_FIXTURE, 'record key'],
    ['version 0', 'user-1', SET_FIXTURE.replace('"version":3', '"version":0'), 'version'],
    ['a deletion with state', 'user-2', DELETE_FIXTURE.replace('"state":null', '"state":{}'), 'state'],
    ['a change without state', 'user-1', SET_FIXTURE.replace('"state":{"name":"Ada","visits":2}', '"state":null'), 'state'],
    ['not JSON', 'user-1', '{', 'not JSON'],
  ])('refuses %s', (_what, key, value, reason) => {
    const decoded = decodeChangeRecord(Buffer.from(key), value === null ? null : Buffer.from(value));
    expect(decoded.ok).toBe(false);
    expect(decoded.ok ? '' : decoded.reason).toContain(reason);
  });
});
