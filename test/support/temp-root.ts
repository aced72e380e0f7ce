import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The run's temporary folder: `mixed-arch-eks-test-<pid>-XXXXXX` below the system's temporary folder. The pid
 * lets a later run tell a folder whose run was killed (its process is gone) from one still in use.
 */
export const TEMP_PREFIX = 'mixed-arch-eks-test-';

export function createRunFolder(parent: string, pid = process.pid): string {
  return mkdtempSync(join(parent, `${TEMP_PREFIX}${pid}-`));
}

/** Removes the run folders in `parent` that a killed run left (their process is gone); returns their names. */
export function removeAbandonedRunFolders(parent: string): string[] {
  const removed: string[] = [];
  for (const name of readdirSync(parent)) {
    const pid = Number(new RegExp(`^${TEMP_PREFIX}(\\d+)-`).exec(name)?.[1]);
    if (!Number.isInteger(pid) || pid <= 0 || isRunning(pid)) continue;
    rmSync(join(parent, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists, owned by another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Where global-setup.ts keeps the signal handler, so global-teardown.ts can take it away again. */
export const CLEANUP_HANDLER = Symbol.for('mixed-arch-eks.test-run-cleanup');
