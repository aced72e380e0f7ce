// Jest runner for `npm run mutate` only (jest.stryker.config.js): stops after the first test file that fails.
// A mutant is killed by its first failing test, but Stryker cannot make jest bail (jest's own `bail` exits the
// process: https://github.com/jestjs/jest/issues/11766), so every related test file would still load and
// synthesize its stacks. MUTATE_DISABLE_BAIL=1 runs them all (with Stryker's --disableBail).
'use strict';
const TestRunner = require('jest-runner').default;

class BailRunner extends TestRunner {
  async runTests(tests, watcher, options) {
    let failed = false;
    const stop = [
      this.on('test-file-success', ([, result]) => { if (result.numFailingTests > 0 || result.testExecError) failed = true; }),
      this.on('test-file-failure', () => { failed = true; }),
    ];
    try {
      for (const test of tests) {
        if (failed || watcher.isInterrupted()) break;
        await super.runTests([test], watcher, options);
      }
    } finally {
      stop.forEach((unsubscribe) => unsubscribe());
    }
  }
}

module.exports = BailRunner;
