/** Unit specs sit beside the code; e2e specs run against a real PostgreSQL (see test/support). */
const fs = require('node:fs');
const os = require('node:os');
const swc = JSON.parse(fs.readFileSync(`${__dirname}/.swcrc`, 'utf8'));
const transform = { '^.+\\.ts$': ['@swc/jest', { ...swc, swcrc: false }] };

module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      roots: ['<rootDir>/src', '<rootDir>/db', '<rootDir>/test/deploy'],
      testMatch: ['**/*.spec.ts'],
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      transform,
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
  // Read only at the top level: inside a project it is ignored.
  testTimeout: 60_000,
  // One worker per core, not Jest's cores - 1: an e2e file spends much of its time waiting on
  // PostgreSQL, so on a 2-core machine a single worker leaves a core idle.
  maxWorkers: os.availableParallelism(),
};
