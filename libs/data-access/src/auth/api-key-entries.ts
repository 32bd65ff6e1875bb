import { API_SCOPES, type ApiKeyEntry, type ApiScope } from './api-key-ring';

/**
 * The configured keys' text (API_KEYS, or the file at API_KEYS_FILE). Grammar:
 *
 *   entries = entry *( ("," / newline) entry )        ; blank lines and "# ..." lines are ignored
 *   entry   = name ":" scope *( "+" scope ) ":" sha256-hex
 *   name    = 1*64( ALPHA / DIGIT / "." / "_" / "-" )
 *   scope   = "write" / "read"
 *
 * e.g. `ingest-svc:write:9f86d0...,dashboard:read:2c26b4...,ops:read+write:fcde2b...`
 */
export function parseApiKeyEntries(text: string, source: string): { entries: ApiKeyEntry[]; problems: string[] } {
  const entries: ApiKeyEntry[] = [];
  const problems: string[] = [];
  const items = text
    .split(/[,\n]/)
    .map((item) => item.trim())
    .filter((item) => item !== '' && !item.startsWith('#'));
  items.forEach((item, index) => {
    const where = `${source} entry ${index + 1}`;
    const parts = item.split(':');
    if (parts.length !== 3) return void problems.push(`${where}: must read name:scopes:sha256-hex`);
    const [name, scopeList, hex] = parts;
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(name)) problems.push(`${where}: the name must be 1-64 letters, digits, . _ -`);
    const scopes = scopeList.split('+');
    const unknown = scopes.filter((s) => !(API_SCOPES as readonly string[]).includes(s));
    if (unknown.length > 0 || scopes.length === 0) problems.push(`${where}: scopes must be ${API_SCOPES.join(', ')} joined by + (got ${JSON.stringify(scopeList)})`);
    if (!/^[0-9a-f]{64}$/i.test(hex)) problems.push(`${where}: the hash must be 64 hex digits (the SHA-256 of the key, never the key itself)`);
    if (entries.some((e) => e.name === name)) problems.push(`${where}: the name "${name}" is used twice`);
    entries.push({ name, scopes: new Set(scopes as ApiScope[]), sha256: Buffer.from(hex, 'hex') });
  });
  return problems.length > 0 ? { entries: [], problems } : { entries, problems };
}
