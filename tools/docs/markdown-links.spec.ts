import { brokenLinks, githubSlug, headingAnchors, relativeLinks } from './markdown-links';

describe('githubSlug', () => {
  // Known answers from github-slugger's test/fixtures.json (Flet/github-slugger), the slugs GitHub
  // gives these headings.
  it.each([
    ['bravoCharlieDelta', 'bravocharliedelta'],
    ['heading with a - dash', 'heading-with-a---dash'],
    ['heading with an _ underscore', 'heading-with-an-_-underscore'],
    ['heading with a period.txt', 'heading-with-a-periodtxt'],
    ['exchange.bind_headers(exchange, routing [, bindCallback])', 'exchangebind_headersexchange-routing--bindcallback'],
    ['apostrophe’s should be trimmed', 'apostrophes-should-be-trimmed'],
    ['I ♥ unicode', 'i--unicode'],
    ['en–dash', 'endash'],
    ['😄 - an emoji', '---an-emoji'],
    ['Привет non-latin 你好', 'привет-non-latin-你好'],
    [' a ', '-a-'],
  ])('%j -> %j', (heading, slug) => {
    expect(githubSlug(heading)).toBe(slug);
  });

  it("slugs this repository's kinds of heading", () => {
    expect(githubSlug("A gap in a partition's offsets")).toBe('a-gap-in-a-partitions-offsets');
    expect(githubSlug('Deploying: Docker and Kubernetes')).toBe('deploying-docker-and-kubernetes');
    expect(githubSlug('`FLUSH_MAX_EVENTS` and *why*')).toBe('flush_max_events-and-why');
  });
});

describe('headingAnchors', () => {
  it('numbers repeated slugs the way github-slugger does (its fixtures, in order)', () => {
    const markdown = ['# echo', '## echo', '## echo 1', '## echo-1', '## echo', '## foxtrot-1', '## foxtrot', '## foxtrot'].join('\n');
    expect([...headingAnchors(markdown)]).toEqual(['echo', 'echo-1', 'echo-1-1', 'echo-1-2', 'echo-2', 'foxtrot-1', 'foxtrot', 'foxtrot-2']);
  });

  it('reads headings outside code blocks only, with links reduced to their text', () => {
    const markdown = ['## Run on [Docker](https://docker.com) ##', '```bash', '# a shell comment', '```', 'text', '#not-a-heading'].join('\n');
    expect([...headingAnchors(markdown)]).toEqual(['run-on-docker']);
  });
});

describe('relativeLinks', () => {
  it('finds inline links, images and reference definitions, with path and anchor apart', () => {
    const markdown = [
      'See [the API](docs/api.md#the-event) and [here](#try-it).',
      '![chart](bench/results/run.svg "a title")',
      '[ops]: docs/operations.md#fenced',
      'Not [external](https://example.org/x.md) nor [mail](mailto:a@b.c).',
    ].join('\n');
    expect(relativeLinks(markdown)).toEqual([
      { line: 1, text: 'the API', path: 'docs/api.md', anchor: 'the-event' },
      { line: 1, text: 'here', path: '', anchor: 'try-it' },
      { line: 2, text: 'chart', path: 'bench/results/run.svg' },
      { line: 3, text: 'ops', path: 'docs/operations.md', anchor: 'fenced' },
    ]);
  });

  it('ignores what is code: fenced blocks and code spans', () => {
    const markdown = ['```ts', "const a = [x](y.md)['k'];", '```', 'Call `GET /v1/entities/:id[?after](p:o)` then [read](read.md).'].join('\n');
    expect(relativeLinks(markdown)).toEqual([{ line: 4, text: 'read', path: 'read.md' }]);
  });
});

describe('brokenLinks', () => {
  const files = new Map([
    ['README.md', '# Title\n## Try it\nSee [api](docs/api.md#errors), [x](#try-it), [gone](docs/gone.md), [bad](docs/api.md#nope), [self](#nope).'],
    ['docs/api.md', '# API\n## Errors\nBack to [the start](../README.md#try-it).'],
  ]);
  const exists = (path: string) => files.has(path);
  const read = (path: string) => files.get(path) ?? '';
  const resolve = (from: string, path: string) => {
    const parts = from.split('/').slice(0, -1);
    for (const part of path.split('/')) {
      if (part === '..') parts.pop();
      else parts.push(part);
    }
    return parts.join('/');
  };

  it('names every link whose file or anchor is missing, and only those', () => {
    expect(brokenLinks(files, exists, read, resolve).map(({ file, line, text, reason }) => ({ file, line, text, reason }))).toEqual([
      { file: 'README.md', line: 3, text: 'gone', reason: 'no file docs/gone.md' },
      { file: 'README.md', line: 3, text: 'bad', reason: 'no heading with the anchor #nope in docs/api.md' },
      { file: 'README.md', line: 3, text: 'self', reason: 'no heading with the anchor #nope in README.md' },
    ]);
  });
});
