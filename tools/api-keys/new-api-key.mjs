#!/usr/bin/env node
// Makes a new API key and the config entry that admits it (only the entry is configured; the key
// goes to the client and is stored nowhere else). 32 random bytes: SHA-256 needs no salt or
// stretching for keys no one could guess.
//   node tools/api-keys/new-api-key.mjs <name> <write|read|read+write>
import { createHash, randomBytes } from 'node:crypto';

const [name, scopes] = process.argv.slice(2);
if (!/^[A-Za-z0-9._-]{1,64}$/.test(name ?? '') || !/^(write|read)(\+(write|read))?$/.test(scopes ?? '')) {
  console.error('usage: node tools/api-keys/new-api-key.mjs <name: 1-64 of A-Z a-z 0-9 . _ -> <scopes: write, read or read+write>');
  process.exit(2);
}
const key = `a2k_${randomBytes(32).toString('base64url')}`;
const hash = createHash('sha256').update(key, 'utf8').digest('hex');
console.log(`key:   ${key}`);
console.log(`entry: ${name}:${scopes}:${hash}`);
