import { App, Stack, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { GITLAB_OIDC_AUDIENCE, GitLabDeployRole, GitLabDeployRoleProps } from '../../lib/constructs/gitlab-deploy-role';

const ENV = { account: '123456789012', region: 'eu-west-1' };
const CLUSTER_ARN = 'arn:aws:eks:eu-west-1:123456789012:cluster/mixed-arch';

function synth(props: Partial<GitLabDeployRoleProps> = {}) {
  const stack = new Stack(new App(), 'Test', { env: ENV });
  const repository = new ecr.Repository(stack, 'Repo', { repositoryName: 'print-platform-info' });
  const construct = new GitLabDeployRole(stack, 'GitLab', { gitlabUrl: 'https://gitlab.com', project: 'example-group/mixed-arch-eks', repository, ...props });
  return { stack, construct, repository, template: Template.fromStack(stack) };
}

// Synthesized once per variant, shared by the tests.
const defaults = synth({ clusterArn: CLUSTER_ARN });
const template = defaults.template;
const selfManaged = synth({
  gitlabUrl: 'https://code.example.org/gitlab/',
  project: 'platform/infra/mixed-arch-eks',
  branches: ['main', 'release/*'],
  cdkQualifier: 'abc123xyz',
});

type Statement = { Action: string | string[]; Resource: unknown; Effect: string; Sid?: string };

function roleStatements(t: Template): Statement[] {
  const policies = Object.values(t.findResources('AWS::IAM::Policy'));
  return policies.flatMap((p) => (p.Properties.PolicyDocument.Statement as Statement[]));
}

function actionsOf(s: Statement): string[] {
  return ([] as string[]).concat(s.Action);
}

describe('GitLabDeployRole', () => {
  it('creates a native IAM OIDC provider for GitLab with the STS audience', () => {
    template.resourceCountIs('AWS::IAM::OIDCProvider', 1);
    template.hasResourceProperties('AWS::IAM::OIDCProvider', {
      Url: 'https://gitlab.com',
      ClientIdList: [GITLAB_OIDC_AUDIENCE],
    });
    // Native resource: no custom resource and no provider Lambda.
    expect(Object.keys(template.findResources('AWS::Lambda::Function'))).toEqual([]);
    expect(Object.keys(template.findResources('Custom::AWSCDKOpenIdConnectProvider'))).toEqual([]);
  });

  it('lets only this project\'s main branch assume the role, for one hour at most', () => {
    const [[roleId, role]] = Object.entries(template.findResources('AWS::IAM::Role'));
    expect(roleId).toMatch(/^GitLabRole/);
    expect(role.Properties.MaxSessionDuration).toBe(3600);
    expect(role.Properties.AssumeRolePolicyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [{
          Action: 'sts:AssumeRoleWithWebIdentity',
          Effect: 'Allow',
          Principal: { Federated: { Ref: Object.keys(template.findResources('AWS::IAM::OIDCProvider'))[0] } },
          Condition: {
            StringEquals: { 'gitlab.com:aud': 'sts.amazonaws.com' },
            StringLike: { 'gitlab.com:sub': ['project_path:example-group/mixed-arch-eks:ref_type:branch:ref:main'] },
          },
        }],
    });
  });

  it('keys the trust on a self-managed issuer with a path, and on every listed branch', () => {
    selfManaged.template.hasResourceProperties('AWS::IAM::OIDCProvider', { Url: 'https://code.example.org/gitlab' });
    const [role] = Object.values(selfManaged.template.findResources('AWS::IAM::Role'));
    const [providerId] = Object.keys(selfManaged.template.findResources('AWS::IAM::OIDCProvider'));
    expect(role.Properties.AssumeRolePolicyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [{
          Action: 'sts:AssumeRoleWithWebIdentity',
          Effect: 'Allow',
          Principal: { Federated: { Ref: providerId } },
          Condition: {
            StringEquals: { 'code.example.org/gitlab:aud': 'sts.amazonaws.com' },
            StringLike: {
              'code.example.org/gitlab:sub': [
                'project_path:platform/infra/mixed-arch-eks:ref_type:branch:ref:main',
                'project_path:platform/infra/mixed-arch-eks:ref_type:branch:ref:release/*',
              ],
            },
          },
        }],
    });
  });

  it('has one policy, compared whole: push to the one repository, the ECR token, the CDK roles, the cluster', () => {
    const repoArn = { 'Fn::GetAtt': [defaults.stack.getLogicalId(defaults.repository.node.defaultChild as ecr.CfnRepository), 'Arn'] };
    const roleId = defaults.stack.getLogicalId(defaults.construct.role.node.defaultChild as iam.CfnRole);
    const cdkRole = (kind: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::123456789012:role/cdk-hnb659fds-${kind}-role-123456789012-eu-west-1`]] });
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).map((p) => p.Properties);
    expect(policies.map((p) => p.PolicyName)).toEqual([expect.stringMatching(/^GitLabRoleDefaultPolicy/)]);
    expect(policies.map(({ PolicyName: _name, ...rest }) => rest)).toEqual([{
      Roles: [{ Ref: roleId }],
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow', Resource: repoArn,
            Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage', 'ecr:CompleteLayerUpload', 'ecr:UploadLayerPart', 'ecr:InitiateLayerUpload', 'ecr:PutImage'],
          },
          { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
          { Sid: 'AssumeCdkBootstrapRoles', Effect: 'Allow', Action: 'sts:AssumeRole', Resource: ['deploy', 'file-publishing', 'image-publishing', 'lookup'].map(cdkRole) },
          { Sid: 'DescribeCluster', Effect: 'Allow', Action: 'eks:DescribeCluster', Resource: CLUSTER_ARN },
        ],
      },
    }]);
  });

  it('pushes to the one repository only; GetAuthorizationToken alone is on *', () => {
    const statements = roleStatements(template);
    const wildcard = statements.filter((s) => s.Resource === '*' || (Array.isArray(s.Resource) && s.Resource.includes('*')));
    expect(wildcard.map((s) => actionsOf(s))).toEqual([['ecr:GetAuthorizationToken']]);
    expect(statements.every((s) => s.Effect === 'Allow')).toBe(true);
  });

  it('assumes exactly the four CDK bootstrap roles of this account and region', () => {
    const bootstrap = roleStatements(template).find((s) => s.Sid === 'AssumeCdkBootstrapRoles');
    expect(bootstrap?.Action).toBe('sts:AssumeRole');
    const arns = (bootstrap?.Resource as unknown[]).map((r) => JSON.stringify(r));
    expect(arns).toEqual(['deploy', 'file-publishing', 'image-publishing', 'lookup'].map((kind) => JSON.stringify({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::123456789012:role/cdk-hnb659fds-${kind}-role-123456789012-eu-west-1`]],
    })));

    const custom = roleStatements(selfManaged.template).find((s) => s.Sid === 'AssumeCdkBootstrapRoles');
    expect(JSON.stringify(custom?.Resource)).toContain('role/cdk-abc123xyz-deploy-role-123456789012-eu-west-1');
  });

  it('describes the given cluster only, and no cluster when none is given', () => {
    expect(roleStatements(template).filter((s) => actionsOf(s).some((a) => a.startsWith('eks:')))).toEqual([
      { Sid: 'DescribeCluster', Action: 'eks:DescribeCluster', Effect: 'Allow', Resource: CLUSTER_ARN },
    ]);
    expect(roleStatements(selfManaged.template).filter((s) => actionsOf(s).some((a) => a.startsWith('eks:')))).toEqual([]);
  });

  it('passes the cdk-nag AwsSolutions pack', () => {
    const report = new AwsSolutionsChecks().validateScope(defaults.stack);
    const findings = report.violations
      .filter((v) => v.violatingResources.some((r) => (r.constructPath ?? '').startsWith('Test/GitLab')))
      .map((v) => v.ruleName);
    expect(findings).toEqual([]);
  });

  it('reuses a provider that already exists in the account', () => {
    const stack = new Stack(new App(), 'Existing', { env: ENV });
    const provider = iam.OidcProviderNative.fromOidcProviderArn(stack, 'Existing', 'arn:aws:iam::123456789012:oidc-provider/gitlab.com');
    const repository = ecr.Repository.fromRepositoryName(stack, 'Repo', 'print-platform-info');
    const construct = new GitLabDeployRole(stack, 'GitLab', { gitlabUrl: 'https://gitlab.com', project: 'g/p', repository, provider });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::IAM::OIDCProvider', 0);
    expect(Object.values(t.findResources('AWS::IAM::Role')).map((r) => r.Properties.AssumeRolePolicyDocument)).toEqual([{
      Version: '2012-10-17',
      Statement: [{
        Action: 'sts:AssumeRoleWithWebIdentity', Effect: 'Allow', Principal: { Federated: 'arn:aws:iam::123456789012:oidc-provider/gitlab.com' },
        Condition: { StringEquals: { 'gitlab.com:aud': 'sts.amazonaws.com' }, StringLike: { 'gitlab.com:sub': ['project_path:g/p:ref_type:branch:ref:main'] } },
      }],
    }]);
    expect(construct.provider).toBe(provider);
  });

  it.each([
    [{ gitlabUrl: 'http://gitlab.com' }, /must use https/],
    [{ gitlabUrl: 'https://gitlab.example.com:8443' }, /must not have a port/],
    [{ gitlabUrl: 'https://gitlab.com/?x=1' }, /no query/],
    [{ gitlabUrl: 'gitlab.com' }, /must be a URL/],
    [{ project: 'just-a-group' }, /must be a GitLab project path/],
    [{ project: 'group/*' }, /must be a GitLab project path/],
    [{ branches: [] }, /branches is empty/],
    [{ branches: ['main?'] }, /branch "main\?" must be a branch name/],
  ] as Array<[Partial<GitLabDeployRoleProps>, RegExp]>)('rejects %j', (props, message) => {
    expect(() => synth(props)).toThrow(message);
  });
});

describe('GitLabDeployRole inputs', () => {
  it('says in its description whose pipeline it serves and from which branches', () => {
    template.hasResourceProperties('AWS::IAM::Role', { Description: 'GitLab CI of example-group/mixed-arch-eks (branches main): push images, cdk deploy' });
    selfManaged.template.hasResourceProperties('AWS::IAM::Role', { Description: 'GitLab CI of platform/infra/mixed-arch-eks (branches main, release/*): push images, cdk deploy' });
  });

  it('refuses a GitLab URL only known at deploy time: the trust condition keys are built from it', () => {
    expect(() => synth({ gitlabUrl: Token.asString({ Ref: 'GitLabUrl' }) })).toThrow(
      /^GitLabDeployRole: gitlabUrl must be a literal string; the trust policy condition keys are built from it\.$/,
    );
  });
});
