import { parseApiKeyEntries } from './api-key-entries';
import { ApiKeyRing, hashApiKey } from './api-key-ring';

const WRITER = 'w-2b7e151628aed2a6abf7158809cf4f3c';
const READER = 'r-3ad77bb40d7a3660a89ecaf32466ef97';
const BOTH = 'b-f5d3d58503b9699de785895a96fdbaaf';
const hex = (key: string) => hashApiKey(key).toString('hex');

function ring(): ApiKeyRing {
  const { entries, problems } = parseApiKeyEntries(`ingest:write:${hex(WRITER)},dash:read:${hex(READER)}\n# ops\nops:read+write:${hex(BOTH)}`, 'API_KEYS');
  expect(problems).toEqual([]);
  return new ApiKeyRing(entries);
}

describe('ApiKeyRing', () => {
  it('hashes with SHA-256 (known answer: sha256("abc"), FIPS 180-2 appendix B.1)', () => {
    expect(hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('accepts a key with the scope, naming the key', () => {
    expect(ring().authorize(`Bearer ${WRITER}`, 'write')).toEqual({ ok: true, keyName: 'ingest' });
    expect(ring().authorize(`bearer ${READER}`, 'read')).toEqual({ ok: true, keyName: 'dash' });
    expect(ring().authorize(`Bearer ${BOTH}`, 'read')).toEqual({ ok: true, keyName: 'ops' });
    expect(ring().authorize(`Bearer ${BOTH}`, 'write')).toEqual({ ok: true, keyName: 'ops' });
  });

  it.each([
    [undefined, 'missing'],
    ['', 'missing'],
    [WRITER, 'malformed'],
    ['Basic dXNlcjpwYXNz', 'malformed'],
    ['Bearer', 'malformed'],
    [`Bearer ${WRITER}x`, 'unknown'],
    [`Bearer ${hex(WRITER)}`, 'unknown'], // the hash itself is not a key
  ])('refuses %p as %s', (authorization, reason) => {
    expect(ring().authorize(authorization, 'write')).toMatchObject({ ok: false, reason });
  });

  it('refuses a valid key without the scope', () => {
    expect(ring().authorize(`Bearer ${READER}`, 'write')).toMatchObject({ ok: false, reason: 'scope', keyName: 'dash', message: expect.stringContaining('"write"') });
    expect(ring().authorize(`Bearer ${WRITER}`, 'read')).toMatchObject({ ok: false, reason: 'scope', keyName: 'ingest' });
  });

  it('admin is a scope of its own: read+write keys do not have it', () => {
    const sha256 = hashApiKey;
    const keys = new ApiKeyRing([{ name: 'ops', scopes: new Set(['admin'] as const), sha256: sha256('ops-key') }, { name: 'rw', scopes: new Set(['read', 'write'] as const), sha256: sha256('rw-key') }]);
    expect(keys.authorize('Bearer ops-key', 'admin')).toEqual({ ok: true, keyName: 'ops' });
    expect(keys.authorize('Bearer rw-key', 'admin')).toMatchObject({ ok: false, reason: 'scope', message: 'the API key "rw" lacks the "admin" scope' });
  });

  it('is disabled without keys', () => {
    expect(new ApiKeyRing([]).enabled).toBe(false);
    expect(ring().enabled).toBe(true);
  });
});

describe('parseApiKeyEntries', () => {
  it('names every bad entry and keeps none of them', () => {
    const { entries, problems } = parseApiKeyEntries(`ok:write:${hex('k')},bad name:write:${hex('k2')},x:owner:${hex('k3')},y:read:${WRITER},z:read,ok:read:${hex('k4')}`, 'API_KEYS_FILE');
    expect(entries).toEqual([]);
    expect(problems).toEqual([
      'API_KEYS_FILE entry 2: the name must be 1-64 letters, digits, . _ -',
      'API_KEYS_FILE entry 3: scopes must be write, read, admin joined by + (got "owner")',
      'API_KEYS_FILE entry 4: the hash must be 64 hex digits (the SHA-256 of the key, never the key itself)',
      'API_KEYS_FILE entry 5: must read name:scopes:sha256-hex',
      'API_KEYS_FILE entry 6: the name "ok" is used twice',
    ]);
  });
});
