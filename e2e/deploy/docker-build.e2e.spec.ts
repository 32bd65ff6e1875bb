import { type TestDatabase, createTestDatabase, freePort, testBrokers, testKafka, uniqueName, waitFor } from '@async2/testing';
import type { Admin } from 'kafkajs';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from 'pg';

// Docker does not run on our machines. The proof that the image's contents work: the sources the
// Dockerfile's build stage COPYs are copied to a temporary folder, docker/build-app.mjs (what the
// Dockerfile RUNs) builds the producer there, and the assembled folder (the final stage's /app)
// runs its setup programs and starts with the image's ENV, answering the image's HEALTHCHECK.
const ROOT = join(__dirname, '..', '..');
const DOCKERFILE = readFileSync(join(ROOT, 'docker', 'Dockerfile'), 'utf8');

/** Instructions of the build stage (the first FROM up to the second). */
function buildStage(): string[] {
  const stages = DOCKERFILE.replace(/\\\n\s*/g, ' ').split(/^FROM /m);
  return stages[1].split('\n').map((l) => l.trim());
}

/** The final stage's ENV, as the container gets it. */
function imageEnv(app: string): Record<string, string> {
  const finalStage = DOCKERFILE.replace(/\\\n\s*/g, ' ').split(/^FROM /m)[2];
  const env: Record<string, string> = {};
  for (const line of finalStage.split('\n').filter((l) => l.startsWith('ENV '))) {
    for (const [, name, value] of line.slice(4).matchAll(/(\w+)=(\S+)/g)) env[name] = value.replace('${APP}', app);
  }
  return env;
}

