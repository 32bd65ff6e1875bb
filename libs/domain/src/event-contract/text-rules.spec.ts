import fc from 'fast-check';
import { hasControlChars, hasLoneSurrogate, hasNul, utf8ByteLength } from './text-rules';

// Any UTF-16 code unit, so lone and reversed surrogates occur (fc's 'binary' unit never yields them).
const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));

describe('utf8ByteLength', () => {
  it.each([
    ['', 0],
    ['a', 1],
    ['é', 2],
    ['€', 3],
    ['😀', 4],
    ['a€😀', 8],
  ])('%j is %i bytes', (s, bytes) => {
    expect(utf8ByteLength(s)).toBe(bytes);
  });

  it.each([
    ["unit 'binary' (any code point)", fc.string({ unit: 'binary', maxLength: 100 })],
    ["unit 'grapheme'", fc.string({ unit: 'grapheme', maxLength: 50 })],
    ['printable ASCII', fc.string({ maxLength: 100 })],
  ])('equals Buffer.byteLength for random well-formed strings: %s', (_name, strings) => {
    fc.assert(
      fc.property(strings, (s) => {
        expect(utf8ByteLength(s)).toBe(Buffer.byteLength(s, 'utf8'));
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['a lone high surrogate', '\ud800', 3],
    ['a lone low surrogate', '\udc00', 3],
    ['a high surrogate at the end', 'ab\ud83d', 5],
    ['a high surrogate before a non-surrogate', '\ud83dx', 4],
    ['a reversed pair (two lone surrogates)', '\ude00\ud83d', 6],
    ['two high surrogates then a low one', '\ud83d\ud83d\ude00', 7],
  ])('counts %s as U+FFFD, 3 bytes: %j is %i bytes', (_name, s, bytes) => {
    expect(utf8ByteLength(s)).toBe(bytes);
  });

  it('agrees with Buffer.byteLength (which encodes lone surrogates as U+FFFD) for any code units', () => {
    fc.assert(
      fc.property(fc.string({ unit: anyCodeUnit, maxLength: 100 }), (s) => {
        expect(utf8ByteLength(s)).toBe(Buffer.byteLength(s, 'utf8'));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('text predicates', () => {
  it.each([
    ['\u0000', true],
    ['tab\there', true],
    ['\u001f', true],
    ['\u007f', true],
    ['\u0080', true],
    ['\u009f', true],
    [' ~', false],
    ['\u00a0é€😀', false],
  ])('hasControlChars(%j) is %p', (s, expected) => {
    expect(hasControlChars(s)).toBe(expected);
  });

  it.each([
    ['a\u0000b', true],
    ['a0b', false],
  ])('hasNul(%j) is %p', (s, expected) => {
    expect(hasNul(s)).toBe(expected);
  });

  it.each([
    ['\ud800', true],
    ['x\udfff', true],
    ['\ude00\ud83d', true],
    ['😀', false],
    ['', false],
  ])('hasLoneSurrogate(%j) is %p', (s, expected) => {
    expect(hasLoneSurrogate(s)).toBe(expected);
  });
});
