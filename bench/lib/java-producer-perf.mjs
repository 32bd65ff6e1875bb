// Baseline "the Java client": org.apache.kafka.tools.ProducerPerformance from kafka-tools, the same
// version and jars as the broker (tools/local-kafka/pom.xml), in a JVM of its own: `records` records
// whose values have `recordBytes` bytes (the bench's record size), acks=all, idempotent, as fast as it
// can (--throughput -1), Java's defaults otherwise (linger.ms 5, batch.size 16 KiB, 5 in flight).
// The producer path's physical ceiling on this machine. Returns its own final line's figures.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { kafkaLibs } from '../../tools/local-kafka/kafka.mjs';

const JAVA = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
const SUMMARY = /(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th/;

export async function javaProducerPerformance({ brokers, topic, records, recordBytes, log }) {
  const libs = await kafkaLibs({ log });
  const args = [
    '-Xmx512m',
    '-cp',
    join(libs, '*'),
    'org.apache.kafka.tools.ProducerPerformance',
    '--topic', topic,
    '--num-records', String(records),
    '--record-size', String(recordBytes),
    '--throughput', '-1',
    '--producer-props', `bootstrap.servers=${brokers.join(',')}`, 'acks=all', 'enable.idempotence=true',
  ];
  const out = await new Promise((resolve, reject) => {
    const child = spawn(JAVA, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (d) => (text += d));
    child.stderr.on('data', (d) => (text += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`ProducerPerformance exited with ${code}:\n${text.slice(-2000)}`))));
  });
  const m = SUMMARY.exec(out);
  if (!m) throw new Error(`ProducerPerformance printed no summary line:\n${out.slice(-2000)}`);
  return { records: Number(m[1]), rate: Number(m[2]), avgMs: Number(m[4]), p50Ms: Number(m[6]), p99Ms: Number(m[8]) };
}
