// The pure domain: the event contract and its validation, Kafka's partitioner, and the fold.
// No framework, no I/O (enforced by @nx/enforce-module-boundaries in eslint.config.mjs).
export * from './event-contract/change-event';
export * from './event-contract/event-limits';
export * from './event-contract/validation-error';
export * from './event-contract/event-validator';
export * from './event-contract/text-rules';
export * from './event-contract/json-nesting';
export * from './partitioner/murmur2';
export * from './partitioner/partition-for-key';
export * from './fold/merge-patch';
export * from './fold/entity-record';
export * from './fold/apply-event';
export * from './fold/condition-verdict';
export * from './read/write-token';
export * from './fold/flush-plan';
export * from './fold/partition-buffer';
export * from './fold/parked-ids';
export * from './fold/producer-sequences';
export * from './fold/fresh-record';
export * from './fold/expiry';
export * from './read/read-consistency';
export * from './changes/committed-change';
export * from './changes/change-cursor';
export * from './partitioner/partition-placement';
