import { ARCHITECTURES, Architecture } from './architectures';
import { resolveCluster } from './cluster-config';
import { checkContextKeys } from './context-keys';
import { ConfigError, ConfigIssue } from './errors';
import { systemClock } from './kubernetes-versions';
import { ClusterConfig, ProjectConfig } from './types';
import { ContextReader, ValueReader } from './value-reader';
import { resolveWorkloads } from './workload-config';

/**
 * Reads and validates the whole configuration before any construct is built.
 * Collects every problem and throws one ConfigError that lists them all.
 * @param contextKeys every context key that was set (cdk.json and `-c`): unknown ones are refused.
 *   Leave it out where the keys are not known (a bare reader function in a test).
 * @param date the date of the run: it decides which Kubernetes versions EKS offers and the default one.
 */
export function resolveProjectConfig(
  context: ContextReader, env: NodeJS.ProcessEnv = process.env, contextKeys?: Iterable<string>, date: Date = systemClock(),
): ProjectConfig {
  const issues: ConfigIssue[] = [];
  if (contextKeys) checkContextKeys(contextKeys, issues);
  const reader = new ValueReader(context, issues);
  const cluster = resolveCluster(reader, env, issues, date);
  const workloads = resolveWorkloads(reader, env, issues);
  if (issues.length > 0) throw new ConfigError(issues);
  return { cluster, workloads };
}

/** The architectures the configured node groups run, in a stable order. */
export function clusterArchitectures(cluster: Pick<ClusterConfig, 'nodeGroups'>): Architecture[] {
  return ARCHITECTURES.filter((arch) => cluster.nodeGroups.some((g) => g.arch === arch));
}
