import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeTempDirs, runInProcess, tempDir } from './helpers';

// What check-image warns about workloads pinned where no node can run them. The images are invalid references,
// so nothing reaches a registry: each is one ERROR line, after the warnings this test is about.
afterAll(removeTempDirs);

const job = (name: string, podSpec: Record<string, unknown>) => JSON.stringify({
  apiVersion: 'batch/v1', kind: 'Job', metadata: { name },
  spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: `Invalid_${name}` }], ...podSpec } } },
});
const arch = (operator: string, values: string[]) => ({
  affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/arch', operator, values }] }] } } },
});

test('pinned to a misspelt or unknown architecture, to none, or to one no node runs', async () => {
  const dir = tempDir('preflight-warnings-');
  mkdirSync(join(dir, 'k8s'));
  writeFileSync(join(dir, 'k8s', 'jobs.yaml'), [
    job('alias', { nodeSelector: { 'kubernetes.io/arch': 'aarch64' } }),
    job('unknown', { nodeSelector: { 'kubernetes.io/arch': 'sparc' } }),
    job('none', arch('NotIn', ['arm64', 'amd64'])),
    job('x86', { nodeSelector: { 'kubernetes.io/arch': 'amd64' } }),
  ].join('\n---\n'));
  const nodeGroups = JSON.stringify([{ name: 'graviton', arch: 'arm64', instanceTypes: ['m7g.large'], minSize: 1, desiredSize: 1, maxSize: 2 }]);
  const result = await runInProcess(['-c', `nodeGroups=${nodeGroups}`, '--manifests', join(dir, 'k8s')]);
  const warnings = result.stderr.split('\n').filter((line) => line.startsWith('WARNING'));
  expect(warnings).toEqual([
    'WARNING Job alias (jobs.yaml) is pinned to kubernetes.io/arch=aarch64, which no node carries (write arm64)',
    'WARNING Job unknown (jobs.yaml) is pinned to kubernetes.io/arch=sparc, which no node carries',
    'WARNING Job none (jobs.yaml) excludes every architecture in its nodeAffinity, so it can never be scheduled',
    'WARNING Job x86 (jobs.yaml) is pinned to amd64 but no node runs amd64 (nodes: arm64), so it stays Pending',
  ]);
  expect(result.stderr).toContain('ERROR Invalid_x86: "Invalid_x86" is not a valid image reference');
  expect(result.code).toBe(2);
});

test('a bad -c value is the configuration error, every line of it, and exit 2', async () => {
  const result = await runInProcess(['-c', 'nodeGroups=[{"name":', 'busybox:1']);
  expect(result.stderr).toBe([
    'ERROR Invalid configuration:',
    '  - nodeGroups = "[{\\"name\\":": not valid JSON (Unexpected end of JSON input). Fix: quote the whole value for the shell: -c nodeGroups=\'[{"name":...}]\'',
    '',
  ].join('\n'));
  expect(result.code).toBe(2);
});
