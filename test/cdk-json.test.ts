/**
 * The repository's cdk.json is the user's: the other tests use their own (test/fixtures/cdk.json), so a user who
 * configures a cluster keeps a green suite. These are the only tests of the repository's cdk.json: it is valid,
 * and it synthesizes, whatever it holds.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT, loadCdkJsonContext } from '../lib/config/cdk-json';
import { LAST_AL2_KUBERNETES_VERSION } from '../lib/config/kubernetes-versions';
import { resolveProjectConfig } from '../lib/config/project-config';
import { TEST_CDK_JSON, TEST_DAY } from './support/cdk';

const outdir = mkdtempSync(join(tmpdir(), 'cdk-json-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

test('the repository\'s cdk.json is valid: every key resolves, with no configuration error', () => {
  const context = loadCdkJsonContext(join(PROJECT_ROOT, 'cdk.json'));
  expect(() => resolveProjectConfig((key) => context[key], {}, Object.keys(context), TEST_DAY)).not.toThrow();
});

test('the repository\'s cdk.json pins the node OS and the Kubernetes version, so no release of this project moves a running cluster\'s version', () => {
  const context = loadCdkJsonContext(join(PROJECT_ROOT, 'cdk.json'));
  expect([context.amiFamily, context.kubernetesVersion]).toEqual(['AL2', LAST_AL2_KUBERNETES_VERSION]);
  // The same as what the code would choose without them: pinning changed nothing for a deployed cluster.
  const unpinned = Object.fromEntries(Object.entries(context).filter(([key]) => key !== 'amiFamily' && key !== 'kubernetesVersion'));
  const defaults = resolveProjectConfig((key) => unpinned[key], {}, Object.keys(unpinned), TEST_DAY).cluster;
  expect([defaults.amiFamily, defaults.kubernetesVersion]).toEqual(['AL2', '1.32']);
});

test('the repository\'s cdk.json synthesizes: `cdk synth` in the checkout, cdk-nag and CloudFormation validation included', () => {
  const env = { ...process.env };
  delete env.CDK_VALIDATION;
  const result = spawnSync(process.execPath, [join(PROJECT_ROOT, 'node_modules/aws-cdk/bin/cdk'), 'synth', '--quiet', '--output', outdir], {
    cwd: PROJECT_ROOT, env, encoding: 'utf8', timeout: 120_000,
  });
  expect(result.stderr).not.toMatch(/ERROR|Invalid configuration/);
  expect(result.status).toBe(0);
  expect(readdirSync(outdir).filter((f) => f.endsWith('.template.json'))).toEqual(['MixedArchEks.template.json']);
});

test('the tests\' own cdk.json runs the same CDK app with the same feature flags', () => {
  const ours = JSON.parse(readFileSync(TEST_CDK_JSON, 'utf8')) as { app: string; context: Record<string, unknown> };
  const theirs = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { app: string; context: Record<string, unknown> };
  expect(ours.app).toBe(theirs.app);
  // CDK's own keys (feature flags) are the project's, not the user's configuration: the tests must synthesize with them.
  const flags = (context: Record<string, unknown>) => Object.fromEntries(Object.entries(context).filter(([key]) => key.startsWith('@')));
  expect(flags(ours.context)).toEqual(flags(theirs.context));
});
