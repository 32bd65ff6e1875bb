#!/usr/bin/env node
// Local single-node Apache Kafka (KRaft) for `npm start` and `npm test`, without Docker or a Kafka install:
// Maven fetches the broker jars once into .cache/kafka/<version>/libs and Java runs `kafka.Kafka` from them.
// CLI:    node tools/local-kafka/kafka.mjs start|stop|status   (port from KAFKA_LOCAL_PORT, default 9092;
//         KAFKA_LOCAL_DATA_DIR selects another broker instance than the default .cache/kafka/data;
//         KAFKA_LOCAL_SCRAM=user:password adds a SASL/SCRAM-SHA-256 listener on port + 2;
//         KAFKA_LOCAL_NODE_ID, KAFKA_LOCAL_VOTERS and KAFKA_LOCAL_CLUSTER_ID make it one node of a cluster)
//         node tools/local-kafka/kafka.mjs run <main class> [args...]   (a Kafka tool from the same jars)
// Module: ensureLocalKafka({ port, controllerPort, dataDir, ephemeral, node, log }), stopLocalKafka({ port, dataDir }),
//         kafkaLibs({ log }) (the jars' directory, for a tool run in a JVM of one's own)
// Plain ESM with Node builtins only (runs on Node 20+); kafkajs is imported lazily for the readiness check.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, readdirSync, writeFileSync, rmSync, renameSync, realpathSync } from 'node:fs';
import { connect } from 'node:net';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

const HERE = dirname(fileURLToPath(import.meta.url));
const CACHE = resolve(HERE, '../../.cache/kafka');
const POM = join(HERE, 'pom.xml');
// Honour JAVA_HOME like Kafka's own scripts do, so a non-default JDK can be picked without touching PATH.
const JAVA = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;
const defaultPort = () => Number(process.env.KAFKA_LOCAL_PORT ?? 9092);
/** KAFKA_LOCAL_SCRAM=user:password adds a SASL/SCRAM-SHA-256 listener on port + 2 with that user. */
const scramFromEnv = () => {
  const raw = process.env.KAFKA_LOCAL_SCRAM;
  if (!raw) return undefined;
  const at = raw.indexOf(':');
  if (at < 1 || !/^[A-Za-z0-9_-]+:[A-Za-z0-9_-]+$/.test(raw)) throw new Error('KAFKA_LOCAL_SCRAM must be user:password (letters, digits, _ and -)');
  return { username: raw.slice(0, at), password: raw.slice(at + 1) };
};
/**
 * A cluster node: KAFKA_LOCAL_NODE_ID=2 KAFKA_LOCAL_VOTERS=1@127.0.0.1:p1,2@127.0.0.1:p2,3@127.0.0.1:p3
 * KAFKA_LOCAL_CLUSTER_ID=<the same for every node>; the node's controller port is its own voter's.
 */
const nodeFromEnv = () => {
  const id = process.env.KAFKA_LOCAL_NODE_ID;
  if (!id) return undefined;
  const voters = process.env.KAFKA_LOCAL_VOTERS ?? '';
  const clusterId = process.env.KAFKA_LOCAL_CLUSTER_ID ?? '';
  if (!/^\d+$/.test(id) || !/^\d+@127\.0\.0\.1:\d+(,\d+@127\.0\.0\.1:\d+)*$/.test(voters) || !/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/.test(clusterId)) {
    throw new Error('a cluster node needs KAFKA_LOCAL_NODE_ID=<n>, KAFKA_LOCAL_VOTERS=<id>@127.0.0.1:<port>,... and KAFKA_LOCAL_CLUSTER_ID=<22 base64url chars>');
  }
  const controllerPort = Number(voters.split(',').find((v) => v.startsWith(`${id}@`))?.split(':')[1]);
  if (!controllerPort) throw new Error(`KAFKA_LOCAL_VOTERS has no voter for node ${id}`);
  return { id: Number(id), voters, clusterId, controllerPort };
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const say = (log, msg) => log(`[local-kafka] ${msg}`);

/** Runs a command to completion, capturing output; rejects only if it cannot be started (e.g. ENOENT). */
function run(cmd, args) {
  return new Promise((res, rej) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', rej);
    child.on('close', (code) => res({ code, out }));
  });
}

/** All files of one broker instance live next to its data dir, so an instance is just a directory. */
function instanceFor({ dataDir, ephemeral }) {
  const data = ephemeral ? join(CACHE, 'runs', randomBytes(6).toString('hex'), 'data') : resolve(dataDir ?? join(CACHE, 'data'));
  const dir = dirname(data);
  const f = (name) => join(dir, name);
  return { dir, data, pidFile: f('broker.pid'), logFile: f('broker.log'), props: f('server.properties'), log4j: f('log4j2.yaml') };
}

