import { PERMISSIONS_BOUNDARY_NAME, PolicyJson, PolicyStatementJson } from './permissions-boundary';
import { RESOURCE_TYPE_ACTIONS, SERVICE_READS } from './resource-actions';

/** The customer managed policy given to `cdk bootstrap --cloudformation-execution-policies` (docs/security.md). */
export const EXECUTION_POLICY_NAME = 'mixed-arch-eks-cfn-execution';

/** IAM resource types: their permissions are statements of their own, scoped to the stack's names and the boundary. */
const IAM_TYPES = ['AWS::IAM::Role', 'AWS::IAM::Policy', 'AWS::IAM::OIDCProvider', 'AWS::IAM::InstanceProfile'];

/** A resource type that neither table covers: the policy would let CloudFormation fail half-way through a deploy. */
export class UncoveredResourceTypeError extends Error {
  constructor(readonly types: readonly string[]) {
    super(`no IAM actions known for ${types.join(', ')}: add each to RESOURCE_TYPE_ACTIONS in lib/security/resource-actions.ts ` +
      '(from its CloudFormation schema, handlers.*.permissions), then run npm run bootstrap-policy');
    this.name = 'UncoveredResourceTypeError';
  }
}

export interface ExecutionPolicyOptions {
  /** Every resource type the stack synthesizes, in any variant. */
  readonly resourceTypes: Iterable<string>;
  /** The stack's name: CloudFormation names the roles it creates `<stackName>-<logicalId>-<suffix>`. */
  readonly stackName: string;
  /** @default 'aws' */
  readonly partition?: string;
}

/**
 * The CloudFormation execution policy: what the role CloudFormation deploys the stack with may do, derived from the
 * resource types the stack creates. Every role it creates must carry the permissions boundary: iam:CreateRole,
 * PutRolePolicy and AttachRolePolicy are allowed only when the role's boundary is ours (condition key
 * iam:PermissionsBoundary, Service Authorization Reference, IAM), and nothing may remove it or change the boundary
 * policy. So a pipeline that can deploy cannot mint a role stronger than the boundary.
 */
