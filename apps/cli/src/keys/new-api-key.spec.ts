import { ApiKeyRing, parseApiKeyEntries } from '@async2/data-access';
import { UsageError } from '../command-line/exit-codes';
import { newApiKey } from './new-api-key';

describe('newApiKey', () => {
  it('makes a key that the entry it prints admits, with the scopes asked for', () => {
    const made = newApiKey('ingest-svc', 'read+write');
    expect(made.key).toMatch(/^a2k_[A-Za-z0-9_-]{43}$/);
    const { entries, problems } = parseApiKeyEntries(made.entry, 'test');
    expect(problems).toEqual([]);
    expect(entries[0].name).toBe('ingest-svc');
    expect([...entries[0].scopes].sort()).toEqual(['read', 'write']);
    expect(made.entry).not.toContain(made.key);
    const ring = new ApiKeyRing(entries);
    expect(ring.authorize(`Bearer ${made.key}`, 'write')).toEqual({ ok: true, keyName: 'ingest-svc' });
    expect(ring.authorize(`Bearer ${newApiKey('other', 'read').key}`, 'write')).toMatchObject({ ok: false, reason: 'unknown' });
  });

  it('makes a different key every time', () => {
    expect(newApiKey('a', 'read').key).not.toBe(newApiKey('a', 'read').key);
  });

  it.each([
    ['bad name!', 'write', /name must be 1-64 letters/],
    ['', 'write', /name must be 1-64 letters/],
    ['svc', 'admin-everything', /scopes must be/],
    ['svc', 'read+', /scopes must be/],
  ])('refuses name %j with scopes %j naming the rule', (name, scopes, rule) => {
    expect(() => newApiKey(name, scopes)).toThrow(UsageError);
    expect(() => newApiKey(name, scopes)).toThrow(rule);
  });
});
