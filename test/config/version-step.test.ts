import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, ConfigIssue } from '../../lib/config/errors';
import { autoscalerOf, checkAutoscalerSwitch, checkVersionStep, clusterVersionOf, minorAbove, runningVersionFromAssembly } from '../../lib/config/version-step';
import { buildTestApp, templateFor } from '../support/cdk';

// EKS upgrades a control plane one minor version per update, never back: where the running version is known,
// a bigger step is refused at synth with the next version to set.
const running = { version: '1.32', source: "the last synth's template, cdk.out/MixedArchEks.template.json" };
const issuesFor = (target: string, given = true, from = running) => {
  const issues: ConfigIssue[] = [];
  checkVersionStep(target, given, from, issues);
  return issues;
};
const work = mkdtempSync(join(tmpdir(), 'version-step-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('checkVersionStep', () => {
  test('the same version, or one minor above it, passes', () => {
    expect(issuesFor('1.32')).toEqual([]);
    expect(issuesFor('1.33')).toEqual([]);
  });

  test('a jump of several minors is refused, naming the running version, where it was read, and each step', () => {
    expect(issuesFor('1.36')).toEqual([{
      key: 'kubernetesVersion', value: '1.36',
      problem: "Kubernetes 1.36 is 4 minor versions above the 1.32 the cluster runs (the last synth's template, cdk.out/MixedArchEks.template.json), " +
        'and EKS upgrades one minor version per update: the deploy would fail and roll back',
      fix: 'set "kubernetesVersion": "1.33" in cdk.json and deploy, then 1.34, then 1.35, then 1.36, one per deploy (docs/upgrades.md, "Upgrading Kubernetes"); ' +
        'for a new cluster in place of a destroyed one, run npm run clean first',
    }]);
    expect(issuesFor('1.34')[0].fix).toMatch(/^set "kubernetesVersion": "1\.33" in cdk\.json and deploy, then 1\.34, one per deploy/);
  });

  test('a default that jumps (kubernetesVersion unset, a newer family default) is refused as the default', () => {
    expect(issuesFor('1.36', false)[0]).toMatchObject({ key: 'kubernetesVersion', value: undefined, problem: expect.stringMatching(/^the default, Kubernetes 1\.36, is 4 minor versions above the 1\.32/) });
  });

  test('a version below the running one is refused: EKS cannot downgrade', () => {
    expect(issuesFor('1.33', true, { ...running, version: '1.35' })).toEqual([{
      key: 'kubernetesVersion', value: '1.33',
      problem: "Kubernetes 1.33 is older than the 1.35 the cluster runs (the last synth's template, cdk.out/MixedArchEks.template.json), and EKS cannot downgrade a cluster",
      fix: 'set "kubernetesVersion": "1.35" in cdk.json (or "1.36" to upgrade by one); for a new cluster in place of a destroyed one, run npm run clean first',
    }]);
  });

  test('minorAbove counts minors, past 9 too', () => {
    expect([minorAbove('1.32'), minorAbove('1.39'), minorAbove('1.32', 3)]).toEqual(['1.33', '1.40', '1.35']);
  });
});

describe('the running version from the last synth\'s template', () => {
  const template = (version: unknown) => ({ Resources: { Vpc: { Type: 'AWS::EC2::VPC' }, Cluster9EE0221C: { Type: 'AWS::EKS::Cluster', Properties: { Version: version } } } });

  test('is the Version of its one AWS::EKS::Cluster, or nothing when it has none or an odd one', () => {
    expect(clusterVersionOf(template('1.32'))).toBe('1.32');
    expect(clusterVersionOf(template({ Ref: 'Version' }))).toBeUndefined();
    expect(clusterVersionOf({ Resources: { Vpc: { Type: 'AWS::EC2::VPC' } } })).toBeUndefined();
    expect(clusterVersionOf(null)).toBeUndefined();
    expect(clusterVersionOf('x')).toBeUndefined();
  });

  test('is read from the assembly folder, relative to the working folder; a missing or broken file knows nothing', () => {
    const outdir = join(work, 'cdk.out');
    mkdirSync(outdir);
    expect(runningVersionFromAssembly(outdir, 'MixedArchEks', work)).toBeUndefined();
    writeFileSync(join(outdir, 'MixedArchEks.template.json'), '{ not json');
    expect(runningVersionFromAssembly(outdir, 'MixedArchEks', work)).toBeUndefined();
    writeFileSync(join(outdir, 'MixedArchEks.template.json'), JSON.stringify(template('1.34')));
    expect(runningVersionFromAssembly(outdir, 'MixedArchEks', work)).toEqual({ version: '1.34', autoscaler: 'none', source: "the last synth's template, cdk.out/MixedArchEks.template.json" });
  });
});

