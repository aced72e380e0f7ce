import { ARCHITECTURES, Architecture } from './architectures';
import { resolveCluster } from './cluster-config';
import { checkContextKeys } from './context-keys';
import { ConfigError, ConfigIssue } from './errors';
import { clockFromEnvironment } from './kubernetes-versions';
import { ClusterConfig, KarpenterNodePoolConfig, NodeTaint, ProjectConfig } from './types';
import { ContextReader, ValueReader } from './value-reader';
import { RunningVersion, checkAutoscalerSwitch, checkVersionStep } from './version-step';
import { resolveWorkloads } from './workload-config';

/**
 * Reads and validates the whole configuration before any construct is built.
 * Collects every problem and throws one ConfigError that lists them all.
 * @param contextKeys every context key that was set (cdk.json and `-c`): unknown ones are refused.
 *   Leave it out where the keys are not known (a bare reader function in a test).
 * @param date the date of the run: it decides which Kubernetes versions EKS offers and the default one.
 * @param running the version the cluster already runs, where the caller knows it (the `cdk` CLI path reads the
 *   last synth's template): a step of more than one minor version from it, or back, is refused.
 */
export function resolveProjectConfig(
  context: ContextReader, env: NodeJS.ProcessEnv = process.env, contextKeys?: Iterable<string>, date: Date = clockFromEnvironment(env)(),
  running?: RunningVersion,
): ProjectConfig {
  const issues: ConfigIssue[] = [];
  if (contextKeys) checkContextKeys(contextKeys, issues);
  const reader = new ValueReader(context, issues);
  const cluster = resolveCluster(reader, env, issues, date);
  if (running && cluster.kubernetesVersion && !issues.some((i) => i.key === 'kubernetesVersion')) {
    checkVersionStep(cluster.kubernetesVersion, reader.raw('kubernetesVersion') !== undefined, running, issues);
  }
  if (running && !issues.some((i) => i.key === 'autoscaler')) checkAutoscalerSwitch(cluster.autoscaler, running, issues);
  const workloads = resolveWorkloads(reader, env, issues);
  if (issues.length > 0) throw new ConfigError(issues);
  return { cluster, workloads };
}

/** Where pods can run: a managed node group, or (with Karpenter or Auto Mode) a NodePool, with one architecture each. */
export interface NodePlacement {
  readonly kind: 'node group' | 'NodePool';
  readonly name: string;
  readonly arch: Architecture;
  readonly taints: readonly NodeTaint[];
}

/**
 * Every place pods can run: the node groups, then each architecture of each NodePool (Karpenter's or Auto Mode's:
 * the same `karpenterNodePools`; Auto Mode's built-in `system` pool is tainted CriticalAddonsOnly, so workloads
 * never land there and it is left out). The cdk8s
 * placement checks and check-image read this, so an unpinned workload must cover the NodePools' architectures
 * too (an arm64 NodePool launches arm64 nodes even when every node group is x86).
 */
export function nodePlacements(cluster: PlacementSource): NodePlacement[] {
  return [
    ...cluster.nodeGroups.map((g) => ({ kind: 'node group' as const, name: g.name, arch: g.arch, taints: g.taints })),
    ...autoscaledPools(cluster).flatMap((p) => p.arch.map((arch) => ({ kind: 'NodePool' as const, name: p.name, arch, taints: p.taints }))),
  ];
}

/** The architectures the configured node groups and NodePools run, in a stable order. */
export function clusterArchitectures(cluster: PlacementSource): Architecture[] {
  const placements = nodePlacements(cluster);
  return ARCHITECTURES.filter((arch) => placements.some((p) => p.arch === arch));
}

/** The parts of the cluster configuration that say where pods can run. */
export type PlacementSource = Pick<ClusterConfig, 'nodeGroups'> & Partial<Pick<ClusterConfig, 'karpenter' | 'autoMode'>>;

/** The NodePools an autoscaler runs: Karpenter's or Auto Mode's (never both). */
export function autoscaledPools(cluster: PlacementSource): readonly KarpenterNodePoolConfig[] {
  return cluster.karpenter?.nodePools ?? cluster.autoMode?.nodePools ?? [];
}
