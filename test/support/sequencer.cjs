/**
 * Jest's order of test files, for a run with no timings of its own (a fresh clone, CI). Jest runs
 * the longest files first so that no worker is left with a long file at the end; it knows how
 * long a file took from earlier runs, and otherwise guesses from its size, which says little here:
 * a file that gathers suites (test/support/suites.ts) is a few `require('./x')` lines, and a
 * file that waits on processes and timers, or makes hundreds of tests from a table, runs far
 * longer than its size. So:
 * - integration and e2e files state how long they run in their first comment, `@seconds 40`
 *   (measured in a whole run on the 2-core CI machine; only the order depends on it). They start
 *   first, longest first;
 * - the rest (unit specs) follow, heaviest first, a gathering file weighing as much as the suites
 *   it requires.
 */
const { readFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;

const SUITE = /require\('(\.\/[\w.-]+)'\)/g;

function weight(path) {
  const text = readFileSync(path, 'utf8');
  let size = text.length;
  for (const [, suite] of text.matchAll(SUITE)) {
    size += readFileSync(join(dirname(path), `${suite}.ts`), 'utf8').length;
  }
  return size;
}

const SECONDS = /^\/\*\*[\s\S]*?@seconds\s+(\d+)[\s\S]*?\*\//;

/** The `@seconds` a file states in its first comment, if any. */
function statedSeconds(path) {
  const match = SECONDS.exec(readFileSync(path, 'utf8'));
  return match ? Number(match[1]) : undefined;
}

class SuiteAwareSequencer extends Sequencer {
  sort(tests) {
    const weights = new Map(tests.map((test) => [test.path, weight(test.path)]));
    const stated = new Map(tests.map((test) => [test.path, statedSeconds(test.path)]));
    for (const test of tests) test.duration = this.time(test);
    // As Jest's own: failed first, then files never timed (those that state their time first,
    // longest first; then heaviest first), then by duration.
    const rank = (test) => {
      if (test.duration != null) return [this.hasFailed(test) ? 0 : 1, 2, -test.duration];
      const seconds = stated.get(test.path);
      if (seconds !== undefined) return [this.hasFailed(test) ? 0 : 1, 0, -seconds];
      return [this.hasFailed(test) ? 0 : 1, 1, -weights.get(test.path)];
    };
    return [...tests].sort((a, b) => {
      const [x, y] = [rank(a), rank(b)];
      return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
    });
  }
}

module.exports = SuiteAwareSequencer;
