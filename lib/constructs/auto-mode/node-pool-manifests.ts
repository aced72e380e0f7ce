import { KarpenterNodePoolConfig } from '../../config/karpenter-config';
import { NODE_TERMINATION_GRACE_PERIOD, nodePoolOf } from '../karpenter/node-pool-manifests';
import { AutoModeNodePool } from './auto-mode-api';

/**
 * The NodeClass the pools use: `default`, which EKS creates with the built-in pools (the stack keeps `system`),
 * together with the access entry of the Auto Mode node role (EKS user guide, "Create a Node Class for Amazon
 * EKS": "EKS automatically creates access entries when you use the built-in node class and node pools"). It
 * places nodes in the cluster's subnets (private here) with the cluster security group, IMDSv2 with hop limit 1
 * (Auto Mode's fixed setting), and an encrypted root volume.
 */
export const AUTO_MODE_NODE_CLASS = 'default';

/**
 * Auto Mode nodes are replaced after 336 hours, the Auto Mode default (EKS user guide, "Create a Node Pool for EKS
 * Auto Mode", Disruption): AWS ships a new node image about weekly, so two weeks keeps nodes near it.
 */
export const AUTO_MODE_EXPIRE_AFTER = '336h';

/**
 * The longest a node drains before its remaining pods are deleted and it is terminated, even when a
 * PodDisruptionBudget blocks: the Karpenter pools' constant (10 minutes, inside the 15 aws-eks-v2's kubectl handler
 * runs, so deleting a pool finishes while the handler still waits). Auto Mode would otherwise apply 24 hours (EKS
 * user guide, "Create a Node Pool for EKS Auto Mode", Termination Grace Period).
 */
export const AUTO_MODE_TERMINATION_GRACE_PERIOD = NODE_TERMINATION_GRACE_PERIOD;

/**
 * Auto Mode's labels for instance properties (same page, "EKS Auto Mode Supported Labels"): `eks.amazonaws.com/`
 * where Karpenter has `karpenter.k8s.aws/`. `kubernetes.io/os` is not supported (Auto Mode runs Linux only).
 */
export const AUTO_MODE_LABELS = {
  instanceCategory: 'eks.amazonaws.com/instance-category',
  instanceFamily: 'eks.amazonaws.com/instance-family',
  instanceGeneration: 'eks.amazonaws.com/instance-generation',
  capacityType: 'karpenter.sh/capacity-type',
} as const;

/**
 * A NodePool per configured pool, as for Karpenter (lib/constructs/karpenter/node-pool-manifests.ts): its
 * architectures and capacity types as requirements, its CPU limit and weight (Graviton first), consolidation of
 * empty and underutilized nodes with the same budgets (10% of the pool at a time; a new node image replaces one
 * node at a time).
 */
export function buildAutoModeNodePool(pool: KarpenterNodePoolConfig): AutoModeNodePool {
  return nodePoolOf(pool, {
    nodeClassRef: { group: 'eks.amazonaws.com', kind: 'NodeClass', name: AUTO_MODE_NODE_CLASS },
    labels: AUTO_MODE_LABELS,
    osRequirement: false,
    expireAfter: AUTO_MODE_EXPIRE_AFTER,
  });
}
