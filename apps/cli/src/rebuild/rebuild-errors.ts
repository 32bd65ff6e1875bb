/** Another instance claimed the partition while the rebuild held it: the shadow is dropped and EVENTS, OPLOG are as they were. Exit 3. */
export class FencedDuringRebuildError extends Error {
  readonly code = 'FENCED';
  readonly retriable = true;

  constructor(readonly partition: number, readonly epoch: number, readonly claimedBy: { owner: string; epoch: number } | undefined) {
    super(
      `partition ${partition}: fenced: ${claimedBy ? `${claimedBy.owner} claimed it (epoch ${claimedBy.epoch})` : 'its OPLOG row changed'} while the rebuild held epoch ${epoch}; ` +
        'nothing was changed (the shadow table is dropped). A consumer restarted by its liveness probe claims its partition again: stop the partition\'s consumer for the rebuild, then run it again',
    );
    this.name = 'FencedDuringRebuildError';
  }
}

/** A rebuild from an offset whose parked state the stored rows cannot give (parked-from-offset.ts), met by the fold after the claim: nothing is swapped in. Exit 1. */
export class InexactParkedStateError extends Error {
  readonly code = 'INEXACT_PARKED_STATE';
  readonly retriable = false;
  constructor(message: string) {
    super(message);
    this.name = 'InexactParkedStateError';
  }
}
