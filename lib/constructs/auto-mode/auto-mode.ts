import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Annotations, Validations } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AutoModeConfig } from '../../config/karpenter-config';
import { AutoModeNodePool } from './auto-mode-api';
import { buildAutoModeNodePool } from './node-pool-manifests';

/**
 * The policies EKS documents for the Auto Mode node role (EKS user guide, "Amazon EKS Auto Mode node IAM role"):
 * joining the cluster and assuming Pod Identity roles, and pulling images from ECR. Nothing for the CNI: Auto Mode
 * runs it with the cluster role's AmazonEKSNetworkingPolicy.
 */
export const AUTO_MODE_NODE_POLICIES = ['AmazonEKSWorkerNodeMinimalPolicy', 'AmazonEC2ContainerRegistryPullOnly'] as const;

/**
 * The cluster role's extra policies with Auto Mode, which aws-eks-v2 attaches itself (with `sts:TagSession` in the
 * trust policy) when `defaultCapacityType` is AUTOMODE; the EKS user guide ("Enable EKS Auto Mode on an existing
 * cluster") lists the same four beside AmazonEKSClusterPolicy.
 */
export const AUTO_MODE_CLUSTER_POLICIES = ['AmazonEKSComputePolicy', 'AmazonEKSBlockStoragePolicy', 'AmazonEKSLoadBalancingPolicy', 'AmazonEKSNetworkingPolicy'] as const;

/**
 * The IAM role of the nodes EKS Auto Mode launches, given to the cluster as `compute.nodeRole`. Its own role, not the
 * node groups': EKS cannot change it while Auto Mode is on (EKS API reference, ComputeConfigRequest.nodeRoleArn),
 * and the managed nodes' role carries policies Auto Mode nodes do not need. EKS creates its access entry.
 */
export class AutoModeNodeRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: 'Nodes launched by EKS Auto Mode',
      managedPolicies: AUTO_MODE_NODE_POLICIES.map((n) => iam.ManagedPolicy.fromAwsManagedPolicyName(n)),
    });
    for (const name of AUTO_MODE_NODE_POLICIES) {
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${name}]`,
        reason: `EKS documents the AWS managed ${name} policy for Auto Mode nodes; AWS keeps it in step with what they call.`,
      });
    }
  }

  /** Acknowledges, on the cluster role, the managed policies aws-eks-v2 adds for Auto Mode. */
  static acknowledgeClusterPolicies(clusterRole: iam.IRole): void {
    for (const name of AUTO_MODE_CLUSTER_POLICIES) {
      Validations.of(clusterRole).acknowledge({
        id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${name}]`,
        reason: `EKS Auto Mode needs the AWS managed ${name} policy on the cluster role (EKS user guide, Auto Mode IAM); AWS maintains it.`,
      });
    }
  }
}

/**
 * The instance families EKS Auto Mode launches (EKS user guide, "EKS Auto Mode supported instance reference", read
 * 2026-12-04). A pool's `instanceFamilies` outside it gets a synth warning rather than an error: AWS extends the
 * list (Graviton5 m9g, GA 2026-06-10, was not on it yet), and a family it lacks only leaves the pool unable to use it.
 */
export const AUTO_MODE_INSTANCE_FAMILIES: ReadonlySet<string> = new Set([
  'c8id', 'c8i', 'c8i-flex', 'c8gd', 'c8gn', 'c8g', 'c8a', 'c8gb', 'c7a', 'c7g', 'c7gn', 'c7gd', 'c7i', 'c7i-flex', 'c6a', 'c6g', 'c6i', 'c6gn', 'c6id', 'c6in', 'c6gd', 'c5', 'c5a', 'c5d', 'c5ad', 'c5n', 'c4',
  'm8id', 'm8i', 'm8i-flex', 'm8a', 'm8azn', 'm8gn', 'm8gb', 'm8gd', 'm8g', 'm7i', 'm7a', 'm7g', 'm7gd', 'm7i-flex', 'm6a', 'm6i', 'm6in', 'm6g', 'm6idn', 'm6id', 'm6gd', 'm5', 'm5a', 'm5ad', 'm5n', 'm5dn', 'm5d', 'm5zn', 'm4',
  'r8id', 'r8i', 'r8i-flex', 'r8gn', 'r8gb', 'r8gd', 'r8g', 'r8a', 'r7a', 'r7iz', 'r7gd', 'r7i', 'r7g', 'r6a', 'r6i', 'r6id', 'r6in', 'r6idn', 'r6g', 'r6gd', 'r5', 'r5n', 'r5a', 'r5dn', 'r5b', 'r5ad', 'r5d', 'r4',
  't4g', 't3', 't3a', 't2', 'z1d', 'x8aedz', 'x8g', 'x8i', 'x2gd',
  'i8ge', 'i7i', 'i8g', 'i7ie', 'i4g', 'i4i', 'i3', 'i3en', 'is4gen', 'd3', 'd3en', 'im4gn',
  'p6-b200', 'p6-b300', 'p5', 'p5e', 'p5en', 'p4d', 'p4de', 'p3dn', 'g7e', 'g6', 'gr6', 'g6e', 'g5g', 'g5', 'g4dn', 'g4ad', 'inf2', 'inf1', 'trn1', 'trn1n', 'trn2',
  'hpc8a', 'x2iezn', 'x2iedn', 'x2idn',
]);

export interface AutoModeNodePoolsProps {
  readonly cluster: eks.Cluster;
  readonly config: AutoModeConfig;
}

/**
 * One Auto Mode NodePool per configured pool, each its own manifest named after the pool (as for Karpenter): a pool
 * removed from `karpenterNodePools` is a resource CloudFormation deletes, so `kubectl delete` removes it and Auto
 * Mode drains its nodes. The manifests follow the cluster, so they are applied once Auto Mode is on and serves the
 * NodePool API.
 */
export class AutoModeNodePools extends Construct {
  readonly nodePools: readonly AutoModeNodePool[];
  /** One manifest per NodePool, by pool name. */
  readonly manifests: ReadonlyMap<string, eks.KubernetesManifest>;

  constructor(scope: Construct, id: string, props: AutoModeNodePoolsProps) {
    super(scope, id);
    const { cluster } = props;
    for (const pool of props.config.nodePools) {
      const unknown = pool.instanceFamilies.filter((f) => !AUTO_MODE_INSTANCE_FAMILIES.has(f));
      if (unknown.length > 0) {
        Annotations.of(this).addWarningV2('mixed-arch-eks:auto-mode-instance-family',
          `NodePool ${pool.name} lists ${unknown.join(', ')}, which EKS Auto Mode's supported-instance list (EKS user guide, ` +
          '"EKS Auto Mode supported instance reference") does not have: Auto Mode may launch nothing of it. Check the list, or use a listed family such as m8g or m8i.');
      }
    }
    this.nodePools = props.config.nodePools.map(buildAutoModeNodePool);
    const manifests = new Map<string, eks.KubernetesManifest>();
    for (const pool of this.nodePools) {
      manifests.set(pool.metadata.name, new eks.KubernetesManifest(cluster, `AutoModeNodePool-${pool.metadata.name}`, {
        cluster,
        // A copy: the manifest adds its prune label to the object it is given.
        manifest: [structuredClone(pool) as unknown as Record<string, unknown>],
        overwrite: true,
      }));
    }
    this.manifests = manifests;
  }
}
