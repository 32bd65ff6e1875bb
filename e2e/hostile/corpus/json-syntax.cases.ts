import { type HttpCase, invalid } from '../hostile-case';

// Bodies JSON.parse refuses (RFC 8259 only: no comments, NaN, single quotes, BOM), and bytes that are
// not UTF-8. Cases given by `event` put the bad text inside `data`, so gRPC (data as JSON text)
// names `/data` where HTTP names the body ('').
const syntax = invalid('', 'json-syntax');
const utf8 = invalid('', 'utf-8');
const ok = '{"id":"syn","op":"set","data":{"a":1}}';
const bytes = (...parts: Array<string | number[]>) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));
const inData = (name: string, dataText: string): HttpCase => ({ name: `data: ${name}`, category: 'json-syntax', event: { id: 'syn', op: 'set', dataText }, expect: syntax });

export const JSON_SYNTAX_CASES: HttpCase[] = [
  { name: 'empty body', category: 'json-syntax', body: '', expect: syntax },
  { name: 'truncated after a key', category: 'json-syntax', body: '{"id":', expect: syntax },
  { name: 'truncated inside a string', category: 'json-syntax', body: '{"id":"sy', expect: syntax },
  { name: 'truncated before the closing brace', category: 'json-syntax', body: ok.slice(0, -1), expect: syntax },
  { name: 'trailing garbage', category: 'json-syntax', body: `${ok}x`, expect: syntax },
  { name: 'trailing brace', category: 'json-syntax', body: `${ok}}`, expect: syntax },
  { name: 'two top-level values', category: 'json-syntax', body: `${ok}${ok}`, expect: syntax },
  { name: 'two top-level values, newline-delimited', category: 'json-syntax', body: `${ok}\n${ok}`, expect: syntax },
  { name: 'line comment', category: 'json-syntax', body: `// event\n${ok}`, expect: syntax },
  { name: 'block comment', category: 'json-syntax', body: '{/* c */"id":"syn","op":"delete"}', expect: syntax },
  { name: 'single quotes', category: 'json-syntax', body: "{'id':'syn','op':'delete'}", expect: syntax },
  { name: 'unquoted keys', category: 'json-syntax', body: '{id:"syn",op:"delete"}', expect: syntax },
  { name: 'trailing comma in an object', category: 'json-syntax', body: '{"id":"syn","op":"delete",}', expect: syntax },
  { name: 'UTF-8 byte order mark', category: 'json-syntax', body: bytes([0xef, 0xbb, 0xbf], ok), expect: syntax },
  { name: 'lone 0xFF byte in a string', category: 'json-syntax', body: bytes('{"id":"syn', [0xff], '","op":"delete"}'), expect: utf8 },
  { name: 'overlong encoding of "/" (C0 AF)', category: 'json-syntax', body: bytes('{"id":"syn', [0xc0, 0xaf], '","op":"delete"}'), expect: utf8 },
  { name: 'UTF-8-encoded surrogate (ED A0 80)', category: 'json-syntax', body: bytes('{"id":"syn', [0xed, 0xa0, 0x80], '","op":"delete"}'), expect: utf8 },
  { name: 'truncated multi-byte sequence', category: 'json-syntax', body: bytes('{"id":"syn', [0xe2, 0x82], '","op":"delete"}'), expect: utf8 },
  { name: 'Latin-1 é (E9) declared as UTF-8', category: 'json-syntax', body: bytes('{"id":"caf', [0xe9], '","op":"delete"}'), expect: utf8 },
  { name: 'raw newline inside a string', category: 'json-syntax', body: '{"id":"a\nb","op":"delete"}', expect: syntax },
  { name: 'the bare word undefined', category: 'json-syntax', body: 'undefined', expect: syntax },
  inData('NaN', '{"n":NaN}'),
  inData('Infinity', '{"n":Infinity}'),
  inData('-Infinity', '{"n":-Infinity}'),
  inData('hexadecimal number', '{"n":0x10}'),
  inData('leading zero', '{"n":01}'),
  inData('leading plus', '{"n":+1}'),
  inData('leading dot', '{"n":.5}'),
  inData('trailing comma in an array', '{"a":[1,2,]}'),
  inData('invalid escape \\x41', '{"s":"\\x41"}'),
  inData('short unicode escape', '{"s":"\\u12"}'),
  inData('truncated object', '{"a":{"b":1}'),
];
