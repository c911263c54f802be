/**
 * Unit specs sit beside the code. Integration specs run stores and services (no HTTP) and e2e
 * specs run the whole API, both against a real PostgreSQL (see test/support).
 */
const fs = require('node:fs');
const os = require('node:os');
const swc = JSON.parse(fs.readFileSync(`${__dirname}/.swcrc`, 'utf8'));
// Under --coverage, swc's istanbul plugin counts statements and branches in the TypeScript as
// written (not in the decorator helpers swc emits), with no V8 inspector slowing every script.
const transform = {
  '^.+\\.ts$': ['<rootDir>/jest.transform.cjs', { ...swc, swcrc: false }],
};

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
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
      roots: ['<rootDir>/test/integration'],
      testMatch: ['**/*.int-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
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
  testSequencer: '<rootDir>/test/support/sequencer.cjs',
  // One worker more than cores: an e2e file spends part of its time waiting on PostgreSQL or on a
  // process it started, and the extra worker fills that time (on 2 cores, 137 s against 154 s
  // for the whole run; the CPU is then busy all the time).
  maxWorkers: os.availableParallelism() + 1,
  // Coverage options too are read only at the top level. `npm test` turns coverage on.
  collectCoverageFrom: [
    '<rootDir>/src/**/*.ts',
    '<rootDir>/db/**/*.ts',
    '!**/*.spec.ts',
    // Process entry points: run by `npm start` and `npm run db`, in processes of their own.
    '!<rootDir>/src/main.ts',
    '!<rootDir>/db/cli.ts',
  ],
  // Istanbul counters, inserted by the transform above.
  coverageProvider: 'babel',
  // coverage/lcov.info for tools; the HTML pages (`--coverageReporters=html` when wanted) took
  // about 1.5 s at the end of every run.
  coverageReporters: ['text-summary', 'lcovonly'],
  // What the suites reach today, rounded down. Istanbul counts every branch of the source (an `if`
  // without `else` is two, `a ?? b` is two), so branches read lower than V8's count of blocks; files
  // no test loads count as untested. Reached: 92.1–92.2 / 83.2–83.3 / 91.3 / 93.0; lines sit half a
  // point under, as a few timing-dependent lines (reconnects, drains) run in some runs and not
  // others. A change that leaves code untested fails the run.
  coverageThreshold: { global: { statements: 92, branches: 83, functions: 91, lines: 92.5 } },
};
