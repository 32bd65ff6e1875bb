import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadConsumerConfig } from '../../apps/consumer/src/config/consumer.config';
import { loadProducerConfig } from '../../apps/producer/src/config/producer.config';

// Docker does not run on our machines: docker/compose.yaml is checked by reading it the way
// `docker compose` would (YAML 1.1 merge keys, ${VAR:-default} interpolation) and by feeding each
// app service's environment to the app's own configuration loader.
const DOCKER = join(__dirname, '..', '..', 'docker');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string; args?: Record<string, string> };
  environment?: Record<string, string>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  command?: string[];
  restart?: string;
  stop_grace_period?: string;
  volumes?: string[];
}

/** `${NAME:-default}` as compose resolves it with NAME unset. */
const interpolate = (value: unknown) => String(value).replace(/\$\{[A-Z0-9_]+:-([^}]*)\}/g, '$1');
const environmentOf = (service: Service): Record<string, string> =>
  Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, interpolate(v)]));
const seconds = (duration: string) => Number(/^(\d+)s$/.exec(duration)?.[1] ?? NaN);

describe('docker/compose.yaml', () => {
  const compose = parse(readFileSync(join(DOCKER, 'compose.yaml'), 'utf8'), { merge: true }) as { services: Record<string, Service> };
  const services = compose.services;
  const appServices = Object.entries(services).filter(([, s]) => s.build);
  const buildArg = (s: Service) => s.build?.args?.APP;
  const dockerfile = readFileSync(join(DOCKER, 'Dockerfile'), 'utf8');

  it('has the services the issue asks for, the apps built from docker/Dockerfile', () => {
    expect(Object.keys(services).sort()).toEqual(['consumer', 'jaeger', 'kafka', 'postgres', 'producer', 'prometheus', 'setup']);
    expect(services.kafka.image).toMatch(/^apache\/kafka:4\./);
    expect(services.kafka.environment?.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(services.jaeger.environment?.COLLECTOR_OTLP_ENABLED).toBe('true');
    for (const [name, service] of appServices) {
      expect({ name, build: service.build }).toEqual({ name, build: { context: '..', dockerfile: 'docker/Dockerfile', args: { APP: expect.stringMatching(/^(producer|consumer)$/) } } });
    }
    expect(buildArg(services.producer)).toBe('producer');
    expect(buildArg(services.consumer)).toBe('consumer');
  });

  it('every depends_on names a service, and its condition can be met', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [target, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect({ name, target, exists: target in services }).toEqual({ name, target, exists: true });
        if (condition === 'service_healthy') {
          // a healthcheck in compose, or the image's own HEALTHCHECK (our images have one)
          const hasCheck = Boolean(services[target].healthcheck) || (Boolean(services[target].build) && /^HEALTHCHECK /m.test(dockerfile));
          expect({ name, target, hasCheck }).toEqual({ name, target, hasCheck: true });
        } else if (condition === 'service_completed_successfully') {
          expect({ name, target, restart: services[target].restart }).toEqual({ name, target, restart: 'no' });
        } else {
          expect(condition).toBe('service_started');
        }
      }
    }
    // the apps start only after the one-shot setup succeeded, which waits for healthy Kafka and PostgreSQL
    expect(services.producer.depends_on?.setup).toEqual({ condition: 'service_completed_successfully' });
    expect(services.consumer.depends_on?.setup).toEqual({ condition: 'service_completed_successfully' });
    expect(services.setup.depends_on).toEqual({ kafka: { condition: 'service_healthy' }, postgres: { condition: 'service_healthy' } });
  });

  it("every app service's environment passes the app's own configuration check, pointing at compose's services", () => {
    const postgres = environmentOf(services.postgres);
    const advertised = environmentOf(services.kafka).KAFKA_ADVERTISED_LISTENERS.split(',').map((l) => l.replace(/^\w+:\/\//, ''));
    for (const [name, service] of appServices) {
      const env = environmentOf(service);
      const load = buildArg(service) === 'consumer' ? loadConsumerConfig : loadProducerConfig;
      const config = load(env, name); // throws a ConfigError naming every bad variable
      expect({ name, host: config.host }).toEqual({ name, host: '0.0.0.0' });
      for (const broker of config.kafka.brokers) expect({ name, broker, advertised: advertised.includes(broker) }).toEqual({ name, broker, advertised: true });
      const db = new URL(config.database.url);
      expect({ name, host: db.hostname, user: db.username, password: db.password, db: db.pathname }).toEqual({
        name,
        host: 'postgres',
        user: postgres.POSTGRES_USER,
        password: postgres.POSTGRES_PASSWORD,
        db: `/${postgres.POSTGRES_DB}`,
      });
      expect({ name, topicPartitions: config.topics.partitions }).toEqual({ name, topicPartitions: 4 });
    }
    const consumer = loadConsumerConfig(environmentOf(services.consumer), 'consumer');
    expect(consumer.partitions).toEqual({ kind: 'all' });
    // docker stop waits stop_grace_period before SIGKILL: longer than the SIGTERM flush may take
    expect(seconds(services.consumer.stop_grace_period ?? '10s') * 1000).toBeGreaterThan(consumer.shutdownFlushTimeoutMs);
  });

  it('the setup service runs the migrations, then the topics, with programs the image holds', () => {
    expect(services.setup.command?.join(' ')).toMatch(/migrate\.cli\.js && node dist\/libs\/data-access\/src\/kafka\/create-topics\.cli\.js$/);
    expect(buildArg(services.setup)).toBe('producer');
  });

  it('host ports do not clash and are bound to the loopback interface', () => {
    const published = Object.entries(services).flatMap(([name, s]) => (s.ports ?? []).map((p) => ({ name, mapping: p.split(':') })));
    const hostPorts = published.map(({ mapping }) => mapping[1]);
    expect(new Set(hostPorts).size).toBe(hostPorts.length);
    for (const { name, mapping } of published) expect({ name, address: mapping[0], parts: mapping.length }).toEqual({ name, address: '127.0.0.1', parts: 3 });
    // the apps' published container port is their PORT
    for (const [name, service] of appServices.filter(([n]) => n !== 'setup')) {
      expect({ name, containerPort: service.ports?.[0].split(':')[2] }).toEqual({ name, containerPort: environmentOf(service).PORT });
    }
  });

  it('Prometheus scrapes both apps on their PORT', () => {
    expect(services.prometheus.volumes).toContain('./prometheus.yml:/etc/prometheus/prometheus.yml:ro');
    const prometheus = parse(readFileSync(join(DOCKER, 'prometheus.yml'), 'utf8')) as { scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[] };
    const targets = prometheus.scrape_configs.flatMap((c) => c.static_configs.flatMap((s) => s.targets));
    expect(targets.sort()).toEqual(['consumer', 'producer'].map((name) => `${name}:${environmentOf(services[name]).PORT}`));
  });
});
