import { freePortFollowedBy, OwnBroker, waitFor } from '@async2/testing';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from './fault-pipeline';
import { KafkaTools } from './kafka-tools';

// Both tools are in org.apache.kafka:kafka-tools (tools/local-kafka/pom.xml), run from the broker's jars.
const REASSIGN = 'org.apache.kafka.tools.reassign.ReassignPartitionsCommand';
const ELECT = 'org.apache.kafka.tools.LeaderElectionCommand';

export interface PartitionPlacement {
  leader: number;
  /** Node ids in assignment order: the first is the preferred leader. */
  replicas: number[];
  isr: number[];
}

/**
 * A 3-broker KRaft cluster of the test's own, as production runs one: three nodes of the local-kafka
 * CLI, each broker and controller (a 3-voter quorum), RF 3 by default, min.insync.replicas=2, no
 * unclean election. A node can be SIGKILLed, SIGSTOPped and restarted on its data; leaders move by
 * reordering a partition's replicas and a preferred-leader election, as an operator moves them.
 */
export class OwnCluster {
  private files = 0;

  private constructor(
    private readonly dir: string,
    private readonly nodes: Map<number, OwnBroker>,
    private readonly admin: Admin,
    private readonly tools: KafkaTools,
  ) {}

  static async start(size = 3): Promise<OwnCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'async2-cluster-'));
    const ports: number[] = [];
    while (ports.length < size) {
      const port = await freePortFollowedBy(1); // the node's controller listens on port + 1
      if (!ports.some((other) => Math.abs(other - port) < 2)) ports.push(port);
    }
    const voters = ports.map((port, i) => `${i + 1}@127.0.0.1:${port + 1}`).join(',');
    const clusterId = randomBytes(16).toString('base64url').replace(/^-/, 'A'); // a leading '-' reads as an option
    const nodes = new Map(
      ports.map((port, i) => [
        i + 1,
        new OwnBroker(port, join(dir, `node-${i + 1}`, 'data'), { KAFKA_LOCAL_NODE_ID: String(i + 1), KAFKA_LOCAL_VOTERS: voters, KAFKA_LOCAL_CLUSTER_ID: clusterId }),
      ]),
    );
    try {
      // Together: no node answers before a majority of the controllers is up.
      await Promise.all([...nodes.values()].map((node) => node.launch()));
    } catch (error) {
      await Promise.all([...nodes.values()].map((node) => node.kill()));
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    const admin = new Kafka({ clientId: 'own-cluster', brokers: ports.map((p) => `127.0.0.1:${p}`), logLevel: logLevel.NOTHING, retry: { retries: 10 } }).admin();
    await admin.connect();
    const cluster = new OwnCluster(dir, nodes, admin, KafkaTools.start());
    // Warm the tools' JVM (class loading of the admin client takes seconds on a busy box), so the first move is as quick as the rest.
    await cluster.tool(REASSIGN, ['--list']);
    return cluster;
  }

  get brokers(): string[] {
    return [...this.nodes.values()].map((node) => `127.0.0.1:${node.port}`);
  }

  get nodeIds(): number[] {
    return [...this.nodes.keys()];
  }

  node(id: number): OwnBroker {
    const node = this.nodes.get(id);
    if (!node) throw new Error(`the cluster has no node ${id}`);
    return node;
  }

  async placement(topic: string, partition: number): Promise<PartitionPlacement> {
    const metadata = await this.admin.fetchTopicMetadata({ topics: [topic] });
    const found = metadata.topics[0]?.partitions.find((p) => p.partitionId === partition);
    if (!found) throw new Error(`${topic} has no partition ${partition}`);
    return { leader: found.leader, replicas: found.replicas, isr: found.isr };
  }

  async leaderOf(topic: string, partition: number): Promise<number> {
    return (await this.placement(topic, partition)).leader;
  }

  /** SIGKILL, and wait until the process is gone. */
  kill(id: number): Promise<void> {
    return this.node(id).killHard();
  }

  /** Restarts a killed node on its data and waits until it answers. */
  restart(id: number): Promise<void> {
    return this.node(id).launch();
  }

  pause(id: number): void {
    this.node(id).signal('SIGSTOP');
  }

  resume(id: number): void {
    this.node(id).signal('SIGCONT');
  }

  /** Waits until every replica of the topic's partitions is in sync again (after a node came back). */
  async waitInSync(topic: string, timeoutMs = 60_000): Promise<void> {
    await waitFor(
      async () => {
        const metadata = await this.admin.fetchTopicMetadata({ topics: [topic] });
        return metadata.topics[0].partitions.every((p) => p.isr.length === p.replicas.length && p.leader >= 0);
      },
      { timeoutMs, intervalMs: 250, what: `every replica of ${topic} in sync` },
    );
  }

  /**
   * Moves the leader of each partition to the next replica of its list, as an operator does: rotate the
   * list with kafka-reassign-partitions (same replicas, new order), then a preferred-leader election
   * makes the new first replica the leader. Resolves with how many of the partitions changed leader
   * (a partition whose new preferred replica is out of sync keeps its leader).
   */
  async moveLeaders(topic: string, partitions: number[]): Promise<number> {
    const before = await Promise.all(partitions.map((p) => this.placement(topic, p)));
    const target = before.map(({ replicas }) => [...replicas.slice(1), replicas[0]]);
    const reassignment = this.file({ version: 1, partitions: partitions.map((partition, i) => ({ topic, partition, replicas: target[i] })) });
    await this.tool(REASSIGN, ['--reassignment-json-file', reassignment, '--execute']);
    const placements = () => Promise.all(partitions.map((p) => this.placement(topic, p)));
    await waitFor(async () => (await placements()).every((now, i) => now.replicas.join() === target[i].join()), { timeoutMs: 30_000, intervalMs: 100, what: 'the reordered replica lists' });
    const election = this.file({ partitions: partitions.map((partition) => ({ topic, partition })) });
    await this.tool(ELECT, ['--election-type', 'PREFERRED', '--path-to-json-file', election]).catch((error: Error) => {
      // Partitions whose preferred replica is out of sync are refused; the others moved.
      if (!/could not be elected|Error completing/i.test(error.message)) throw error;
    });
    await waitFor(async () => (await placements()).every((now, i) => now.leader === target[i][0]), { timeoutMs: 5000, intervalMs: 100 }).catch(() => undefined);
    return (await placements()).filter((now, i) => now.leader !== before[i].leader).length;
  }

  /** moveLeaders over the partitions, round after round (a round starts at most every `everyMs`), for `ms`; resolves with the leader changes. */
  async moveLeadersFor(topic: string, partitions: number[], ms: number, everyMs = 2500): Promise<number> {
    let moved = 0;
    for (const end = Date.now() + ms; Date.now() < end; ) {
      const round = Date.now();
      moved += await this.moveLeaders(topic, partitions);
      await sleep(Math.max(0, round + everyMs - Date.now())); // the cadence of an operator's script, not a wait for a condition
    }
    console.log(`[cluster] ${moved} leader changes in ${Math.round(ms / 1000)} s`);
    return moved;
  }

  /** Kills every node (SIGKILL also ends a stopped one) and removes their data. */
  async close(): Promise<void> {
    await this.admin.disconnect().catch(() => undefined);
    await this.tools.close();
    await Promise.all([...this.nodes.values()].map((node) => node.kill()));
    rmSync(this.dir, { recursive: true, force: true });
  }

  private tool(mainClass: string, args: string[]): Promise<string> {
    return this.tools.run(mainClass, ['--bootstrap-server', this.brokers.join(','), ...args]);
  }

  private file(content: unknown): string {
    const path = join(this.dir, `admin-${++this.files}.json`);
    writeFileSync(path, JSON.stringify(content));
    return path;
  }
}
