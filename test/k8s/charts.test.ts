import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing } from 'cdk8s';
import { ConfigError } from '../../lib/config/errors';
import { resolveProjectConfig } from '../../lib/config/project-config';
import { WORKLOAD_GID, WORKLOAD_UID } from '../../lib/config/workload-identity';
import { NodeTaint } from '../../lib/config/types';
import { NodeGroupPlacement } from '../../k8s/lib/scheduling';
import { addWorkloadCharts, buildK8sApp, workloadManifests, writeManifests } from '../../k8s/app';
import { BusyboxChart } from '../../k8s/charts/busybox-chart';
import { PrintPlatformInfoChart } from '../../k8s/charts/print-platform-info-chart';
import { NamespaceChart } from '../../k8s/charts/namespace-chart';
import { contextWith, TEST_DAY } from '../support/cdk';

/* eslint-disable @typescript-eslint/no-explicit-any */
const PRIVATE_IMAGE = 'registry.gitlab.com/acme/tools/print-platform-info:3f2a9c1';
const ECR_IMAGE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/print-platform-info:3f2a9c1';
const group = (name: string, arch: 'arm64' | 'amd64', taints: NodeTaint[] = []): NodeGroupPlacement => ({ name, arch, taints });
const both = [group('graviton', 'arm64'), group('x86', 'amd64')];

function synth(chart: any): any[] {
  return Testing.synth(chart);
}

const [busybox] = synth(new BusyboxChart(Testing.app(), 'busybox', { image: 'arm64v8/busybox:1.37.0', nodeGroups: both, imagePullSecretName: 'registry-credentials' }));
const [armJob] = synth(new PrintPlatformInfoChart(Testing.app(), 'arm', { image: PRIVATE_IMAGE, nodeGroups: both, arch: 'arm64', imagePullSecretName: 'registry-credentials' }));
const [amdJob] = synth(new PrintPlatformInfoChart(Testing.app(), 'amd', { image: PRIVATE_IMAGE, nodeGroups: both, arch: 'amd64', imagePullSecretName: 'registry-credentials' }));
const [anyJob] = synth(new PrintPlatformInfoChart(Testing.app(), 'any', { image: PRIVATE_IMAGE, nodeGroups: both, imagePullSecretName: 'registry-credentials' }));
const [ecrJob] = synth(new PrintPlatformInfoChart(Testing.app(), 'ecr', { image: ECR_IMAGE, nodeGroups: both, arch: 'arm64', imagePullSecretName: 'registry-credentials' }));
const jobs = [armJob, amdJob, anyJob];

function expectRestricted(podSpec: any): void {
  expect(podSpec.securityContext).toMatchObject({
    runAsNonRoot: true, runAsUser: WORKLOAD_UID, runAsGroup: WORKLOAD_GID, seccompProfile: { type: 'RuntimeDefault' },
  });
  expect(podSpec.automountServiceAccountToken).toBe(false);
  for (const container of podSpec.containers) {
    expect(container.securityContext).toEqual({
      runAsNonRoot: true, runAsUser: WORKLOAD_UID, runAsGroup: WORKLOAD_GID, privileged: false,
      allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] },
    });
  }
}

describe('busybox Pod', () => {
  test('is a v1 Pod named busybox with the pinned arm64 image and sleep 3600', () => {
    expect(busybox).toMatchObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'busybox' } });
    expect(busybox.spec.containers).toHaveLength(1);
    expect(busybox.spec.containers[0]).toMatchObject({ name: 'busybox', image: 'arm64v8/busybox:1.37.0', command: ['sleep', '3600'] });
  });
  test('has nodeSelector and restartPolicy inside spec, and nothing stray at the top level', () => {
    expect(busybox.spec.nodeSelector).toEqual({ 'kubernetes.io/arch': 'arm64' });
    expect(busybox.spec.restartPolicy).toBe('Always');
    expect(Object.keys(busybox).sort()).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
  });
  test('runs as a non-root user under the restricted profile, with small resources', () => {
    expectRestricted(busybox.spec);
    expect(busybox.spec.containers[0].resources).toEqual({ requests: { cpu: '5m', memory: '8Mi' }, limits: { cpu: '50m', memory: '16Mi' } });
  });
  test('references no pull secret for a public Docker Hub image', () => {
    expect(busybox.spec.imagePullSecrets).toBeUndefined();
  });
});

