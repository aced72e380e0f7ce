import { ARCH_NODE_LABEL } from '../../config/architectures';
import { KarpenterAmiFamily, KarpenterNodePoolConfig } from '../../config/karpenter-config';
import { EC2NodeClass, NodePool, NodeSelectorRequirement, SelectorTerm } from './karpenter-api';

/** The one EC2NodeClass every pool uses. */
export const NODE_CLASS_NAME = 'default';
/** The tag Karpenter discovers subnets by (value: the cluster name). */
export const DISCOVERY_TAG = 'karpenter.sh/discovery';
/** Nodes are replaced after this long, so they pick up patched AMIs and never run for months. */
export const NODE_EXPIRE_AFTER = '720h';
/**
 * The longest a node drains before Karpenter deletes its remaining pods and terminates it, even when a
 * PodDisruptionBudget or `karpenter.sh/do-not-disrupt` blocks (Karpenter docs, "Disruption", TerminationGracePeriod).
 * Shorter than the 15 minutes aws-eks-v2's kubectl handler runs (kubectl-provider.js, handler timeout), so
 * deleting a NodePool on teardown or on "turn Karpenter off" finishes while that handler still waits, with a few
 * minutes left for EC2 to terminate the instance. It also lets an AMI roll-forward (drift) pass a blocking PDB.
 */
export const NODE_TERMINATION_GRACE_PERIOD = '10m';

export interface NodeClassOptions {
  readonly amiFamily: KarpenterAmiFamily;
  readonly amiVersion: string;
  /** Name of the IAM role of Karpenter's nodes. */
  readonly nodeRoleName: string;
  readonly subnetSelectorTerms: readonly SelectorTerm[];
  readonly securityGroupSelectorTerms: readonly SelectorTerm[];
}

/**
 * The EC2NodeClass: EKS-optimized AL2023 (or Bottlerocket) at a pinned release, never AL2 (no AL2 AMIs after
 * Kubernetes 1.32, and none patched since 2025-11-26); IMDSv2 only with hop limit 1, as on the node groups;
 * encrypted gp3 volumes.
 */
export function buildNodeClass(options: NodeClassOptions): EC2NodeClass {
  const ebs = (volumeSize: string) => ({ volumeSize, volumeType: 'gp3' as const, encrypted: true, deleteOnTermination: true });
  return {
    apiVersion: 'karpenter.k8s.aws/v1',
    kind: 'EC2NodeClass',
    metadata: { name: NODE_CLASS_NAME },
    spec: {
      role: options.nodeRoleName,
      amiSelectorTerms: [{ alias: `${options.amiFamily}@${options.amiVersion}` }],
      subnetSelectorTerms: options.subnetSelectorTerms,
      securityGroupSelectorTerms: options.securityGroupSelectorTerms,
      metadataOptions: { httpEndpoint: 'enabled', httpProtocolIPv6: 'disabled', httpPutResponseHopLimit: 1, httpTokens: 'required' },
      // Bottlerocket boots from a small OS volume and keeps images and pods on a second one.
      blockDeviceMappings: options.amiFamily === 'bottlerocket'
        ? [{ deviceName: '/dev/xvda', ebs: ebs('4Gi') }, { deviceName: '/dev/xvdb', ebs: ebs('20Gi') }]
        : [{ deviceName: '/dev/xvda', rootVolume: true, ebs: ebs('20Gi') }],
    },
  };
}

/**
 * A NodePool per configured pool: its architectures and capacity types as requirements, its CPU limit, and
 * consolidation of empty and underutilized nodes with budgets (10% of the pool's nodes at a time; a changed AMI
 * or node class replaces one node at a time).
 */
export function buildNodePool(pool: KarpenterNodePoolConfig): NodePool {
  return nodePoolOf(pool, {
    nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: NODE_CLASS_NAME },
    labels: { instanceCategory: 'karpenter.k8s.aws/instance-category', instanceFamily: 'karpenter.k8s.aws/instance-family', instanceGeneration: 'karpenter.k8s.aws/instance-generation' },
    osRequirement: true,
    expireAfter: NODE_EXPIRE_AFTER,
  });
}

/** What differs between a Karpenter NodePool and an Auto Mode one; everything else is the same pool. */
export interface NodePoolFlavour<Ref> {
  readonly nodeClassRef: Ref;
  /** The labels of instance properties: `karpenter.k8s.aws/` for Karpenter, `eks.amazonaws.com/` for Auto Mode. */
  readonly labels: { readonly instanceCategory: string; readonly instanceFamily: string; readonly instanceGeneration: string };
  /** Require `kubernetes.io/os: linux` (Auto Mode runs Linux only and does not support the label). */
  readonly osRequirement: boolean;
  readonly expireAfter: string;
}

/**
 * A NodePool of a configured pool: its architectures and capacity types as requirements, its CPU limit and
 * weight (Graviton first), and consolidation of empty and underutilized nodes with budgets (10% of the pool's
 * nodes at a time; a changed image or node class replaces one node at a time).
 */
export function nodePoolOf<Ref>(pool: KarpenterNodePoolConfig, flavour: NodePoolFlavour<Ref>): NodePool<Ref> {
  const requirements: NodeSelectorRequirement[] = [
    { key: ARCH_NODE_LABEL, operator: 'In', values: [...pool.arch] },
    { key: 'karpenter.sh/capacity-type', operator: 'In', values: [...pool.capacityTypes] },
    ...(flavour.osRequirement ? [{ key: 'kubernetes.io/os', operator: 'In' as const, values: ['linux'] }] : []),
  ];
  if (pool.instanceFamilies.length > 0) {
    requirements.push({ key: flavour.labels.instanceFamily, operator: 'In', values: [...pool.instanceFamilies] });
  }
  if (pool.instanceCategories.length > 0) {
    requirements.push(
      { key: flavour.labels.instanceCategory, operator: 'In', values: [...pool.instanceCategories] },
      // Current generations only (Graviton2 / Intel Ice Lake and later): what the cost report prices.
      { key: flavour.labels.instanceGeneration, operator: 'Gt', values: ['5'] },
    );
  }
  return {
    apiVersion: 'karpenter.sh/v1',
    kind: 'NodePool',
    metadata: { name: pool.name },
    spec: {
      template: {
        ...(Object.keys(pool.labels).length > 0 ? { metadata: { labels: { ...pool.labels } } } : {}),
        spec: {
          nodeClassRef: flavour.nodeClassRef,
          requirements,
          ...(pool.taints.length > 0 ? { taints: pool.taints.map((t) => ({ ...t })) } : {}),
          expireAfter: flavour.expireAfter,
          terminationGracePeriod: NODE_TERMINATION_GRACE_PERIOD,
        },
      },
      disruption: {
        consolidationPolicy: 'WhenEmptyOrUnderutilized',
        consolidateAfter: '1m',
        budgets: [{ nodes: '10%' }, { nodes: '1', reasons: ['Drifted'] }],
      },
      limits: { cpu: String(pool.cpuLimit) },
      weight: pool.weight,
    },
  };
}
