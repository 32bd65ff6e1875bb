import { readFileSync } from 'node:fs';
import { parseApiKeyEntries } from '../auth/api-key-entries';
import type { ApiKeyEntry } from '../auth/api-key-ring';
import type { EnvReader } from './env-reader';

/**
 * API keys from API_KEYS (entries inline) and/or API_KEYS_FILE (a mounted file, e.g. a Kubernetes
 * secret), both in the grammar of parseApiKeyEntries. No keys at all: authentication is off.
 */
export function readApiKeys(env: EnvReader): ApiKeyEntry[] {
  const sources: Array<[string, string]> = [];
  const inline = env.optionalString('API_KEYS');
  if (inline !== undefined) sources.push(['API_KEYS', inline]);
  const file = env.optionalString('API_KEYS_FILE');
  if (file !== undefined) {
    try {
      const text = readFileSync(file, 'utf8');
      sources.push([`API_KEYS_FILE (${file})`, text]);
      if (parseApiKeyEntries(text, 'API_KEYS_FILE').entries.length === 0 && text.trim().replace(/^#.*$/gm, '').trim() === '') {
        env.problem(`API_KEYS_FILE=${JSON.stringify(file)}: the file holds no keys (an empty file would silently turn authentication off)`);
      }
    } catch (error) {
      env.problem(`API_KEYS_FILE=${JSON.stringify(file)}: cannot be read (${(error as Error).message})`);
    }
  }
  const entries: ApiKeyEntry[] = [];
  for (const [source, text] of sources) {
    const parsed = parseApiKeyEntries(text, source);
    for (const problem of parsed.problems) env.problem(problem);
    entries.push(...parsed.entries);
  }
  const names = entries.map((e) => e.name);
  for (const name of new Set(names.filter((n, i) => names.indexOf(n) !== i))) env.problem(`API key name "${name}" is configured twice`);
  return entries;
}
