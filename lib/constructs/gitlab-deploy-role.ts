import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { DefaultStackSynthesizer, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { GITLAB_RULES, gitlabIssuerHost } from '../config/gitlab-config';

/** The audience the pipeline requests in `id_tokens` and the only client id the OIDC provider accepts. */
export const GITLAB_OIDC_AUDIENCE = 'sts.amazonaws.com';

/** The CDK bootstrap roles a `cdk deploy` assumes (the cfn-exec role is passed to CloudFormation, never assumed). */
export const CDK_BOOTSTRAP_ROLE_KINDS = ['deploy', 'file-publishing', 'image-publishing', 'lookup'] as const;

export interface GitLabDeployRoleProps {
  /**
   * The GitLab instance, exactly as the `iss` claim of its ID tokens: `https://gitlab.com` or your
   * self-managed URL. https only, no port, no query (IAM's rules for an OIDC provider URL).
   */
  readonly gitlabUrl: string;
  /** The project whose pipelines may assume the role: its full path (`group/subgroup/project`), as `CI_PROJECT_PATH`. */
  readonly project: string;
  /** The ECR repository the pipeline pushes print-platform-info to. */
  readonly repository: ecr.IRepository;
  /**
   * Other repositories of the project's images the pipeline may push to (arch-guard's).
   * @default - none
   */
  readonly additionalRepositories?: readonly ecr.IRepository[];
  /**
   * The cluster that `aws eks update-kubeconfig` describes. Kubernetes permissions still come from an EKS
   * access entry for `role`, which the stack adds.
   * @default - no EKS permission
   */
  readonly clusterArn?: string;
  /**
   * The branches whose pipelines may assume the role. Protect each in GitLab (Settings > Repository >
   * Protected branches): AWS cannot see whether a branch is protected, so the role trusts these names and
   * GitLab's branch protection decides who can run a pipeline on them. `*` matches like a protected-branch
   * wildcard (`release/*`).
   * @default ['main']
   */
  readonly branches?: readonly string[];
  /**
   * An IAM OIDC provider for `gitlabUrl` that already exists in the account: IAM allows one per URL.
   * @default - a new provider is created
   */
  readonly provider?: iam.IOidcProvider;
  /**
   * The qualifier the account was bootstrapped with (`cdk bootstrap --qualifier`).
   * @default DefaultStackSynthesizer.DEFAULT_QUALIFIER ('hnb659fds')
   */
  readonly cdkQualifier?: string;
}

/**
 * An IAM role that GitLab CI jobs of one project assume through OIDC (`id_tokens`, no stored keys), allowed
 * to push to one ECR repository, run `cdk deploy` through the CDK bootstrap roles and describe the cluster.
 *
 * Why branch names and not "protected": GitLab ID tokens carry a `ref_protected` claim, but IAM evaluates only
 * a few claims of a generic OIDC provider (`aud`, `sub`, `amr`...), not custom ones, and GitLab's `sub`
 * (`project_path:<project>:ref_type:<type>:ref:<ref>`) can be shortened per project but never extended with
 * `ref_protected` (a shortened `sub` no longer matches, so that fails closed). So the trust policy pins `sub`
 * to this project's named branches, and those branches must be protected in GitLab so that only the people
 * allowed to push or merge there can run a pipeline on them. Tags, other branches, other projects and forks
 * (a fork has its own `project_path`) get no credentials.
 */
export class GitLabDeployRole extends Construct {
  readonly role: iam.Role;
  readonly provider: iam.IOidcProvider;

  constructor(scope: Construct, id: string, props: GitLabDeployRoleProps) {
    super(scope, id);
    if (Token.isUnresolved(props.gitlabUrl)) {
      throw new Error('GitLabDeployRole: gitlabUrl must be a literal string; the trust policy condition keys are built from it.');
    }
    const urlProblem = GITLAB_RULES.issuerUrl(props.gitlabUrl);
    if (urlProblem) throw new Error(`GitLabDeployRole: gitlabUrl "${props.gitlabUrl}" ${urlProblem}; use the instance URL such as https://gitlab.com.`);
    const issuerHost = gitlabIssuerHost(props.gitlabUrl);
    const projectProblem = GITLAB_RULES.projectPath(props.project);
    if (projectProblem) {
      throw new Error(`GitLabDeployRole: project "${props.project}" ${projectProblem}; use the full path such as "my-group/my-project" (CI_PROJECT_PATH).`);
    }
    const branches = props.branches ?? ['main'];
    if (branches.length === 0) throw new Error('GitLabDeployRole: branches is empty, so no pipeline could assume the role; list at least one protected branch.');
    for (const branch of branches) {
      const problem = GITLAB_RULES.branch(branch);
      if (problem) throw new Error(`GitLabDeployRole: branch "${branch}" ${problem}.`);
    }

    this.provider = props.provider ?? new iam.OidcProviderNative(this, 'Provider', {
      url: `https://${issuerHost}`,
      clientIds: [GITLAB_OIDC_AUDIENCE],
      // No thumbprints: IAM fetches and trusts the issuer's CA itself.
    });

    this.role = new iam.Role(this, 'Role', {
      description: `GitLab CI of ${props.project} (branches ${branches.join(', ')}): push images, cdk deploy`,
      maxSessionDuration: Duration.hours(1),
      assumedBy: new iam.WebIdentityPrincipal(this.provider.oidcProviderArn, {
        StringEquals: { [`${issuerHost}:aud`]: GITLAB_OIDC_AUDIENCE },
        StringLike: { [`${issuerHost}:sub`]: branches.map((b) => `project_path:${props.project}:ref_type:branch:ref:${b}`) },
      }),
    });

    // Push and pull on the project's repositories only; grantPull adds ecr:GetAuthorizationToken, which has no
    // resource scope.
    for (const repository of [props.repository, ...(props.additionalRepositories ?? [])]) repository.grantPullPush(this.role);
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ecr:GetAuthorizationToken supports no resource-level permission; the push actions are scoped to the project\'s repositories.',
    });

    // cdk deploy works through the bootstrap roles, which trust the account; the role itself gets no other AWS rights.
    const stack = Stack.of(this);
    const qualifier = props.cdkQualifier ?? DefaultStackSynthesizer.DEFAULT_QUALIFIER;
    this.role.addToPolicy(new iam.PolicyStatement({
      sid: 'AssumeCdkBootstrapRoles',
      actions: ['sts:AssumeRole'],
      resources: CDK_BOOTSTRAP_ROLE_KINDS.map((kind) => stack.formatArn({
        service: 'iam',
        region: '',
        resource: 'role',
        resourceName: `cdk-${qualifier}-${kind}-role-${stack.account}-${stack.region}`,
      })),
    }));

    if (props.clusterArn !== undefined) {
      this.role.addToPolicy(new iam.PolicyStatement({
        sid: 'DescribeCluster',
        actions: ['eks:DescribeCluster'],
        resources: [props.clusterArn],
      }));
    }
  }
}
