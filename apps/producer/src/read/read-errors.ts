import { DomainError } from '@async2/domain';

export class EntityNotFoundError extends DomainError {
  readonly code = 'not_found';
  readonly retriable = false;
  constructor(readonly id: string) {
    super('no entity with this id (never written, deleted, or not yet materialised)');
    this.name = 'EntityNotFoundError';
  }
}

/** No state to show, and the ID is parked (docs/parking.md): its first event was refused, or all of its state was. */
export class ParkedEntityNotFoundError extends EntityNotFoundError {
  readonly parked = true;
  constructor(id: string, readonly parkedReason: string) {
    super(id);
    this.message = `no state for this id yet: it is parked (${parkedReason}); an operator replays or discards its events (async2 parked show)`;
    this.name = 'ParkedEntityNotFoundError';
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

/**
 * A read with `minVersion` found only an older version (the owner did not reach it in time and the
 * database is behind it): refusing is what keeps reads monotonic. Retry: the owner will get there.
 */
export class StaleReadRefusedError extends DomainError {
  readonly code = 'version_not_reached';
  readonly retriable = true;
  readonly retryAfterSeconds = 1;
  constructor(readonly id: string, readonly minVersion: number, readonly available: number, why: string) {
    super(`no source has version ${minVersion} of this id yet (the database has ${available}; ${why}); refusing to answer with an older version`);
    this.name = 'StaleReadRefusedError';
  }
}

/** GET /v1/events/{p}:{o}: no verdict is stored at this position (an unconditional event, or past the retention). */
export class VerdictNotFoundError extends DomainError {
  readonly code = 'no_verdict';
  readonly retriable = false;
  constructor(readonly token: string) {
    super(`no verdict at ${token}: verdicts are kept only for conditional events (with "if"), for VERDICT_RETENTION_MS; an unconditional event applies as any event does`);
    this.name = 'VerdictNotFoundError';
  }
}
