import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { POLICY_DIR, POLICY_FILES, POLICY_VARIANTS, policyFileText, renderPolicies, synthesizeVariants } from '../../scripts/bootstrap-policy';
import { STACK_NAME } from '../../bin/app';
import { UncoveredResourceTypeError, executionPolicyDocument } from '../../lib/security/execution-policy';
import { PERMISSIONS_BOUNDARY_NAME, PolicyStatementJson } from '../../lib/security/permissions-boundary';
import { TEST_CDK_JSON, TEST_DAY, captureSynthReport } from '../support/cdk';
import { copyProject } from '../support/project-copy';
import { TEST_DAY_ENV, withoutTestDayNotice } from '../support/test-day';
import { PROJECT_ROOT } from '../../lib/config/cdk-json';

/* eslint-disable @typescript-eslint/no-explicit-any */
// Every configuration the policy is generated from, synthesized once for the file.
// Synth warnings are the other tests' subject: kept out of the output here.
const templates = captureSynthReport(() => synthesizeVariants(TEST_DAY, TEST_CDK_JSON)).value;
const policies = renderPolicies(templates);
const resources = Object.entries(templates).flatMap(([variant, t]) => Object.entries(t.Resources).map(([id, r]) => ({ variant, id, ...r } as any)));
const roles = resources.filter((r) => r.Type === 'AWS::IAM::Role');
const BOUNDARY_ARN = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, `:policy/${PERMISSIONS_BOUNDARY_NAME}`]] };

/** Whether an IAM action pattern (`ec2:Describe*`) matches an action. */
const matches = (pattern: string, action: string) =>
  new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i').test(action);
const list = (x: string | readonly string[]) => (typeof x === 'string' ? [x] : [...x]);

test('the committed policies are what the stack needs now (npm run bootstrap-policy regenerates them)', () => {
  for (const [kind, file] of Object.entries(POLICY_FILES) as [keyof typeof POLICY_FILES, string][]) {
    expect([file, readFileSync(join(POLICY_DIR, file), 'utf8')]).toEqual([file, policyFileText(policies[kind])]);
  }
});

describe('npm run bootstrap-policy -- --check, as a user runs it', () => {
  const check = (cwd: string) => spawnSync('npm', ['run', '--silent', 'bootstrap-policy', '--', '--check'], { cwd, encoding: 'utf8', env: { ...process.env, ...TEST_DAY_ENV }, timeout: 60_000 });

  test('passes on the committed files, and writes nothing', () => {
    const result = check(PROJECT_ROOT);
    expect([result.status, result.stdout, withoutTestDayNotice(result.stderr)]).toEqual([0, '', '']);
  });

  test('fails, naming each file and the command to run, where the files are out of date (here: missing)', () => {
    const copy = copyProject();
    try {
      const result = check(copy.dir);
      expect([result.status, result.stdout, withoutTestDayNotice(result.stderr)]).toEqual([1, '',
        'policies/cfn-execution-policy.json is out of date: run npm run bootstrap-policy and commit it\n' +
        'policies/permissions-boundary.json is out of date: run npm run bootstrap-policy and commit it\n']);
    } finally {
      copy.remove();
    }
  });
});

test('the variants create every resource type the stack knows, Karpenter, kubectl, the GitLab role and the VPC included', () => {
  const types = [...new Set(resources.map((r) => r.Type))].sort();
  expect(types).toEqual([
    'AWS::EC2::EIP', 'AWS::EC2::FlowLog', 'AWS::EC2::InternetGateway', 'AWS::EC2::LaunchTemplate', 'AWS::EC2::NatGateway', 'AWS::EC2::Route',
    'AWS::EC2::RouteTable', 'AWS::EC2::SecurityGroup', 'AWS::EC2::Subnet', 'AWS::EC2::SubnetRouteTableAssociation', 'AWS::EC2::VPC',
    'AWS::EC2::VPCEndpoint', 'AWS::EC2::VPCGatewayAttachment', 'AWS::ECR::Repository', 'AWS::EKS::AccessEntry', 'AWS::EKS::Addon', 'AWS::EKS::Cluster',
    'AWS::EKS::Nodegroup', 'AWS::EKS::PodIdentityAssociation', 'AWS::Events::Rule', 'AWS::IAM::OIDCProvider', 'AWS::IAM::Policy',
    'AWS::IAM::Role', 'AWS::KMS::Key', 'AWS::Lambda::Function', 'AWS::Lambda::LayerVersion', 'AWS::Logs::LogGroup', 'AWS::SQS::Queue',
    'AWS::SQS::QueuePolicy', 'AWS::SSM::Parameter', 'Custom::AWSCDK-EKS-HelmChart', 'Custom::AWSCDK-EKS-KubernetesObjectValue',
    'Custom::AWSCDK-EKS-KubernetesResource',
  ]);
  expect(Object.keys(POLICY_VARIANTS)).toHaveLength(Object.keys(templates).length);
});

