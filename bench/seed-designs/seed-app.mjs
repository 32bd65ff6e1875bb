// The seed's two other designs as one small HTTP service (a bare NestJS app on Fastify, like
// bench/echo-app and the producer), so the bench drives them with the same load generator and
// bodies as the producer: POST /v1/events (one event), POST /v1/events:batch ({"events": [...]}).
// Both validate with the domain's validator, stamp the receive time, and answer 202 when the design
// has stored the events. DESIGN=sync|async1; its own database (DATABASE_URL), migrated with the
// app's migrations (the same EVENTS and OPLOG tables). GET /stats?reset=1: events applied to EVENTS
// so far, and the visibility lag (receive -> commit in EVENTS) quantiles since the last reset.
//   DESIGN=sync DATABASE_URL=postgres://... PORT=3998 node bench/seed-designs/seed-app.mjs
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ROOT } from '../lib/services.mjs';
import { Async1Design } from './async1-design.mjs';
import { domain } from './entity-rows.mjs';
import { LagSamples } from './lag-samples.mjs';
import { SyncDesign } from './sync-design.mjs';

const require = createRequire(import.meta.url);
require('reflect-metadata');
const pg = require('pg');
const { DataSource } = require('typeorm');
const { Body, Controller, Get, HttpCode, HttpException, Module, Post, Query } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { FastifyAdapter } = require('@nestjs/platform-fastify');
const { dataSourceOptions, runMigrations } = require(join(ROOT, 'dist/libs/data-access/src/index.js'));

const DESIGNS = { sync: SyncDesign, async1: Async1Design };
const designName = process.env.DESIGN ?? '';
if (!DESIGNS[designName]) throw new Error(`DESIGN must be one of ${Object.keys(DESIGNS).join(', ')}; got "${designName}"`);
const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL is required');

const migrator = new DataSource(dataSourceOptions({ url, poolSize: 1, applicationName: `bench-${designName}-migrate` }));
await migrator.initialize();
await runMigrations(migrator);
await migrator.destroy();

const pool = new pg.Pool({ connectionString: url, max: 10, application_name: `bench-${designName}` });
const lag = new LagSamples();
const design = new DESIGNS[designName](pool, lag);
await design.start();

const stamp = (events) => {
  const ts = Date.now();
  return events.map((e) => ({ ...e, ts, src: designName }));
};
const invalid = (error) => {
  if (error instanceof domain.ValidationError) return new HttpException({ error: 'invalid', violations: error.violations }, 400);
  return error;
};

class SeedController {
  async single(body) {
    let events;
    try {
      events = stamp([domain.validateEvent(body, domain.DEFAULT_EVENT_LIMITS)]);
    } catch (error) {
      throw invalid(error);
    }
    await design.ingest(events);
    return { status: 'accepted' };
  }

  async batch(body) {
    let events;
    try {
      events = stamp(domain.validateBatch(body, domain.DEFAULT_EVENT_LIMITS));
    } catch (error) {
      throw invalid(error);
    }
    await design.ingest(events);
    return { accepted: events.length };
  }

  stats(reset) {
    return { applied: design.applied, lag: lag.take(reset === '1') };
  }

  health() {
    return { status: 'ok' };
  }
}
const method = (name) => Object.getOwnPropertyDescriptor(SeedController.prototype, name);
for (const name of ['single', 'batch']) {
  Body()(SeedController.prototype, name, 0);
  Reflect.defineMetadata('design:paramtypes', [Object], SeedController.prototype, name);
  HttpCode(202)(SeedController.prototype, name, method(name));
}
Post('v1/events')(SeedController.prototype, 'single', method('single'));
Post('v1/events::batch')(SeedController.prototype, 'batch', method('batch'));
Query('reset')(SeedController.prototype, 'stats', 0);
Reflect.defineMetadata('design:paramtypes', [String], SeedController.prototype, 'stats');
Get('stats')(SeedController.prototype, 'stats', method('stats'));
Get('health')(SeedController.prototype, 'health', method('health'));
Controller()(SeedController);

class SeedModule {}
Module({ controllers: [SeedController] })(SeedModule);

const adapter = new FastifyAdapter({ bodyLimit: 4 * 1024 * 1024, http: { insecureHTTPParser: false } });
const app = await NestFactory.create(SeedModule, adapter, { logger: ['error'] });
await app.listen(Number(process.env.PORT ?? 3998), '127.0.0.1');
process.on('SIGTERM', async () => {
  await app.close();
  await design.stop();
  await pool.end();
  process.exit(0);
});
