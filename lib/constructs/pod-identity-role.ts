import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

export interface PodIdentityRoleProps {
  /** The cluster whose pods may assume the role. */
  readonly cluster: eks.ICluster;
  /** Namespace of the Kubernetes service account. */
  readonly namespace: string;
  /** Name of the Kubernetes service account. */
  readonly serviceAccount: string;
  /** What the role is for (IAM description). */
  readonly description: string;
  /**
   * AWS managed policies to attach, by name.
   * @default - none
   */
  readonly managedPolicyNames?: readonly string[];
}

/**
 * An IAM role that EKS Pod Identity assumes for one service account of one cluster, and for nothing else.
 *
 * The trust policy is the one the EKS user guide gives ("Create IAM role with trust policy required by EKS Pod
 * Identity": `pods.eks.amazonaws.com`, `sts:AssumeRole` + `sts:TagSession`), narrowed with the session tags
 * Pod Identity sets on every request (cluster ARN, namespace, service account): a Pod Identity association of
 * another cluster or service account cannot use the role.
 */
export class PodIdentityRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: PodIdentityRoleProps) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', {
      description: props.description,
      // One statement: sts:AssumeRole and sts:TagSession, both under the conditions.
      assumedBy: new iam.ServicePrincipal('pods.eks.amazonaws.com').withSessionTags().withConditions({
        StringEquals: {
          'aws:RequestTag/eks-cluster-arn': props.cluster.clusterArn,
          'aws:RequestTag/kubernetes-namespace': props.namespace,
          'aws:RequestTag/kubernetes-service-account': props.serviceAccount,
        },
      }),
      managedPolicies: (props.managedPolicyNames ?? []).map((name) => iam.ManagedPolicy.fromAwsManagedPolicyName(name)),
    });
  }
}
