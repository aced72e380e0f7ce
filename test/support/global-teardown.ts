import { rmSync } from 'node:fs';
import { removeSignalHandlers } from './global-setup';
import { TEST_DAY_ENV } from './test-day';

/** Removes the run's temporary folder (global-setup.ts) and restores TMPDIR. */
export default function globalTeardown(): void {
  removeSignalHandlers();
  const dir = process.env.MIXED_ARCH_EKS_TEST_TMPDIR;
  if (dir) rmSync(dir, { recursive: true, force: true });
  const parent = process.env.MIXED_ARCH_EKS_TEST_TMPDIR_PARENT;
  if (parent) process.env.TMPDIR = parent;
  else delete process.env.TMPDIR;
  delete process.env.MIXED_ARCH_EKS_TEST_TMPDIR;
  delete process.env.MIXED_ARCH_EKS_TEST_TMPDIR_PARENT;
  for (const name of Object.keys(TEST_DAY_ENV)) delete process.env[name];
}
