import { DomainError } from '@async2/domain';

export class EntityNotFoundError extends DomainError {
  readonly code = 'not_found';
  readonly retriable = false;
  constructor(readonly id: string) {
    super('no entity with this id (never written, deleted, or not yet materialised)');
    this.name = 'EntityNotFoundError';
  }
}

/** The consumer has not applied the write named by `after` within the wait bound. */
export class ReadAfterTimeoutError extends DomainError {
  readonly code = 'not_yet_applied';
  readonly retriable = true;
  constructor(readonly partition: number, readonly offset: number, readonly appliedUpTo: number | undefined, timeoutMs: number) {
    super(`partition ${partition} has not reached offset ${offset} within ${timeoutMs} ms (next offset: ${appliedUpTo ?? 'none'})`);
    this.name = 'ReadAfterTimeoutError';
  }
}
