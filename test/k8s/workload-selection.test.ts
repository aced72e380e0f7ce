import { Testing } from 'cdk8s';
import { Template } from 'aws-cdk-lib/assertions';
import { addWorkloadCharts } from '../../k8s/app';
import { ConfigError } from '../../lib/config/errors';
import { resolveProjectConfig } from '../../lib/config/project-config';
import { buildTestApp, contextWith } from '../support/cdk';

// The `workloads` key: which workloads the cdk8s app synthesizes (and deployWorkloads applies). Default: all.
const x86Only = [{ name: 'x86', arch: 'amd64', instanceTypes: ['m7i.large'], minSize: 1, desiredSize: 1, maxSize: 2 }];

function config(overrides: Record<string, unknown>) {
  const context = contextWith(overrides);
  return resolveProjectConfig((k) => context[k], {}, Object.keys(context));
}

function charts(overrides: Record<string, unknown>): string[] {
  const app = Testing.app();
  addWorkloadCharts(app, config(overrides));
  return app.charts.map((c) => c.node.id);
}

function errorFor(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('no ConfigError');
}

describe('the workloads key', () => {
  test('unset, every workload is synthesized', () => {
    expect(config({}).workloads.selected).toEqual(['busybox', 'print-platform-info']);
    expect(charts({})).toEqual(['busybox', 'print-platform-info-arm64', 'print-platform-info-amd64', 'print-platform-info-any']);
  });

  test('as a JSON array (cdk.json) or a comma-separated string (-c), in either order', () => {
    expect(charts({ workloads: ['print-platform-info'] })).toEqual(['print-platform-info-arm64', 'print-platform-info-amd64', 'print-platform-info-any']);
    expect(charts({ workloads: 'busybox' })).toEqual(['busybox']);
    expect(charts({ workloads: 'print-platform-info, busybox', namespace: 'platform-info' })).toEqual([
      '00-namespace', 'busybox', 'print-platform-info-arm64', 'print-platform-info-amd64', 'print-platform-info-any',
    ]);
  });

  test('an x86-only cluster gets print-platform-info once busybox is left out', () => {
    expect(charts({ nodeGroups: x86Only, workloads: ['print-platform-info'] })).toEqual(['print-platform-info-amd64', 'print-platform-info-any']);
  });

  test('on an x86-only cluster, the refusal of busybox names the key that leaves it out', () => {
    expect(errorFor(() => charts({ nodeGroups: x86Only }))).toBe(
      'Invalid configuration:\n' +
        '  - workloads = "busybox,print-platform-info": busybox is pinned to arm64, but the node groups run amd64, so its pod would stay Pending. ' +
        'Fix: leave it out with "workloads": ["print-platform-info"] in cdk.json, or add a node group with "arch": "arm64" (such as m7g.large)',
    );
    // Only busybox selected: the fix still names a workload that can run.
    expect(errorFor(() => charts({ nodeGroups: x86Only, workloads: 'busybox' }))).toContain('Fix: leave it out with "workloads": ["print-platform-info"] in cdk.json');
  });

  test('unknown names, an empty list and a wrong type are refused, each with its fix', () => {
    expect(errorFor(() => config({ workloads: 'print_platform_info,nginx' }))).toBe(
      'Invalid configuration (2 problems):\n' +
        '  - workloads = "print_platform_info,nginx": "print_platform_info" is not a workload of this project. Fix: write "print-platform-info"\n' +
        '  - workloads = "print_platform_info,nginx": "nginx" is not a workload of this project. Fix: use busybox, print-platform-info',
    );
    expect(errorFor(() => config({ workloads: [] }))).toBe(
      'Invalid configuration:\n  - workloads = []: names no workload. Fix: list one or more of busybox, print-platform-info, or leave the key out for all of them',
    );
    expect(errorFor(() => config({ workloads: 2 }))).toMatch(/^ {2}- workloads = 2: must be a comma-separated string or a JSON array of strings/m);
  });
});

describe('with deployWorkloads, leaving a workload out is an update, not a replacement', () => {
  const manifests = (template: Template) =>
    Object.keys(template.findResources('Custom::AWSCDK-EKS-KubernetesResource')).filter((id) => id.includes('Workload')).sort();
  const all = Template.fromStack(buildTestApp({ deployWorkloads: 'true', amiFamily: 'AL2023' }).stack);
  const some = Template.fromStack(buildTestApp({ deployWorkloads: 'true', amiFamily: 'AL2023', workloads: 'print-platform-info' }).stack);

  test('the kept workloads keep their logical ids; only busybox goes', () => {
    const before = manifests(all);
    const after = manifests(some);
    expect(before).toHaveLength(4);
    expect(after).toHaveLength(3);
    expect(before.filter((id) => !after.includes(id))).toEqual([expect.stringMatching(/busybox/i)]);
    expect(after.every((id) => before.includes(id))).toBe(true);
  });
});
