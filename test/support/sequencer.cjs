/**
 * Jest's order of test files, with one change: a file that gathers suites (test/support/suites.ts)
 * weighs as much as the suites it requires. Jest runs the longest files first so that no worker
 * is left with a long file at the end; it knows how long a file took from earlier runs, and on a
 * first run (a fresh clone, CI) guesses from the file's size, by which a file of a few
 * `require('./x')` lines would run last.
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

class SuiteAwareSequencer extends Sequencer {
  sort(tests) {
    const weights = new Map(tests.map((test) => [test.path, weight(test.path)]));
    for (const test of tests) test.duration = this.time(test);
    // As Jest's own: failed first, then files never timed (heaviest first), then by duration.
    const rank = (test) => [
      this.hasFailed(test) ? 0 : 1,
      test.duration == null ? 0 : 1,
      -(test.duration ?? weights.get(test.path)),
    ];
    return [...tests].sort((a, b) => {
      const [x, y] = [rank(a), rank(b)];
      return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
    });
  }
}

module.exports = SuiteAwareSequencer;
