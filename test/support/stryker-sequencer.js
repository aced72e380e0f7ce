// Jest test sequencer for `npm run mutate` only (jest.stryker.config.js), for stryker-bail-runner.js: first the
// files that failed on the previous mutant (neighbouring mutants tend to fall to the same file), then the fastest.
'use strict';
const Sequencer = require('@jest/test-sequencer').default;

class FailedThenFastestSequencer extends Sequencer {
  sort(tests) {
    const known = (test) => this.time(test) ?? Number.POSITIVE_INFINITY;
    return [...tests].sort((a, b) => Number(this.hasFailed(b)) - Number(this.hasFailed(a)) || known(a) - known(b));
  }
}

module.exports = FailedThenFastestSequencer;