test('a resource type without IAM actions fails generation, naming the type and the table to extend', () => {
  expect(() => executionPolicyDocument({ resourceTypes: ['AWS::EKS::Cluster', 'AWS::S3::Bucket', 'AWS::RDS::DBInstance'], stackName: STACK_NAME }))
    .toThrow(new UncoveredResourceTypeError(['AWS::RDS::DBInstance', 'AWS::S3::Bucket']));
  expect(new UncoveredResourceTypeError(['AWS::S3::Bucket']).message).toBe('no IAM actions known for AWS::S3::Bucket: add each to RESOURCE_TYPE_ACTIONS ' +
    'in lib/security/resource-actions.ts (from its CloudFormation schema, handlers.*.permissions), then run npm run bootstrap-policy');
});

describe('the execution policy', () => {
  const statements = policies.execution.Statement;
  const sid = (s: string) => statements.find((x) => x.Sid === s);

  test('lets CloudFormation write roles only with the boundary, and only roles of this stack', () => {
    expect(sid('WriteRolesOnlyWithTheBoundary')).toEqual({
      Sid: 'WriteRolesOnlyWithTheBoundary', Effect: 'Allow',
      Action: ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:AttachRolePolicy', 'iam:DeleteRolePolicy', 'iam:DetachRolePolicy', 'iam:PutRolePermissionsBoundary'],
      Resource: 'arn:aws:iam::*:role/MixedArchEks-*',
      Condition: { StringLike: { 'iam:PermissionsBoundary': `arn:aws:iam::*:policy/${PERMISSIONS_BOUNDARY_NAME}` } },
    });
    // No other statement allows an IAM write that could make or widen a role or a policy.
    const iamWrites = /^iam:(Create(Role|Policy|PolicyVersion|User|AccessKey|LoginProfile)|Put(Role|User|Group)Policy|Attach(Role|User|Group)Policy|PutRolePermissionsBoundary|SetDefaultPolicyVersion|\*)$/i;
    const writers = statements.filter((s) => s.Effect === 'Allow' && list(s.Action).some((a) => iamWrites.test(a) || a === '*' || a === 'iam:*'));
    expect(writers.map((s) => s.Sid)).toEqual(['WriteRolesOnlyWithTheBoundary']);
  });

  test('denies removing a boundary and changing the boundary or this policy', () => {
    expect(statements.filter((s) => s.Effect === 'Deny')).toEqual([
      { Sid: 'KeepTheBoundary', Effect: 'Deny', Action: ['iam:DeleteRolePermissionsBoundary', 'iam:DeleteUserPermissionsBoundary'], Resource: '*' },
      {
        Sid: 'NeverChangeTheBoundaryOrThisPolicy', Effect: 'Deny',
        Action: ['iam:CreatePolicy', 'iam:CreatePolicyVersion', 'iam:DeletePolicy', 'iam:DeletePolicyVersion', 'iam:SetDefaultPolicyVersion'],
        Resource: [`arn:aws:iam::*:policy/${PERMISSIONS_BOUNDARY_NAME}`, 'arn:aws:iam::*:policy/mixed-arch-eks-cfn-execution'],
      },
    ]);
  });

  test('invokes only the stack\'s own functions, and creates KMS grants only for a service\'s own resource', () => {
    expect(statements.filter((s) => list(s.Action).some((a) => matches(a, 'lambda:InvokeFunction') || matches(a, 'kms:CreateGrant')))).toEqual([
      { Sid: 'InvokeOnlyTheStacksFunctions', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: 'arn:aws:lambda:*:*:function:MixedArchEks-*' },
      { Sid: 'KmsGrantsForServicesOnly', Effect: 'Allow', Action: 'kms:CreateGrant', Resource: '*', Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } } },
    ]);
    // The provider functions are the stack's: none sets FunctionName, so CloudFormation names them after the stack.
    expect(resources.filter((r) => r.Type === 'AWS::Lambda::Function' && r.Properties?.FunctionName !== undefined).map((r) => r.id)).toEqual([]);
  });

  test('has no wildcard action and no service-wide grant', () => {
    for (const s of statements) for (const a of list(s.Action)) expect([s.Sid, a]).not.toEqual([s.Sid, expect.stringMatching(/^(\*|[a-z0-9-]+:\*)$/)]);
  });

  test('CloudFormation may pass and manage only the roles it names after the stack (no role sets RoleName)', () => {
    expect(roles.filter((r) => r.Properties?.RoleName !== undefined).map((r) => r.id)).toEqual([]);
  });
});

