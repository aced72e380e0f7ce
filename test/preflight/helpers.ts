/** Helpers for the check-image tests: run the real CLI entry in a child process with a clean environment. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCheckImage } from '../../lib/preflight/run';
import { TEST_CDK_JSON } from '../support/cdk';
import { copyProject } from '../support/project-copy';
import { TEST_DAY_ENV, withoutTestDayNotice } from '../support/test-day';


export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall-clock milliseconds, process start to exit. */
  readonly ms: number;
}

const created: string[] = [];

/** A fresh temporary folder, removed by removeTempDirs (call it from afterAll). */
export function tempDir(prefix = 'preflight-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** Removes every folder tempDir made in this test file. */
export function removeTempDirs(): void {
  created.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true }));
  projectDir = undefined;
}

let emptyConfigDir: string | undefined;

/** An empty DOCKER_CONFIG folder, so the developer's own ~/.docker/config.json never leaks into a test. */
export function emptyDockerConfig(): string {
  emptyConfigDir ??= tempDir('preflight-docker-config-');
  return emptyConfigDir;
}

let projectDir: string | undefined;

/** A copy of the project with the tests' cdk.json, where the command runs (removed by removeTempDirs). */
function project(): string {
  if (!projectDir) {
    projectDir = copyProject().dir;
    created.push(projectDir);
  }
  return projectDir;
}

const baseEnv = (): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  DOCKER_CONFIG: emptyDockerConfig(),
  NO_COLOR: '1',
});

/**
 * Runs `node --require esbuild-register bin/check-image.ts <args>` as npm run check-image does, in a copy of the
 * project with the tests' cdk.json, on the test day (its notice taken out of stderr; test/test-day.test.ts asserts it).
 */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}, killAfterMs = 30_000): Promise<CliResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--require', 'esbuild-register', 'bin/check-image.ts', ...args], {
      cwd: project(),
      env: { ...baseEnv(), ...TEST_DAY_ENV, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    // A hang is a failure of the command under test; never let it hang the suite.
    const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr: withoutTestDayNotice(stderr), ms: Date.now() - started });
    });
  });
}

/**
 * Runs `npm run --silent check-image -- <args>`: the command as a user types it, with npm, node and
 * esbuild-register in between, in the same project copy, clean environment and test day as runCli.
 */
export function runNpm(args: readonly string[], env: NodeJS.ProcessEnv = {}, killAfterMs = 30_000): Promise<CliResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'check-image', '--', ...args], {
      cwd: project(),
      env: { ...baseEnv(), ...TEST_DAY_ENV, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr: withoutTestDayNotice(stderr), ms: Date.now() - started });
    });
  });
}

/**
 * Runs the command in this process: the same runCheckImage that bin/check-image.ts wires, with the same clean
 * environment, without the ~0.4 s of a process start. Exit-code wiring keeps its own whole-process tests.
 */
export async function runInProcess(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const started = Date.now();
  const output = captureOutput();
  const code = await runCheckImage(args, output, { ...baseEnv(), ...env }, TEST_CDK_JSON);
  const text = (s: string) => (s === '' ? '' : `${s}\n`);
  return { code, stdout: text(output.stdout()), stderr: text(output.stderr()), ms: Date.now() - started };
}

/** Collects what runCheckImage writes, for in-process runs. */
export function captureOutput(): { out: (l: string) => void; err: (l: string) => void; stdout: () => string; stderr: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    stdout: () => out.join('\n'),
    stderr: () => err.join('\n'),
  };
}