describe('synth with a known running version (in-process: the version comes from the test)', () => {
  const from132 = { runningVersion: () => running };

  test('AL2 on 1.32 switching to AL2023 without a version (default 1.36) is refused before any construct exists', () => {
    expect(() => buildTestApp({ amiFamily: 'AL2023' }, {}, from132)).toThrow(ConfigError);
    expect(() => buildTestApp({ amiFamily: 'AL2023' }, {}, from132)).toThrow(
      /kubernetesVersion = \(not set\): the default, Kubernetes 1\.36, is 4 minor versions above the 1\.32 the cluster runs .* Fix: set "kubernetesVersion": "1\.33" in cdk\.json and deploy/);
  });

  test('the documented first step (AL2023 and 1.33) synthesizes', () => {
    const { stack } = buildTestApp({ amiFamily: 'AL2023', kubernetesVersion: '1.33' }, {}, from132);
    expect(stack.cluster).toBeDefined();
  });
});

describe('Karpenter and Auto Mode never replace each other in one deploy', () => {
  // The two templates a user would have deployed, synthesized once each.
  const karpenter = templateFor({ autoscaler: 'karpenter' }).toJSON();
  const autoMode = templateFor({ autoscaler: 'auto-mode' }).toJSON();
  const from = (autoscaler: 'none' | 'karpenter' | 'auto-mode') => ({ ...running, autoscaler });
  const switchIssues = (target: string, autoscaler: 'none' | 'karpenter' | 'auto-mode') => {
    const issues: ConfigIssue[] = [];
    checkAutoscalerSwitch(target, from(autoscaler), issues);
    return issues;
  };

  test('the last template tells which autoscaler runs', () => {
    expect(autoscalerOf(karpenter)).toBe('karpenter');
    expect(autoscalerOf(autoMode)).toBe('auto-mode');
    expect(autoscalerOf(templateFor().toJSON())).toBe('none');
    expect(autoscalerOf(null)).toBe('none');
  });

  test('a direct switch either way is refused with the two-step path; through none, or staying, passes', () => {
    expect(switchIssues('auto-mode', 'karpenter')).toEqual([{
      key: 'autoscaler', value: 'auto-mode',
      problem: "the cluster runs karpenter (the last synth's template, cdk.out/MixedArchEks.template.json), and a switch from karpenter to auto-mode in one deploy deletes the new NodePools with the old ones (same names, the same NodePool CRD)",
      fix: 'set "autoscaler": "none" in cdk.json and run npm run teardown -- --karpenter-off (drains karpenter\'s nodes and deploys), then set "autoscaler": "auto-mode" and deploy (docs/autoscaling.md)',
    }]);
    expect(switchIssues('karpenter', 'auto-mode')).toHaveLength(1);
    expect(switchIssues('none', 'karpenter')).toEqual([]);
    expect(switchIssues('none', 'auto-mode')).toEqual([]);
    expect(switchIssues('auto-mode', 'none')).toEqual([]);
    expect(switchIssues('karpenter', 'karpenter')).toEqual([]);
    expect(switchIssues('auto-mode', 'auto-mode')).toEqual([]);
  });

  test('synth refuses karpenter -> auto-mode before any construct exists, and takes auto-mode from none', () => {
    const fromKarpenter = { runningVersion: () => from('karpenter') };
    expect(() => buildTestApp({ autoscaler: 'auto-mode' }, {}, fromKarpenter)).toThrow(ConfigError);
    expect(() => buildTestApp({ autoscaler: 'auto-mode' }, {}, fromKarpenter)).toThrow(/autoscaler = "auto-mode": the cluster runs karpenter/);
    expect(buildTestApp({ autoscaler: 'auto-mode' }, {}, { runningVersion: () => from('none') }).stack.autoModeNodePools).toBeDefined();
  });
});
