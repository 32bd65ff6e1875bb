// A client library for ASYNC2's change stream: no framework, plain fetch and an SSE parser, so it
// runs in Node 20+ and in browsers alike.
export * from './replica';
export * from './replica-change';
export * from './replica-state';
export * from './sse-parser';
