import { DomainError } from '@async2/domain';

/** The ID's partition is not one this instance owns: ask its owner (HTTP 421 Misdirected Request). */
export class NotOwnerError extends DomainError {
  readonly code = 'not_owner';
  readonly retriable = false;
  readonly status = 421;
  constructor(readonly partition: number, owned: number[]) {
    super(`partition ${partition} is not owned by this consumer (it owns [${owned.join(', ')}])`);
    this.name = 'NotOwnerError';
  }
}

/** Another instance claimed the partition (OPLOG's epoch is no longer ours): a zombie never serves. */
export class FencedReadError extends DomainError {
  readonly code = 'fenced';
  readonly retriable = false;
  readonly status = 409;
  constructor(readonly partition: number, epoch: number) {
    super(`partition ${partition}: this consumer's claim (epoch ${epoch}) was taken over by another instance; it does not serve reads`);
    this.name = 'FencedReadError';
  }
}

/** The consumer has not claimed its partitions yet. */
export class NotStartedError extends DomainError {
  readonly code = 'starting';
  readonly retriable = true;
  readonly status = 503;
  constructor() {
    super('the consumer has not claimed its partitions yet');
    this.name = 'NotStartedError';
  }
}

/** The fold did not reach what the read asked for (`after` offset, `minVersion`) within its wait. */
export class FoldNotReachedError extends DomainError {
  readonly code = 'not_reached';
  readonly retriable = true;
  readonly status = 504;
  constructor(what: string, readonly partition: number, readonly foldedUpTo: number, waitMs: number) {
    super(`partition ${partition}: ${what} not reached within ${waitMs} ms (folded up to offset ${foldedUpTo})`);
    this.name = 'FoldNotReachedError';
  }
}

export type FreshReadError = NotOwnerError | FencedReadError | NotStartedError | FoldNotReachedError;
