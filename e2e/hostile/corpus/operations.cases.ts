import { type HttpCase, invalid } from '../hostile-case';

// The per-field ops (max, min, append, addToSet, removeFromSet): each bad operand named at its JSON
// pointer, and keepLast at both edges of its range (APPEND_KEEP_LAST_MAX is its default, 1000).
// The event time `ts` of set and merge at both edges of its range (1 to 9999-12-31).
const op = (name: string, event: HttpCase['event'], expect: HttpCase['expect'], grpc = true): HttpCase => ({ name, category: 'operations', event, expect, grpc });

export const OPERATION_CASES: HttpCase[] = [
  op('max by a string', { id: 'ops-max', op: 'max', dataText: '{"n":"7"}' }, invalid('/data/n', 'type')),
  op('max by null', { id: 'ops-max', op: 'max', dataText: '{"n":null}' }, invalid('/data/n', 'type')),
  op('max by 1e400', { id: 'ops-max', op: 'max', dataText: '{"n":1e400}' }, invalid('/data/n', 'finite-number')),
  op('min by an array', { id: 'ops-min', op: 'min', dataText: '{"n":[1]}' }, invalid('/data/n', 'type')),
  op('min by -(2^53 + 1)', { id: 'ops-min', op: 'min', dataText: '{"n":-9007199254740993}' }, invalid('/data/n', 'safe-integer')),
  op('min without data', { id: 'ops-min', op: 'min' }, invalid('/data', 'required')),
  op('max and min by ±(2^53 - 1)', { id: 'ops-max', op: 'max', dataText: '{"n":9007199254740991,"m":-9007199254740991}' }, 'accepted'),
  op('append a scalar, not an array', { id: 'ops-append', op: 'append', dataText: '{"log":1}' }, invalid('/data/log', 'type')),
  op('append an object', { id: 'ops-append', op: 'append', dataText: '{"log":{"0":1}}' }, invalid('/data/log', 'type')),
  op('append with data an array', { id: 'ops-append', op: 'append', dataText: '[1]' }, invalid('/data', 'type')),
  op('append keepLast 0 (below the lower edge)', { id: 'ops-append', op: 'append', dataText: '{"log":[1]}', keepLastText: '0' }, invalid('/keepLast', 'minimum'), false),
  op('append keepLast -1', { id: 'ops-append', op: 'append', dataText: '{"log":[1]}', keepLastText: '-1' }, invalid('/keepLast', 'minimum')),
  op('append keepLast 1 (the lower edge)', { id: 'ops-append', op: 'append', dataText: '{"log":[1]}', keepLastText: '1' }, 'accepted'),
  op('append keepLast 1000 (the upper edge)', { id: 'ops-append', op: 'append', dataText: '{"log":[1]}', keepLastText: '1000' }, 'accepted'),
  op('append keepLast 1001 (past the upper edge)', { id: 'ops-append', op: 'append', dataText: '{"log":[1]}', keepLastText: '1001' }, invalid('/keepLast', 'maximum')),
  op('append keepLast 2^31 (past int32)', { id: 'ops-append', op: 'append', dataText: '{"log":[1]}', keepLastText: '2147483648' }, invalid('/keepLast', 'maximum'), false),
  op('append keepLast 2.5', { id: 'ops-append', op: 'append', dataText: '{"log":[1]}', keepLastText: '2.5' }, invalid('/keepLast', 'type'), false),
  op('append keepLast a string', { id: 'ops-append', op: 'append', dataText: '{"log":[1]}', keepLastText: '"5"' }, invalid('/keepLast', 'type'), false),
  op('append keepLast null', { id: 'ops-append', op: 'append', dataText: '{"log":[1]}', keepLastText: 'null' }, invalid('/keepLast', 'type'), false),
  op('keepLast on set', { id: 'ops-append', op: 'set', dataText: '{"log":[1]}', keepLastText: '5' }, invalid('/keepLast', 'forbidden')),
  op('append 1e400 inside the values', { id: 'ops-append', op: 'append', dataText: '{"log":[0,1e400]}' }, invalid('/data/log/1', 'finite-number')),
  op('addToSet a string, not an array', { id: 'ops-set', op: 'addToSet', dataText: '{"tags":"vip"}' }, invalid('/data/tags', 'type')),
  op('addToSet an object member', { id: 'ops-set', op: 'addToSet', dataText: '{"tags":["a",{"b":1}]}' }, invalid('/data/tags/1', 'scalar')),
  op('addToSet an array member', { id: 'ops-set', op: 'addToSet', dataText: '{"tags":[[1]]}' }, invalid('/data/tags/0', 'scalar')),
  op('addToSet a __proto__ member object', { id: 'ops-set', op: 'addToSet', dataText: '{"tags":[{"__proto__":{"x":1}}]}' }, invalid('/data/tags/0/__proto__', 'forbidden-key')),
  op('removeFromSet null, not an array', { id: 'ops-set', op: 'removeFromSet', dataText: '{"tags":null}' }, invalid('/data/tags', 'type')),
  op('removeFromSet an object member', { id: 'ops-set', op: 'removeFromSet', dataText: '{"tags":[{}]}' }, invalid('/data/tags/0', 'scalar')),
  op('removeFromSet on delete-like missing data', { id: 'ops-set', op: 'removeFromSet' }, invalid('/data', 'required')),
  op('ts 0 (below the lower edge)', { id: 'ops-ts', op: 'set', dataText: '{"a":1}', tsText: '0' }, invalid('/ts', 'minimum'), false),
  op('ts -1', { id: 'ops-ts', op: 'merge', dataText: '{"a":1}', tsText: '-1' }, invalid('/ts', 'minimum')),
  op('ts 1 (the lower edge)', { id: 'ops-ts', op: 'merge', dataText: '{"a":1}', tsText: '1' }, 'accepted'),
  op('ts 9999-12-31T23:59:59.999Z (the upper edge)', { id: 'ops-ts', op: 'merge', dataText: '{"b":1}', tsText: '253402300799999' }, 'accepted'),
  op('ts past 9999-12-31', { id: 'ops-ts', op: 'set', dataText: '{"a":1}', tsText: '253402300800000' }, invalid('/ts', 'maximum')),
  op('ts 1e400', { id: 'ops-ts', op: 'set', dataText: '{"a":1}', tsText: '1e400' }, invalid('/ts', 'type'), false),
  op('ts fractional', { id: 'ops-ts', op: 'set', dataText: '{"a":1}', tsText: '1.5' }, invalid('/ts', 'type'), false),
  op('ts an ISO 8601 string', { id: 'ops-ts', op: 'set', dataText: '{"a":1}', tsText: '"2026-01-01T00:00:00Z"' }, invalid('/ts', 'type'), false),
  op('ts on incr', { id: 'ops-ts', op: 'incr', dataText: '{"a":1}', tsText: '5' }, invalid('/ts', 'forbidden')),
  op('ts on append', { id: 'ops-ts', op: 'append', dataText: '{"a":[1]}', tsText: '5' }, invalid('/ts', 'forbidden')),
  op('addToSet scalars of every kind', { id: 'ops-set', op: 'addToSet', dataText: '{"tags":[null,true,1.5,"a"]}' }, 'accepted'),
];
