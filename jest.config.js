/** @type {import('jest').Config} */
const moduleNameMapper = {
  '^@app/(severity|crypto|contracts|pagerduty|platform|channel-replica)$': '<rootDir>/libs/$1/src',
  '^@app/testing$': '<rootDir>/test/support',
};
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }] };
const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper,
  transform,
};

module.exports = {
  // jest-circus reads the timeout from the top level only; integration specs need the room.
  testTimeout: 120000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,tools}/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs,tools,test}/**/*.{int,e2e}-spec.ts'],
      globalSetup: '<rootDir>/test/global-setup.ts',
      globalTeardown: '<rootDir>/test/global-teardown.ts',
    },
    {
      // Fault-injection and hostile-input suites (npm run test:faults): brokers and
      // databases killed under running services, fuzzing, secret scans.
      ...common,
      displayName: 'faults',
      testMatch: ['<rootDir>/test/faults/**/*.faults-spec.ts'],
      globalSetup: '<rootDir>/test/global-setup.ts',
      globalTeardown: '<rootDir>/test/global-teardown.ts',
    },
  ],
};
