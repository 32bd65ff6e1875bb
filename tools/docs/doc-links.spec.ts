// Every relative link and every #anchor in README.md and docs/*.md resolves, as GitHub renders
// them, and so does every reference into the docs from code, charts and configuration: a moved
// section or a renamed file fails here, not in a reader's browser or an operator's log line.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { docReferences } from './doc-references';
import { brokenLinks, githubSlug, headingAnchors } from './markdown-links';

const ROOT = join(__dirname, '..', '..');
const DOC_FILES = readdirSync(join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`);
const DOCS = ['README.md', ...DOC_FILES];
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** Where code and deployment files live; this folder's own specs hold made-up references. */
const REFERRING_FOLDERS = ['apps', 'libs', 'tools', 'e2e', 'bench', 'helm', 'docker', 'observability'];
const NOT_SCANNED = new Set(['node_modules', 'dist', 'results']);
const SCANNED_FILE = /\.(ts|mjs|cjs|js|proto|ya?ml|txt|json|java|xml)$|Dockerfile$/;

function filesUnder(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { withFileTypes: true }).flatMap((entry) => {
    const path = `${folder}/${entry.name}`;
    if (entry.isDirectory()) return NOT_SCANNED.has(entry.name) || path === 'tools/docs' ? [] : filesUnder(path);
    return SCANNED_FILE.test(entry.name) ? [path] : [];
  });
}

describe('the documentation', () => {
  it('is a README that links to every file in docs/', () => {
    const linked = new Set([...read('README.md').matchAll(/\]\((docs\/[\w-]+\.md)/g)].map((match) => match[1]));
    expect(DOC_FILES.length).toBeGreaterThan(0);
    expect(DOC_FILES.filter((file) => !linked.has(file))).toEqual([]);
  });

  it('links only to files and headings that exist', () => {
    const files = new Map(DOCS.map((path) => [path, read(path)]));
    const resolve = (from: string, path: string) => relative(ROOT, normalize(join(ROOT, dirname(from), path)));
    const broken = brokenLinks(files, (path) => existsSync(join(ROOT, path)), read, resolve);
    expect(broken.map(({ file, line, text, reason }) => `${file}:${line} [${text}]: ${reason}`)).toEqual([]);
  });

  it('has every file and heading that code, charts and configuration refer to', () => {
    const references = REFERRING_FOLDERS.flatMap(filesUnder).flatMap((path) => docReferences(read(path)).map((reference) => ({ path, ...reference })));
    expect(references.length).toBeGreaterThan(0);
    const broken = references.filter(({ file, heading }) => !existsSync(join(ROOT, file)) || (heading !== undefined && !headingAnchors(read(file)).has(githubSlug(heading))));
    expect(broken.map(({ path, line, file, heading }) => `${path}:${line} -> ${file}${heading === undefined ? '' : `, "${heading}"`}`)).toEqual([]);
  });
});
