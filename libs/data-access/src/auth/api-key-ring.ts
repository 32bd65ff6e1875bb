import { createHash, timingSafeEqual } from 'node:crypto';

export type ApiScope = 'write' | 'read' | 'admin';
// admin: the operator's endpoints (parked IDs, docs/parking.md); never implied by the others.
export const API_SCOPES: readonly ApiScope[] = ['write', 'read', 'admin'];

/** One configured key: only its SHA-256 is kept, never the key itself. */
export interface ApiKeyEntry {
  name: string;
  scopes: ReadonlySet<ApiScope>;
  /** SHA-256 of the key's UTF-8 bytes (32 bytes). */
  sha256: Buffer;
}

export type AuthDecision =
  | { ok: true; keyName: string }
  | { ok: false; reason: 'missing' | 'malformed' | 'unknown'; message: string }
  | { ok: false; reason: 'scope'; keyName: string; message: string };

/**
 * SHA-256 of an API key. Plain SHA-256, not a slow password hash, is enough because keys are 256
 * random bits (see `async2 keys new`, apps/cli/src/keys/new-api-key.ts): there is no dictionary to guess from.
 */
export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/**
 * Checks presented credentials against the configured key hashes. Every hash is compared (with
 * timingSafeEqual, fixed length), whichever matches, so timing says nothing about which key or
 * how much of it matched.
 */
export class ApiKeyRing {
  constructor(private readonly entries: readonly ApiKeyEntry[]) {}

  /** No keys configured: authentication is off. */
  get enabled(): boolean {
    return this.entries.length > 0;
  }

  /** `authorization` is the header (HTTP) or metadata value (gRPC): `Bearer <key>`. */
  authorize(authorization: string | undefined, scope: ApiScope): AuthDecision {
    if (authorization === undefined || authorization.trim() === '') return { ok: false, reason: 'missing', message: 'an API key is required: Authorization: Bearer <key>' };
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization);
    if (!match) return { ok: false, reason: 'malformed', message: 'the authorization must read "Bearer <key>"' };
    const presented = hashApiKey(match[1]);
    let found: ApiKeyEntry | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.sha256, presented) && !found) found = entry;
    }
    if (!found) return { ok: false, reason: 'unknown', message: 'the API key is not valid' };
    if (!found.scopes.has(scope)) return { ok: false, reason: 'scope', keyName: found.name, message: `the API key "${found.name}" lacks the "${scope}" scope` };
    return { ok: true, keyName: found.name };
  }
}