function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { ...options, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` }),
    );
  });
}

describe('docker/Dockerfile build steps, run in a temporary folder', () => {
  const work = mkdtempSync(join(tmpdir(), 'async2-image-'));
  const src = join(work, 'src');
  const app = join(work, 'app');
  let database: TestDatabase;
  let admin: Admin;
  let producer: ChildProcess | undefined;
  const topic = uniqueName('events-image');
  let buildOutput = '';

  beforeAll(async () => {
    // COPY <sources...> <dest> of the build stage, relative to its WORKDIR
    for (const line of buildStage().filter((l) => l.startsWith('COPY '))) {
      const parts = line.split(/\s+/).slice(1);
      const dest = parts.pop()!;
      for (const source of parts) {
        const target = dest.endsWith('/') ? join(src, dest, source.split('/').pop()!) : join(src, dest);
        mkdirSync(dirname(target), { recursive: true });
        cpSync(join(ROOT, source), target, { recursive: true });
      }
    }
    const runLine = buildStage().find((l) => l.startsWith('RUN '))!;
    expect(runLine).toMatch(/node docker\/build-app\.mjs "\$APP" \/out$/);
    const build = await run(process.execPath, ['docker/build-app.mjs', 'producer', app], { cwd: src });
    buildOutput = build.output;
    if (build.code !== 0) throw new Error(`build-app failed:\n${build.output.slice(-4000)}`);

    database = await createTestDatabase('async2_image');
    admin = testKafka().admin();
    await admin.connect();
  }, 600_000);

  afterAll(async () => {
    producer?.kill('SIGKILL');
    await admin?.deleteTopics({ topics: [topic, `${topic}.dlq`] }).catch(() => undefined);
    await admin?.disconnect();
    await database?.drop();
    rmSync(work, { recursive: true, force: true });
  });

  const setupEnv = (extra: Record<string, string> = {}) => ({
    PATH: process.env.PATH,
    ...imageEnv('producer'),
    DATABASE_URL: database.url,
    KAFKA_BROKERS: testBrokers().join(','),
    KAFKA_TOPIC: topic,
    ...extra,
  });

  it('the assembled folder holds the built app and production dependencies only', () => {
    expect(buildOutput).toContain('[build-app] producer assembled');
    expect(existsSync(join(app, 'main.js'))).toBe(true);
    expect(existsSync(join(app, 'dist', 'apps', 'producer', 'src', 'main.js'))).toBe(true);
    expect(existsSync(join(app, 'dist', 'apps', 'consumer'))).toBe(false);
    for (const runtime of ['@nestjs/core', 'kafkajs', 'pg', 'typeorm']) expect({ runtime, present: existsSync(join(app, 'node_modules', runtime)) }).toEqual({ runtime, present: true });
    for (const dev of ['typescript', 'jest', 'nx', '@swc/core', 'eslint', 'node']) expect({ dev, present: existsSync(join(app, 'node_modules', dev)) }).toEqual({ dev, present: false });
  });

  it('its migrate program creates the schema, and a second run finds it up to date', async () => {
    const first = await run(process.execPath, ['dist/libs/data-access/src/persistence/migrate.cli.js'], { cwd: app, env: setupEnv() });
    expect(first).toMatchObject({ code: 0, output: expect.stringMatching(/\[migrate\] applied \w+/) });
    const client = new Client({ connectionString: database.url });
    await client.connect();
    const tables = await client.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1");
    await client.end();
    expect(tables.rows.map((r) => r.table_name)).toEqual(expect.arrayContaining(['events', 'oplog']));
    const second = await run(process.execPath, ['dist/libs/data-access/src/persistence/migrate.cli.js'], { cwd: app, env: setupEnv() });
    expect(second).toMatchObject({ code: 0, output: expect.stringContaining('[migrate] schema is up to date') });
  });

  it('its topic program creates the topics, refuses a silent partition change, and raises only when asked', async () => {
    const topics = (extra: Record<string, string>, args: string[] = []) =>
      run(process.execPath, ['dist/libs/data-access/src/kafka/create-topics.cli.js', ...args], { cwd: app, env: setupEnv(extra) });
    const partitions = async () => (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0].partitions.length;

    expect(await topics({ KAFKA_TOPIC_PARTITIONS: '3' })).toMatchObject({ code: 0, output: expect.stringContaining(`${topic}: created with 3 partitions`) });
    expect(await partitions()).toBe(3);
    expect((await admin.listTopics()).includes(`${topic}.dlq`)).toBe(true);
    expect(await topics({ KAFKA_TOPIC_PARTITIONS: '3' })).toMatchObject({ code: 0, output: expect.stringContaining('has 3 partitions') });

    const refused = await topics({ KAFKA_TOPIC_PARTITIONS: '4' });
    expect(refused).toMatchObject({ code: 1, output: expect.stringMatching(/KAFKA_TOPIC_PARTITIONS=4.*--raise-partitions/) });
    expect(await partitions()).toBe(3);

    expect(await topics({ KAFKA_TOPIC_PARTITIONS: '4' }, ['--raise-partitions'])).toMatchObject({ code: 0, output: expect.stringContaining('raised from 3 to 4 partitions') });
    expect(await partitions()).toBe(4);
    expect(await topics({ KAFKA_TOPIC_PARTITIONS: '4' }, ['--bogus'])).toMatchObject({ code: 1, output: expect.stringContaining('unknown argument --bogus') });
  });

  it('starts with the image ENV and CMD, passes the image HEALTHCHECK, accepts an event and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const env = setupEnv({ PORT: String(port), GRPC_PORT: String(await freePort()), KAFKA_TOPIC_PARTITIONS: '4' });
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(DOCKERFILE)![1]) as string[];
    expect(cmd).toEqual(['node', '--require', './dist/libs/platform/src/telemetry/tracing.preload.js', 'main.js']);
    const logs: string[] = [];
    producer = spawn(process.execPath, cmd.slice(1), { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] });
    producer.stdout?.on('data', (d: Buffer) => logs.push(d.toString()));
    producer.stderr?.on('data', (d: Buffer) => logs.push(d.toString()));
    const exited = new Promise<number | string | null>((resolve) => producer!.once('exit', (code, signal) => resolve(code ?? signal)));

    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined))?.status === 200, {
      timeoutMs: 60_000,
      intervalMs: 200,
      what: 'the built producer to be ready',
    }).catch((error: Error) => Promise.reject(new Error(`${error.message}\n--- producer log ---\n${logs.join('').slice(-4000)}`)));

    const healthcheck = /^HEALTHCHECK .* CMD (\[.*\])$/m.exec(DOCKERFILE.replace(/\\\n\s*/g, ' '))![1];
    const [node, ...args] = JSON.parse(healthcheck) as string[];
    expect(node).toBe('node');
    expect(await run(process.execPath, args, { cwd: app, env })).toMatchObject({ code: 0 });

    const response = await fetch(`http://127.0.0.1:${port}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'image-user-1', op: 'set', data: { built: true } }),
    });
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ status: 'accepted', partition: expect.any(Number), offset: 0 });

    producer.kill('SIGTERM');
    expect(await exited).toBe(0);
    // and the HEALTHCHECK fails once nothing answers
    expect((await run(process.execPath, args, { cwd: app, env })).code).not.toBe(0);
  });
});