/** Java 17+ is what Kafka 4 needs; parse `java -version` (stderr) which reads `version "17.0.15"` or `"1.8.0_x"`. */
async function checkJava(log) {
  say(log, 'checking Java (17 or newer required)');
  const help = 'Java 17 or newer is required to run the local Kafka broker: install openjdk-17-jre (e.g. `sudo apt-get install openjdk-17-jre-headless`) or set JAVA_HOME';
  const res = await run(JAVA, ['-version']).catch(() => null);
  const m = res?.out.match(/version "([^"]+)"/);
  if (!m) throw new Error(`${help} (no working \`${JAVA}\` found).`);
  const parts = m[1].split(/[.+_-]/).map(Number);
  const major = parts[0] === 1 ? parts[1] : parts[0];
  if (!(major >= 17)) throw new Error(`${help} (found Java ${m[1]}).`);
  say(log, `Java ${m[1]} found`);
}

/** Maven is only needed for the one-time download, so this runs only when the jars are not cached. */
async function checkMaven(log) {
  say(log, 'checking Maven');
  const res = await run('mvn', ['-v']).catch(() => null);
  if (res?.code !== 0) throw new Error('Maven (`mvn`) is required once to download Apache Kafka: install it (e.g. `sudo apt-get install maven`) and retry.');
}

/** The jar file names of the pom's direct dependencies (e.g. kafka-tools-4.1.1.jar), its properties resolved. */
function pomJars(pom) {
  const props = Object.fromEntries([...pom.matchAll(/<([\w.]+\.version)>([^<]+)</g)].map((m) => [m[1], m[2]]));
  const dependencies = pom.slice(pom.indexOf('<dependencies>'));
  return [...dependencies.matchAll(/<artifactId>([^<]+)<\/artifactId>\s*<version>([^<]+)<\/version>/g)]
    .map(([, artifact, version]) => `${artifact}-${version.replace(/\$\{([^}]+)\}/g, (_, name) => props[name])}.jar`);
}

/**
 * Downloads into a temp dir and renames when complete, so an interrupted download never looks like a cache.
 * A cache from an older pom (a dependency added since) gets the missing jars moved in, one rename each:
 * brokers already running from it keep their files.
 */
