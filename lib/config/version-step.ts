import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ConfigIssue } from './errors';
import { compareVersions } from './kubernetes-versions';

/** The Kubernetes version a cluster already runs, as far as the stack can know it, and where that came from. */
export interface RunningVersion {
  readonly version: string;
  /**
   * The autoscaler of that template: `karpenter` (its Helm chart), `auto-mode` (the cluster's ComputeConfig) or
   * `none`. Undefined where it was not read (a caller that knows only the version).
   */
  readonly autoscaler?: 'none' | 'karpenter' | 'auto-mode';
  /** Where the version was read, for the error line: "the last synth's template, cdk.out/MixedArchEks.template.json". */
  readonly source: string;
}

/**
 * The `Version` of the `AWS::EKS::Cluster` of a synthesized template, or undefined when the template has no
 * cluster or no plain version (another stack, a hand-edited file): then nothing is known and nothing is refused.
 */
export function clusterVersionOf(template: unknown): string | undefined {
  const resources = (template as { Resources?: Record<string, { Type?: string; Properties?: { Version?: unknown } }> } | null)?.Resources;
  if (typeof resources !== 'object' || resources === null) return undefined;
  const versions = Object.values(resources)
    .filter((r) => r?.Type === 'AWS::EKS::Cluster')
    .map((r) => r.Properties?.Version)
    .filter((v): v is string => typeof v === 'string' && /^1\.\d+$/.test(v));
  return versions.length === 1 ? versions[0] : undefined;
}

/** Which autoscaler a synthesized template runs: Karpenter's Helm chart, or Auto Mode on the cluster, or none. */
export function autoscalerOf(template: unknown): 'none' | 'karpenter' | 'auto-mode' {
  const resources = (template as { Resources?: Record<string, { Type?: string; Properties?: Record<string, unknown> }> } | null)?.Resources ?? {};
  const all = Object.values(resources);
  if (all.some((r) => r?.Type === 'AWS::EKS::Cluster' && (r.Properties?.ComputeConfig as { Enabled?: unknown } | undefined)?.Enabled === true)) return 'auto-mode';
  if (all.some((r) => r?.Properties?.Chart === 'karpenter')) return 'karpenter';
  return 'none';
}

/**
 * The version of the stack's last synth in a cloud assembly folder (the `cdk` CLI's `cdk.out`, which it reuses
 * on every run): the template a `cdk deploy` of that synth applied, or is about to. Read before this synth
 * writes over it. Undefined when there is none, or it cannot be read.
 */
export function runningVersionFromAssembly(outdir: string, stackName: string, cwd: string = process.cwd()): RunningVersion | undefined {
  const file = join(outdir, `${stackName}.template.json`);
  if (!existsSync(file)) return undefined;
  let template: unknown;
  try {
    template = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  const version = clusterVersionOf(template);
  return version === undefined ? undefined : { version, autoscaler: autoscalerOf(template), source: `the last synth's template, ${relative(cwd, file) || file}` };
}

/** `1.<minor>` plus `steps` minor versions. */
export function minorAbove(version: string, steps = 1): string {
  const [major, minor] = version.split('.').map(Number);
  return `${major}.${minor + steps}`;
}

/**
 * EKS moves a control plane one minor version per update and never back (UpdateClusterVersion; a template whose
 * `Version` jumps two minors fails its update and CloudFormation rolls back). So when the running version is
 * known, refuse a target more than one minor above it, or below it, with the next version to set.
 * `given`: whether `kubernetesVersion` was set (otherwise the target is the AMI family's default).
 */
export function checkVersionStep(target: string, given: boolean, running: RunningVersion, issues: ConfigIssue[]): void {
  const distance = compareVersions(target, running.version);
  if (distance >= 0 && distance <= 1) return;
  const value = given ? target : undefined;
  const what = given ? `Kubernetes ${target}` : `the default, Kubernetes ${target},`;
  if (distance < 0) {
    issues.push({
      key: 'kubernetesVersion', value,
      problem: `${what} is older than the ${running.version} the cluster runs (${running.source}), and EKS cannot downgrade a cluster`,
      fix: `set "kubernetesVersion": "${running.version}" in cdk.json (or "${minorAbove(running.version)}" to upgrade by one); for a new cluster in place of a destroyed one, run npm run clean first`,
    });
    return;
  }
  const path = Array.from({ length: distance }, (_, i) => minorAbove(running.version, i + 1));
  issues.push({
    key: 'kubernetesVersion', value,
    problem: `${what} is ${distance} minor versions above the ${running.version} the cluster runs (${running.source}), ` +
      'and EKS upgrades one minor version per update: the deploy would fail and roll back',
    fix: `set "kubernetesVersion": "${path[0]}" in cdk.json and deploy, then ${path.slice(1).join(', then ')}, one per deploy (docs/upgrades.md, "Upgrading Kubernetes"); ` +
      'for a new cluster in place of a destroyed one, run npm run clean first',
  });
}

/**
 * Karpenter and Auto Mode cannot replace each other in one deploy: their NodePools share names and the NodePool
 * CRD (the Karpenter chart's), so the update would delete the new pools with the old ones (docs/autoscaling.md,
 * "Switching"). Where the last synth's autoscaler is known, a direct switch is refused with the two-step path.
 */
export function checkAutoscalerSwitch(target: string, running: RunningVersion, issues: ConfigIssue[]): void {
  const from = running.autoscaler;
  if (from === undefined || from === 'none' || target === 'none' || target === from) return;
  issues.push({
    key: 'autoscaler', value: target,
    problem: `the cluster runs ${from} (${running.source}), and a switch from ${from} to ${target} in one deploy deletes the new NodePools with the old ones (same names, the same NodePool CRD)`,
    fix: `set "autoscaler": "none" in cdk.json and run npm run teardown -- --karpenter-off (drains ${from}'s nodes and deploys), then set "autoscaler": "${target}" and deploy (docs/autoscaling.md)`,
  });
}
