import { ConfigIssue } from './errors';
import { CONFIG_DEFAULTS, GitLabConfig } from './types';
import { ValueReader } from './value-reader';

/**
 * The rules for GitLab values, used by the configuration and by GitLabDeployRole alike: one answer to
 * "is this a project path / an issuer URL / a branch", so the two can never disagree.
 * Each returns why the value is unusable, or undefined when it is fine.
 */
export const GITLAB_RULES = {
  /**
   * Segments of letters, digits, `_`, `-` and `.`, at least group/project. No `*` or `?`: the deploy role's
   * StringLike condition would read them as wildcards and trust other projects.
   */
  projectPath(project: string): string | undefined {
    return /^[A-Za-z0-9_.][A-Za-z0-9_.-]*(\/[A-Za-z0-9_.][A-Za-z0-9_.-]*)+$/.test(project)
      ? undefined
      : 'must be a GitLab project path (group/project: letters, digits, _ - . only)';
  },

  /** IAM's rules for an OIDC issuer: https, no port, no query, fragment or credentials; a path is kept. */
  issuerUrl(url: string): string | undefined {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return 'must be a URL';
    }
    if (parsed.protocol !== 'https:') return 'must use https (IAM accepts no other OIDC issuer)';
    if (parsed.port !== '') return 'must not have a port (IAM rejects one in an OIDC issuer)';
    if (parsed.search !== '' || parsed.hash !== '' || parsed.username !== '' || parsed.password !== '') {
      return 'must have no query, fragment or credentials';
    }
    return undefined;
  },

  /**
   * Git ref names hold no spaces, `?`, `~`, `^`, `:`, `\` or `[`. `*` is allowed on purpose: it matches like a
   * GitLab protected-branch wildcard (`release/*`), and StringLike reads it the same way.
   */
  branch(branch: string): string | undefined {
    return /^[^\s?~^:\\[]+$/.test(branch) ? undefined : 'must be a branch name (no spaces, ? ~ ^ : \\ or [)';
  },
} as const;

/** The issuer without `https://` and without a trailing slash: the prefix of IAM's condition keys. */
export function gitlabIssuerHost(url: string): string {
  const parsed = new URL(url);
  return `${parsed.host}${parsed.pathname}`.replace(/\/+$/, '');
}

/** The `gitlab*` keys. The GitLab deploy role exists only when `gitlabProject` is set. */
export function resolveGitLab(reader: ValueReader, issues: ConfigIssue[]): GitLabConfig | undefined {
  const project = reader.string('gitlabProject');
  const url = (reader.string('gitlabUrl') ?? CONFIG_DEFAULTS.gitlabUrl).replace(/\/+$/, '');
  const urlProblem = GITLAB_RULES.issuerUrl(url);
  if (urlProblem) {
    issues.push({ key: 'gitlabUrl', value: url, problem: urlProblem, fix: 'use the instance URL, such as https://gitlab.example.com' });
  }
  const branches = reader.list('gitlabBranches', CONFIG_DEFAULTS.gitlabBranches);
  branches.forEach((branch, i) => {
    const problem = GITLAB_RULES.branch(branch) ?? (/^[*/]+$/.test(branch)
      ? 'matches every branch, protected or not, and the role can deploy (it assumes the CDK bootstrap roles)'
      : undefined);
    if (problem) issues.push({ key: `gitlabBranches[${i}]`, value: branch, problem, fix: 'list protected branch names, such as main or release/*' });
  });
  if (branches.length === 0) {
    issues.push({ key: 'gitlabBranches', value: reader.raw('gitlabBranches'), problem: 'no branch could assume the deploy role', fix: 'list at least one protected branch, such as main' });
  }
  if (project === undefined) return undefined;
  const projectProblem = GITLAB_RULES.projectPath(project);
  if (projectProblem) {
    issues.push({ key: 'gitlabProject', value: project, problem: projectProblem, fix: 'use the full path (CI_PROJECT_PATH), such as platform/mixed-arch-eks' });
    return undefined;
  }
  const oidcProviderArn = reader.string('gitlabOidcProviderArn');
  if (oidcProviderArn !== undefined) {
    const match = /^arn:aws(-cn|-us-gov)?:iam::\d{12}:oidc-provider\/(.+)$/.exec(oidcProviderArn);
    const issuer = urlProblem ? undefined : gitlabIssuerHost(url);
    if (!match) {
      issues.push({ key: 'gitlabOidcProviderArn', value: oidcProviderArn, problem: 'not an IAM OIDC provider ARN', fix: `use the ARN IAM shows for the provider, such as arn:aws:iam::123456789012:oidc-provider/${issuer ?? 'gitlab.com'}, or leave it out to create one` });
    } else if (issuer !== undefined && match[2] !== issuer) {
      issues.push({ key: 'gitlabOidcProviderArn', value: oidcProviderArn, problem: `the provider is for ${match[2]}, but gitlabUrl is ${url}`, fix: `use the provider of ${issuer}, or set gitlabUrl to https://${match[2]}` });
    }
  }
  return { project, url, branches, oidcProviderArn };
}
