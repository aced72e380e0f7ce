import { Template } from 'aws-cdk-lib/assertions';
import { buildTestApp } from '../support/cdk';
import { configErrorsFor, resolveWith } from '../support/config';

// supportType: the cluster's upgrade policy. Synthesized once each: AL2023 (1.36, standard support on the test
// day) without the key and with STANDARD, the day-two path of a running cluster that adds it.
const AL2023 = { amiFamily: 'AL2023' };
const before = Template.fromStack(buildTestApp(AL2023).stack).toJSON() as { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
const after = Template.fromStack(buildTestApp({ ...AL2023, supportType: 'STANDARD' }).stack).toJSON() as typeof before;
const cluster = (t: typeof before) => Object.values(t.Resources).find((r) => r.Type === 'AWS::EKS::Cluster')?.Properties ?? {};

test('unset: the template sets no upgrade policy, so clusters deployed before the key keep theirs untouched', () => {
  expect(cluster(before)).not.toHaveProperty('UpgradePolicy');
  expect(resolveWith({}).cluster.supportType).toBeUndefined();
});

test('STANDARD on a running cluster: only the cluster\'s UpgradePolicy changes (an in-place update), nothing else', () => {
  expect(cluster(after).UpgradePolicy).toEqual({ SupportType: 'STANDARD' });
  expect({ ...cluster(after), UpgradePolicy: undefined }).toEqual({ ...cluster(before), UpgradePolicy: undefined });
  // Every other resource, with its logical id, exactly as before.
  const others = (t: typeof before) => Object.fromEntries(Object.entries(t.Resources).filter(([, r]) => r.Type !== 'AWS::EKS::Cluster'));
  expect(others(after)).toEqual(others(before));
});

test('either value as EKS spells it; EXTENDED also for a version in extended support; anything else refused', () => {
  expect(resolveWith({ ...AL2023, supportType: 'STANDARD' }).cluster.supportType).toBe('STANDARD');
  expect(resolveWith({ supportType: 'EXTENDED' }).cluster.supportType).toBe('EXTENDED');
  expect(configErrorsFor({ ...AL2023, supportType: 'standard' })).toEqual(['- supportType = "standard": not one of "STANDARD", "EXTENDED". Fix: write "STANDARD"']);
  expect(configErrorsFor({ ...AL2023, supportType: 'NONE' })).toEqual(['- supportType = "NONE": not one of "STANDARD", "EXTENDED". Fix: use one of STANDARD, EXTENDED']);
});

test('STANDARD for a version already in extended support is refused, as EKS refuses it', () => {
  // The default (AL2, 1.32) is in extended support on the test day, 2026-11-28.
  expect(configErrorsFor({ supportType: 'STANDARD' })).toEqual([
    '- supportType = "STANDARD": Kubernetes 1.32 is in extended support on 2026-11-28 (standard support ended 2026-03-23), and EKS cannot turn ' +
      'extended support off for a cluster already in it. Fix: upgrade to a version in standard support first (one minor version per deploy), or leave supportType out',
  ]);
});
