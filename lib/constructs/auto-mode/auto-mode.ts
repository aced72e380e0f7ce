import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Validations } from 'aws-cdk-lib';
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
