import { type HttpCase, invalid } from '../hostile-case';

// Keys that reach Object.prototype in a naive merge (the prototype-pollution CVEs of
// json-merge-patch < 1.0.2 and json8-merge-patch). JSON.parse makes them own properties; the
// validator refuses them at any depth, escaped or not. The spec checks Object.prototype in the
// producer's process after the run.
const forbidden = (field: string) => invalid(field, 'forbidden-key');
const inData = (name: string, op: string, dataText: string, field: string): HttpCase => ({ name, category: 'prototype-keys', event: { id: 'proto', op, dataText }, expect: forbidden(field) });

export const PROTOTYPE_KEY_CASES: HttpCase[] = [
  inData('__proto__ at the top of data (merge)', 'merge', '{"__proto__":{"polluted":true}}', '/data/__proto__'),
  inData('constructor at the top of data', 'set', '{"constructor":{"prototype":{"polluted":true}}}', '/data/constructor'),
  inData('prototype at the top of data', 'set', '{"prototype":{"polluted":true}}', '/data/prototype'),
  inData('__proto__ two levels down', 'merge', '{"a":{"__proto__":{"polluted":true}}}', '/data/a/__proto__'),
  inData('__proto__ ten levels down', 'merge', '{"a":'.repeat(9) + '{"__proto__":{"polluted":true}}' + '}'.repeat(9), '/data' + '/a'.repeat(9) + '/__proto__'),
  inData('constructor inside an array', 'set', '{"list":[1,{"constructor":{"polluted":true}}]}', '/data/list/1/constructor'),
  inData('escaped \\u005f_proto__', 'merge', '{"\\u005f_proto__":{"polluted":true}}', '/data/__proto__'),
  inData('fully escaped \\u005f\\u005fproto\\u005f\\u005f', 'merge', '{"a":{"\\u005f\\u005fproto\\u005f\\u005f":{"polluted":true}}}', '/data/a/__proto__'),
  inData('escaped \\u0063onstructor', 'merge', '{"\\u0063onstructor":{"prototype":{"polluted":true}}}', '/data/constructor'),
  inData('escaped pr\\u006ftotype nested', 'set', '{"x":{"pr\\u006ftotype":1}}', '/data/x/prototype'),
  inData('__proto__ as an incr delta', 'incr', '{"__proto__":1}', '/data/__proto__'),
  { name: '__proto__ as an event field', category: 'prototype-keys', body: '{"id":"proto","op":"delete","__proto__":{"polluted":true}}', expect: invalid('/__proto__', 'unknown-field') },
  { name: '__proto__ beside events in a batch', category: 'prototype-keys', path: '/v1/events:batch', body: '{"events":[{"id":"proto","op":"delete"}],"__proto__":{"polluted":true}}', expect: invalid('/__proto__', 'unknown-field') },
  { name: '__proto__ in the 2nd event of a batch', category: 'prototype-keys', path: '/v1/events:batch', body: '{"events":[{"id":"proto","op":"delete"},{"id":"proto","op":"merge","data":{"__proto__":{"polluted":true}}}]}', expect: forbidden('/events/1/data/__proto__') },
];
