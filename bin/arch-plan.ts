/**
 * arch-plan: what the arch-guard webhook would do with each workload of some manifests, before turning it on.
 * `npm run arch-plan -- --help` explains the options.
 */
import { runArchPlan } from '../lib/arch-guard/cli';

runArchPlan(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`ERROR unexpected failure: ${(error as Error).message}\n`);
    process.exitCode = 2;
  },
);
