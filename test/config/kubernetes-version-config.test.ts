import { ConfigError } from '../../lib/config/errors';
import { resolveProjectConfig } from '../../lib/config/project-config';
import { contextWith } from '../support/cdk';

// Which versions the configuration accepts, and its defaults, on fixed days on both sides of each boundary.
const on = (iso: string) => new Date(`${iso}T12:00:00Z`);

function resolveOn(iso: string, overrides: Record<string, unknown> = {}) {
  const context = contextWith(overrides);
  return resolveProjectConfig((key) => context[key], {}, Object.keys(context), on(iso));
}

function errorOn(iso: string, overrides: Record<string, unknown> = {}): string {
  try {
    resolveOn(iso, overrides);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`no ConfigError on ${iso} for ${JSON.stringify(overrides)}`);
}

describe('defaults by date', () => {
  test('AL2023 and Bottlerocket get the newest version in standard support: 1.35 on 2026-06-01, 1.36 from 2026-06-02', () => {
    expect(resolveOn('2026-06-01', { amiFamily: 'AL2023' }).cluster.kubernetesVersion).toBe('1.35');
    expect(resolveOn('2026-06-02', { amiFamily: 'AL2023' }).cluster.kubernetesVersion).toBe('1.36');
    expect(resolveOn('2026-11-28', { amiFamily: 'BOTTLEROCKET' }).cluster.kubernetesVersion).toBe('1.36');
  });

  test('AL2 stays on 1.32 through its last day of extended support, 2027-03-23', () => {
    expect(resolveOn('2027-03-23').cluster).toMatchObject({ amiFamily: 'AL2', kubernetesVersion: '1.32' });
  });

  test('from 2027-03-24 the AL2 default is refused, in one line on amiFamily', () => {
    expect(errorOn('2027-03-24')).toBe('Invalid configuration:\n' +
      '  - amiFamily = "AL2": Kubernetes 1.32, the last version with EKS Amazon Linux 2 AMIs, left extended support after 2027-03-23: ' +
      'EKS no longer runs it. Fix: set amiFamily to "AL2023" or "BOTTLEROCKET" (an existing cluster: EKS has already upgraded its control plane)');
  });

  test('when every version of the table is past standard support, the default is an error, not a guess', () => {
    expect(errorOn('2028-08-03', { amiFamily: 'AL2023' })).toMatch(
      /kubernetesVersion = \(not set\): no Kubernetes version of this project's table is in standard support on 2028-08-03\. Fix: set a version EKS offers/);
  });
});

describe('a version given explicitly', () => {
  test('1.34 is accepted in standard support (2026-12-02) and in extended support (2026-12-03 to 2027-12-02)', () => {
    for (const day of ['2026-12-02', '2026-12-03', '2027-12-02']) {
      expect(resolveOn(day, { amiFamily: 'AL2023', kubernetesVersion: '1.34' }).cluster.kubernetesVersion).toBe('1.34');
    }
  });

  test('1.34 is refused from 2027-12-03, past extended support, naming the versions offered that day', () => {
    expect(errorOn('2027-12-03', { amiFamily: 'AL2023', kubernetesVersion: '1.34' })).toBe('Invalid configuration:\n' +
      '  - kubernetesVersion = "1.34": Amazon EKS ended extended support for Kubernetes 1.34 after 2027-12-02: it creates no clusters on it ' +
      'and upgrades existing control planes itself. Fix: use one of 1.35, 1.36 (an existing cluster moves one minor version per deploy)');
    // No default is offered: on that day no version of the table is in standard support any more.
  });

  test('1.32 with AL2 is refused after 2027-03-23 on the key that was set', () => {
    expect(errorOn('2027-03-24', { kubernetesVersion: '1.32' })).toMatch(
      /^Invalid configuration:\n {2}- kubernetesVersion = "1\.32": Amazon EKS ended extended support for Kubernetes 1\.32 after 2027-03-23/);
  });

  test('1.36 is refused before its EKS release on 2026-06-02', () => {
    expect(errorOn('2026-06-01', { amiFamily: 'AL2023', kubernetesVersion: '1.36' })).toMatch(
      /kubernetesVersion = "1\.36": Amazon EKS releases Kubernetes 1\.36 on 2026-06-02\. Fix: use one of 1\.32, 1\.33, 1\.34, 1\.35, or leave it out for 1\.35/);
  });

  test('1.36 with AL2023 on 2026-11-28, as a new user would try it', () => {
    expect(resolveOn('2026-11-28', { amiFamily: 'AL2023', kubernetesVersion: '1.36' }).cluster.kubernetesVersion).toBe('1.36');
  });

  test('1.37, one minor above the table, resolves (the stack warns that its dates are unknown); AL2 is refused on it', () => {
    expect(resolveOn('2026-11-28', { amiFamily: 'AL2023', kubernetesVersion: '1.37' }).cluster.kubernetesVersion).toBe('1.37');
    expect(resolveOn('2026-11-28', { amiFamily: 'BOTTLEROCKET', kubernetesVersion: '1.37' }).cluster.kubernetesVersion).toBe('1.37');
    expect(errorOn('2026-11-28', { amiFamily: 'AL2', kubernetesVersion: '1.37' })).toBe('Invalid configuration:\n' +
      '  - kubernetesVersion = "1.37": EKS publishes no Amazon Linux 2 AMIs for Kubernetes 1.37 (1.32 is the last). Fix: set amiFamily to "AL2023" or "BOTTLEROCKET", or kubernetesVersion to "1.32"');
  });

  test('1.38, two minors above the table, is not a version EKS offers', () => {
    expect(errorOn('2026-11-28', { amiFamily: 'AL2023', kubernetesVersion: '1.38' })).toBe('Invalid configuration:\n' +
      '  - kubernetesVersion = "1.38": not a Kubernetes version that Amazon EKS supports. Fix: use one of 1.32, 1.33, 1.34, 1.35, 1.36, or leave it out for 1.36');
  });
});
