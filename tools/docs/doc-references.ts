/**
 * References from code, charts and configuration into the docs, written `docs/<file>.md` or
 * `docs/<file>.md, "<Heading>"` (operators read them in log lines and alert texts, so they name the
 * heading rather than its anchor). Pure: text in, references out.
 */
export interface DocReference {
  line: number;
  file: string;
  heading?: string;
}

// The heading's quotes may be escaped, as in a YAML or JSON string.
const REFERENCE = /docs\/([\w-]+\.md)(?:,\s*\\?"([^"\\]+)\\?")?/g;

export function docReferences(text: string): DocReference[] {
  return text.split('\n').flatMap((line, index) =>
    [...line.matchAll(REFERENCE)].map((match) => ({ line: index + 1, file: `docs/${match[1]}`, ...(match[2] === undefined ? {} : { heading: match[2] }) })),
  );
}
