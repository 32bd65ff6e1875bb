import { type HttpCase, invalid } from '../hostile-case';

// DATA_MAX_DEPTH is 32: `{}` is depth 1. A body nesting deeper than any valid request can (data's
// cap + 3, for a batch) is refused on its text before JSON.parse builds it (field '': the body;
// over gRPC, `/data`, whose text is checked the same way against the data cap). Within that
// bound the validator names the exact pointer, without recursion.
const objects = (depth: number) => '{"a":'.repeat(depth - 1) + '{}' + '}'.repeat(depth - 1);
const arrays = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const pointer = (depth: number) => '/data' + '/a'.repeat(depth - 1);
const tooDeep = invalid('', 'max-depth');

export const DEPTH_CASES: HttpCase[] = [
  { name: 'data nested exactly 32 objects deep', category: 'depth', event: { id: 'depth-cap', op: 'set', dataText: objects(32) }, expect: 'accepted' },
  { name: 'data nested 33 objects deep', category: 'depth', event: { id: 'depth', op: 'set', dataText: objects(33) }, expect: invalid(pointer(33), 'max-depth') },
  { name: 'data nested 34 objects deep (a body of 35, within the bound)', category: 'depth', body: `{"id":"depth","op":"merge","data":${objects(34)}}`, expect: invalid(pointer(33), 'max-depth') },
  { name: 'data nested 35 objects deep (a body of 36, past the bound)', category: 'depth', body: `{"id":"depth","op":"merge","data":${objects(35)}}`, expect: tooDeep },
  { name: 'data nested 1,000 objects deep', category: 'depth', event: { id: 'depth', op: 'merge', dataText: objects(1000) }, expect: tooDeep },
  { name: 'data holding 1,000,000 nested arrays', category: 'depth', event: { id: 'depth', op: 'set', dataText: `{"a":${arrays(1_000_000)}}` }, expect: tooDeep },
  { name: 'body of 1,000,000 nested arrays', category: 'depth', body: arrays(1_000_000), expect: tooDeep },
  { name: 'unknown field holding 1,000,000 nested arrays', category: 'depth', body: `{"id":"depth","op":"delete","x":${arrays(1_000_000)}}`, expect: tooDeep },
  { name: 'batch event nested 1,000 objects deep', category: 'depth', path: '/v1/events:batch', body: `{"events":[{"id":"depth","op":"set","data":${objects(1000)}}]}`, expect: tooDeep },
  { name: 'batch event nested 32 objects deep (a body of 35)', category: 'depth', path: '/v1/events:batch', body: `{"events":[{"id":"depth-batch","op":"set","data":${objects(32)}}]}`, expect: 'accepted' },
  { name: 'batch event nested 33 objects deep (a body of 36)', category: 'depth', path: '/v1/events:batch', body: `{"events":[{"id":"depth","op":"set","data":${objects(33)}}]}`, expect: tooDeep },
];
