// Lint is where the architecture is enforced: the domain library stays pure (no framework, no I/O),
// adapters depend on the domain, apps wire both. See the "Shape of the repository" in the house style.
import nx from '@nx/eslint-plugin';

const DEP_CONSTRAINTS = [
  {
    sourceTag: 'type:domain',
    onlyDependOnLibsWithTags: ['type:domain'],
    bannedExternalImports: ['@nestjs/*', 'kafkajs', 'typeorm', 'pg', 'fastify', 'pino', 'node:*', 'fs', 'net', 'http'],
  },
  { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:domain'], bannedExternalImports: ['@nestjs/*'] },
  // The published gRPC contract: protos and their codecs, nothing of ours, so clients can take it alone.
  { sourceTag: 'type:contract', onlyDependOnLibsWithTags: [], bannedExternalImports: ['@nestjs/*', 'kafkajs', 'typeorm', 'pg'] },
  // The change stream's client library, published alone: plain fetch, nothing of ours, no Node-only modules.
  { sourceTag: 'type:client', onlyDependOnLibsWithTags: [], bannedExternalImports: ['@nestjs/*', 'kafkajs', 'typeorm', 'pg', 'node:*', 'fs', 'net', 'http'] },
  { sourceTag: 'type:platform', onlyDependOnLibsWithTags: ['type:domain', 'type:data-access'] },
  { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:domain', 'type:data-access', 'type:contract', 'type:client'] },
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:domain', 'type:data-access', 'type:platform', 'type:contract'] },
];

const boundaries = (allow) => ['error', { enforceBuildableLibDependency: false, allow, depConstraints: DEP_CONSTRAINTS }];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  { ignores: ['**/dist', '**/node_modules', '.cache/**', '.nx/**'] },
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': boundaries([]),
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // The Kafka port (docs/design.md, "The Kafka port"): only the adapters know a client library,
    // so KAFKA_CLIENT picks one for every app and nothing else can depend on either. Tests and the
    // test support library may use kafkajs on purpose: an independent writer and reader of the topic.
    files: ['apps/**/*.ts', 'libs/**/*.ts'],
    ignores: ['libs/data-access/src/kafka/kafkajs/**', 'libs/data-access/src/kafka/platformatic/**', 'libs/testing/**', '**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'kafkajs', message: 'Kafka goes through the port (libs/data-access/src/kafka/port); kafkajs is known only to its adapter (kafka/kafkajs/).' },
            { name: '@platformatic/kafka', message: 'Kafka goes through the port (libs/data-access/src/kafka/port); @platformatic/kafka is known only to its adapter (kafka/platformatic/).' },
          ],
          patterns: [{ group: ['kafkajs/*', '@platformatic/kafka/*'], message: 'Kafka client internals belong in that client\'s adapter (libs/data-access/src/kafka/<client>/).' }],
        },
      ],
    },
  },
  {
    // Tests of any tier may use the test support library (real services, waitFor, app processes).
    files: ['**/*.spec.ts'],
    rules: { '@nx/enforce-module-boundaries': boundaries(['@async2/testing']) },
  },
  {
    // data-access's own integration specs use the test support library, which uses data-access:
    // a cycle only through test files, so the support library's imports of it are allowed.
    files: ['libs/testing/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': boundaries(['@async2/data-access']) },
  },
];