describe('print-platform-info Jobs', () => {
  test('are batch/v1 Jobs named after their architecture and their image', () => {
    // The first 10 hex digits of sha256 of each Job's spec.
    expect(jobs.map((j) => [j.apiVersion, j.kind, j.metadata.name])).toEqual([
      ['batch/v1', 'Job', 'print-platform-info-arm64-7c8ffc07cb'],
      ['batch/v1', 'Job', 'print-platform-info-amd64-da50dc8589'],
      ['batch/v1', 'Job', 'print-platform-info-any-a65dd779bb'],
    ]);
    expect(jobs.map((j) => j.metadata.labels['app.kubernetes.io/instance'])).toEqual([
      'print-platform-info-arm64', 'print-platform-info-amd64', 'print-platform-info-any',
    ]);
    expect(armJob.spec.template.metadata.labels).toMatchObject({ 'app.kubernetes.io/name': 'print-platform-info', 'app.kubernetes.io/instance': 'print-platform-info-arm64' });
  });

  test('a new image makes new Jobs (a Job pod template is immutable), in the same files and with the same labels', () => {
    const [next] = synth(new PrintPlatformInfoChart(Testing.app(), 'arm', {
      image: 'registry.gitlab.com/acme/tools/print-platform-info:4b1c0de', nodeGroups: both, arch: 'arm64', imagePullSecretName: 'registry-credentials',
    }));
    expect(next.metadata.name).toBe('print-platform-info-arm64-63fa0db751');
    expect(next.metadata.name).not.toBe(armJob.metadata.name);
    expect(next.metadata.labels).toEqual(armJob.metadata.labels);
  });
  test('any other change to the pod template makes new Jobs too (a toleration); the same inputs keep the name', () => {
    const props = { image: PRIVATE_IMAGE, arch: 'arm64' as const, imagePullSecretName: 'registry-credentials' };
    const [same] = synth(new PrintPlatformInfoChart(Testing.app(), 'arm', { ...props, nodeGroups: both }));
    expect(same.metadata.name).toBe(armJob.metadata.name);
    const tainted = [group('graviton', 'arm64', [{ key: 'dedicated', value: 'arm', effect: 'NoSchedule' }]), group('x86', 'amd64')];
    const [tolerating] = synth(new PrintPlatformInfoChart(Testing.app(), 'arm', { ...props, nodeGroups: tainted }));
    expect(tolerating.spec.template.spec.tolerations).toEqual([{ key: 'dedicated', operator: 'Equal', value: 'arm', effect: 'NoSchedule' }]);
    expect(tolerating.metadata.name).toMatch(/^print-platform-info-arm64-[0-9a-f]{10}$/);
    expect(tolerating.metadata.name).not.toBe(armJob.metadata.name);
  });
  test('are pinned with the exact nodeSelector, or not at all', () => {
    expect(armJob.spec.template.spec.nodeSelector).toEqual({ 'kubernetes.io/arch': 'arm64' });
    expect(amdJob.spec.template.spec.nodeSelector).toEqual({ 'kubernetes.io/arch': 'amd64' });
    expect(anyJob.spec.template.spec.nodeSelector).toBeUndefined();
    for (const job of jobs) expect(job.spec.template.spec.affinity).toBeUndefined();
  });
  test('run to completion: restartPolicy Never in the pod spec, bounded retries, deadline and TTL', () => {
    for (const job of jobs) {
      expect(job.spec.template.spec.restartPolicy).toBe('Never');
      expect(job.spec).toMatchObject({ backoffLimit: 2, activeDeadlineSeconds: 300, ttlSecondsAfterFinished: 86400 });
    }
  });
  test('reference the pull secret by name for a private registry, and none for ECR', () => {
    for (const job of jobs) expect(job.spec.template.spec.imagePullSecrets).toEqual([{ name: 'registry-credentials' }]);
    expect(ecrJob.spec.template.spec.imagePullSecrets).toBeUndefined();
  });
  test('meet the restricted profile with small explicit resources', () => {
    for (const job of jobs) {
      expectRestricted(job.spec.template.spec);
      expect(job.spec.template.spec.containers[0]).toMatchObject({
        name: 'print-platform-info', image: PRIVATE_IMAGE, imagePullPolicy: 'IfNotPresent',
        resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '100m', memory: '64Mi' } },
      });
    }
  });
});

