import { type DataSource, MigrationExecutor } from 'typeorm';

// An arbitrary constant: the advisory lock every instance takes to run migrations one at a time,
// so a producer and consumers starting together do not race to create the same tables.
const MIGRATION_LOCK_KEY = 7_342_001;

/**
 * Applies pending migrations under a session advisory lock; returns the names applied. They run on
 * the lock's own connection: with DATABASE_POOL_SIZE=1, a second connection for them would wait
 * for ever for the one the lock holds.
 */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const executor = new MigrationExecutor(dataSource, runner);
      executor.transaction = 'all';
      const applied = await executor.executePendingMigrations();
      return applied.map((m) => m.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await runner.release();
  }
}
