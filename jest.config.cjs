// Test tiers by file name (house style 8):
//   *.spec.ts      pure unit tests beside their source, no network, run in parallel;
//   *.int.spec.ts  real Kafka and PostgreSQL, one worker;
//   e2e/**/*.e2e.spec.ts  the built apps as processes, real Kafka and PostgreSQL, one worker.
// tools/test/run-tests.mjs starts the services and runs the tiers in that order.
const fs = require('node:fs');
const swc = JSON.parse(fs.readFileSync(`${__dirname}/.swcrc`, 'utf8'));

const common = {
  rootDir: __dirname,
  transform: { '^.+\\.ts$': ['@swc/jest', { ...swc, swcrc: false }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^@async2/domain$': '<rootDir>/libs/domain/src/index.ts',
    '^@async2/data-access$': '<rootDir>/libs/data-access/src/index.ts',
    '^@async2/platform$': '<rootDir>/libs/platform/src/index.ts',
    '^@async2/testing$': '<rootDir>/libs/testing/src/index.ts',
    '^@async2/events-proto$': '<rootDir>/libs/events-proto/src/index.ts',
    '^@async2/replica$': '<rootDir>/libs/replica/src/index.ts',
  },
  testEnvironment: 'node',
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/.cache/'],
};

module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{apps,libs,tools,e2e,observability}/**/*.spec.ts'],
      testPathIgnorePatterns: ['\\.int\\.spec\\.ts$', '\\.e2e\\.spec\\.ts$', '/node_modules/'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs}/**/*.int.spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/tools/test/slow-tier.setup.cjs'],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/e2e/**/*.e2e.spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/tools/test/slow-tier.setup.cjs'],
    },
    {
      // `npm run test:soak` only (tools/test/run-soak.mjs): mixed faults for SOAK_MINUTES.
      ...common,
      displayName: 'soak',
      testMatch: ['<rootDir>/e2e/soak/*.soak.ts'],
      setupFilesAfterEnv: ['<rootDir>/tools/test/slow-tier.setup.cjs'],
    },
  ],
};
