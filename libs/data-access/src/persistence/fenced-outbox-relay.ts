import { DomainError } from '@async2/domain';
import type { DataSource, QueryRunner } from 'typeorm';
import { type PendingChange, ChangeOutboxRepository } from './change-outbox.repository';
import { HOLD_LIVE_EPOCHS } from './epoch-fence';
import type { OplogKey } from './oplog.repository';

/** A partition this instance believes it owns, with the epoch its claim got. */
export interface RelayClaim {
  partition: number;
  epoch: number;
}

export interface RelayBatchResult {
  /** Outbox rows published and deleted. */
  published: number;
  /** Claimed partitions whose OPLOG epoch moved: another instance owns them; nothing of theirs was published. */
  lost: number[];
}

/**
 * The relay's fence (rule 3 of epoch-fence.ts): publishes the oldest outbox rows of partitions whose OPLOG epoch is still
 * ours, in ONE transaction that holds a share lock on those OPLOG rows from before the publish
 * until the rows are deleted (COMMIT).
 *
 * Why this order is safe. A publish to Kafka cannot be inside a database transaction, but a lock
 * can be held across it. The next owner's claim (`UPDATE oplog SET epoch = epoch + 1`, see
 * OplogRepository.claim) needs a row lock that conflicts with FOR SHARE, so:
 *   - relay first: SELECT ... epoch = mine FOR SHARE  ->  publish (acked)  ->  DELETE  ->  COMMIT,
 *     and only then can the claim take the row: every record the old owner published is in Kafka
 *     before the new owner even starts (and its outbox rows are gone, or left for it to republish
 *     in order when the publish failed and we rolled back);
 *   - claim first: our SELECT waits for it, re-reads the row (READ COMMITTED re-checks the WHERE on
 *     the new version), finds another epoch and returns nothing: the partition is lost, nothing is
 *     published, and the relay stops relaying it.
 * So on the compacted change topic a zombie's older version can never land after the new owner's
 * newer one. Our own flushes wait for the lock too (their UPDATE of OPLOG conflicts with it): one
 * publish at most, and a flush never waits while holding a lock the relay needs (the relay takes
 * nothing the flush holds), so no deadlock.
 *
 * The limit: PostgreSQL ends a session idle in a transaction after DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS
 * (so a frozen instance cannot block a takeover for ever), which releases the lock. A relay frozen
 * that long after taking the lock and before its request reaches Kafka could still publish late;
 * `maxLockAgeMs` (half that timeout) refuses to start a publish on a lock that old, leaving only a
 * freeze inside the client's send path itself.
 */
export class FencedOutboxRelay {
  private readonly outbox: ChangeOutboxRepository;

  constructor(private readonly dataSource: DataSource, private readonly key: OplogKey, private readonly maxLockAgeMs: number) {
    this.outbox = new ChangeOutboxRepository(dataSource);
  }

  /** One batch: lock live claims, read the oldest rows, `publish` them (it must resolve only once Kafka acked), delete, commit. */
  async relayBatch(claims: readonly RelayClaim[], limit: number, publish: (changes: PendingChange[], lockAlive: () => void) => Promise<void>): Promise<RelayBatchResult> {
    if (claims.length === 0) return { published: 0, lost: [] };
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction('READ COMMITTED');
      const live = await this.lockLiveClaims(runner, claims);
      const lockedAt = Date.now();
      const lost = claims.map((c) => c.partition).filter((p) => !live.includes(p));
      const pending = await this.outbox.oldest(live, limit, runner);
      if (pending.length > 0) {
        await publish(pending, () => {
          const age = Date.now() - lockedAt;
          if (age > this.maxLockAgeMs) throw new RelayLockExpiredError(age, this.maxLockAgeMs);
        });
        await runner.query('DELETE FROM change_outbox WHERE seq = ANY($1::bigint[])', [pending.map((p) => p.seq)]);
      }
      await runner.commitTransaction();
      return { published: pending.length, lost };
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }

  /** The claimed partitions whose OPLOG epoch is still ours, share-locked until COMMIT. */
  private async lockLiveClaims(runner: QueryRunner, claims: readonly RelayClaim[]): Promise<number[]> {
    const rows: Array<{ partition: number }> = await runner.query(
      HOLD_LIVE_EPOCHS,
      [this.key.consumerGroup, this.key.topic, claims.map((c) => c.partition), claims.map((c) => c.epoch)],
    );
    return rows.map((r) => r.partition);
  }
}

/** The relay's lock is older than a frozen session may keep it: do not publish under it. */
export class RelayLockExpiredError extends DomainError {
  readonly code = 'relay_lock_expired';
  readonly retriable = true;
  constructor(ageMs: number, maxMs: number) {
    super(`the relay's OPLOG lock is ${ageMs} ms old (at most ${maxMs}): not publishing under it; the next run retries`);
    this.name = 'RelayLockExpiredError';
  }
}
