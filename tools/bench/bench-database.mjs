// The flush tools' fresh database: created on DATABASE_ADMIN_URL, migrated with the built data-access
// lib (`npm run build` first), handed to the tool as a TypeORM DataSource (and its URL), and dropped
// at the end whatever happened.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
require('reflect-metadata');
const pg = require('pg');
const { DataSource } = require('typeorm');

const ADMIN_URL = process.env.DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A module of a build's dist/ (this checkout's by default), e.g. 'libs/data-access/src/index.js'. */
export function fromDist(path, dist = join(ROOT, 'dist')) {
  return require(join(dist, path));
}

/** The median of some figures (the upper one of an even count). */
export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Runs `work(dataSource, url)` on a fresh migrated database named after `prefix`, then drops it. */
export async function withMigratedDatabase(prefix, poolSize, work) {
  const { dataSourceOptions, runMigrations } = fromDist('libs/data-access/src/index.js');
  const name = `${prefix}_${process.pid}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const dataSource = new DataSource(dataSourceOptions({ url: url.toString(), poolSize, applicationName: 'bench' }));
  try {
    await dataSource.initialize();
    await runMigrations(dataSource);
    return await work(dataSource, url.toString());
  } finally {
    await dataSource.destroy().catch(() => undefined);
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}
