import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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
  const outdir = mkdtempSync(join(tmpdir(), 'cdk-out-'));
  outdirs.push(outdir);
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
