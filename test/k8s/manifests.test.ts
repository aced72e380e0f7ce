import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../lib/config/cdk-json';
import { copyProject } from '../support/project-copy';
import { withoutTestDayNotice } from '../support/test-day';

// `cdk8s synth` as users run it (into a folder of the test's own, not the checkout's dist/); then every file it
// wrote against the Kubernetes schema.
const cdk8s = join(PROJECT_ROOT, 'node_modules/cdk8s-cli/bin/cdk8s');
const validator = join(PROJECT_ROOT, 'scripts/validate-manifests.ts');
const env: NodeJS.ProcessEnv = { ...process.env, CDK8S_CHECK_UPGRADE: 'false' };
delete env.PRINT_PLATFORM_INFO_IMAGE;
const tmp = mkdtempSync(join(tmpdir(), 'manifests-'));
// A copy of the project with the tests' cdk.json: the repository's cdk.json is the user's.
const project = copyProject();
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
  project.remove();
});

const run = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => {
  const result = spawnSync(process.execPath, args, { cwd: project.dir, env: { ...env, ...extraEnv }, encoding: 'utf8', timeout: 60_000 });
  return { ...result, stderr: withoutTestDayNotice(result.stderr) };
};

const dist = join(tmp, 'dist');
const synth = run([cdk8s, 'synth', '--output', dist]);

test('`cdk8s synth --output <folder>` writes one file per workload there', () => {
  // Without --output, cdk8s-cli empties a staging folder, not dist/ (test/k8s/cdk8s-cli.test.ts).
  expect(readFileSync(join(PROJECT_ROOT, 'cdk8s.yaml'), 'utf8')).toMatch(/^output: \.cdk8s\.out$/m);
  expect(synth.stderr).toBe('');
  expect(synth.status).toBe(0);
  expect(readdirSync(dist).sort()).toEqual([
    'busybox.k8s.yaml', 'print-platform-info-amd64.k8s.yaml', 'print-platform-info-any.k8s.yaml', 'print-platform-info-arm64.k8s.yaml',
  ]);
});

test('every manifest in dist/ is valid against the Kubernetes OpenAPI schema (kubernetes-models)', () => {
  const result = run(['--require', 'esbuild-register', validator, dist]);
  expect(result.stdout).toMatch(/valid {3}.*Pod\/busybox/);
  expect(result.stdout.match(/^valid /gm)).toHaveLength(4);
  expect(result.stdout).toMatch(/all objects are valid/);
  expect(result.status).toBe(0);
});

test('the validator rejects the article\'s Pod (restartPolicy and nodeSelector outside spec) and pod fields one level off', () => {
  const file = join(tmp, 'article-busybox.yaml');
  writeFileSync(file, [
    'apiVersion: v1', 'kind: Pod', 'metadata: {name: busybox}',
    'spec: {containers: [{name: busybox, image: arm64v8/busybox, command: [sleep, "3600"]}]}',
    'restartPolicy: Always', 'nodeSelector: {kubernetes.io/arch: arm64}', '---',
    'apiVersion: v1', 'kind: Pod', 'metadata: {name: bad-type}', 'spec: {containers: [{name: a, image: b}], restartPolicy: 3}', '---',
    'apiVersion: batch/v1', 'kind: Job', 'metadata: {name: job-one-level-off}',
    'spec: {nodeSelector: {kubernetes.io/arch: arm64}, template: {spec: {restartPolicy: Never, containers: [{name: a, image: b}]}}}', '---',
    'apiVersion: batch/v1', 'kind: Job', 'metadata: {name: job-in-container}',
    'spec: {template: {spec: {restartPolicy: Never, containers: [{name: a, image: b, nodeSelector: {kubernetes.io/arch: arm64}}]}}}',
  ].join('\n'));
  const result = run(['--require', 'esbuild-register', validator, file]);
  expect(result.status).toBe(1);
  expect(result.stdout).toMatch(/INVALID .*Pod\/busybox: unknown top-level field\(s\) restartPolicy, nodeSelector/);
  expect(result.stdout).toMatch(/INVALID .*Pod\/bad-type: .*restartPolicy must be string/);
  expect(result.stdout).toMatch(/INVALID .*Job\/job-one-level-off: misplaced field\(s\) spec\.nodeSelector \(belongs in spec\.template\.spec\)/);
  expect(result.stdout).toMatch(/INVALID .*Job\/job-in-container: misplaced field\(s\) spec\.template\.spec\.containers\[0\]\.nodeSelector/);
  expect(result.stdout).toMatch(/^4 invalid object\(s\)$/m);
});

test('a `latest` image fails `cdk8s synth` with the message alone and writes nothing', () => {
  const outdir = join(tmp, 'out');
  const result = run([cdk8s, 'synth', '--output', outdir], { PRINT_PLATFORM_INFO_IMAGE: 'registry.gitlab.com/acme/image:latest' });
  expect(result.status).not.toBe(0);
  expect(result.stderr).toMatch(/PRINT_PLATFORM_INFO_IMAGE = "registry\.gitlab\.com\/acme\/image:latest": "latest" moves/);
  // Our app prints the message alone; cdk8s-cli then adds its own "returned a non-zero exit code" trace.
  const ours = result.stderr.split(/^Error: command /m)[0];
  expect(ours).toMatch(/^Invalid configuration:\n {2}- PRINT_PLATFORM_INFO_IMAGE/);
  expect(ours).not.toMatch(/^\s+at /m);
  expect(() => readdirSync(outdir)).toThrow();
});