describe('the app follows the node groups', () => {
  function chartsFor(overrides: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): string[] {
    const context = contextWith(overrides);
    const app = Testing.app();
    addWorkloadCharts(app, resolveProjectConfig((k) => context[k], env, undefined, TEST_DAY));
    return app.charts.map((c) => c.node.id);
  }
  test('one Job per node architecture, plus the unpinned one', () => {
    expect(chartsFor({})).toEqual(['busybox', 'print-platform-info-arm64', 'print-platform-info-amd64', 'print-platform-info-any']);
  });
  test('a namespace other than default is created first, enforcing the restricted Pod Security profile', () => {
    expect(chartsFor({ namespace: 'platform-info' })[0]).toBe('00-namespace');
    const [namespace] = Testing.synth(new NamespaceChart(Testing.app(), 'ns', { name: 'platform-info' }));
    expect(namespace).toMatchObject({
      apiVersion: 'v1', kind: 'Namespace',
      metadata: { name: 'platform-info', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } },
    });
  });
  test('busybox pinned to arm64 fails synth when no node group runs arm64', () => {
    const amdOnly = [{ name: 'x86', arch: 'amd64', instanceTypes: ['m7i.large'], minSize: 1, desiredSize: 1, maxSize: 2 }];
    expect(() => chartsFor({ nodeGroups: amdOnly })).toThrow(ConfigError);
    expect(() => chartsFor({ nodeGroups: amdOnly })).toThrow(
      /workloads = "busybox,print-platform-info": busybox is pinned to arm64, but the node groups run amd64, so its pod would stay Pending\. Fix: leave it out with "workloads": \["print-platform-info"\] in cdk\.json, or add a node group with "arch": "arm64"/);
  });
  test('with Karpenter, the NodePools\' architectures count: an arm64 pool runs the arm64 workloads of an x86-only cluster', () => {
    const amdOnly = [{ name: 'x86', arch: 'amd64', instanceTypes: ['m7i.large'], minSize: 2, desiredSize: 2, maxSize: 3 }];
    expect(chartsFor({ nodeGroups: amdOnly, autoscaler: 'karpenter' })).toEqual(['busybox', 'print-platform-info-arm64', 'print-platform-info-amd64', 'print-platform-info-any']);
    const x86Pool = JSON.stringify([{ name: 'x86', arch: ['amd64'], capacityTypes: ['spot'], cpuLimit: 16 }]);
    expect(() => chartsFor({ nodeGroups: amdOnly, autoscaler: 'karpenter', karpenterNodePools: x86Pool })).toThrow(/busybox is pinned to arm64, but the node groups and NodePools run amd64, so its pod would stay Pending\. Fix: leave it out with "workloads"/);
  });
  test('with Auto Mode, its NodePools count the same way (the same karpenterNodePools)', () => {
    const amdOnly = [{ name: 'x86', arch: 'amd64', instanceTypes: ['m7i.large'], minSize: 1, desiredSize: 1, maxSize: 2 }];
    expect(chartsFor({ nodeGroups: amdOnly, autoscaler: 'auto-mode' })).toEqual(['busybox', 'print-platform-info-arm64', 'print-platform-info-amd64', 'print-platform-info-any']);
    const x86Pool = JSON.stringify([{ name: 'x86', arch: ['amd64'], capacityTypes: ['spot'], cpuLimit: 16 }]);
    expect(() => chartsFor({ nodeGroups: amdOnly, autoscaler: 'auto-mode', karpenterNodePools: x86Pool })).toThrow(/busybox is pinned to arm64, but the node groups and NodePools run amd64, so its pod would stay Pending\. Fix: leave it out with "workloads"/);
  });
  test('a Job pinned to an architecture without a node group fails synth', () => {
    expect(() => new PrintPlatformInfoChart(Testing.app(), 'x', { image: PRIVATE_IMAGE, nodeGroups: [group('graviton', 'arm64')], arch: 'amd64' })).toThrow(
      /workload print-platform-info-amd64 is pinned to amd64, but no node group runs amd64/);
  });
  test('an unknown architecture fails synth', () => {
    expect(() => new PrintPlatformInfoChart(Testing.app(), 'x', { image: PRIVATE_IMAGE, nodeGroups: both, arch: 'x86_64' as any })).toThrow(
      /print-platform-info-x86_64\.arch = "x86_64": not an architecture Kubernetes knows\. Fix: pin it to "arm64" or "amd64"/);
  });
  test.each([
    ['registry.gitlab.com/Acme/Image:1.0', /PRINT_PLATFORM_INFO_IMAGE = "registry\.gitlab\.com\/Acme\/Image:1\.0": malformed image reference/],
    ['registry.gitlab.com/acme/image', /PRINT_PLATFORM_INFO_IMAGE = "registry\.gitlab\.com\/acme\/image": the image has no tag.*Fix: pin it/],
    ['registry.gitlab.com/acme/image:latest', /PRINT_PLATFORM_INFO_IMAGE = "registry\.gitlab\.com\/acme\/image:latest": "latest" moves.*Fix: use a version or commit tag, or a digest/],
  ])('PRINT_PLATFORM_INFO_IMAGE=%s fails with a clear error', (image, message) => {
    expect(() => chartsFor({}, { PRINT_PLATFORM_INFO_IMAGE: image })).toThrow(message);
  });
  test('a digest is accepted, and the environment variable wins over cdk.json', () => {
    const image = `registry.gitlab.com/acme/image@sha256:${'a'.repeat(64)}`;
    const context = contextWith({});
    expect(resolveProjectConfig((k) => context[k], { PRINT_PLATFORM_INFO_IMAGE: image }, undefined, TEST_DAY).workloads.printPlatformInfoImage).toBe(image);
  });
  test('the app writes where `cdk8s synth --output` says (CDK8S_OUTDIR), else to dist', () => {
    const context = contextWith({});
    const config = resolveProjectConfig((k) => context[k], {}, undefined, TEST_DAY);
    const previous = process.env.CDK8S_OUTDIR;
    try {
      process.env.CDK8S_OUTDIR = '/tmp/elsewhere';
      expect(buildK8sApp(config).outdir).toBe('/tmp/elsewhere');
      delete process.env.CDK8S_OUTDIR;
      expect(buildK8sApp(config).outdir).toBe('dist');
    } finally {
      if (previous === undefined) delete process.env.CDK8S_OUTDIR;
      else process.env.CDK8S_OUTDIR = previous;
    }
  });
  test('a pinned workload tolerates the taints of its groups only when every group of its architecture is tainted', () => {
    const dedicated: NodeTaint = { key: 'dedicated', value: 'arm', effect: 'NoSchedule' };
    const tainted = [group('graviton', 'arm64', [dedicated]), group('x86', 'amd64')];
    const [pinned] = synth(new PrintPlatformInfoChart(Testing.app(), 't1', { image: PRIVATE_IMAGE, nodeGroups: tainted, arch: 'arm64' }));
    expect(pinned.spec.template.spec.tolerations).toEqual([{ key: 'dedicated', operator: 'Equal', value: 'arm', effect: 'NoSchedule' }]);
    const [other] = synth(new PrintPlatformInfoChart(Testing.app(), 't2', { image: PRIVATE_IMAGE, nodeGroups: tainted, arch: 'amd64' }));
    expect(other.spec.template.spec.tolerations).toBeUndefined();
    const [unpinned] = synth(new PrintPlatformInfoChart(Testing.app(), 't3', { image: PRIVATE_IMAGE, nodeGroups: tainted }));
    expect(unpinned.spec.template.spec.tolerations).toBeUndefined();
    const mixed = [...tainted, group('graviton-open', 'arm64')];
    const [withOpenGroup] = synth(new PrintPlatformInfoChart(Testing.app(), 't4', { image: PRIVATE_IMAGE, nodeGroups: mixed, arch: 'arm64' }));
    expect(withOpenGroup.spec.template.spec.tolerations).toBeUndefined();
  });
  test('a malformed image in cdk.json names the context key', () => {
    expect(() => chartsFor({ printPlatformInfoImage: 'busybox:latest' })).toThrow(/printPlatformInfoImage = "busybox:latest"/);
  });
});

