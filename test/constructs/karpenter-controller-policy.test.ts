import { Stack } from 'aws-cdk-lib';
import { karpenterControllerPolicy } from '../../lib/constructs/karpenter/controller-policy';

// The whole controller policy against a literal copy: an action, resource or condition added, dropped or
// widened fails here, whatever the other tests look at. Pseudo parameters are rendered as in eu-west-1.
const PSEUDO: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': 'eu-west-1', 'AWS::AccountId': '111122223333' };
function render(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(render);
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  if ('Fn::Join' in object) {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    return parts.map(render).join(separator);
  }
  if ('Ref' in object) return PSEUDO[object.Ref as string] ?? object;
  return Object.fromEntries(Object.entries(object).map(([key, inner]) => [key, render(inner)]));
}

const document = render(new Stack().resolve(karpenterControllerPolicy({
  clusterName: 'blue',
  clusterArn: 'arn:aws:eks:eu-west-1:111122223333:cluster/blue',
  nodeRoleArn: 'arn:aws:iam::111122223333:role/blue-nodes',
  queueArn: 'arn:aws:sqs:eu-west-1:111122223333:blue-interruptions',
}).toJSON())) as { Version: string; Statement: unknown[] };

test('the Karpenter controller policy is exactly the reference policy scoped to one cluster, statement by statement', () => {
  expect(document.Version).toBe('2012-10-17');
  expect(document.Statement).toEqual([
    {
      Sid: 'LaunchFromRegionalInputs', Effect: 'Allow',
      Action: ['ec2:RunInstances', 'ec2:CreateFleet'],
      Resource: [
        'arn:aws:ec2:eu-west-1::image/*',
        'arn:aws:ec2:eu-west-1::snapshot/*',
        'arn:aws:ec2:eu-west-1:*:security-group/*',
        'arn:aws:ec2:eu-west-1:*:subnet/*',
        'arn:aws:ec2:eu-west-1:*:capacity-reservation/*',
        'arn:aws:ec2:eu-west-1:*:placement-group/*',
      ],
    },
    {
      Sid: 'LaunchFromOwnLaunchTemplates', Effect: 'Allow',
      Action: ['ec2:RunInstances', 'ec2:CreateFleet'],
      Resource: 'arn:aws:ec2:eu-west-1:*:launch-template/*',
      Condition: {'StringEquals': {'aws:ResourceTag/eks:eks-cluster-name': 'blue'}, 'StringLike': {'aws:ResourceTag/karpenter.sh/nodepool': '*'}},
    },
    {
      Sid: 'CreateOnlyTaggedForThisCluster', Effect: 'Allow',
      Action: ['ec2:RunInstances', 'ec2:CreateFleet', 'ec2:CreateLaunchTemplate'],
      Resource: [
        'arn:aws:ec2:eu-west-1:*:fleet/*',
        'arn:aws:ec2:eu-west-1:*:instance/*',
        'arn:aws:ec2:eu-west-1:*:volume/*',
        'arn:aws:ec2:eu-west-1:*:network-interface/*',
        'arn:aws:ec2:eu-west-1:*:launch-template/*',
        'arn:aws:ec2:eu-west-1:*:spot-instances-request/*',
      ],
      Condition: {'StringEquals': {'aws:RequestTag/eks:eks-cluster-name': 'blue'}, 'StringLike': {'aws:RequestTag/karpenter.sh/nodepool': '*'}},
    },
    {
      Sid: 'TagOnCreate', Effect: 'Allow',
      Action: 'ec2:CreateTags',
      Resource: [
        'arn:aws:ec2:eu-west-1:*:fleet/*',
        'arn:aws:ec2:eu-west-1:*:instance/*',
        'arn:aws:ec2:eu-west-1:*:volume/*',
        'arn:aws:ec2:eu-west-1:*:network-interface/*',
        'arn:aws:ec2:eu-west-1:*:launch-template/*',
        'arn:aws:ec2:eu-west-1:*:spot-instances-request/*',
      ],
      Condition: {'StringEquals': {'aws:RequestTag/eks:eks-cluster-name': 'blue', 'ec2:CreateAction': ['RunInstances', 'CreateFleet', 'CreateLaunchTemplate']}, 'StringLike': {'aws:RequestTag/karpenter.sh/nodepool': '*'}},
    },
    {
      Sid: 'TagOwnInstances', Effect: 'Allow',
      Action: 'ec2:CreateTags',
      Resource: 'arn:aws:ec2:eu-west-1:*:instance/*',
      Condition: {'StringEquals': {'aws:ResourceTag/eks:eks-cluster-name': 'blue'}, 'StringLike': {'aws:ResourceTag/karpenter.sh/nodepool': '*'}, 'StringEqualsIfExists': {'aws:RequestTag/eks:eks-cluster-name': 'blue'}, 'ForAllValues:StringEquals': {'aws:TagKeys': ['eks:eks-cluster-name', 'karpenter.sh/nodeclaim', 'Name']}},
    },
    {
      Sid: 'DeleteOwnInstancesAndLaunchTemplates', Effect: 'Allow',
      Action: ['ec2:TerminateInstances', 'ec2:DeleteLaunchTemplate'],
      Resource: ['arn:aws:ec2:eu-west-1:*:instance/*', 'arn:aws:ec2:eu-west-1:*:launch-template/*'],
      Condition: {'StringEquals': {'aws:ResourceTag/eks:eks-cluster-name': 'blue'}, 'StringLike': {'aws:ResourceTag/karpenter.sh/nodepool': '*'}},
    },
    {
      Sid: 'PassNodeRole', Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: 'arn:aws:iam::111122223333:role/blue-nodes',
      Condition: {'StringEquals': {'iam:PassedToService': ['ec2.amazonaws.com', 'ec2.amazonaws.com.cn']}},
    },
    {
      Sid: 'CreateInstanceProfiles', Effect: 'Allow',
      Action: 'iam:CreateInstanceProfile',
      Resource: 'arn:aws:iam::111122223333:instance-profile/*',
      Condition: {'StringEquals': {'aws:RequestTag/eks:eks-cluster-name': 'blue', 'aws:RequestTag/topology.kubernetes.io/region': 'eu-west-1'}, 'StringLike': {'aws:RequestTag/karpenter.k8s.aws/ec2nodeclass': '*'}},
    },
    {
      Sid: 'TagOwnInstanceProfiles', Effect: 'Allow',
      Action: 'iam:TagInstanceProfile',
      Resource: 'arn:aws:iam::111122223333:instance-profile/*',
      Condition: {'StringEquals': {'aws:ResourceTag/eks:eks-cluster-name': 'blue', 'aws:ResourceTag/topology.kubernetes.io/region': 'eu-west-1', 'aws:RequestTag/eks:eks-cluster-name': 'blue', 'aws:RequestTag/topology.kubernetes.io/region': 'eu-west-1'}, 'StringLike': {'aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass': '*', 'aws:RequestTag/karpenter.k8s.aws/ec2nodeclass': '*'}},
    },
    {
      Sid: 'ManageOwnInstanceProfiles', Effect: 'Allow',
      Action: ['iam:AddRoleToInstanceProfile', 'iam:RemoveRoleFromInstanceProfile', 'iam:DeleteInstanceProfile'],
      Resource: 'arn:aws:iam::111122223333:instance-profile/*',
      Condition: {'StringEquals': {'aws:ResourceTag/eks:eks-cluster-name': 'blue', 'aws:ResourceTag/topology.kubernetes.io/region': 'eu-west-1'}, 'StringLike': {'aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass': '*'}},
    },
    {
      Sid: 'CreateSpotServiceLinkedRole', Effect: 'Allow',
      Action: 'iam:CreateServiceLinkedRole',
      Resource: 'arn:aws:iam::111122223333:role/aws-service-role/spot.amazonaws.com/AWSServiceRoleForEC2Spot',
      Condition: {'StringEquals': {'iam:AWSServiceName': 'spot.amazonaws.com'}},
    },
    {
      Sid: 'ReadInstanceProfiles', Effect: 'Allow',
      Action: 'iam:GetInstanceProfile',
      Resource: 'arn:aws:iam::111122223333:instance-profile/*',
    },
    {
      Sid: 'ListInstanceProfiles', Effect: 'Allow',
      Action: 'iam:ListInstanceProfiles',
      Resource: '*',
    },
    {
      Sid: 'DescribeThisCluster', Effect: 'Allow',
      Action: 'eks:DescribeCluster',
      Resource: 'arn:aws:eks:eu-west-1:111122223333:cluster/blue',
    },
    {
      Sid: 'ReadInterruptionQueue', Effect: 'Allow',
      Action: ['sqs:DeleteMessage', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'],
      Resource: 'arn:aws:sqs:eu-west-1:111122223333:blue-interruptions',
    },
    {
      Sid: 'DescribeRegion', Effect: 'Allow',
      Action: ['ec2:DescribeCapacityReservations', 'ec2:DescribeImages', 'ec2:DescribeInstances', 'ec2:DescribeInstanceStatus', 'ec2:DescribeInstanceTypeOfferings', 'ec2:DescribeInstanceTypes', 'ec2:DescribeLaunchTemplates', 'ec2:DescribePlacementGroups', 'ec2:DescribeSecurityGroups', 'ec2:DescribeSpotPriceHistory', 'ec2:DescribeSubnets'],
      Resource: '*',
      Condition: {'StringEquals': {'aws:RequestedRegion': 'eu-west-1'}},
    },
    {
      Sid: 'ReadPublicAmiParameters', Effect: 'Allow',
      Action: 'ssm:GetParameter',
      Resource: 'arn:aws:ssm:eu-west-1::parameter/aws/service/*',
    },
    {
      Sid: 'ReadPrices', Effect: 'Allow',
      Action: 'pricing:GetProducts',
      Resource: '*',
    },
  ]);
});
