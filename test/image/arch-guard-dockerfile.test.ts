import { spawn, spawnSync } from 'node:child_process';
import { builtinModules } from 'node:module';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as https from 'node:https';
import * as path from 'node:path';
import { Copy, DockerfileParser, Instruction } from 'dockerfile-ast';
import { parseDocument } from 'yaml';
import { WORKLOAD_GID, WORKLOAD_UID } from '../../lib/config/workload-identity';
import { ARCH_GUARD, archGuardArgs } from '../../lib/constructs/arch-guard/arch-guard-objects';
import { makeCertificate } from '../support/tls';

// image/arch-guard.Dockerfile read with dockerfile-ast (no Docker engine here), and its esbuild step run for real
// on this machine with the same arguments.

const ROOT = path.join(__dirname, '..', '..');
const FILE = path.join(ROOT, 'image', 'arch-guard.Dockerfile');
const dockerfile = DockerfileParser.parse(readFileSync(FILE, 'utf8'));
const froms = dockerfile.getFROMs();
const instructions = dockerfile.getInstructions();
const runtimeStart = froms[1]?.getRange().start.line ?? Infinity;
const build = instructions.filter((i) => i.getRange().start.line < runtimeStart);
const runtime = instructions.filter((i) => i.getRange().start.line >= runtimeStart);
const args = (i: Instruction) => i.getArguments().map((a) => a.getValue());
const keyword = (stage: Instruction[], name: string) => stage.filter((i) => i.getKeyword() === name);

/** The Node.js image of the pipeline's own jobs (.node in .gitlab-ci.yml). */
const pipelineNode = String((parseDocument(readFileSync(path.join(ROOT, '.gitlab-ci.yml'), 'utf8')).toJS() as Record<string, { image: string }>)['.node'].image);