export function executionPolicyDocument(options: ExecutionPolicyOptions): PolicyJson {
  const partition = options.partition ?? 'aws';
  const types = [...new Set(options.resourceTypes)].sort();
  const uncovered = types.filter((t) => !(t in RESOURCE_TYPE_ACTIONS) && !IAM_TYPES.includes(t));
  if (uncovered.length > 0) throw new UncoveredResourceTypeError(uncovered);

  const iam = (resource: string) => `arn:${partition}:iam::*:${resource}`;
  const stackRoles = iam(`role/${options.stackName}-*`);
  const boundary = iam(`policy/${PERMISSIONS_BOUNDARY_NAME}`);
  const actions = new Set(types.flatMap((t) => RESOURCE_TYPE_ACTIONS[t] ?? []));
  const services = new Set([...actions].map((a) => a.split(':')[0]));
  for (const service of services) for (const read of SERVICE_READS[service] ?? []) actions.add(read);

  // Two actions that would reach beyond the stack on `*`: invoking any function of the account (a custom resource
  // may name any ServiceToken), and granting any principal the use of any KMS key that delegates to IAM.
  const invoke = actions.delete('lambda:InvokeFunction');
  const grant = actions.delete('kms:CreateGrant');
  const statements: PolicyStatementJson[] = [
    { Sid: 'StackResources', Effect: 'Allow', Action: [...actions].sort(), Resource: '*' },
    // The template's BootstrapVersion parameter: CloudFormation resolves it with the execution role.
    { Sid: 'ReadCdkBootstrapVersion', Effect: 'Allow', Action: 'ssm:GetParameters', Resource: `arn:${partition}:ssm:*:*:parameter/cdk-bootstrap/*` },
  ];
  if (invoke) {
    // CloudFormation names the stack's functions `<stackName>-<logicalId>-<suffix>`, the custom-resource providers too.
    statements.push({ Sid: 'InvokeOnlyTheStacksFunctions', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: `arn:${partition}:lambda:*:*:function:${options.stackName}-*` });
  }
  if (grant) {
    // Only a grant a service makes for its own resource: EKS on the secrets key (condition key
    // kms:GrantIsForAWSResource, AWS KMS Developer Guide, "AWS KMS condition keys").
    statements.push({
      Sid: 'KmsGrantsForServicesOnly', Effect: 'Allow', Action: 'kms:CreateGrant', Resource: '*',
      Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    });
  }
  if (types.some((t) => t === 'AWS::Lambda::Function' || t === 'AWS::Lambda::LayerVersion')) {
    statements.push({ Sid: 'ReadCdkAssets', Effect: 'Allow', Action: ['s3:GetObject', 's3:GetObjectVersion'], Resource: `arn:${partition}:s3:::cdk-*-assets-*/*` });
  }
  if (types.includes('AWS::IAM::Role') || types.includes('AWS::IAM::Policy')) {
    statements.push(
      {
        Sid: 'WriteRolesOnlyWithTheBoundary', Effect: 'Allow',
        Action: ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:AttachRolePolicy', 'iam:DeleteRolePolicy', 'iam:DetachRolePolicy', 'iam:PutRolePermissionsBoundary'],
        Resource: stackRoles,
        // A string key (IAM User Guide, "Permissions boundaries for IAM entities", delegation example: StringEquals);
        // the account is a wildcard: a boundary must be a policy of the role's own account.
        Condition: { StringLike: { 'iam:PermissionsBoundary': boundary } },
      },
      {
        Sid: 'ManageTheStacksRoles', Effect: 'Allow',
        Action: [
          'iam:DeleteRole', 'iam:GetRole', 'iam:GetRolePolicy', 'iam:ListRolePolicies', 'iam:ListAttachedRolePolicies', 'iam:ListRoleTags',
          'iam:ListInstanceProfilesForRole', 'iam:TagRole', 'iam:UntagRole', 'iam:UpdateRole', 'iam:UpdateRoleDescription',
          'iam:UpdateAssumeRolePolicy', 'iam:PassRole',
        ],
        Resource: stackRoles,
      },
    );
  }
  if (types.some((t) => t.startsWith('AWS::EKS::'))) {
    // EKS creates its service-linked roles on first use in an account (EKS User Guide, "Using service-linked roles").
    statements.push({
      Sid: 'EksServiceLinkedRoles', Effect: 'Allow', Action: 'iam:CreateServiceLinkedRole', Resource: '*',
      Condition: { StringEquals: { 'iam:AWSServiceName': ['eks.amazonaws.com', 'eks-nodegroup.amazonaws.com'] } },
    });
  }
  if (types.includes('AWS::IAM::OIDCProvider')) {
    statements.push({
      Sid: 'OidcProviders', Effect: 'Allow',
      Action: [
        'iam:CreateOpenIDConnectProvider', 'iam:DeleteOpenIDConnectProvider', 'iam:GetOpenIDConnectProvider', 'iam:AddClientIDToOpenIDConnectProvider',
        'iam:RemoveClientIDFromOpenIDConnectProvider', 'iam:UpdateOpenIDConnectProviderThumbprint', 'iam:TagOpenIDConnectProvider',
        'iam:UntagOpenIDConnectProvider', 'iam:ListOpenIDConnectProviderTags',
      ],
      Resource: iam('oidc-provider/*'),
    });
  }
  if (types.includes('AWS::IAM::InstanceProfile')) {
    statements.push({
      Sid: 'TheStacksInstanceProfiles', Effect: 'Allow',
      Action: ['iam:CreateInstanceProfile', 'iam:DeleteInstanceProfile', 'iam:GetInstanceProfile', 'iam:AddRoleToInstanceProfile', 'iam:RemoveRoleFromInstanceProfile'],
      Resource: iam(`instance-profile/${options.stackName}-*`),
    });
  }
  statements.push({
    Sid: 'KeepTheBoundary', Effect: 'Deny',
    Action: ['iam:DeleteRolePermissionsBoundary', 'iam:DeleteUserPermissionsBoundary'],
    Resource: '*',
  }, {
    Sid: 'NeverChangeTheBoundaryOrThisPolicy', Effect: 'Deny',
    Action: ['iam:CreatePolicy', 'iam:CreatePolicyVersion', 'iam:DeletePolicy', 'iam:DeletePolicyVersion', 'iam:SetDefaultPolicyVersion'],
    Resource: [boundary, iam(`policy/${EXECUTION_POLICY_NAME}`)],
  });
  return { Version: '2012-10-17', Statement: statements };
}