describe('pull secrets, namespaces and taints at non-default values', () => {
  const configWith = (overrides: Record<string, unknown>) => {
    const context = contextWith(overrides);
    return resolveProjectConfig((k) => context[k], {}, undefined, TEST_DAY);
  };

  test('busybox from a private registry references the pull secret; print-platform-info without a secret name references none', () => {
    const [privateBusybox] = synth(new BusyboxChart(Testing.app(), 'b', { image: 'registry.gitlab.com/acme/busybox:1.37.0', nodeGroups: both, imagePullSecretName: 'registry-credentials' }));
    expect(privateBusybox.spec.imagePullSecrets).toEqual([{ name: 'registry-credentials' }]);
    const [noSecret] = synth(new PrintPlatformInfoChart(Testing.app(), 'n', { image: PRIVATE_IMAGE, nodeGroups: both, arch: 'arm64' }));
    expect(noSecret.spec.template.spec.imagePullSecrets).toBeUndefined();
  });

  test('busybox on node groups without arm64 names itself in the refusal', () => {
    expect(() => new BusyboxChart(Testing.app(), 'b', { image: 'arm64v8/busybox:1.37.0', nodeGroups: [group('x86', 'amd64')] })).toThrow(
      /nodeGroups = "architectures amd64": workload busybox is pinned to arm64, but no node group runs arm64/);
  });

  test('a taint without a value is tolerated with Exists', () => {
    const tainted = [group('graviton', 'arm64', [{ key: 'spot', effect: 'NoExecute' }])];
    const [job] = synth(new PrintPlatformInfoChart(Testing.app(), 't', { image: PRIVATE_IMAGE, nodeGroups: tainted, arch: 'arm64' }));
    expect(job.spec.template.spec.tolerations).toEqual([{ key: 'spot', operator: 'Exists', effect: 'NoExecute' }]);
  });

  test('the namespace chart: its name, the restricted profile enforced, warned and audited at the latest version', () => {
    const app = Testing.app();
    addWorkloadCharts(app, configWith({ namespace: 'platform-info' }));
    expect(Testing.synth(app.charts[0])).toEqual([{
      apiVersion: 'v1', kind: 'Namespace',
      metadata: {
        name: 'platform-info',
        labels: {
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/enforce-version': 'latest',
          'pod-security.kubernetes.io/warn': 'restricted',
          'pod-security.kubernetes.io/audit': 'restricted',
        },
      },
      spec: {},
    }]);
  });

  test('workloadManifests hands the stack the namespace apart from the workloads', () => {
    const manifests = workloadManifests(configWith({ namespace: 'platform-info' }));
    expect(manifests.namespace?.id).toBe('00-namespace');
    expect(manifests.workloads.map((w) => w.id)).toEqual(['busybox', 'print-platform-info-arm64', 'print-platform-info-amd64', 'print-platform-info-any']);
    // The default namespace is not the stack's to create: every chart is a workload (busybox was once taken for it).
    const inDefault = workloadManifests(configWith({}));
    expect(inDefault.namespace).toBeUndefined();
    expect(inDefault.workloads.map((w) => w.id)).toEqual(['busybox', 'print-platform-info-arm64', 'print-platform-info-amd64', 'print-platform-info-any']);
  });

  test('writeManifests replaces the previous output whole, leaves no staging folder, and lists the files sorted', () => {
    const parent = mkdtempSync(join(tmpdir(), 'write-manifests-'));
    try {
      const outdir = join(parent, 'dist');
      const expected = ['busybox.k8s.yaml', 'print-platform-info-amd64.k8s.yaml', 'print-platform-info-any.k8s.yaml', 'print-platform-info-arm64.k8s.yaml'];
      expect(writeManifests(configWith({}), outdir)).toEqual(expected);
      writeFileSync(join(outdir, 'stale.k8s.yaml'), 'kind: Pod\n');
      expect(writeManifests(configWith({}), outdir)).toEqual(expected);
      expect(readdirSync(parent)).toEqual(['dist']);
      // Not the private mode of a temporary folder: readable like any folder the user makes.
      expect((statSync(outdir).mode & 0o777).toString(8)).toBe((0o777 & ~process.umask()).toString(8));
      expect(statSync(outdir).mode & 0o055).toBe(0o055 & ~process.umask());
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});
