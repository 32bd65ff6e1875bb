import { hashApiKey, parseApiKeyEntries } from '@async2/data-access';
import { randomBytes } from 'node:crypto';
import { UsageError } from '../command-line/exit-codes';

/** A new key for the client, and the API_KEYS entry that admits it (only the entry is configured). */
export interface NewApiKey {
  name: string;
  scopes: string;
  key: string;
  entry: string;
}

/**
 * Makes a key: 32 random bytes, so SHA-256 needs no salt or stretching (there is no dictionary to
 * guess from). The entry is checked by the producer's own parser of API_KEYS, so the CLI cannot
 * print an entry the producer would refuse; bad input throws UsageError naming the rule.
 */
export function newApiKey(name: string, scopes: string): NewApiKey {
  const key = `a2k_${randomBytes(32).toString('base64url')}`;
  const entry = `${name}:${scopes}:${hashApiKey(key).toString('hex')}`;
  const { problems } = parseApiKeyEntries(entry, 'the new key');
  if (problems.length > 0) throw new UsageError(problems.map((p) => p.replace('the new key entry 1: ', '')).join('; '), 'name or scopes');
  return { name, scopes, key, entry };
}
