import { ConfigIssue } from '../../lib/config/errors';
import { GITLAB_RULES, gitlabIssuerHost, resolveGitLab } from '../../lib/config/gitlab-config';
import { ValueReader } from '../../lib/config/value-reader';

function resolveWith(values: Record<string, unknown>) {
  const issues: ConfigIssue[] = [];
  const gitlab = resolveGitLab(new ValueReader((key) => values[key], issues), issues);
  return { gitlab, issues };
}

describe('the rules, one answer for the configuration and the deploy role', () => {
  test('project paths: group/project and deeper, letters, digits, _ - . only', () => {
    for (const ok of ['acme/eks', 'a.b/c_d-e', 'group/sub/project', '_x/.y']) expect([ok, GITLAB_RULES.projectPath(ok)]).toEqual([ok, undefined]);
    for (const bad of ['acme', 'acme/*', 'acme/ek?', '-acme/eks', 'acme/-eks', '/acme/eks', 'acme/eks/', 'acme//eks', ' acme/eks']) {
      expect([bad, GITLAB_RULES.projectPath(bad)]).toEqual([bad, 'must be a GitLab project path (group/project: letters, digits, _ - . only)']);
    }
  });

  test('issuer URLs: https, no port, query, fragment or credentials; a path is fine', () => {
    expect(GITLAB_RULES.issuerUrl('https://gitlab.example.com/gitlab')).toBeUndefined();
    expect(GITLAB_RULES.issuerUrl('gitlab.example.com')).toBe('must be a URL');
    expect(GITLAB_RULES.issuerUrl('http://gitlab.example.com')).toBe('must use https (IAM accepts no other OIDC issuer)');
    expect(GITLAB_RULES.issuerUrl('https://gitlab.example.com:8443')).toBe('must not have a port (IAM rejects one in an OIDC issuer)');
    for (const bad of ['https://gitlab.example.com/?a=1', 'https://gitlab.example.com/#x', 'https://user@gitlab.example.com', 'https://:pw@gitlab.example.com']) {
      expect([bad, GITLAB_RULES.issuerUrl(bad)]).toEqual([bad, 'must have no query, fragment or credentials']);
    }
  });

  test('branches: wildcards allowed, no spaces or ? ~ ^ : \\ [', () => {
    for (const ok of ['main', 'release/*', 'v1.2']) expect(GITLAB_RULES.branch(ok)).toBeUndefined();
    for (const bad of ['my branch', 'a?', 'a~1', 'a^', 'a:b', 'a\\b', 'a[1]', '']) {
      expect([bad, GITLAB_RULES.branch(bad)]).toEqual([bad, 'must be a branch name (no spaces, ? ~ ^ : \\ or [)']);
    }
  });

  test('the issuer host keeps a path and drops the scheme and trailing slashes', () => {
    expect(gitlabIssuerHost('https://gitlab.example.com/')).toBe('gitlab.example.com');
    expect(gitlabIssuerHost('https://example.com/gitlab//')).toBe('example.com/gitlab');
  });
});

describe('the gitlab* keys', () => {
  test('unset: no deploy role, and nothing to complain about', () => {
    expect(resolveWith({})).toEqual({ gitlab: undefined, issues: [] });
  });

  test('every key at a non-default value', () => {
    const arn = 'arn:aws:iam::123456789012:oidc-provider/gitlab.example.com/gitlab';
    expect(resolveWith({ gitlabProject: ' platform/eks ', gitlabUrl: 'https://gitlab.example.com/gitlab//', gitlabBranches: 'main, release/*', gitlabOidcProviderArn: arn })).toEqual({
      gitlab: { project: 'platform/eks', url: 'https://gitlab.example.com/gitlab', branches: ['main', 'release/*'], oidcProviderArn: arn },
      issues: [],
    });
    expect(resolveWith({ gitlabProject: 'a/b', gitlabOidcProviderArn: 'arn:aws-cn:iam::123456789012:oidc-provider/gitlab.com' }).issues).toEqual([]);
  });

  test('every problem at once, each with its key, value and fix', () => {
    const { gitlab, issues } = resolveWith({ gitlabProject: 'acme/*', gitlabUrl: 'http://gitlab.example.com', gitlabBranches: ['main', 'bad branch'] });
    expect(gitlab).toBeUndefined();
    expect(issues).toEqual([
      { key: 'gitlabUrl', value: 'http://gitlab.example.com', problem: 'must use https (IAM accepts no other OIDC issuer)', fix: 'use the instance URL, such as https://gitlab.example.com' },
      { key: 'gitlabBranches[1]', value: 'bad branch', problem: 'must be a branch name (no spaces, ? ~ ^ : \\ or [)', fix: 'list protected branch names, such as main or release/*' },
      { key: 'gitlabProject', value: 'acme/*', problem: 'must be a GitLab project path (group/project: letters, digits, _ - . only)', fix: 'use the full path (CI_PROJECT_PATH), such as platform/mixed-arch-eks' },
    ]);
  });

  test('no branch at all', () => {
    expect(resolveWith({ gitlabBranches: ' , ' }).issues).toEqual([
      { key: 'gitlabBranches', value: ' , ', problem: 'no branch could assume the deploy role', fix: 'list at least one protected branch, such as main' },
    ]);
  });

  test('an OIDC provider ARN that is not one, or is for another host', () => {
    expect(resolveWith({ gitlabProject: 'a/b', gitlabUrl: 'https://gitlab.example.com', gitlabOidcProviderArn: 'arn:aws:iam::123:oidc-provider/x' }).issues).toEqual([{
      key: 'gitlabOidcProviderArn', value: 'arn:aws:iam::123:oidc-provider/x', problem: 'not an IAM OIDC provider ARN',
      fix: 'use the ARN IAM shows for the provider, such as arn:aws:iam::123456789012:oidc-provider/gitlab.example.com, or leave it out to create one',
    }]);
    expect(resolveWith({ gitlabProject: 'a/b', gitlabUrl: 'ftp://x', gitlabOidcProviderArn: 'nope' }).issues[1].fix).toMatch(/oidc-provider\/gitlab\.com, or leave it out/);
    expect(resolveWith({ gitlabProject: 'a/b', gitlabOidcProviderArn: 'arn:aws:iam::123456789012:oidc-provider/gitlab.example.com' }).issues).toEqual([{
      key: 'gitlabOidcProviderArn', value: 'arn:aws:iam::123456789012:oidc-provider/gitlab.example.com',
      problem: 'the provider is for gitlab.example.com, but gitlabUrl is https://gitlab.com',
      fix: 'use the provider of gitlab.com, or set gitlabUrl to https://gitlab.example.com',
    }]);
  });
});
