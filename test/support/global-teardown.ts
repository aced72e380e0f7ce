import { rmSync } from 'node:fs';

/** Removes the run's temporary folder (global-setup.ts). */
export default function globalTeardown(): void {
  const dir = process.env.MIXED_ARCH_EKS_TEST_TMPDIR;
  if (dir) rmSync(dir, { recursive: true, force: true });
}
