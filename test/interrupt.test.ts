/**
 * An interrupted run leaves nothing behind: Ctrl-C (SIGINT) or SIGTERM during `npm test` removes the run's
 * temporary folder, and the next run removes what a killed run (SIGKILL) left, in TMPDIR and next to dist/.
 * Real processes and real signals.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../lib/config/cdk-json';
import { copyProject } from './support/project-copy';
import { TEMP_PREFIX, removeAbandonedRunFolders } from './support/temp-root';

const work = mkdtempSync(join(tmpdir(), 'interrupt-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
/** A pid no process has: above Linux's pid_max (4194304 at most). */
const DEAD = 4194305 + 1000;

/** jest with the project's global setup and teardown around one waiting test, its TMPDIR set to `tmp`. */
function jestRun(tmp: string, waitMs: number, started: string) {
  const child = spawn(process.execPath, [join(PROJECT_ROOT, 'node_modules/jest/bin/jest.js'), '-c', 'test/fixtures/interrupt/jest.config.js', '-i'], {
    cwd: PROJECT_ROOT, env: { ...process.env, TMPDIR: tmp, FIXTURE_STARTED: started, FIXTURE_WAIT_MS: String(waitMs) }, stdio: 'ignore',
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, exit };
}

async function until(condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const runFolders = (dir: string) => readdirSync(dir).filter((f) => f.startsWith(TEMP_PREFIX)).sort();

test.each(['SIGINT', 'SIGTERM'] as const)('%s during a test run removes the run\'s temporary folder, and the run exits by that signal', async (signal) => {
  const tmp = mkdtempSync(join(work, 'tmp-'));
  const started = join(work, `started-${signal}`);
  const run = jestRun(tmp, 60_000, started);
  await until(() => existsSync(started));
  expect(runFolders(tmp)).toHaveLength(1);
  run.child.kill(signal);
  expect(await run.exit).toEqual({ code: null, signal });
  expect(runFolders(tmp)).toEqual([]);
});

test('a run removes the folders of runs that were killed (their process is gone), and no other run\'s', async () => {
  const tmp = mkdtempSync(join(work, 'tmp-'));
  for (const name of [`${TEMP_PREFIX}${DEAD}-abc`, `${TEMP_PREFIX}${process.pid}-live`, `${TEMP_PREFIX}old-format`, 'other']) mkdirSync(join(tmp, name));
  const run = jestRun(tmp, 0, join(work, 'started-cleanup'));
  expect(await run.exit).toEqual({ code: 0, signal: null });
  // Its own folder is gone too (global-teardown); the live run's and the unknown ones stay.
  expect(readdirSync(tmp).sort()).toEqual([`${TEMP_PREFIX}${process.pid}-live`, `${TEMP_PREFIX}old-format`, 'other']);
  expect(removeAbandonedRunFolders(tmp)).toEqual([]);
});

test('a synth killed mid-write leaves its staging folders; the next synth removes them, and no running synth\'s', () => {
  const project = copyProject();
  try {
    const names = [`.dist.new-${DEAD}-abc`, `.dist.new-${DEAD}-abc.old`, `.dist.new-${process.pid}-live`];
    for (const name of names) mkdirSync(join(project.dir, name));
    const result = spawnSync(process.execPath, ['--require', 'esbuild-register', 'k8s/main.ts'], { cwd: project.dir, encoding: 'utf8', timeout: 60_000 });
    expect(result.status).toBe(0);
    expect(readdirSync(project.dir).filter((f) => f.startsWith('.dist')).sort()).toEqual([`.dist.new-${process.pid}-live`]);
    expect(readdirSync(join(project.dir, 'dist'))).toHaveLength(4);
  } finally {
    project.remove();
  }
});

test('a synth sent SIGKILL while it writes, then run again: nothing is left next to dist/', async () => {
  const project = copyProject();
  try {
    const leftovers = () => readdirSync(project.dir).filter((f) => f.startsWith('.dist.new-'));
    const child = spawn(process.execPath, ['--require', 'esbuild-register', 'k8s/main.ts'], { cwd: project.dir, stdio: 'ignore' });
    const exit = new Promise((resolve) => child.on('exit', resolve));
    // Killed as soon as its staging folder exists, or at once if it finished first: either way the next run cleans up.
    await until(() => leftovers().length > 0 || child.exitCode !== null, 30_000);
    child.kill('SIGKILL');
    await exit;
    const again = spawnSync(process.execPath, ['--require', 'esbuild-register', 'k8s/main.ts'], { cwd: project.dir, encoding: 'utf8', timeout: 60_000 });
    expect(again.status).toBe(0);
    expect(leftovers()).toEqual([]);
  } finally {
    project.remove();
  }
});
