/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // swc strips types only; `tsc --noEmit` in `npm test` does the type-check once for the whole project.
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // Two cores: one worker per core; each synthesizes its own stack variants.
  maxWorkers: 2,
  testTimeout: 60000,
  setupFiles: ['<rootDir>/test/support/jest-setup.ts'],
};
