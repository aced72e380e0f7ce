import { checkContextKeys } from '../../lib/config/context-keys';
import { ConfigIssue } from '../../lib/config/errors';

function issuesFor(keys: string[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  checkContextKeys(keys, issues);
  return issues;
}

test('our keys and CDK\'s own pass', () => {
  expect(issuesFor([
    'amiFamily', 'gitlabOidcProviderArn', 'karpenterAmiVersion',
    '@aws-cdk/core:newStyleStackSynthesis', 'aws:cdk:enable-path-metadata', 'availability-zones:account=1:region=x',
    'cdk-toolkit', 'CDK_DEFAULT', 'acknowledged-issue-numbers',
  ])).toEqual([]);
});

test('a typo names the closest key, case-insensitively and within a few edits', () => {
  expect(issuesFor(['amifamily', 'natGateway', 'kubernetesVersoin', 'gitlabBranch'])).toEqual([
    { key: 'amifamily', value: '(set)', problem: 'not a context key of this project, so it would be ignored', fix: 'did you mean "amiFamily"? (docs/configuration.md lists every key)' },
    { key: 'natGateway', value: '(set)', problem: 'not a context key of this project, so it would be ignored', fix: 'did you mean "natGateways"? (docs/configuration.md lists every key)' },
    { key: 'kubernetesVersoin', value: '(set)', problem: 'not a context key of this project, so it would be ignored', fix: 'did you mean "kubernetesVersion"? (docs/configuration.md lists every key)' },
    { key: 'gitlabBranch', value: '(set)', problem: 'not a context key of this project, so it would be ignored', fix: 'did you mean "gitlabBranches"? (docs/configuration.md lists every key)' },
  ]);
});

test('a key near nothing is to be removed; the distance allowed grows with the key\'s length', () => {
  expect(issuesFor(['region'])[0].fix).toBe('remove it; docs/configuration.md lists every key');
  // 3 edits from "namespace" (9 letters: 3 allowed), 3 from "vpcId" (5 letters: 2 allowed).
  expect(issuesFor(['nomospoce'])[0].fix).toBe('did you mean "namespace"? (docs/configuration.md lists every key)');
  expect(issuesFor(['vxyzd'])[0].fix).toBe('remove it; docs/configuration.md lists every key');
  expect(issuesFor(['vpcXd'])[0].fix).toBe('did you mean "vpcId"? (docs/configuration.md lists every key)');
});

test('CDK\'s own keys are told by a leading @ or cdk, not by one anywhere', () => {
  expect(issuesFor(['@team-note', 'cdkVersionCheck'])).toEqual([]);
  expect(issuesFor(['note@', 'mycdk']).map((issue) => issue.key)).toEqual(['note@', 'mycdk']);
});
