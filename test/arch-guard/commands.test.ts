/**
 * The two commands as users run them: `npm run arch-plan -- <manifests>` prints what the webhook would do with
 * each workload (images in the real local registry), `npm run arch-guard` starts, serves and stops on SIGTERM;
 * usage mistakes are one line each.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildK8sApp } from '../../k8s/app';
import { runArchGuard, runArchPlan } from '../../lib/arch-guard/cli';
import { PROJECT_ROOT } from '../../lib/config/cdk-json';
import { TEST_CDK_JSON } from '../support/cdk';
import { resolveWith } from '../support/config';
import { ImagePusher, TestRegistry, startRegistry } from '../support/registry';
import { makeCertificate } from '../support/tls';
import { https } from './helpers';

let registry: TestRegistry;
let host: string;
const dir = mkdtempSync(join(tmpdir(), 'arch-plan-'));

beforeAll(async () => {
  registry = await startRegistry();
  host = registry.host;
  const push = new ImagePusher(registry);
  await Promise.all([
    push.multiArch('multi', '1', ['linux/arm64', 'linux/amd64']),
    push.multiArch('amd64only', '1', ['linux/amd64']),
    push.multiArch('arm64only', '1', ['linux/arm64']),
    push.multiArch('print-platform-info', '0.1.0', ['linux/arm64', 'linux/amd64'], { attestations: true }),
    push.multiArch('busybox', '1.37.0', ['linux/arm64']),
  ]);
});

afterAll(async () => {
  await registry?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function plan(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runArchPlan(args, { out: (l) => out.push(l), err: (l) => err.push(l) }, { cdkJson: TEST_CDK_JSON, env: {} });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

test('arch-plan: each workload of a folder, its images\' architectures and what the webhook does', async () => {
  const folder = join(dir, 'apps');
  mkdirSync(join(folder, 'jobs'), { recursive: true });
  writeFileSync(join(folder, 'web.yaml'), `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: ${host}/multi:1}, {name: proxy, image: ${host}/multi:1}]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: monitoring}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: agent, image: ${host}/amd64only:1}]}
`);
  writeFileSync(join(folder, 'jobs', 'nightly.yaml'), `apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  schedule: "0 2 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          initContainers: [{name: fetch, image: ${host}/arm64only:1}]
          containers: [{name: run, image: ${host}/amd64only:1}]
---
apiVersion: v1
kind: Pod
metadata: {name: pinned}
spec:
  nodeSelector: {kubernetes.io/arch: arm64}
  containers: [{name: app, image: ${host}/amd64only:1}]
`);
  const result = await plan(['--plain-http', '--arch', 'arm64,amd64', '--arm64-weight', '70', folder]);
  expect(result.stderr).toBe('');
  expect(result.stdout).toBe(`Nodes: arm64, amd64 (--arch); arm64 preferred with weight 70 where both fit

CronJob nightly  (jobs/nightly.yaml)
  ${host}/arm64only:1  arm64  [init:fetch]
  ${host}/amd64only:1  amd64  [run]
  webhook: left unchanged (fail open): no architecture the nodes run is in every image (${host}/arm64only:1 has linux/arm64; ${host}/amd64only:1 has linux/amd64)

Pod pinned  (jobs/nightly.yaml)
  ${host}/amd64only:1  amd64  [app]
  webhook: left as it is (pinned to arm64 by its own kubernetes.io/arch constraint); WARNING: ${host}/amd64only:1 has no linux/arm64 (it has linux/amd64 only), but this pod may run on arm64 nodes (exec format error there)

Deployment shop/web  (web.yaml)
  ${host}/multi:1  arm64, amd64  [web, proxy]
  webhook: adds required kubernetes.io/arch In [arm64, amd64], prefers arm64 (weight 70)

DaemonSet monitoring/agent  (web.yaml)
  ${host}/amd64only:1  amd64  [agent]
  webhook: adds required kubernetes.io/arch In [amd64]

Planned 4 workloads: 1 unchanged, no common architecture, 1 pinned with a warning, 2 placed by the webhook`);
  expect(result.code).toBe(0);
});

test('arch-plan over our own manifests (the k8s app\'s dist/ files), the nodes from cdk.json', async () => {
  const dist = join(dir, 'dist');
  buildK8sApp(resolveWith({ printPlatformInfoImage: `${host}/print-platform-info:0.1.0`, busyboxImage: `${host}/busybox:1.37.0` }), dist).synth();
  const result = await plan(['--plain-http', dist]);
  expect(result.stderr).toBe('');
  const lines = result.stdout.split('\n');
  expect(lines[0]).toBe('Nodes: arm64 (node group graviton), amd64 (node group x86); arm64 preferred with weight 50 where both fit');
  expect(lines.filter((l) => l.startsWith('  webhook: '))).toEqual([
    '  webhook: left as it is (pinned to arm64 by its own kubernetes.io/arch constraint)',
    '  webhook: left as it is (pinned to amd64 by its own kubernetes.io/arch constraint)',
    '  webhook: adds required kubernetes.io/arch In [arm64, amd64], prefers arm64 (weight 50)',
    '  webhook: left as it is (pinned to arm64 by its own kubernetes.io/arch constraint)',
  ]);
  expect(lines.at(-1)).toBe('Planned 4 workloads: 3 left as they are (pinned), 1 placed by the webhook');
  expect(result.code).toBe(0);
});

test('arch-plan with a registry that cannot be reached still prints the plan: those workloads fail open', async () => {
  const file = join(dir, 'offline.yaml');
  writeFileSync(file, 'apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec: {containers: [{name: web, image: "127.0.0.1:1/app:1"}]}\n');
  const result = await plan(['--plain-http', '--arch', 'arm64,amd64', file]);
  expect(result.stdout.split('\n').slice(2)).toEqual([
    `Pod web  (${file})`,
    '  127.0.0.1:1/app:1  cannot be read: cannot reach 127.0.0.1:1 (bad port)  [web]',
    '  webhook: left unchanged (fail open: 1 image could not be read)',
    '',
    'Planned 1 workload: 1 unchanged, a lookup failed',
  ]);
  expect(result.code).toBe(0);
});

test.each([
  [[], 'ERROR no manifests to plan. Name manifest files or folders: npm run synth, then npm run arch-plan -- dist/'],
  [['--arm64-weight', '0', 'dist'], 'ERROR --arm64-weight "0" is not a whole number from 1 to 100. Write it like --arm64-weight 50'],
  [['--budget-ms', '10000', 'dist'], 'ERROR --budget-ms "10000" is not a whole number from 1 to 9000 (it must stay below the webhook\'s timeoutSeconds, at most 10 s). Write it like --budget-ms 3000'],
  [['--arch', 'x86_64', 'dist'], 'ERROR --arch: "x86_64" is not a node architecture. Write amd64'],
  [['--bogus', 'dist'], 'ERROR Unknown option \'--bogus\'. Run with --help for the options'],
  [['--arch', 'arm64', join(tmpdir(), 'no-such-folder-arch-plan')], `ERROR there is no folder ${join(tmpdir(), 'no-such-folder-arch-plan')}. Run npm run synth first (cdk8s writes the manifests to dist/), or pass the folder that holds them`],
])('arch-plan %j: one line, exit 2', async (args, line) => {
  const result = await plan(args);
  expect(result.stdout).toBe('');
  expect(result.stderr).toBe(line);
  expect(result.code).toBe(2);
});

test.each([
  [['--port', '8443'], 'ERROR missing --tls-cert, --tls-key. Run it like npm run arch-guard -- --port 8443 --tls-cert tls.crt --tls-key tls.key --arch arm64,amd64'],
  [['--port', '70000', '--tls-cert', 'a', '--tls-key', 'b'], 'ERROR --port "70000" is not a whole number from 0 to 65535. Write it like --port 8443'],
  [['--port', '0', '--tls-cert', '/nonexistent/tls.crt', '--tls-key', '/nonexistent/tls.key', '--arch', 'arm64'], 'ERROR cannot read the TLS certificate /nonexistent/tls.crt (ENOENT). Check the path, and that the certificate Secret is mounted there'],
  [['--port', '0', '--tls-cert', 'a', '--tls-key', 'b', '--arch', 'arm64', '--docker-config', '/nonexistent/config.json'], 'ERROR cannot read /nonexistent/config.json (ENOENT). Check the --docker-config path, and that the Secret is mounted there'],
])('arch-guard %j: one line, exit 2, nothing listening', async (args, line) => {
  const err: string[] = [];
  const run = await runArchGuard(args, { out: () => undefined, err: (l) => err.push(l) }, { host: '127.0.0.1' });
  expect(run.server).toBeUndefined();
  expect(err).toEqual([line]);
  expect(run.code).toBe(2);
});

test('a key that is not the certificate\'s: refused at start, naming both files', async () => {
  const a = makeCertificate(mkdtempSync(join(dir, 'a-')));
  const b = makeCertificate(mkdtempSync(join(dir, 'b-')));
  const err: string[] = [];
  const run = await runArchGuard(['--port', '0', '--tls-cert', a.certFile, '--tls-key', b.keyFile, '--arch', 'arm64'], { out: () => undefined, err: (l) => err.push(l) }, { host: '127.0.0.1' });
  expect(run.code).toBe(2);
  expect(err).toHaveLength(1);
  expect(err[0]).toMatch(new RegExp(`^ERROR cannot use ${a.certFile} and ${b.keyFile} \\(.*\\)\\. Give a PEM certificate and the private key that belongs to it$`));
});

test('npm run arch-guard (bin/arch-guard.ts as a process): logs where it listens, serves, and exits 0 on SIGTERM', async () => {
  const cert = makeCertificate(mkdtempSync(join(dir, 'process-')));
  const child = spawn(process.execPath, ['--require', 'esbuild-register', 'bin/arch-guard.ts', '--port', '0', '--tls-cert', cert.certFile, '--tls-key', cert.keyFile, '--arch', 'arm64,amd64'], {
    cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH, HOME: process.env.HOME },
  });
  const kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      const match = /"msg":"listening","port":(\d+)/.exec(stdout);
      if (match) resolve(Number(match[1]));
    });
    child.on('close', () => reject(new Error(`exited before listening: ${stdout}${stderr}`)));
  });
  expect((await https(port, cert.cert, 'GET', '/readyz')).text).toBe('ready\n');
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  clearTimeout(kill);
  expect(stderr).toBe('');
  expect(JSON.parse(stdout.split('\n')[0])).toEqual({
    time: expect.any(String), level: 'info', msg: 'listening', port,
    architectures: ['arm64', 'amd64'], architecturesFrom: 'arm64, amd64 (--arch)', arm64Weight: 50, budgetMs: 3000,
  });
});
