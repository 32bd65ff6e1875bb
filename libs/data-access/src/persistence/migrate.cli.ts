// `npm run migrate`, the Helm chart's pre-install/pre-upgrade Job and compose's setup service:
// applies pending migrations under the advisory lock the apps also take on boot, then exits.
// Reads the same variables as the apps (DATABASE_URL, DATABASE_SSL, ...); exit 1 names the problem.
import { hostname } from 'node:os';
import { DataSource } from 'typeorm';
import { EnvReader } from '../config/env-reader';
import { readSharedSettings } from '../config/shared-settings';
import { dataSourceOptions } from './data-source.options';
import { runMigrations } from './run-migrations';

async function main(): Promise<void> {
  const env = new EnvReader({ INSTANCE_ID: `async2-migrate-${hostname()}`, ...process.env });
  const settings = readSharedSettings(env, 'producer');
  env.done();
  // runMigrations holds one connection for the advisory lock while TypeORM migrates on another.
  const dataSource = new DataSource(dataSourceOptions({ ...settings.database, poolSize: Math.max(2, settings.database.poolSize) }));
  await dataSource.initialize();
  try {
    const applied = await runMigrations(dataSource);
    console.log(applied.length > 0 ? `[migrate] applied ${applied.join(', ')}` : '[migrate] schema is up to date');
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: Error) => {
  console.error(`[migrate] ${error.message}`);
  process.exit(1);
});
