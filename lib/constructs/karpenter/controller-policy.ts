import * as iam from 'aws-cdk-lib/aws-iam';
import { Aws } from 'aws-cdk-lib';

export interface ControllerPolicyProps {
  readonly clusterName: string;
  readonly clusterArn: string;
  readonly nodeRoleArn: string;
  readonly queueArn: string;
}

/**
 * What the Karpenter controller may do, after Karpenter's reference policy (karpenter.sh "Getting Started"
 * CloudFormation for v1.14: node lifecycle, IAM integration, EKS integration, interruption, resource discovery),
 * scoped to this cluster. The reference scopes by the tag `kubernetes.io/cluster/<name>`, a condition KEY that
 * holds the cluster name; a cluster without `clusterName` (created before that key existed) has a generated
 * name, which CloudFormation cannot put in a key without a custom resource, so for every cluster alike these
 * statements scope by `eks:eks-cluster-name` (value = the cluster name), which Karpenter puts on every
 * instance, launch template and instance profile it creates and which the creation statements require.
 * Left out: the zonal-shift read (only with `enableZonalShift`, off here).
 *
 * Reference read: aws/karpenter-provider-aws, website/content/en/v1.14/getting-started/getting-started-with-karpenter/
 * cloudformation.yaml (tag v1.14.1). Beyond it: `iam:CreateServiceLinkedRole` for the EC2 Spot role only, which
 * the v1.14 guide has the user create by hand (its troubleshooting page, "Missing Service Linked Role"): without
 * that role an account's first Spot launch fails, Karpenter marks Spot unavailable and falls back to on-demand.
 */
