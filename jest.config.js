/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': '<rootDir>/test/support/esbuild-transform.js' },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // Two cores: one worker per core; each synthesizes its own stack variants.
  maxWorkers: 2,
  testTimeout: 60000,
  setupFiles: ['<rootDir>/test/support/jest-setup.ts'],
  // Everything a run writes to the temporary folder goes below one folder, removed at the end.
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  // Jest's transform cache next to tsc's and eslint's, not in /tmp.
  cacheDirectory: '<rootDir>/node_modules/.cache/jest',
};