async function ensureJars(log) {
  const pom = readFileSync(POM, 'utf8');
  const version = pom.match(/<kafka\.version>([^<]+)</)[1];
  const libs = join(CACHE, version, 'libs');
  if (pomJars(pom).every((jar) => existsSync(join(libs, jar)))) return libs;
  await checkMaven(log);
  say(log, `downloading Apache Kafka ${version} with Maven`);
  const tmp = `${libs}.tmp-${process.pid}-${randomBytes(3).toString('hex')}`;
  const args = ['-q', '-B', '-f', POM, 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${tmp}`];
  const res = await run('mvn', args);
  if (res.code !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`Maven could not download Apache Kafka ${version}:\n${res.out.trim().split('\n').slice(-20).join('\n')}`);
  }
  if (!existsSync(libs)) try { renameSync(tmp, libs); } catch { /* a parallel run won the race */ }
  if (existsSync(tmp)) {
    for (const jar of readdirSync(tmp)) if (!existsSync(join(libs, jar))) renameSync(join(tmp, jar), join(libs, jar));
    rmSync(tmp, { recursive: true, force: true });
  }
  return libs;
}

/**
 * The replication settings: a single node keeps one copy of everything; a cluster node (3 voters) what a
 * production cluster has: RF 3 by default, acks=all needs 2 in sync, and no out-of-sync replica ever leads.
 */
function replicationProps(node) {
  if (!node) return { 'offsets.topic.replication.factor': 1, 'transaction.state.log.replication.factor': 1, 'transaction.state.log.min.isr': 1 };
  const rf = Math.min(3, node.voters.split(',').length);
  const minIsr = Math.min(2, rf);
  return {
    'offsets.topic.replication.factor': rf, 'transaction.state.log.replication.factor': rf, 'transaction.state.log.min.isr': minIsr,
    'default.replication.factor': rf, 'min.insync.replicas': minIsr, 'unclean.leader.election.enable': false,
  };
}

/** Rewritten on every launch so port changes apply; a node acting as broker and KRaft controller, alone or with `node.voters`. */
function writeConfig(inst, port, controllerPort, scram, node) {
  // With `scram`, a second client listener on port + 2 takes SASL/SCRAM-SHA-256 (used by the tests of Kafka SASL settings).
  const sasl = scram ? { listener: `,SASL_PLAINTEXT://127.0.0.1:${port + 2}`, map: ',SASL_PLAINTEXT:SASL_PLAINTEXT' } : { listener: '', map: '' };
  const props = {
    'process.roles': 'broker,controller', 'node.id': node?.id ?? 1, 'controller.quorum.voters': node?.voters ?? `1@127.0.0.1:${controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}${sasl.listener}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${port}${sasl.listener}`, 'controller.listener.names': 'CONTROLLER',
    'listener.security.protocol.map': `PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT${sasl.map}`, 'inter.broker.listener.name': 'PLAINTEXT',
    ...(scram ? {
      'sasl.enabled.mechanisms': 'SCRAM-SHA-256',
      'listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required;',
    } : {}),
    'log.dirs': inst.data, ...replicationProps(node), 'group.initial.rebalance.delay.ms': 0,
    'auto.create.topics.enable': false, 'num.partitions': 1, // topics are created explicitly by the app/tests
  };
  writeFileSync(inst.props, Object.entries(props).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  // Quiet log (WARN) except the one INFO line that says "Kafka Server started".
  writeFileSync(inst.log4j, `Configuration:
  Appenders:
    Console: { name: STDOUT, PatternLayout: { pattern: "[%d] %p %m (%c)%n" } }
  Loggers:
    Root: { level: WARN, AppenderRef: [{ ref: STDOUT }] }
    Logger: [{ name: kafka.server.KafkaRaftServer, level: INFO, additivity: false, AppenderRef: [{ ref: STDOUT }] }]
`);
}

/** Formats once; an existing meta.properties means the cluster (and its topics) already exists. */
async function formatStorage(inst, libs, log, scram, node) {
  if (existsSync(join(inst.data, 'meta.properties'))) return say(log, 'KRaft storage already formatted');
  say(log, 'formatting KRaft storage');
  let clusterId = node?.clusterId; // every node of a cluster is formatted with the same id
  // 16 random bytes = 22 base64url chars; a leading '-' would be parsed as a CLI option
  while (!clusterId || clusterId.startsWith('-')) clusterId = randomBytes(16).toString('base64url');
  const addScram = scram ? ['--add-scram', `SCRAM-SHA-256=[name=${scram.username},password=${scram.password}]`] : [];
  const res = await run(JAVA, ['-cp', join(libs, '*'), 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', inst.props, ...addScram]);
  if (res.code !== 0) throw new Error(`formatting KRaft storage in ${inst.data} failed:\n${res.out.trim()}`);
}

/** True if something accepts TCP connections on 127.0.0.1:port. */
function portAnswers(port) {
  return new Promise((res) => {
    const sock = connect({ host: '127.0.0.1', port });
    const done = (ok) => { sock.destroy(); res(ok); };
    sock.setTimeout(1000, () => done(false)).once('connect', () => done(true)).once('error', () => done(false));
  });
}

function isAlive(pid) {
  try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; }
}

/** Guards against pid reuse: only a JVM running kafka.Kafka with this instance's server.properties is ours. */
function isOurBroker(pid, inst) {
  if (!pid || !isAlive(pid)) return false;
  let cmd = '';
  try { cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' '); }
  catch { cmd = spawnSync('ps', ['-ww', '-o', 'args=', '-p', String(pid)], { encoding: 'utf8' }).stdout ?? ''; }
  return cmd.includes('kafka.Kafka') && cmd.includes(inst.props);
}

const readPid = (inst) => (existsSync(inst.pidFile) ? Number(readFileSync(inst.pidFile, 'utf8').trim()) || 0 : 0);
const configuredPort = (inst) => Number(readFileSync(inst.props, 'utf8').match(/PLAINTEXT:\/\/127\.0\.0\.1:(\d+)/)?.[1]);
const tail = (file, n) => (existsSync(file) ? readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n).join('\n') : '(no log)');

/** Detached JVM (own process group, survives the CLI exiting); stdout/stderr go straight to the log file. */
function launchBroker(inst, libs, node) {
  const out = openSync(inst.logFile, 'w'); // fresh per launch, so a failure tail shows this launch only
  // Three cluster nodes share a small box with PostgreSQL and the apps: a smaller heap each.
  const heap = node ? ['-Xms128m', '-Xmx512m'] : ['-Xms256m', '-Xmx768m'];
  const args = [...heap, '-XX:+UseG1GC', `-Dlog4j2.configurationFile=${inst.log4j}`, '-cp', join(libs, '*'), 'kafka.Kafka', inst.props];
  const child = spawn(JAVA, args, { cwd: inst.dir, detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  child.unref();
  writeFileSync(inst.pidFile, `${child.pid}\n`);
  return child.pid;
}

/**
 * Ephemeral brokers get a watchdog: a tiny detached node process whose stdin is a pipe from us. The OS closes
 * that pipe however we die (even SIGKILL), and then the watchdog stops the broker and deletes the run dir.
 * (The JVM ignores stdin, so it cannot watch the pipe itself.) stop() kills the watchdog first.
 */
function startWatchdog(pid, inst) {
  const src = `const fs=require('fs'),pid=+process.argv[1],dir=process.argv[2];
const alive=()=>{try{process.kill(pid,0);return true}catch(e){return e.code==='EPERM'}};
process.stdin.resume();process.stdin.on('close',()=>{const t0=Date.now();try{process.kill(pid,'SIGTERM')}catch{}
setInterval(()=>{if(!alive()){fs.rmSync(dir,{recursive:true,force:true});process.exit(0)}
if(Date.now()-t0>${STOP_TIMEOUT_MS}){try{process.kill(pid,'SIGKILL')}catch{}}},200)});`;
  const dog = spawn(process.execPath, ['-e', src, String(pid), inst.dir], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
  dog.unref();
  dog.stdin.unref(); // the pipe must not keep our own event loop alive
  return dog;
}

/**
 * kafkajs 2.2.4 arms a timer of (-1 - Date.now()) ms after every answer when nothing is pending, which
 * Node 24+ reports as TimeoutNegativeWarning: the apps' fix (libs/data-access/src/kafka/
 * kafkajs-idle-queue-timer.fix.ts, where the why is) again here, as this file runs without a build.
 */
function skipKafkajsIdleQueueTimer() {
  const { prototype } = createRequire(import.meta.url)('kafkajs/src/network/requestQueue');
  if (prototype.scheduleCheckPendingRequests.idleTimerSkipped) return;
  const schedule = prototype.scheduleCheckPendingRequests;
  prototype.scheduleCheckPendingRequests = function () {
    if (this.pending.length === 0 && this.throttledUntil <= Date.now()) return;
    schedule.call(this);
  };
  prototype.scheduleCheckPendingRequests.idleTimerSkipped = true;
}

/** Ready = a kafkajs admin client connects and listTopics() succeeds; polls until the deadline, fails fast if the JVM died. */
async function waitReady(port, pid) {
  const { Kafka, logLevel } = (await import('kafkajs')).default; // CommonJS package: its exports are `default`
  skipKafkajsIdleQueueTimer();
  const kafka = new Kafka({ clientId: 'local-kafka-ready', brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING,
    connectionTimeout: 1000, requestTimeout: 5000, retry: { retries: 0 } });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const admin = kafka.admin({ retry: { retries: 0 } });
    try { await admin.connect(); await admin.listTopics(); return; }
    catch (e) {
      if (!isAlive(pid)) throw new Error(`the broker process (pid ${pid}) exited during startup`);
      if (Date.now() > deadline) throw new Error(`the broker did not become ready within ${READY_TIMEOUT_MS / 1000} s (${e.message})`);
    } finally { await admin.disconnect().catch(() => {}); }
    await sleep(250);
  }
}

/** SIGTERM lets Kafka shut down cleanly (flush logs, release the lock); SIGKILL only after STOP_TIMEOUT_MS. */
async function killProcess(pid) {
  try { process.kill(pid, 'SIGTERM'); } catch { return; }
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
}

export async function ensureLocalKafka({ port = defaultPort(), node = nodeFromEnv(), controllerPort = node?.controllerPort ?? port + 1, dataDir, ephemeral = false, scram = scramFromEnv(), log = console.log } = {}) {
  const inst = instanceFor({ dataDir, ephemeral });
  const brokers = `127.0.0.1:${port}`;
  const existing = ephemeral ? 0 : readPid(inst);
  if (isOurBroker(existing, inst)) {
    const running = configuredPort(inst);
    if (running !== port) throw new Error(`the local broker (pid ${existing}) already runs on port ${running}, not ${port}; stop it first (npm run kafka:stop)`);
    say(log, `already running (pid ${existing}) on ${brokers}`);
    await waitReady(port, existing);
    return { brokers, pid: existing, started: false, stop: () => stopLocalKafka({ port, dataDir, log }), logFile: inst.logFile };
  }
  if (existing) rmSync(inst.pidFile, { force: true }); // stale pid file from a crash or reboot
  for (const [p, what] of [[port, 'broker'], [controllerPort, node ? 'KRaft controller' : 'KRaft controller, broker port + 1']]) {
    if (await portAnswers(p)) throw new Error(`port ${p} on 127.0.0.1 (${what}) is already in use by another process, not by this local Kafka; free it or choose another port with KAFKA_LOCAL_PORT=<port>`);
  }
  await checkJava(log);
  const libs = await ensureJars(log);
  mkdirSync(inst.data, { recursive: true });
  writeConfig(inst, port, controllerPort, scram, node);
  await formatStorage(inst, libs, log, scram, node).catch((e) => {
    if (ephemeral) rmSync(inst.dir, { recursive: true, force: true });
    throw e;
  });
  say(log, `starting broker on ${brokers}`);
  const t0 = Date.now();
  const pid = launchBroker(inst, libs, node);
  const dog = ephemeral ? startWatchdog(pid, inst) : null;
  const stop = async () => {
    dog?.kill(); // the watchdog must not race us; we do its job below
    if (isOurBroker(pid, inst)) await killProcess(pid); // never signal a recycled pid after an earlier stop
    rmSync(inst.pidFile, { force: true });
    if (ephemeral) rmSync(inst.dir, { recursive: true, force: true });
  };
  try { await waitReady(port, pid); } catch (e) {
    say(log, `last 40 lines of ${inst.logFile}:\n${tail(inst.logFile, 40)}`);
    await stop();
    throw e;
  }
  say(log, `ready (${Date.now() - t0} ms)`);
  return { brokers, pid, started: true, stop, logFile: inst.logFile };
}

export async function stopLocalKafka({ port = defaultPort(), dataDir, log = console.log } = {}) {
  const inst = instanceFor({ dataDir });
  const pid = readPid(inst);
  if (!isOurBroker(pid, inst)) {
    rmSync(inst.pidFile, { force: true });
    const busy = await portAnswers(port);
    return say(log, busy ? `not running (port ${port} is used by another process; left alone)` : 'not running');
  }
  say(log, `stopping broker (pid ${pid})`);
  await killProcess(pid);
  rmSync(inst.pidFile, { force: true });
  say(log, 'stopped');
}

/** Exit code 0 when the persistent broker runs and answers, 1 otherwise. */
async function status({ log = console.log } = {}) {
  const inst = instanceFor({});
  const pid = readPid(inst);
  if (!isOurBroker(pid, inst)) return say(log, 'not running'), 1;
  const port = configuredPort(inst);
  if (!(await portAnswers(port))) return say(log, `starting or unresponsive (pid ${pid}, port ${port})`), 1;
  return say(log, `running (pid ${pid}) on 127.0.0.1:${port}`), 0;
}

/** The directory of the broker's jars (kafka-tools included), downloaded first if missing: `java -cp <dir>/*`. */
export async function kafkaLibs({ log = console.log } = {}) {
  return ensureJars(log);
}

/** Runs a Kafka tool's main class from the same jars (e.g. org.apache.kafka.tools.LeaderElectionCommand); returns its exit code. */
async function runTool(mainClass, args) {
  const libs = await ensureJars(console.error);
  // A short-lived JVM: the client compiler only and a small heap start it faster on a busy box.
  const jvm = ['-Xmx256m', '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-cp', join(libs, '*'), mainClass];
  const child = spawn(JAVA, [...jvm, ...args], { stdio: 'inherit' });
  return new Promise((res, rej) => child.on('error', rej).on('close', (code) => res(code ?? 1)));
}

async function cli(cmd, args) {
  const dataDir = process.env.KAFKA_LOCAL_DATA_DIR || undefined; // another instance, e.g. a fault test's own broker
  if (cmd === 'start') console.log(`[local-kafka] bootstrap servers: ${(await ensureLocalKafka({ dataDir })).brokers}`);
  else if (cmd === 'stop') await stopLocalKafka({ dataDir });
  else if (cmd === 'status') process.exitCode = await status();
  else if (cmd === 'run' && args[0]) process.exitCode = await runTool(args[0], args.slice(1));
  else { console.error('usage: node tools/local-kafka/kafka.mjs start|stop|status|run <main class> [args]  (port: KAFKA_LOCAL_PORT, default 9092)'); process.exitCode = 2; }
}

// Run as a CLI only when executed directly, not when imported (import.meta.main is Node 24+ only).
const invokedDirectly = () => { try { return import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href; } catch { return false; } };
if (invokedDirectly()) {
  cli(process.argv[2], process.argv.slice(3)).catch((e) => { console.error(`[local-kafka] error: ${e.message}`); process.exitCode = 1; });
}
