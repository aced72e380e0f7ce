import * as iam from 'aws-cdk-lib/aws-iam';
import { Stack } from 'aws-cdk-lib';

/**
 * The customer managed policy that bounds every IAM role the stack creates. It is created once per account by an
 * administrator (`aws iam create-policy`, docs/security.md), never by the stack: a pipeline that could deploy the
 * boundary could also widen it. The CloudFormation execution policy lets the pipeline create roles only with it.
 */
export const PERMISSIONS_BOUNDARY_NAME = 'mixed-arch-eks-permissions-boundary';

/** A policy document as IAM reads it (the JSON written to policies/). */
export interface PolicyJson {
  readonly Version: '2012-10-17';
  readonly Statement: readonly PolicyStatementJson[];
}

export interface PolicyStatementJson {
  readonly Sid: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | readonly string[];
  readonly Resource: string | readonly string[];
  readonly Condition?: Record<string, Record<string, string | readonly string[]>>;
}

/**
 * Services the stack's roles call at run time, from the AWS managed policies they carry and the inline policies
 * the stack writes (each role and its policy: lib/constructs). The boundary is a ceiling, not a grant: a role
 * still gets only what its own policies allow. Sources, AWS Managed Policy Reference Guide:
 * AmazonEKSClusterPolicy (autoscaling, ec2, elasticloadbalancing, kms:CreateGrant/DescribeKey,
 * iam:CreateServiceLinkedRole), AmazonEKSWorkerNodePolicy (ec2:Describe*, eks:DescribeCluster,
 * eks-auth:AssumeRoleForPodIdentity), AmazonEKS_CNI_Policy (ec2 network interfaces), AmazonEC2ContainerRegistryPullOnly
 * and ReadOnly (ecr), AmazonElasticContainerRegistryPublicReadOnly (ecr-public, sts:GetServiceBearerToken),
 * AWSLambdaBasicExecutionRole and AWSLambdaVPCAccessExecutionRole (logs, ec2 network interfaces); Karpenter's
 * controller policy (lib/constructs/karpenter/controller-policy.ts: ec2, ssm:GetParameter, pricing:GetProducts, sqs,
 * iam instance profiles, iam:CreateServiceLinkedRole); the GitLab role (ecr push, eks:DescribeCluster); with Auto
 * Mode, AmazonEKSComputePolicy (ec2 fleets and instances, instance profiles of its node role), AmazonEKSBlockStoragePolicy
 * (ec2 volumes, kms grants), AmazonEKSLoadBalancingPolicy (elasticloadbalancing, ec2 security groups, acm, wafv2,
 * shield), AmazonEKSNetworkingPolicy (ec2 network interfaces), AmazonEKSWorkerNodeMinimalPolicy (eks-auth).
 */
export const BOUNDARY_SERVICE_ACTIONS: readonly string[] = [
  'autoscaling:*',
  'ec2:*',
  'elasticloadbalancing:*',
  'eks:*',
  'eks-auth:AssumeRoleForPodIdentity',
  'ecr:*',
  'ecr-public:GetAuthorizationToken',
  'ecr-public:BatchCheckLayerAvailability',
  'ecr-public:Describe*',
  'ecr-public:Get*',
  'ecr-public:List*',
  'sts:GetServiceBearerToken',
  'logs:*',
  'sqs:*',
  'ssm:GetParameter',
  'pricing:GetProducts',
  // The custom-resource provider framework's function looks up and invokes the kubectl handler.
  'lambda:GetFunction',
  'lambda:InvokeFunction',
  'kms:CreateGrant',
  'kms:DescribeKey',
  // EBS volumes encrypted with a customer key (AmazonEKSBlockStoragePolicy, Auto Mode).
  'kms:Decrypt',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:ReEncrypt*',
  // Load balancers with TLS certificates, WAF and Shield (AmazonEKSLoadBalancingPolicy, Auto Mode).
  'acm:DescribeCertificate',
  'acm:ListCertificates',
  'wafv2:GetWebACL',
  'wafv2:GetWebACLForResource',
  'wafv2:AssociateWebACL',
  'wafv2:DisassociateWebACL',
  'shield:GetSubscriptionState',
  'shield:DescribeProtection',
  'shield:CreateProtection',
  'shield:DeleteProtection',
  'iam:CreateServiceLinkedRole',
  'iam:GetInstanceProfile',
  'iam:ListInstanceProfiles',
  'iam:CreateInstanceProfile',
  'iam:DeleteInstanceProfile',
  'iam:TagInstanceProfile',
  'iam:AddRoleToInstanceProfile',
  'iam:RemoveRoleFromInstanceProfile',
];

/**
 * The boundary: the services above, passing only the stack's own roles, and assuming only CDK's bootstrap roles
 * (the GitLab deploy role's `cdk deploy`). No IAM write beyond instance profiles and service-linked roles, so a
 * bounded role can never create or widen a role, nor assume one outside the stack.
 */
export function permissionsBoundaryDocument(stackName: string, partition = 'aws'): PolicyJson {
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'RunTimeServices', Effect: 'Allow', Action: [...BOUNDARY_SERVICE_ACTIONS], Resource: '*' },
      { Sid: 'PassOnlyTheStacksRoles', Effect: 'Allow', Action: 'iam:PassRole', Resource: `arn:${partition}:iam::*:role/${stackName}-*` },
      { Sid: 'AssumeOnlyCdkBootstrapRoles', Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `arn:${partition}:iam::*:role/cdk-*` },
    ],
  };
}

/**
 * Attaches the boundary to every IAM role (and user) in `stack`, those that aws-cdk-lib constructs create inside
 * (aws-eks-v2's kubectl provider) included: `PermissionsBoundary.of(...).apply` is an Aspect that visits every
 * CfnRole (aws-cdk-lib aws-iam README, "Permissions Boundaries"). Adding a boundary to an existing role is an
 * update without interruption (CloudFormation AWS::IAM::Role reference, PermissionsBoundary).
 */
export function applyPermissionsBoundary(stack: Stack): void {
  iam.PermissionsBoundary.of(stack).apply(iam.ManagedPolicy.fromManagedPolicyName(stack, 'PermissionsBoundary', PERMISSIONS_BOUNDARY_NAME));
}
