import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { loadConsumerConfig } from '../../apps/consumer/src/config/consumer.config';

// The chart through Helm's own library (helm-java, no helm binary, no cluster): `helm lint --strict`,
// `helm template` with the defaults and with helm/async2/ci/8-partitions-values.yaml, and the
// rendered objects checked for what a user would notice on a cluster.
const ROOT = join(__dirname, '..', '..');
const CHART = join(ROOT, 'helm', 'async2');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type K8sObject = { kind: string; metadata: { name: string; annotations?: Record<string, string> }; spec: any; data?: Record<string, string>; stringData?: Record<string, string> };
type HelmCheck = (options: { chartDir: string; valuesFiles?: Record<string, string> }) => Promise<{ lint: { failed: boolean; messages: string[] }; rendered: Record<string, string> }>;

/** tools/helm-check/helm-check.mjs as a process (jest cannot load ES modules): its JSON result, or its error. */
const helmCheck: HelmCheck = ({ chartDir, valuesFiles = {} }) =>
  new Promise((resolve, reject) => {
    const args = [join(ROOT, 'tools', 'helm-check', 'helm-check.mjs'), '--json', chartDir, ...Object.entries(valuesFiles).map(([n, f]) => `${n}=${f}`)];
    execFile(process.execPath, args, { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => (error ? reject(new Error(stderr || error.message)) : resolve(JSON.parse(stdout))));
  });
const objectsOf = (text: string): K8sObject[] => parseAllDocuments(text).map((d) => d.toJS()).filter(Boolean);
const one = (objects: K8sObject[], kind: string, name: string) => {
  const found = objects.filter((o) => o.kind === kind && o.metadata.name === name);
  expect({ kind, name, count: found.length }).toEqual({ kind, name, count: 1 });
  return found[0];
};

describe('helm/async2 chart', () => {
  let lint: { failed: boolean; messages: string[] };
  let defaults: K8sObject[];
  let eight: K8sObject[];

  beforeAll(async () => {
    const result = await helmCheck({ chartDir: CHART, valuesFiles: { eight: join(CHART, 'ci', '8-partitions-values.yaml') } });
    lint = result.lint;
    defaults = objectsOf(result.rendered.default);
    eight = objectsOf(result.rendered.eight);
  }, 300_000);

  it('passes helm lint --strict', () => {
    expect(lint.messages.filter((m) => /\[(WARNING|ERROR)\]/.test(m))).toEqual([]);
    expect(lint.failed).toBe(false);
  });

  it('renders every object the issue asks for (optional ones only when enabled)', () => {
    const kinds = (objects: K8sObject[]) => objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();
    expect(kinds(defaults)).toEqual(
      ['ConfigMap/async2-config', 'Deployment/async2-producer', 'Job/async2-migrate', 'Job/async2-topics', 'PodDisruptionBudget/async2-consumer', 'PodDisruptionBudget/async2-producer',
        'Secret/async2-secret', 'Service/async2-consumer', 'Service/async2-producer', 'StatefulSet/async2-consumer'].sort(),
    );
    expect(kinds(eight)).toEqual(expect.arrayContaining(['HorizontalPodAutoscaler/async2-producer', 'ServiceMonitor/async2', 'PrometheusRule/async2', 'ConfigMap/async2-dashboard']));
    expect(kinds(eight)).not.toContain('Secret/async2-secret'); // existingSecret: the chart makes none
    // The rules and the dashboard are the repo's files (checked against the metrics by a unit test).
    const rules = one(eight, 'PrometheusRule', 'async2').spec.groups.flatMap((g: { rules: Array<{ alert: string }> }) => g.rules.map((r) => r.alert));
    expect(rules).toEqual(expect.arrayContaining(['Async2LagGrowing', 'Async2Fenced', 'Async2PartitionsPaused']));
    const [dashboard] = Object.values(one(eight, 'ConfigMap', 'async2-dashboard').data ?? {});
    expect(JSON.parse(dashboard).panels.length).toBeGreaterThan(5);
  });

  it.each([
    ['defaults', () => defaults, 4],
    ['8 partitions', () => eight, 8],
  ])('%s: the consumer StatefulSet has one pod per partition, and the topic is created with that count', (_name, objects, partitions) => {
    const statefulSet = one(objects(), 'StatefulSet', 'async2-consumer');
    expect(statefulSet.spec.replicas).toBe(partitions);
    expect(statefulSet.spec.podManagementPolicy).toBe('Parallel');
    expect(one(objects(), 'Service', 'async2-consumer').spec.clusterIP).toBe('None');
    expect(statefulSet.spec.serviceName).toBe('async2-consumer');
    expect(one(objects(), 'ConfigMap', 'async2-config').data?.KAFKA_TOPIC_PARTITIONS).toBe(String(partitions));
  });

  it('pod N owns partition N: the pod-index label reaches the consumer as POD_INDEX, and nothing overrides it', () => {
    const pod = one(eight, 'StatefulSet', 'async2-consumer').spec.template.spec;
    const container = pod.containers[0];
    const env = Object.fromEntries(container.env.map((e: { name: string; value?: string; valueFrom?: unknown }) => [e.name, e.valueFrom ?? e.value]));
    expect(env.POD_INDEX).toEqual({ fieldRef: { fieldPath: "metadata.labels['apps.kubernetes.io/pod-index']" } });
    expect(env.PARTITIONS).toBeUndefined();
    const config = one(eight, 'ConfigMap', 'async2-config').data ?? {};
    expect(config.PARTITIONS).toBeUndefined();
    // what each pod's app makes of that environment (Kubernetes fills in the label: 0..7); a
    // hostname without an ordinal, so the partition comes from POD_INDEX alone
    for (let index = 0; index < 8; index++) {
      const podEnv = { ...config, ...Object.fromEntries(Object.entries(env).filter(([, v]) => typeof v === 'string')), POD_INDEX: String(index), DATABASE_URL: 'postgres://u:p@db/async2' };
      expect(loadConsumerConfig(podEnv as Record<string, string>, 'pod').partitions).toEqual({ kind: 'list', partitions: [index] });
    }
  });

  it('the consumer gets longer than its SIGTERM flush to stop, and is ready only on its health endpoint', () => {
    for (const objects of [defaults, eight]) {
      const pod = one(objects, 'StatefulSet', 'async2-consumer').spec.template.spec;
      const env = Object.fromEntries(pod.containers[0].env.map((e: { name: string; value?: string }) => [e.name, e.value]));
      expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(Number(env.SHUTDOWN_FLUSH_TIMEOUT_MS));
      expect(pod.containers[0].readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'http' });
      expect(pod.containers[0].livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
    }
  });

  it('every pod runs non-root on a read-only root filesystem with no capabilities, and has probes where it serves', () => {
    const pods = eight.filter((o) => ['Deployment', 'StatefulSet', 'Job'].includes(o.kind));
    expect(pods).toHaveLength(4);
    for (const workload of pods) {
      const pod = workload.spec.template.spec;
      expect({ name: workload.metadata.name, pod: pod.securityContext }).toMatchObject({ name: workload.metadata.name, pod: { runAsNonRoot: true, runAsUser: 1000 } });
      expect(pod.automountServiceAccountToken).toBe(false);
      for (const container of pod.containers) {
        expect({ name: workload.metadata.name, sc: container.securityContext }).toEqual({
          name: workload.metadata.name,
          sc: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
        });
        expect(container.resources.requests).toBeDefined();
        if (workload.kind !== 'Job') expect(container.readinessProbe && container.livenessProbe).toBeTruthy();
      }
    }
  });

  it('migrations and topics run as pre-install/pre-upgrade hook Jobs, after the config they read', () => {
    const migrate = one(eight, 'Job', 'async2-migrate');
    const topics = one(eight, 'Job', 'async2-topics');
    const config = one(eight, 'ConfigMap', 'async2-config');
    for (const hook of [migrate, topics, config]) expect(hook.metadata.annotations?.['helm.sh/hook']).toBe('pre-install,pre-upgrade');
    const weight = (o: K8sObject) => Number(o.metadata.annotations?.['helm.sh/hook-weight']);
    expect(weight(config)).toBeLessThan(weight(migrate));
    expect(weight(migrate)).toBeLessThan(weight(topics));
    expect(migrate.spec.template.spec.containers[0].command).toEqual(['node', 'dist/libs/data-access/src/persistence/migrate.cli.js']);
    expect(topics.spec.template.spec.containers[0].command).toEqual(['node', 'dist/libs/data-access/src/kafka/create-topics.cli.js']);
    expect(migrate.spec.template.spec.containers[0].envFrom).toEqual([{ configMapRef: { name: 'async2-config' } }, { secretRef: { name: 'async2-credentials' } }]);
  });

  it('the producer: Service with HTTP and gRPC, HPA, PodDisruptionBudget; the secret from existingSecret', () => {
    const service = one(eight, 'Service', 'async2-producer');
    expect(service.spec.ports.map((p: { name: string; port: number }) => `${p.name}:${p.port}`)).toEqual(['http:8080', 'grpc:50051']);
    const deployment = one(eight, 'Deployment', 'async2-producer');
    expect(deployment.spec.replicas).toBeUndefined(); // the HPA owns the count
    expect(one(eight, 'HorizontalPodAutoscaler', 'async2-producer').spec).toMatchObject({ minReplicas: 3, maxReplicas: 12, scaleTargetRef: { kind: 'Deployment', name: 'async2-producer' } });
    expect(one(eight, 'PodDisruptionBudget', 'async2-producer').spec.maxUnavailable).toBe(1);
    expect(deployment.spec.template.spec.containers[0].envFrom[1]).toEqual({ secretRef: { name: 'async2-credentials' } });
    expect(one(defaults, 'Secret', 'async2-secret').stringData?.DATABASE_URL).toMatch(/^postgres:\/\//);
  });

  it('refuses values that would break a promise, naming them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'helm-values-'));
    try {
      const cases: [string, string, RegExp][] = [
        ['short-grace', 'consumer:\n  terminationGracePeriodSeconds: 20\n', /terminationGracePeriodSeconds \(20\) must be longer than consumer\.shutdownFlushTimeoutMs/],
        ['no-partitions', 'partitions: 0\n', /\/partitions.*minimum/],
        ['fixed-partitions', 'consumer:\n  env:\n    PARTITIONS: "0,1"\n', /consumer\.env\.PARTITIONS is not allowed/],
      ];
      for (const [name, values, message] of cases) {
        writeFileSync(join(dir, `${name}.yaml`), values);
        await expect(helmCheck({ chartDir: CHART, valuesFiles: { [name]: join(dir, `${name}.yaml`) } })).rejects.toThrow(message);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