describe('image/arch-guard.Dockerfile', () => {
  it('has two stages on the pipeline\'s exact Node.js 24 image, never latest', () => {
    expect(froms.map((f) => f.getImageName())).toEqual(['node', 'node']);
    const tags = froms.map((f) => f.getImageTag());
    expect(tags[0]).toMatch(/^24\.\d+\.\d+-bookworm-slim$/);
    expect(tags[1]).toBe(tags[0]);
    expect(`node:${tags[0]}`).toBe(pipelineNode);
    expect(froms[0].getBuildStage()).toBe('build');
    for (const from of froms) {
      const digest = from.getImageDigest();
      if (digest !== null) expect(digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    }
  });

  it('installs only what the bundle needs, with no install script', () => {
    const runs = keyword(build, 'RUN').map((r) => r.getArgumentsContent() ?? '');
    expect(runs[0]).toBe('npm ci --omit=dev --ignore-scripts --no-audit --no-fund');
    expect(runs[1]).toMatch(/^node_modules\/\.bin\/esbuild bin\/arch-guard\.ts --bundle --platform=node /);
    expect(runs).toHaveLength(2);
  });

  it('the runtime stage is the base plus one root-owned, read-only file, run as the numeric workload user', () => {
    const copies = keyword(runtime, 'COPY');
    expect(copies).toHaveLength(1);
    const flags = Object.fromEntries((copies[0] as Copy).getFlags().map((f) => [f.getName(), f.getValue()]));
    expect(flags).toEqual({ from: 'build', chown: '0:0', chmod: '0444' });
    expect(args(copies[0])).toEqual(['/out/arch-guard.js', '/app/arch-guard.js']);
    expect(runtime.filter((i) => ['RUN', 'ADD', 'VOLUME'].includes(i.getKeyword()))).toEqual([]);
    const [user] = keyword(runtime, 'USER');
    expect(user.getArgumentsContent()).toBe(`${WORKLOAD_UID}:${WORKLOAD_GID}`);
    expect(WORKLOAD_UID).not.toBe(0);
    expect(copies[0].getRange().start.line).toBeLessThan(user.getRange().start.line);
  });

  it('starts the bundle in exec form, on the port the stack\'s Service targets, with the flags as arguments', () => {
    const entrypoints = dockerfile.getENTRYPOINTs();
    expect(entrypoints).toHaveLength(1);
    expect(entrypoints[0].getJSONStrings().map((s) => s.getJSONValue())).toEqual(['node', '/app/arch-guard.js']);
    expect(dockerfile.getCMDs()).toEqual([]);
    expect(keyword(runtime, 'EXPOSE').map((e) => e.getArgumentsContent())).toEqual([String(ARCH_GUARD.port)]);
  });

  it('sends the lockfile and sources only, and every COPY of the build stage finds what it copies', () => {
    const patterns = readFileSync(`${FILE}.dockerignore`, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    expect(patterns).toEqual(['*', '!package.json', '!package-lock.json', '!tsconfig.json', '!bin/', '!lib/']);
    const sent = patterns.slice(1).map((p) => p.slice(1).replace(/\/$/, ''));
    for (const copy of keyword(build, 'COPY')) {
      for (const source of args(copy).slice(0, -1)) expect(sent).toContain(source.replace(/\/$/, ''));
    }
  });
});

describe('the build stage\'s esbuild step, run here', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'arch-guard-bundle-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const esbuildLine = keyword(build, 'RUN')[1].getArgumentsContent() ?? '';

  /** The Dockerfile's esbuild arguments with another entry and output file. */
  function bundle(entry: string, outfile: string) {
    const argv = esbuildLine.split(/\s+/).slice(1).map((a) => (a === 'bin/arch-guard.ts' ? entry : a.replace(/^--outfile=.*/, `--outfile=${outfile}`)));
    return spawnSync(path.join(ROOT, 'node_modules/.bin/esbuild'), argv, { cwd: ROOT, encoding: 'utf8' });
  }

  it('writes one file that runs with no node_modules beside it', () => {
    // A stand-in entry that imports the project's own modules the way bin/ does.
    const entry = path.join(tmp, 'entry.ts');
    writeFileSync(entry, `import { ARCHITECTURES } from '${path.join(ROOT, 'lib/config/architectures')}';\nimport { parseImageReference } from '${path.join(ROOT, 'lib/config/image-reference')}';\n` +
      'console.log(ARCHITECTURES.join(","), parseImageReference("busybox:1").repository, process.arch.length > 0);\n');
    const out = path.join(tmp, 'alone', 'arch-guard.js');
    const result = bundle(entry, out);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const run = spawnSync(process.execPath, [out], { cwd: path.dirname(out), encoding: 'utf8', env: { PATH: process.env.PATH } });
    expect(run.stdout).toBe('arm64,amd64 library/busybox true\n');
  });

  it('bundles the real entry into one file that, alone in a folder, serves HTTPS with the stack\'s arguments', async () => {
    const dir = path.join(tmp, 'real');
    const out = path.join(dir, 'arch-guard.js');
    const result = bundle('bin/arch-guard.ts', out);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    // Only Node.js built-ins outside the file, and the libraries the server never loads with --arch: aws-cdk-lib
    // (the configuration code) and the AWS SDK's optional CRT signer.
    const required = [...new Set([...readFileSync(out, 'utf8').matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]))];
    expect(required.filter((r) => !r.startsWith('node:') && !builtinModules.includes(r)).sort()).toEqual(['@aws-sdk/signature-v4-crt', 'aws-cdk-lib/aws-ec2']);
    // The container's command line, as the stack writes it, with a test certificate and any free port.
    const cert = makeCertificate(mkdtempSync(path.join(tmp, 'tls-')));
    const argv = archGuardArgs({ architectures: ['arm64', 'amd64'], arm64Weight: 50 })
      .map((a) => ({ '/tls/tls.crt': cert.certFile, '/tls/tls.key': cert.keyFile, [String(ARCH_GUARD.port)]: '0' })[a] ?? a);
    const server = spawn(process.execPath, [out, ...argv], { cwd: dir, env: { PATH: process.env.PATH ?? '' } });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let text = '';
        server.stdout.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          const m = /"port":(\d+)/.exec(text);
          if (m) resolve(Number(m[1]));
        });
        server.on('exit', (code) => reject(new Error(`exited ${code}: ${text}`)));
      });
      const health = await new Promise<{ status?: number; body: string }>((resolve, reject) => {
        https.get({ host: '127.0.0.1', port, path: '/healthz', ca: cert.cert }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => { body += c.toString(); });
          res.on('end', () => resolve({ status: res.statusCode, body }));
        }).on('error', reject);
      });
      expect(health.status).toBe(200);
    } finally {
      server.kill('SIGTERM');
    }
  });
});
