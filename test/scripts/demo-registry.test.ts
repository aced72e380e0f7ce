/**
 * `npm run demo-registry`, as docs/preflight.md runs it: a real registry process with the demo's two images,
 * which check-image reads (the digests the docs print), stopped by Ctrl-C with nothing left behind.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../lib/config/cdk-json';
import { runInProcess } from '../preflight/helpers';
import { readDoc } from '../support/docs';
import { freePort } from '../support/registry';

let demo: ChildProcess;
let output = '';
let port: number;
const storage = mkdtempSync(join(tmpdir(), 'demo-registry-test-'));

afterAll(() => {
  if (demo.exitCode === null) demo.kill('SIGKILL');
  rmSync(storage, { recursive: true, force: true });
});

beforeAll(async () => {
  port = await freePort();
  demo = spawn(process.execPath, ['--require', 'esbuild-register', 'scripts/demo-registry.ts', '--port', String(port)], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH, TMPDIR: storage },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  demo.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  demo.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 20_000;
  while (!output.includes('ready:') && demo.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
});

test('it pushes the two images and says where', () => {
  expect(output).toBe([
    `pushed localhost:${port}/arm64v8/busybox:1.37.0 (linux/arm64/v8)`,
    `pushed localhost:${port}/example-group/mixed-arch-eks/print-platform-info:0.1.0 (linux/amd64)`,
    `ready: a registry on localhost:${port} (plain HTTP); Ctrl-C stops it and deletes its storage`,
    '',
  ].join('\n'));
});

/** The README's check-image command of "Try the preflight locally", its arguments aimed at this test's port. */
function readmeDemoArgs(): string[] {
  const section = readDoc('README.md').split('## Try the preflight locally')[1] ?? '';
  const command = /^npm run check-image -- ((?:.*\\\n)*.*)$/m.exec(section)?.[1];
  if (!command) throw new Error('README has no check-image command under "Try the preflight locally"');
  return command.replace(/\\\n\s*/g, ' ').trim().split(/\s+/).map((a) => a.replace('localhost:5000', `localhost:${port}`));
}

test('the README\'s check-image command reads them: busybox arm64 only, print-platform-info amd64 only with an attestation', async () => {
  expect(readDoc('README.md')).toContain('npm run demo-registry ');
  const result = await runInProcess(readmeDemoArgs());
  expect(result.code).toBe(1);
  // The index digests docs/preflight.md shows: the demo's images are the same bytes on every machine.
  expect(result.stdout).toContain('(OCI image index, sha256:2d746df60156e648dbac2cdaac6821b07e803c8e964c7934ca164a56705edb21)');
  expect(result.stdout).toContain('(OCI image index, sha256:098174a511e4002e3f54c3f7ce1ff62974db429643365d94d02ffdb4da78fa9f)');
  expect(result.stdout).toContain('MISSING amd64');
  expect(result.stdout).toContain('unknown/unknown  sha256:1c564cf13585  564 B  attestation (ignored)');
  expect(result.stdout).toContain('Checked 2 images: 0 OK, 2 missing an architecture, 0 could not be checked');
});

test('Ctrl-C stops the registry and deletes its storage', async () => {
  const exited = new Promise<number | null>((resolve) => demo.once('exit', (code) => resolve(code)));
  demo.kill('SIGINT');
  expect(await exited).toBe(0);
  expect(readdirSync(storage)).toEqual([]);
  await expect(fetch(`http://127.0.0.1:${port}/v2/`, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
});

test('a port in use is one line with the fix', async () => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const busy = (blocker.address() as { port: number }).port;
  const child = spawn(process.execPath, ['--require', 'esbuild-register', 'scripts/demo-registry.ts', '--port', String(busy)], {
    cwd: PROJECT_ROOT, env: { PATH: process.env.PATH, TMPDIR: storage }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  blocker.close();
  expect(code).toBe(1);
  expect(stderr.trim().split('\n')).toHaveLength(1);
  expect(stderr).toMatch(new RegExp(`Is port ${busy} in use\\? Try npm run demo-registry -- --port <another port>`));
  expect(readdirSync(storage)).toEqual([]);
});
