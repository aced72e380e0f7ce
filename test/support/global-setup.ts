import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_DAY_ENV } from './test-day';

/**
 * One temporary folder for the whole run, set as TMPDIR before jest starts its workers: every `new App()`
 * (cdk.out*), cdk8s `Testing.app()` (cdk8s.outdir.*), test folder and child process writes below it, and
 * global-teardown.ts removes it, so a run leaves nothing in /tmp.
 */
export default function globalSetup(): void {
  const dir = mkdtempSync(join(tmpdir(), 'mixed-arch-eks-test-'));
  // Restored by global-teardown.ts, so a second run in the same process (watch mode, Stryker) starts afresh.
  process.env.MIXED_ARCH_EKS_TEST_TMPDIR_PARENT = process.env.TMPDIR ?? '';
  process.env.MIXED_ARCH_EKS_TEST_TMPDIR = dir;
  process.env.TMPDIR = dir;
  // Every process a test starts (cdk synth, cdk8s synth, npm run ...) runs on the test day.
  Object.assign(process.env, TEST_DAY_ENV);
}
