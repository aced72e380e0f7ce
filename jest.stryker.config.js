// The project's jest setup (jest.config.js) for `npm run mutate`, with an environment that credits coverage
// from module load and beforeAll/afterAll to the tests that depend on it (test/support/stryker-environment.js),
// and a runner that stops at the first failing test file (test/support/stryker-bail-runner.js).
const path = require('node:path');
const base = require('./jest.config.js');

const support = (file) => path.join(__dirname, 'test/support', file);

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testEnvironment: support('stryker-environment.js'),
  ...(process.env.MUTATE_DISABLE_BAIL === '1'
    ? {}
    : { runner: support('stryker-bail-runner.js'), testSequencer: support('stryker-sequencer.js') }),
  // Stryker runs the tests related to the mutated file (jest --findRelatedTests), which follows imports only
  // through files under the roots: all source folders, so that a test reaching a file through another counts.
  // MUTATE_ROOTS=test/config,lib/config narrows them for a per-folder run (README, "Mutation testing").
  roots: (process.env.MUTATE_ROOTS ? process.env.MUTATE_ROOTS.split(',') : ['test', 'lib', 'k8s', 'bin', 'scripts'])
    .map((dir) => path.join(__dirname, dir.trim())),
};
