// The project's jest setup (jest.config.js) for `npm run mutate`, with an environment that credits coverage
// from module load and beforeAll/afterAll to the tests that depend on it (test/support/stryker-environment.js).
const path = require('node:path');
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testEnvironment: path.join(__dirname, 'test/support/stryker-environment.js'),
  // Stryker runs the tests related to the mutated file (jest --findRelatedTests), which follows imports only
  // through files under the roots: all source folders, so that a test reaching a file through another counts.
  roots: ['test', 'lib', 'k8s', 'bin', 'scripts'].map((dir) => path.join(__dirname, dir)),
};
