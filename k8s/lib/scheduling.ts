import * as kplus from 'cdk8s-plus-27';
import { ApiObject, JsonPatch } from 'cdk8s';
import { ARCH_NODE_LABEL, ARCHITECTURE_INFO, ARCHITECTURES, Architecture, isArchitecture } from '../../lib/config/architectures';
import { ConfigError } from '../../lib/config/errors';
import { NodeGroupConfig, NodeTaint } from '../../lib/config/types';
import { podSpecPointer } from '../../lib/manifests/pod-spec';

/** What scheduling needs to know of a node group. */
export type NodeGroupPlacement = Pick<NodeGroupConfig, 'name' | 'arch' | 'taints'>;

/** Where a workload goes: the architecture it is pinned to (if any), and the taints it must tolerate to get there. */
export interface Placement {
  readonly arch?: Architecture;
  readonly tolerations: readonly NodeTaint[];
}

/**
 * Places a workload on the node groups, or fails synth when its pod would stay Pending forever on the
 * cluster: pinned to an architecture that is unknown or that no node group runs. A workload tolerates taints
 * only when every group it may run on is tainted: otherwise the untainted groups take it, as the taints intend.
 */
export function placeWorkload(workload: string, arch: unknown, nodeGroups: readonly NodeGroupPlacement[]): Placement {
  if (arch !== undefined && !isArchitecture(arch)) {
    throw new ConfigError([{
      key: `${workload}.arch`,
      value: arch,
      problem: 'not an architecture Kubernetes knows',
      fix: `pin it to ${ARCHITECTURES.map((a) => `"${a}"`).join(' or ')}`,
    }]);
  }
  const eligible = arch === undefined ? nodeGroups : nodeGroups.filter((g) => g.arch === arch);
  if (arch !== undefined && eligible.length === 0) {
    const runs = [...new Set(nodeGroups.map((g) => g.arch))];
    throw new ConfigError([{
      key: 'nodeGroups',
      value: runs.length ? `architectures ${runs.join(', ')}` : 'no node group',
      problem: `workload ${workload} is pinned to ${arch}, but no node group runs ${arch}, so its pod would stay Pending`,
      fix: `add a node group with "arch": "${arch}" (such as ${ARCHITECTURE_INFO[arch].exampleInstanceType}) or leave that workload out`,
    }]);
  }
  if (eligible.some((g) => g.taints.length === 0)) return { arch, tolerations: [] };
  const tolerations = new Map<string, NodeTaint>();
  for (const taint of eligible.flatMap((g) => g.taints)) tolerations.set(`${taint.key}=${taint.value ?? ''}:${taint.effect}`, taint);
  return { arch, tolerations: [...tolerations.values()] };
}

/**
 * Applies a placement to a Pod or Job: the tolerations, and a literal `kubernetes.io/arch` nodeSelector
 * (cdk8s-plus-27's `scheduling.attract()` writes a node affinity instead).
 */
export function applyPlacement(workload: kplus.Pod | kplus.Job, placement: Placement): void {
  for (const taint of placement.tolerations) {
    const options = { effect: taint.effect as kplus.TaintEffect };
    workload.scheduling.tolerate(kplus.Node.tainted(taint.value === undefined
      ? kplus.NodeTaintQuery.exists(taint.key, options)
      : kplus.NodeTaintQuery.is(taint.key, taint.value, options)));
  }
  if (placement.arch) {
    const object = ApiObject.of(workload);
    object.addJsonPatch(JsonPatch.add(`${podSpecPointer(object.kind)}/nodeSelector`, { [ARCH_NODE_LABEL]: placement.arch }));
  }
}
