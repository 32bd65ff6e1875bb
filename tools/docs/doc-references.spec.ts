import { docReferences } from './doc-references';

describe('docReferences', () => {
  it('reads a file alone, a file with its heading, and a heading in escaped quotes', () => {
    const text = [
      'restart with ACCEPT_OFFSET_GAP=0:12 (docs/operations.md, "A gap in a partition\'s offsets")',
      '# Every other variable: docs/configuration.md.',
      'description: "the loss: docs/operations.md, \\"A gap in a partition\'s offsets\\", says how"',
      'nothing here: README.md, docs/, "docs"',
    ].join('\n');
    expect(docReferences(text)).toEqual([
      { line: 1, file: 'docs/operations.md', heading: "A gap in a partition's offsets" },
      { line: 2, file: 'docs/configuration.md' },
      { line: 3, file: 'docs/operations.md', heading: "A gap in a partition's offsets" },
    ]);
  });
});