describe('the permissions boundary', () => {
  test('is on every IAM role of every variant, aws-eks-v2\'s kubectl provider roles included', () => {
    expect(roles.length).toBeGreaterThan(10);
    // The account is a Ref in an environment-agnostic stack, a literal with an explicit account (existing VPC).
    const isBoundary = (arn: any) => JSON.stringify(arn) === JSON.stringify(BOUNDARY_ARN) ||
      arn === `arn:aws:iam::123456789012:policy/${PERMISSIONS_BOUNDARY_NAME}`;
    expect(roles.filter((r) => !isBoundary(r.Properties.PermissionsBoundary)).map((r) => `${r.variant}/${r.id}`)).toEqual([]);
    expect(roles.some((r) => r.id.startsWith('ClusterKubectlProvider'))).toBe(true);
  });

  const allowed = policies.boundary.Statement.filter((s) => s.Effect === 'Allow');
  const allows = (action: string) => allowed.filter((s: PolicyStatementJson) => list(s.Action).some((p) => matches(p, action)));

  test('allows every action the stack\'s inline policies grant, so no role loses a permission it is given', () => {
    const documents = [
      ...resources.filter((r) => r.Type === 'AWS::IAM::Policy').map((r) => r.Properties.PolicyDocument),
      ...roles.flatMap((r) => (r.Properties.Policies ?? []).map((p: any) => p.PolicyDocument)),
    ];
    const actions = [...new Set(documents.flatMap((d) => d.Statement.filter((s: any) => s.Effect === 'Allow').flatMap((s: any) => list(s.Action))))].sort();
    expect(actions.length).toBeGreaterThan(30);
    expect(actions.filter((a) => allows(a).length === 0)).toEqual([]);
  });

  test('lets a bounded role pass only the stack\'s roles and assume only CDK\'s bootstrap roles, and write no role or policy', () => {
    expect(allows('iam:PassRole').map((s) => s.Resource)).toEqual(['arn:aws:iam::*:role/MixedArchEks-*']);
    expect(allows('sts:AssumeRole').map((s) => s.Resource)).toEqual(['arn:aws:iam::*:role/cdk-*']);
    for (const action of ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:AttachRolePolicy', 'iam:CreatePolicyVersion', 'iam:PutRolePermissionsBoundary', 'iam:UpdateAssumeRolePolicy', 'iam:CreateAccessKey']) {
      expect([action, allows(action)]).toEqual([action, []]);
    }
  });

  test('allows the services of every AWS managed policy the stack attaches', () => {
    // Services each managed policy calls (AWS Managed Policy Reference Guide, each policy's JSON).
    const SERVICES: Record<string, string[]> = {
      AmazonEKSClusterPolicy: ['autoscaling:CreateOrUpdateTags', 'ec2:CreateTags', 'elasticloadbalancing:CreateLoadBalancer', 'kms:CreateGrant', 'kms:DescribeKey', 'iam:CreateServiceLinkedRole'],
      AmazonEKSWorkerNodePolicy: ['ec2:DescribeInstances', 'eks:DescribeCluster', 'eks-auth:AssumeRoleForPodIdentity'],
      AmazonEKS_CNI_Policy: ['ec2:AssignPrivateIpAddresses', 'ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface', 'ec2:CreateTags'],
      AmazonEC2ContainerRegistryPullOnly: ['ecr:GetAuthorizationToken', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchImportUpstreamImage'],
      AmazonEC2ContainerRegistryReadOnly: ['ecr:GetAuthorizationToken', 'ecr:DescribeImages', 'ecr:ListImages', 'ecr:BatchGetImage'],
      AmazonElasticContainerRegistryPublicReadOnly: ['ecr-public:GetAuthorizationToken', 'ecr-public:DescribeImages', 'sts:GetServiceBearerToken'],
      'service-role/AWSLambdaBasicExecutionRole': ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
      'service-role/AWSLambdaVPCAccessExecutionRole': ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DeleteNetworkInterface', 'logs:PutLogEvents'],
      // Auto Mode's cluster role and node role.
      AmazonEKSComputePolicy: ['ec2:CreateFleet', 'ec2:RunInstances', 'ec2:CreateLaunchTemplate', 'iam:CreateInstanceProfile', 'iam:AddRoleToInstanceProfile', 'ssm:GetParameter'],
      AmazonEKSBlockStoragePolicy: ['ec2:CreateVolume', 'ec2:AttachVolume', 'ec2:CreateSnapshot', 'kms:CreateGrant'],
      AmazonEKSLoadBalancingPolicy: ['elasticloadbalancing:CreateLoadBalancer', 'elasticloadbalancing:RegisterTargets', 'ec2:CreateSecurityGroup', 'acm:DescribeCertificate'],
      AmazonEKSNetworkingPolicy: ['ec2:CreateNetworkInterface', 'ec2:AssignPrivateIpAddresses'],
      AmazonEKSWorkerNodeMinimalPolicy: ['eks-auth:AssumeRoleForPodIdentity'],
    };
    const attached = [...new Set(JSON.stringify(roles.map((r) => r.Properties.ManagedPolicyArns ?? [])).match(/:iam::aws:policy\/[A-Za-z0-9_/-]+/g))]
      .map((m) => m.replace(':iam::aws:policy/', '')).sort();
    expect(attached).toEqual(Object.keys(SERVICES).sort());
    for (const [policy, actions] of Object.entries(SERVICES)) {
      expect([policy, actions.filter((a) => allows(a).length === 0)]).toEqual([policy, []]);
    }
  });
});
