import type { DataSource } from 'typeorm';

// An arbitrary constant: the advisory lock every instance takes to run migrations one at a time,
// so a producer and consumers starting together do not race to create the same tables.
const MIGRATION_LOCK_KEY = 7_342_001;

/** Applies pending migrations under a session advisory lock; returns the names applied. */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const applied = await dataSource.runMigrations({ transaction: 'all' });
      return applied.map((m) => m.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await runner.release();
  }
}
