/**
 * How deep a JSON text nests, counted on the text before JSON.parse builds anything: a 2 MB body of
 * a million nested arrays costs JSON.parse about a second and a hundred megabytes of short-lived
 * arrays, only for the validator to refuse it at level 33. Stops at the first container past
 * `maxDepth` and answers true; linear in the text, no recursion, no allocation. Brackets inside
 * strings do not count. Syntax is not checked here (JSON.parse does that next).
 */
export function nestsDeeperThan(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/**
 * The deepest nesting a valid request body can have: a batch body `{"events":[{"data":...}]}`
 * holds `data` at level 3.
 */
export function bodyMaxDepth(dataMaxDepth: number): number {
  return dataMaxDepth + 3;
}
