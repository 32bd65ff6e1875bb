import { type HttpCase, invalid } from '../hostile-case';

// IDs are compared byte for byte: the NFC and NFD forms of one name are two IDs (docs/api.md, "Hostile input",
// says so). Normalising would make two byte strings one Kafka key and one row, which Kafka's partitioner
// and other producers (Java, Go) would not do. Control characters and lone surrogates are refused.
const NFC = 'caf\u00e9-\u00c5ngstr\u00f6m';
export const NFC_ID = `uni-${NFC}`;
export const NFD_ID = `uni-${NFC.normalize('NFD')}`;
const id = (name: string, value: string, expect: HttpCase['expect']): HttpCase => ({ name: `id: ${name}`, category: 'unicode', event: { id: value, op: 'set', dataText: `{"name":${JSON.stringify(name)}}` }, expect });
const data = (name: string, dataText: string, field: string, rule: string): HttpCase => ({ name: `data: ${name}`, category: 'unicode', event: { id: 'uni-data', op: 'set', dataText }, expect: invalid(field, rule) });
const control = invalid('/id', 'no-control-chars');
const surrogate = invalid('/id', 'no-lone-surrogate');

export const UNICODE_CASES: HttpCase[] = [
  id('NUL', 'uni\u0000x', control),
  id('SOH (U+0001)', 'uni\u0001x', control),
  id('line feed', 'uni\nx', control),
  id('carriage return', 'uni\rx', control),
  id('tab', 'uni\tx', control),
  id('escape (ANSI colours)', 'uni\u001b[31mx', control),
  id('DEL', 'uni\u007fx', control),
  id('NEL (C1 U+0085)', 'uni\u0085x', control),
  id('lone high surrogate', 'uni\ud800x', surrogate),
  id('lone low surrogate', 'uni\udc00x', surrogate),
  id('reversed surrogate pair', 'uni\ude00\ud83d', surrogate),
  { name: 'eventId: line feed', category: 'unicode', event: { id: 'uni-eid', op: 'delete', eventId: 'e\n1' }, expect: invalid('/eventId', 'no-control-chars') },
  data('NUL in a value', '{"s":"a\\u0000b"}', '/data/s', 'no-nul'),
  data('NUL in a key', '{"k\\u0000":1}', '/data/k\u0000', 'no-nul'),
  data('lone surrogate in a value', '{"s":["\\udc00"]}', '/data/s/0', 'no-lone-surrogate'),
  data('lone surrogate in a key', '{"\\ud83d":1}', '/data/\ud83d', 'no-lone-surrogate'),
  id('NFC form of café-Ångström', NFC_ID, 'accepted'),
  id('NFD form of café-Ångström (a different ID)', NFD_ID, 'accepted'),
  id('line separator U+2028 (not a control character)', 'uni\u2028x', 'accepted'),
  id('right-to-left override U+202E', 'uni\u202extx.exe', 'accepted'),
  id('emoji ZWJ sequence', 'uni-\u{1f469}\u200d\u{1f4bb}', 'accepted'),
  id('U+FFFD and U+FEFF inside', 'uni-\ufffd\ufeff', 'accepted'),
  { name: 'data: astral and combining characters', category: 'unicode', event: { id: 'uni-text', op: 'set', dataText: JSON.stringify({ 'k\u0301': '\u{1f600}\u0301\u2028\u2029' }) }, expect: 'accepted' },
];
