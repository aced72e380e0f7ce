// @ts-check
/**
 * Mutation testing (`npm run mutate`): a measurement, like `npm run bench`, not part of `npm test`.
 * Surviving mutants that are equivalent or not worth a test are listed, with a reason, in
 * stryker-survivors.md next to this file; they are counted as survivors in the score, not hidden.
 * @type {import('./tools/mutate/node_modules/@stryker-mutator/api/core').PartialStrykerOptions}
 */
const config = {
  packageManager: 'npm',
  mutate: ['lib/**/*.ts', 'k8s/**/*.ts', 'bin/**/*.ts'],
  testRunner: 'jest',
  // The project's own jest setup (jest.config.js: transform, TMPDIR per run, quiet synth), with an environment that
  // credits module-load coverage to the file's tests; only tests that import the mutated file run.
  jest: { projectType: 'custom', configFile: 'jest.stryker.config.js', enableFindRelatedTests: true },
  // No type check by default: the TypeScript checker costs about 10 s per mutant here (it re-checks every file
  // that imports the mutant against aws-cdk-lib's declarations), ten times the tests. Without it, a mutant that
  // would not compile runs anyway (esbuild strips types) and is killed, survives or errors. `--checkers
  // typescript` drops those mutants first.
  checkers: [],
  tsconfigFile: 'tsconfig.stryker.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  // Each mutant runs only the tests that reach its code.
  coverageAnalysis: 'perTest',
  // Re-runs only mutants whose code or tests changed since the last run. Not committed: main moves faster than
  // a full run, so a committed file would be stale on any fresh clone.
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  // Two cores, shared: one test-runner process (and the checker beside it, when on).
  concurrency: 1,
  // Each mutant's jest run loads aws-cdk-lib afresh and the runner process keeps growing (3 GB after 300 stack
  // mutants, with parallel GC taking the second core): a new runner every 25 mutants, and a one-thread GC.
  maxTestRunnerReuse: 25,
  testRunnerNodeArgs: ['--single-threaded-gc'],
  // On top of each mutant's tests' own time (x timeoutFactor): jest's start-up on a loaded machine.
  timeoutMS: 20000,
  timeoutFactor: 2,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 80, break: null },
  // Not below node_modules: jest ignores test files there.
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  ignorePatterns: ['dist', 'cdk.out', 'bench-results', 'reports', 'coverage', '.gitlab-ci-local', '.stryker-tmp', 'tools'],
};
export default config;
