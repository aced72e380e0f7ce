import * as kplus from 'cdk8s-plus-27';
import { ApiObject, JsonPatch, Size } from 'cdk8s';
import { podSpecPointer } from '../../lib/manifests/pod-spec';
import { WORKLOAD_GID, WORKLOAD_UID } from '../../lib/config/workload-identity';

export interface RestrictedContainerProps {
  readonly name: string;
  readonly image: string;
  readonly command?: string[];
  /**
   * CPU request and limit, in millicores.
   * @default { request: 10, limit: 100 }
   */
  readonly cpuMillis?: { readonly request: number; readonly limit: number };
  /**
   * Memory request and limit, in MiB.
   * @default { request: 32, limit: 64 }
   */
  readonly memoryMebibytes?: { readonly request: number; readonly limit: number };
}

/**
 * A container that meets the Pod Security Standards "restricted" profile: a numeric non-root user and group
 * (cdk8s-plus sets runAsNonRoot but no user, and an image that runs as root then fails to start), no privilege
 * escalation, a read-only root filesystem, and small explicit resources (cdk8s-plus would request a whole CPU).
 * Dropping ALL capabilities and the seccomp profile need a patch: see `applyRestrictedPodSecurity`.
 */
export function restrictedContainer(props: RestrictedContainerProps): kplus.ContainerProps {
  const cpu = props.cpuMillis ?? { request: 10, limit: 100 };
  const memory = props.memoryMebibytes ?? { request: 32, limit: 64 };
  return {
    name: props.name,
    image: props.image,
    command: props.command,
    // A pinned tag or digest is enforced by the config, so the node cache is safe to use.
    imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
    securityContext: {
      ensureNonRoot: true,
      user: WORKLOAD_UID,
      group: WORKLOAD_GID,
      privileged: false,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
    },
    resources: {
      cpu: { request: kplus.Cpu.millis(cpu.request), limit: kplus.Cpu.millis(cpu.limit) },
      memory: { request: Size.mebibytes(memory.request), limit: Size.mebibytes(memory.limit) },
    },
  };
}

/** The pod-level half of "restricted": the same non-root identity, and the runtime's default seccomp profile. */
export const RESTRICTED_POD_SECURITY: kplus.PodSecurityContextProps = {
  ensureNonRoot: true,
  user: WORKLOAD_UID,
  group: WORKLOAD_GID,
};

/**
 * Completes a Pod or Job with the parts of "restricted" that cdk8s-plus-27 cannot express: `capabilities.drop:
 * [ALL]` on each container (its Capability enum has no ALL) and the runtime-default seccomp profile.
 */
export function applyRestrictedPodSecurity(workload: kplus.Pod | kplus.Job): void {
  const object = ApiObject.of(workload);
  const spec = podSpecPointer(object.kind);
  object.addJsonPatch(JsonPatch.add(`${spec}/securityContext/seccompProfile`, { type: 'RuntimeDefault' }));
  workload.containers.forEach((_, i) => {
    object.addJsonPatch(JsonPatch.add(`${spec}/containers/${i}/securityContext/capabilities`, { drop: ['ALL'] }));
  });
}
