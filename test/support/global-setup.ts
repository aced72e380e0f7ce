import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { CLEANUP_HANDLER, createRunFolder, removeAbandonedRunFolders } from './temp-root';
import { TEST_DAY_ENV } from './test-day';

/**
 * One temporary folder for the whole run, set as TMPDIR before jest starts its workers: every `new App()`
 * (cdk.out*), cdk8s `Testing.app()` (cdk8s.outdir.*), test folder and child process writes below it, and
 * global-teardown.ts removes it, so a run leaves nothing in /tmp. Ctrl-C (SIGINT) or SIGTERM removes it too,
 * and each run first removes what a killed run (SIGKILL, a closed terminal) left.
 */
export default function globalSetup(): void {
  const parent = tmpdir();
  removeAbandonedRunFolders(parent);
  const dir = createRunFolder(parent);
  // Restored by global-teardown.ts, so a second run in the same process (watch mode, Stryker) starts afresh.
  process.env.MIXED_ARCH_EKS_TEST_TMPDIR_PARENT = process.env.TMPDIR ?? '';
  process.env.MIXED_ARCH_EKS_TEST_TMPDIR = dir;
  process.env.TMPDIR = dir;
  // Every process a test starts (cdk synth, cdk8s synth, npm run ...) runs on the test day.
  Object.assign(process.env, TEST_DAY_ENV);
  // Interrupted: remove the folder, then die of the same signal (its exit status says so).
  const cleanup = (signal: NodeJS.Signals) => {
    removeSignalHandlers();
    rmSync(dir, { recursive: true, force: true });
    process.kill(process.pid, signal);
  };
  process.once('SIGINT', cleanup);
  process.once('SIGTERM', cleanup);
  (process as unknown as Record<symbol, unknown>)[CLEANUP_HANDLER] = cleanup;
}

/** Takes global-setup's signal handlers away (global-teardown.ts, and the handler itself before it re-raises). */
export function removeSignalHandlers(): void {
  const handler = (process as unknown as Record<symbol, ((signal: NodeJS.Signals) => void) | undefined>)[CLEANUP_HANDLER];
  if (!handler) return;
  process.removeListener('SIGINT', handler);
  process.removeListener('SIGTERM', handler);
  delete (process as unknown as Record<symbol, unknown>)[CLEANUP_HANDLER];
}
