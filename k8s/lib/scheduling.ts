import { ApiObject, JsonPatch } from 'cdk8s';
import { ARCH_NODE_LABEL, ARCHITECTURE_INFO, ARCHITECTURES, Architecture, isArchitecture } from '../../lib/config/architectures';
import { ConfigError } from '../../lib/config/errors';

/**
 * Fails synth when a workload is pinned to an architecture that is unknown or that no node group runs:
 * on the cluster, such a pod would stay Pending forever.
 */
export function assertSchedulable(workload: string, arch: unknown, nodeArchitectures: readonly Architecture[]): asserts arch is Architecture {
  if (!isArchitecture(arch)) {
    throw new ConfigError([{
      key: `${workload}.arch`,
      value: arch,
      problem: 'not an architecture Kubernetes knows',
      fix: `pin it to ${ARCHITECTURES.map((a) => `"${a}"`).join(' or ')}`,
    }]);
  }
  if (!nodeArchitectures.includes(arch)) {
    throw new ConfigError([{
      key: 'nodeGroups',
      value: nodeArchitectures.length ? `architectures ${nodeArchitectures.join(', ')}` : 'no node group',
      problem: `workload ${workload} is pinned to ${arch}, but no node group runs ${arch}, so its pod would stay Pending`,
      fix: `add a node group with "arch": "${arch}" (such as ${ARCHITECTURE_INFO[arch].exampleInstanceType}) or leave that workload out`,
    }]);
  }
}

/**
 * Completes the pod spec at `podSpecPath` (`/spec` for a Pod, `/spec/template/spec` for a Job) with what
 * cdk8s-plus-27 cannot express: `capabilities.drop: [ALL]` on each container (its Capability enum has no ALL),
 * the runtime-default seccomp profile, and a literal `kubernetes.io/arch` nodeSelector (its
 * `scheduling.attract()` writes a node affinity instead).
 */
export function patchPodSpec(object: ApiObject, podSpecPath: string, containerCount: number, arch?: Architecture): void {
  object.addJsonPatch(JsonPatch.add(`${podSpecPath}/securityContext/seccompProfile`, { type: 'RuntimeDefault' }));
  for (let i = 0; i < containerCount; i++) {
    object.addJsonPatch(JsonPatch.add(`${podSpecPath}/containers/${i}/securityContext/capabilities`, { drop: ['ALL'] }));
  }
  if (arch) object.addJsonPatch(JsonPatch.add(`${podSpecPath}/nodeSelector`, { [ARCH_NODE_LABEL]: arch }));
}
