import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../lib/config/cdk-json';
import { copyProject } from '../support/project-copy';
import { withoutTestDayNotice } from '../support/test-day';

// Whole-process runs of the real `cdk` CLI, as users run it. This is also where aws-cdk-lib's built-in
// CloudFormation validation runs in the suite (in-process tests skip it).
const env = { ...process.env };
delete env.CDK_VALIDATION;
const outdirs: string[] = [];
// A copy of the project with the tests' cdk.json: the repository's cdk.json is the user's.
const project = copyProject();
afterAll(() => {
  outdirs.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
  project.remove();
});

function cdkSynth(...args: string[]) {
  return cdkSynthOver(undefined, ...args);
}

/** `cdk synth` into an output folder that already holds `previous` as the stack's template (the last synth). */
function cdkSynthOver(previous: unknown, ...args: string[]) {
  const outdir = mkdtempSync(join(tmpdir(), 'cdk-out-'));
  outdirs.push(outdir);
  if (previous !== undefined) writeFileSync(join(outdir, 'MixedArchEks.template.json'), JSON.stringify(previous));
  const result = spawnSync(process.execPath, [join(PROJECT_ROOT, 'node_modules/aws-cdk/bin/cdk'), 'synth', '--quiet', '--output', outdir, ...args], {
    cwd: project.dir, env, encoding: 'utf8', timeout: 120_000,
  });
  const templates = readdirSync(outdir).filter((f) => f.endsWith('.template.json'));
  return { ...result, stderr: withoutTestDayNotice(result.stderr), outdir, templates };
}

test('`cdk synth` writes the default template, passing cdk-nag and the CloudFormation validation', () => {
  const result = cdkSynth();
  expect(result.stderr).not.toMatch(/ERROR/);
  expect(result.status).toBe(0);
  expect(result.templates).toEqual(['MixedArchEks.template.json']);
  const template = JSON.parse(readFileSync(join(result.outdir, 'MixedArchEks.template.json'), 'utf8'));
  expect(Object.values(template.Resources).filter((r) => (r as { Type: string }).Type === 'AWS::EKS::Nodegroup')).toHaveLength(2);
  expect(result.stderr).toMatch(/end of support on 2025-11-26/);
});

test('`cdk synth` with bad values fails with the messages alone, exits non-zero and leaves no template', () => {
  const result = cdkSynth('-c', 'natGateways=abc', '-c', 'nodeGroups=not json', '-c', 'amifamily=AL2023');
  expect(result.status).not.toBe(0);
  expect(result.stderr).toMatch(/^Invalid configuration \(3 problems\):$/m);
  expect(result.stderr).toMatch(/amifamily = "\(set\)": not a context key of this project.*did you mean "amiFamily"/);
  expect(result.stderr).toMatch(/natGateways = "abc": must be a whole number\. Fix: /);
  expect(result.stderr).toMatch(/nodeGroups = "not json": not valid JSON/);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.templates).toEqual([]);
  expect(existsSync(join(result.outdir, 'manifest.json'))).toBe(false);
});

describe('`cdk synth` over the last synth\'s template: no step of more than one Kubernetes minor version', () => {
  const previous = { Resources: { Cluster9EE0221C: { Type: 'AWS::EKS::Cluster', Properties: { Version: '1.32' } } } };

  test('an AL2 cluster on 1.32 switched with amiFamily alone (default 1.36) is refused in one line, and the old template stays', () => {
    const result = cdkSynthOver(previous, '-c', 'amiFamily=AL2023');
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^ {2}- kubernetesVersion = \(not set\): the default, Kubernetes 1\.36, is 4 minor versions above the 1\.32 the cluster runs \(the last synth's template, .*MixedArchEks\.template\.json\).* Fix: set "kubernetesVersion": "1\.33" in cdk\.json and deploy, then 1\.34, then 1\.35, then 1\.36, one per deploy/m);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(JSON.parse(readFileSync(join(result.outdir, 'MixedArchEks.template.json'), 'utf8'))).toEqual(previous);
  });

  test('the first step the warning names (AL2023 and 1.33) synthesizes over it', () => {
    const result = cdkSynthOver(previous, '-c', 'amiFamily=AL2023', '-c', 'kubernetesVersion=1.33');
    expect(result.stderr).not.toMatch(/Invalid configuration/);
    expect(result.status).toBe(0);
    const template = JSON.parse(readFileSync(join(result.outdir, 'MixedArchEks.template.json'), 'utf8'));
    expect(Object.values(template.Resources).find((r) => (r as { Type: string }).Type === 'AWS::EKS::Cluster')).toMatchObject({ Properties: { Version: '1.33' } });
  });
});
