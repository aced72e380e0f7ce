import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

export interface ClusterAdminAccessProps {
  readonly cluster: eks.Cluster;
  /**
   * IAM principals (roles or users) that get cluster admin through access entries.
   * @default - a role is created that any principal of the account with IAM permission to assume it can
   * assume (the stack warns: mixed-arch-eks:account-wide-admin)
   */
  readonly adminPrincipalArns?: readonly string[];
}

/**
 * Cluster admin through EKS access entries, never through the implicit creator admin: admins are the listed
 * principals, or a role made for the purpose that principals of this account (with IAM permission) assume.
 */
export class ClusterAdminAccess extends Construct {
  /** The role the stack created, when no principal was listed. */
  readonly adminRole?: iam.Role;

  constructor(scope: Construct, id: string, props: ClusterAdminAccessProps) {
    super(scope, id);
    const adminPolicy = eks.AccessPolicy.fromAccessPolicyName('AmazonEKSClusterAdminPolicy', {
      accessScopeType: eks.AccessScopeType.CLUSTER,
    });

    let principals = [...(props.adminPrincipalArns ?? [])];
    if (principals.length === 0) {
      this.adminRole = new iam.Role(this, 'AdminRole', {
        assumedBy: new iam.AccountRootPrincipal(),
        description: `Cluster admin of ${props.cluster.node.path}; assume it for kubectl`,
      });
      this.adminRole.addToPolicy(new iam.PolicyStatement({
        actions: ['eks:DescribeCluster'],
        resources: [props.cluster.clusterArn],
      }));
      principals = [this.adminRole.roleArn];
    }
    principals.forEach((arn, i) => props.cluster.grantAccess(`Admin${i}`, arn, [adminPolicy]));
  }
}
