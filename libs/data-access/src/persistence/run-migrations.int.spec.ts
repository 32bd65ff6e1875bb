import { createTestDatabase, type TestDatabase } from '@async2/testing';
import { DataSource } from 'typeorm';
import { MIGRATIONS, dataSourceOptions } from './data-source.options';
import { runMigrations } from './run-migrations';

// Real PostgreSQL with a pool of ONE connection (DATABASE_POOL_SIZE=1): the migrations must run on
// the connection that holds the advisory lock, or they wait for ever for a second one.
describe('runMigrations with a pool of one connection', () => {
  let db: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = new DataSource(dataSourceOptions({ url: db.url, poolSize: 1, applicationName: 'async2-test-pool-1', idleInTransactionTimeoutMs: 60_000 }));
    await dataSource.initialize();
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  const within = <T>(ms: number, work: Promise<T>) =>
    Promise.race([work, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still waiting after ${ms} ms (a second connection that a pool of one cannot give?)`)), ms).unref())]);

  it('applies every migration, then finds nothing to do, and the pool is usable afterwards', async () => {
    await expect(within(15_000, runMigrations(dataSource))).resolves.toEqual(MIGRATIONS.map((M) => new M().name));
    await expect(within(15_000, runMigrations(dataSource))).resolves.toEqual([]);
    await expect(within(5_000, dataSource.query('SELECT count(*)::int AS n FROM oplog'))).resolves.toEqual([{ n: 0 }]);
  }, 60_000);
});