export function karpenterControllerPolicy(props: ControllerPolicyProps): iam.PolicyDocument {
  const ec2 = (resource: string, account = '*') => `arn:${Aws.PARTITION}:ec2:${Aws.REGION}:${account}:${resource}`;
  const clusterTag = { 'aws:ResourceTag/eks:eks-cluster-name': props.clusterName };
  const requestClusterTag = { 'aws:RequestTag/eks:eks-cluster-name': props.clusterName };
  const nodePoolTag = { 'aws:ResourceTag/karpenter.sh/nodepool': '*' };
  const requestNodePoolTag = { 'aws:RequestTag/karpenter.sh/nodepool': '*' };
  const created = ['fleet/*', 'instance/*', 'volume/*', 'network-interface/*', 'launch-template/*', 'spot-instances-request/*'].map((r) => ec2(r));
  const instanceProfiles = `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:instance-profile/*`;

  return new iam.PolicyDocument({
    statements: [
      // Launching: the shared inputs of an instance (AMIs, snapshots, subnets, security groups...).
      new iam.PolicyStatement({
        sid: 'LaunchFromRegionalInputs',
        actions: ['ec2:RunInstances', 'ec2:CreateFleet'],
        resources: [ec2('image/*', ''), ec2('snapshot/*', ''), ec2('security-group/*'), ec2('subnet/*'), ec2('capacity-reservation/*'), ec2('placement-group/*')],
      }),
      new iam.PolicyStatement({
        sid: 'LaunchFromOwnLaunchTemplates',
        actions: ['ec2:RunInstances', 'ec2:CreateFleet'],
        resources: [ec2('launch-template/*')],
        conditions: { StringEquals: clusterTag, StringLike: nodePoolTag },
      }),
      new iam.PolicyStatement({
        sid: 'CreateOnlyTaggedForThisCluster',
        actions: ['ec2:RunInstances', 'ec2:CreateFleet', 'ec2:CreateLaunchTemplate'],
        resources: created,
        conditions: { StringEquals: requestClusterTag, StringLike: requestNodePoolTag },
      }),
      new iam.PolicyStatement({
        sid: 'TagOnCreate',
        actions: ['ec2:CreateTags'],
        resources: created,
        conditions: {
          StringEquals: { ...requestClusterTag, 'ec2:CreateAction': ['RunInstances', 'CreateFleet', 'CreateLaunchTemplate'] },
          StringLike: requestNodePoolTag,
        },
      }),
      new iam.PolicyStatement({
        sid: 'TagOwnInstances',
        actions: ['ec2:CreateTags'],
        resources: [ec2('instance/*')],
        conditions: {
          StringEquals: clusterTag,
          StringLike: nodePoolTag,
          // A tag request that names a cluster must name this one: no moving an instance to another cluster.
          StringEqualsIfExists: requestClusterTag,
          'ForAllValues:StringEquals': { 'aws:TagKeys': ['eks:eks-cluster-name', 'karpenter.sh/nodeclaim', 'Name'] },
        },
      }),
      new iam.PolicyStatement({
        sid: 'DeleteOwnInstancesAndLaunchTemplates',
        actions: ['ec2:TerminateInstances', 'ec2:DeleteLaunchTemplate'],
        resources: [ec2('instance/*'), ec2('launch-template/*')],
        conditions: { StringEquals: clusterTag, StringLike: nodePoolTag },
      }),
      // Nodes: the node role only, and only to EC2.
      new iam.PolicyStatement({
        sid: 'PassNodeRole',
        actions: ['iam:PassRole'],
        resources: [props.nodeRoleArn],
        // EC2's service principal in the aws and aws-cn partitions (cdk.json targets both).
        conditions: { StringEquals: { 'iam:PassedToService': ['ec2.amazonaws.com', 'ec2.amazonaws.com.cn'] } },
      }),
      new iam.PolicyStatement({
        sid: 'CreateInstanceProfiles',
        actions: ['iam:CreateInstanceProfile'],
        resources: [instanceProfiles],
        conditions: {
          StringEquals: { ...requestClusterTag, 'aws:RequestTag/topology.kubernetes.io/region': Aws.REGION },
          StringLike: { 'aws:RequestTag/karpenter.k8s.aws/ec2nodeclass': '*' },
        },
      }),
      new iam.PolicyStatement({
        sid: 'TagOwnInstanceProfiles',
        actions: ['iam:TagInstanceProfile'],
        resources: [instanceProfiles],
        conditions: {
          StringEquals: { ...clusterTag, 'aws:ResourceTag/topology.kubernetes.io/region': Aws.REGION, ...requestClusterTag, 'aws:RequestTag/topology.kubernetes.io/region': Aws.REGION },
          StringLike: { 'aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass': '*', 'aws:RequestTag/karpenter.k8s.aws/ec2nodeclass': '*' },
        },
      }),
      new iam.PolicyStatement({
        sid: 'ManageOwnInstanceProfiles',
        actions: ['iam:AddRoleToInstanceProfile', 'iam:RemoveRoleFromInstanceProfile', 'iam:DeleteInstanceProfile'],
        resources: [instanceProfiles],
        conditions: {
          StringEquals: { ...clusterTag, 'aws:ResourceTag/topology.kubernetes.io/region': Aws.REGION },
          StringLike: { 'aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass': '*' },
        },
      }),
      // The EC2 Spot service-linked role, once per account, and no other service's role.
      new iam.PolicyStatement({
        sid: 'CreateSpotServiceLinkedRole',
        actions: ['iam:CreateServiceLinkedRole'],
        resources: [`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/aws-service-role/spot.amazonaws.com/AWSServiceRoleForEC2Spot`],
        conditions: { StringEquals: { 'iam:AWSServiceName': 'spot.amazonaws.com' } },
      }),
      new iam.PolicyStatement({ sid: 'ReadInstanceProfiles', actions: ['iam:GetInstanceProfile'], resources: [instanceProfiles] }),
      new iam.PolicyStatement({ sid: 'ListInstanceProfiles', actions: ['iam:ListInstanceProfiles'], resources: ['*'] }),
      // This cluster's endpoint, and its interruption queue.
      new iam.PolicyStatement({ sid: 'DescribeThisCluster', actions: ['eks:DescribeCluster'], resources: [props.clusterArn] }),
      new iam.PolicyStatement({
        sid: 'ReadInterruptionQueue',
        actions: ['sqs:DeleteMessage', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'],
        resources: [props.queueArn],
      }),
      // Discovery: instance types, offerings, prices, subnets, AMIs of this region.
      new iam.PolicyStatement({
        sid: 'DescribeRegion',
        actions: [
          'ec2:DescribeCapacityReservations', 'ec2:DescribeImages', 'ec2:DescribeInstances', 'ec2:DescribeInstanceStatus',
          'ec2:DescribeInstanceTypeOfferings', 'ec2:DescribeInstanceTypes', 'ec2:DescribeLaunchTemplates',
          'ec2:DescribePlacementGroups', 'ec2:DescribeSecurityGroups', 'ec2:DescribeSpotPriceHistory', 'ec2:DescribeSubnets',
        ],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:RequestedRegion': Aws.REGION } },
      }),
      new iam.PolicyStatement({
        sid: 'ReadPublicAmiParameters',
        actions: ['ssm:GetParameter'],
        resources: [`arn:${Aws.PARTITION}:ssm:${Aws.REGION}::parameter/aws/service/*`],
      }),
      new iam.PolicyStatement({ sid: 'ReadPrices', actions: ['pricing:GetProducts'], resources: ['*'] }),
    ],
  });
}
