/**
 * What a Markdown file offers as anchors and what it links to, the way GitHub renders it, so a test
 * can prove that every relative link of the docs resolves. Pure: text in, values out.
 *
 * Not a full CommonMark parser: fenced code blocks and code spans are skipped, inline links and
 * reference definitions are read; headings are ATX (`## Title`), slugged after their link syntax
 * is reduced to its text. Indented code blocks and `_emphasis_` in headings are not handled (the
 * docs use neither).
 */

/** A relative link found in a file: its target path (may be empty: same file) and anchor. */
export interface RelativeLink {
  line: number;
  text: string;
  path: string;
  anchor?: string;
}

/** A link whose file or anchor does not exist. */
export interface BrokenLink extends RelativeLink {
  file: string;
  reason: string;
}

const FENCE = /^\s{0,3}(```|~~~)/;
const HEADING = /^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/;
const INLINE_LINK = /!?\[((?:[^\]\\]|\\.)*)\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g;
const REFERENCE_DEFINITION = /^\s{0,3}\[((?:[^\]\\]|\\.)+)\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/;
const CODE_SPAN = /(`+)[\s\S]*?\1/g;
const EXTERNAL = /^([a-z][a-z0-9+.-]*:|\/\/)/i;

/**
 * GitHub's heading slug (the github-slugger algorithm): lower case; drop every character of the
 * Unicode categories Other_Number, punctuation other than connector punctuation (so `_` stays),
 * dash punctuation other than `-`, symbols, control, format, private use, unassigned and
 * separators other than the space, unless it is alphabetic; then each space becomes `-`.
 */
export function githubSlug(heading: string): string {
  const dropped = /[\p{No}\p{Pd}\p{Ps}\p{Pe}\p{Pi}\p{Pf}\p{Po}\p{S}\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Z}]/u;
  const keep = (ch: string) => ch === ' ' || ch === '-' || /\p{Alphabetic}/u.test(ch) || !dropped.test(ch);
  return [...heading.toLowerCase()].filter(keep).join('').replace(/ /g, '-');
}

/** Markdown lines outside fenced code blocks, with their 1-based numbers. */
function proseLines(markdown: string): Array<{ line: number; text: string }> {
  const lines: Array<{ line: number; text: string }> = [];
  let fence: string | undefined;
  markdown.split('\n').forEach((text, index) => {
    const opening = FENCE.exec(text);
    if (opening && (fence === undefined || opening[1] === fence)) {
      fence = fence === undefined ? opening[1] : undefined;
      return;
    }
    if (fence === undefined) lines.push({ line: index + 1, text });
  });
  return lines;
}

/** The anchors GitHub gives a file's headings, a repeated slug numbered `-1`, `-2`, ... */
export function headingAnchors(markdown: string): Set<string> {
  const occurrences = new Map<string, number>();
  const anchors = new Set<string>();
  for (const { text } of proseLines(markdown)) {
    const heading = HEADING.exec(text);
    if (!heading) continue;
    const base = githubSlug(heading[1].replace(INLINE_LINK, '$1'));
    let slug = base;
    while (occurrences.has(slug)) {
      const count = (occurrences.get(base) ?? 0) + 1;
      occurrences.set(base, count);
      slug = `${base}-${count}`;
    }
    occurrences.set(slug, 0);
    anchors.add(slug);
  }
  return anchors;
}

/** Every link of a file that stays inside the repository (no scheme, not protocol-relative). */
export function relativeLinks(markdown: string): RelativeLink[] {
  const links: RelativeLink[] = [];
  const add = (line: number, text: string, target: string) => {
    if (target === '' || EXTERNAL.test(target)) return;
    const hash = target.indexOf('#');
    const path = decodeURI(hash < 0 ? target : target.slice(0, hash));
    const anchor = hash < 0 ? undefined : decodeURIComponent(target.slice(hash + 1));
    links.push({ line, text, path, ...(anchor === undefined ? {} : { anchor }) });
  };
  for (const { line, text } of proseLines(markdown)) {
    const definition = REFERENCE_DEFINITION.exec(text);
    if (definition) {
      add(line, definition[1], definition[2]);
      continue;
    }
    for (const match of text.replace(CODE_SPAN, '').matchAll(INLINE_LINK)) add(line, match[1], match[2]);
  }
  return links;
}

/**
 * The links of `files` (repository-relative path -> Markdown text) that do not resolve: a path
 * that `exists` does not know, or an anchor that is not a heading of the Markdown file it names.
 * `read` gives the text of a linked Markdown file that is not itself in `files`.
 */
export function brokenLinks(
  files: ReadonlyMap<string, string>,
  exists: (path: string) => boolean,
  read: (path: string) => string,
  resolve: (from: string, path: string) => string,
): BrokenLink[] {
  const anchorsOf = new Map<string, Set<string>>();
  const anchors = (path: string) => {
    let found = anchorsOf.get(path);
    if (!found) anchorsOf.set(path, (found = headingAnchors(files.get(path) ?? read(path))));
    return found;
  };
  const broken: BrokenLink[] = [];
  for (const [file, markdown] of files) {
    for (const link of relativeLinks(markdown)) {
      const target = link.path === '' ? file : resolve(file, link.path);
      if (!exists(target)) broken.push({ file, ...link, reason: `no file ${target}` });
      else if (link.anchor !== undefined && target.endsWith('.md') && !anchors(target).has(link.anchor)) {
        broken.push({ file, ...link, reason: `no heading with the anchor #${link.anchor} in ${target}` });
      }
    }
  }
  return broken;
}
