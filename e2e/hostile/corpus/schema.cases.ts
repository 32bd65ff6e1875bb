import { type HttpCase, invalid } from '../hostile-case';

// Valid JSON, wrong shape: each wrong type, value or field named by its JSON pointer.
const ev = (name: string, event: HttpCase['event'], field: string, rule: string): HttpCase => ({ name, category: 'schema', event, expect: invalid(field, rule) });
const body = (name: string, text: string, field: string, rule: string, path = '/v1/events'): HttpCase => ({ name, category: 'schema', path, body: text, expect: invalid(field, rule) });

export const SCHEMA_CASES: HttpCase[] = [
  body('body an array', '[{"id":"s","op":"delete"}]', '', 'type'),
  body('body null', 'null', '', 'type'),
  body('body a string', '"event"', '', 'type'),
  body('body a number', '42', '', 'type'),
  body('body true', 'true', '', 'type'),
  body('id missing', '{"op":"delete"}', '/id', 'required'),
  body('id a number', '{"id":42,"op":"delete"}', '/id', 'type'),
  body('id null', '{"id":null,"op":"delete"}', '/id', 'type'),
  body('id an object', '{"id":{"$ne":""},"op":"delete"}', '/id', 'type'),
  body('id an array', '{"id":["a"],"op":"delete"}', '/id', 'type'),
  ev('id empty', { id: '', op: 'delete' }, '/id', 'non-empty'),
  ev('op missing', { id: 's', dataText: '{}' }, '/op', 'required'),
  ev('op unknown (upsert)', { id: 's', op: 'upsert', dataText: '{}' }, '/op', 'enum'),
  ev('op in capitals (SET)', { id: 's', op: 'SET', dataText: '{}' }, '/op', 'enum'),
  body('op a number', '{"id":"s","op":1,"data":{}}', '/op', 'enum'),
  body('op null', '{"id":"s","op":null}', '/op', 'enum'),
  ev('data on delete', { id: 's', op: 'delete', dataText: '{}' }, '/data', 'forbidden'),
  ev('data missing for set', { id: 's', op: 'set' }, '/data', 'required'),
  ev('data missing for merge', { id: 's', op: 'merge' }, '/data', 'required'),
  ev('data missing for incr', { id: 's', op: 'incr' }, '/data', 'required'),
  ev('data an array', { id: 's', op: 'set', dataText: '[1,2]' }, '/data', 'type'),
  ev('data a string', { id: 's', op: 'set', dataText: '"{}"' }, '/data', 'type'),
  ev('data null', { id: 's', op: 'merge', dataText: 'null' }, '/data', 'type'),
  ev('data a number', { id: 's', op: 'incr', dataText: '5' }, '/data', 'type'),
  body('eventId a number', '{"id":"s","op":"delete","eventId":7}', '/eventId', 'type'),
  body('eventId null', '{"id":"s","op":"delete","eventId":null}', '/eventId', 'type'),
  body('eventId empty', '{"id":"s","op":"delete","eventId":""}', '/eventId', 'non-empty'),
  body('extra field', '{"id":"s","op":"delete","extra":1}', '/extra', 'unknown-field'),
  // `ts` is the client's event time, for set and merge only; the receive time cannot be spoofed (the record keeps them apart).
  body('event time (ts) on a delete', '{"id":"s","op":"delete","ts":0}', '/ts', 'forbidden'),
  body('spoofed producer instance (src)', '{"id":"s","op":"delete","src":"admin"}', '/src', 'unknown-field'),
  body('field name with / and ~', '{"id":"s","op":"delete","a/b~c":1}', '/a~1b~0c', 'unknown-field'),
  body('batch: events missing', '{}', '/events', 'required', '/v1/events:batch'),
  body('batch: events an object', '{"events":{"0":{"id":"s","op":"delete"}}}', '/events', 'type', '/v1/events:batch'),
  body('batch: events empty', '{"events":[]}', '/events', 'min-items', '/v1/events:batch'),
  body('batch: an event that is a string', '{"events":["s"]}', '/events/0', 'type', '/v1/events:batch'),
  body('batch: extra top-level field', '{"events":[{"id":"s","op":"delete"}],"atomic":false}', '/atomic', 'unknown-field', '/v1/events:batch'),
  body('batch: one bad op among good events', '{"events":[{"id":"s","op":"delete"},{"id":"s","op":"remove"}]}', '/events/1/op', 'enum', '/v1/events:batch'),
  { name: 'single event sent as text/plain', category: 'schema', headers: { 'content-type': 'text/plain' }, body: '{"id":"s","op":"delete"}', expect: invalid('content-type', 'media-type', 415, 'unsupported_media_type') },
  { name: 'JSON declared in UTF-16', category: 'schema', headers: { 'content-type': 'application/json; charset=utf-16' }, body: '{"id":"s","op":"delete"}', expect: invalid('content-type', 'charset', 415, 'unsupported_media_type') },
];
