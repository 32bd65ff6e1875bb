import { type HttpCase, invalid } from '../hostile-case';

// Numbers that JSON.parse silently changes are refused: past ±1.8e308 they become ±Infinity, and
// integers past 2^53 are rounded. -0 is accepted and stored as 0 (jsonb and JSON.stringify have no
// negative zero; it equals 0), and integral doubles past 2^53 written with an exponent (1e300) are
// refused like 2^63: the rule cannot tell how the client wrote them.
const num = (name: string, op: string, dataText: string, expect: HttpCase['expect']): HttpCase => ({ name, category: 'numbers', event: { id: `num-${op}`, op, dataText }, expect });

export const NUMBER_CASES: HttpCase[] = [
  num('1e400 (Infinity after parsing)', 'set', '{"n":1e400}', invalid('/data/n', 'finite-number')),
  num('-1e400', 'set', '{"n":-1e400}', invalid('/data/n', 'finite-number')),
  num('1e400 nested in an array', 'merge', '{"a":[0,1e400]}', invalid('/data/a/1', 'finite-number')),
  num('2^53 + 1 (rounds to 2^53)', 'set', '{"n":9007199254740993}', invalid('/data/n', 'safe-integer')),
  num('2^63', 'set', '{"n":9223372036854775808}', invalid('/data/n', 'safe-integer')),
  num('-2^63', 'set', '{"n":-9223372036854775808}', invalid('/data/n', 'safe-integer')),
  num('2^64 written with an exponent (1.8446744073709552e19)', 'set', '{"n":1.8446744073709552e19}', invalid('/data/n', 'safe-integer')),
  num('1e300 (integral double)', 'set', '{"n":1e300}', invalid('/data/n', 'safe-integer')),
  num('2^53 - 1 (largest safe integer)', 'set', '{"n":9007199254740991,"m":-9007199254740991}', 'accepted'),
  num('-0 (stored as 0)', 'set', '{"n":-0}', 'accepted'),
  num('0.1 and 1.5e-300', 'set', '{"n":0.1,"m":1.5e-300}', 'accepted'),
  num('incr by a string', 'incr', '{"n":"1"}', invalid('/data/n', 'type')),
  num('incr by null', 'incr', '{"n":null}', invalid('/data/n', 'type')),
  num('incr by true', 'incr', '{"n":true}', invalid('/data/n', 'type')),
  num('incr by an object', 'incr', '{"n":{"m":1}}', invalid('/data/n', 'type')),
  num('incr by an array', 'incr', '{"n":[1]}', invalid('/data/n', 'type')),
  num('incr by 1e400', 'incr', '{"n":1e400}', invalid('/data/n', 'finite-number')),
  num('incr by 2^53 + 1', 'incr', '{"n":9007199254740993}', invalid('/data/n', 'safe-integer')),
  num('incr by -0.5 and 1', 'incr', '{"n":-0.5,"m":1}', 'accepted'),
];
