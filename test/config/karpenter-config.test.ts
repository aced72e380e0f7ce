import { App } from 'aws-cdk-lib';
import { ConfigIssue } from '../../lib/config/errors';
import { KARPENTER_AMI_RELEASES, karpenterAmiPublished, resolveAutoscaling } from '../../lib/config/karpenter-config';
import { ValueReader } from '../../lib/config/value-reader';
import { buildApp } from '../../bin/app';
import { TEST_DAY, contextWith } from '../support/cdk';
import { configErrorsFor as errorsFor, resolveWith as resolve } from '../support/config';

const pool = (overrides: Record<string, unknown> = {}) => ({ name: 'arm', arch: ['arm64'], capacityTypes: ['spot'], cpuLimit: 32, ...overrides });
const karpenter = (pools: unknown[]) => ({ autoscaler: 'karpenter', karpenterNodePools: JSON.stringify(pools) });

describe('autoscaler', () => {
  test('defaults to none: no Karpenter configuration at all', () => {
    const { cluster } = resolve({});
    expect(cluster.autoscaler).toBe('none');
    expect(cluster.karpenter).toBeUndefined();
  });

  test('karpenter brings the default pools: Graviton first (weight 100), x86 (10), spot then on-demand, 64 vCPUs each', () => {
    const { cluster } = resolve({ autoscaler: 'karpenter' });
    expect(cluster.karpenter).toEqual({
      version: '1.14.1',
      amiFamily: 'al2023',
      amiVersion: 'v20260903',
      nodePools: [
        { name: 'graviton', arch: ['arm64'], capacityTypes: ['spot', 'on-demand'], cpuLimit: 64, instanceCategories: ['c', 'm', 'r'], instanceFamilies: [], weight: 100, labels: {}, taints: [] },
        { name: 'x86', arch: ['amd64'], capacityTypes: ['spot', 'on-demand'], cpuLimit: 64, instanceCategories: ['c', 'm', 'r'], instanceFamilies: [], weight: 10, labels: {}, taints: [] },
      ],
    });
  });

  test('Bottlerocket clusters get Bottlerocket Karpenter nodes, every other family AL2023 (never AL2)', () => {
    expect(resolve({ autoscaler: 'karpenter', amiFamily: 'BOTTLEROCKET' }).cluster.karpenter).toMatchObject({ amiFamily: 'bottlerocket', amiVersion: 'v1.66.0' });
    expect(resolve({ autoscaler: 'karpenter', amiFamily: 'AL2023' }).cluster.karpenter).toMatchObject({ amiFamily: 'al2023', amiVersion: 'v20260903' });
    expect(resolve({ autoscaler: 'karpenter', karpenterAmiVersion: 'v20261120' }).cluster.karpenter?.amiVersion).toBe('v20261120');
  });

  test('a pool as a -c string: lists may be comma-separated, optional keys resolved', () => {
    const { cluster } = resolve({ autoscaler: 'karpenter', karpenterNodePools: '[{"name":"both","arch":"amd64,arm64","capacityTypes":"on-demand","cpuLimit":"16","instanceFamilies":["m7g","m7i"],"labels":{"team":"batch"},"taints":[{"key":"batch","effect":"NoSchedule"}]}]' });
    expect(cluster.karpenter?.nodePools).toEqual([{
      name: 'both', arch: ['arm64', 'amd64'], capacityTypes: ['on-demand'], cpuLimit: 16, instanceCategories: [], instanceFamilies: ['m7g', 'm7i'],
      weight: 50, labels: { team: 'batch' }, taints: [{ key: 'batch', value: undefined, effect: 'NoSchedule' }],
    }]);
  });

  test('a misspelt value fails with the key, the value and the fix', () => {
    expect(errorsFor({ autoscaler: 'Karpenters' })).toEqual(['- autoscaler = "Karpenters": not one of "none", "karpenter", "auto-mode". Fix: use one of none, karpenter, auto-mode']);
    expect(errorsFor({ autoscaler: 'KARPENTER' })).toEqual(['- autoscaler = "KARPENTER": not one of "none", "karpenter", "auto-mode". Fix: write "karpenter"']);
    expect(errorsFor({ autoscaler: 'Auto-Mode' })).toEqual(['- autoscaler = "Auto-Mode": not one of "none", "karpenter", "auto-mode". Fix: write "auto-mode"']);
  });

  test('karpenterNodePools without an autoscaler is refused: it would do nothing', () => {
    expect(errorsFor({ karpenterNodePools: JSON.stringify([pool()]) })).toEqual([
      expect.stringMatching(/^- karpenterNodePools = .*: only used with autoscaler=karpenter or autoscaler=auto-mode, so it would do nothing\. Fix: set autoscaler to "karpenter" or "auto-mode", or remove the key$/),
    ]);
  });

  test('the controller needs two managed nodes to spread its two replicas', () => {
    const single = JSON.stringify([{ name: 'graviton', arch: 'arm64', instanceTypes: ['m7g.large'], minSize: 1, desiredSize: 1, maxSize: 3 }]);
    expect(errorsFor({ autoscaler: 'karpenter', nodeGroups: single })).toEqual([
      '- nodeGroups = "minSize graviton=1": Karpenter runs two controller replicas on different managed nodes, and the node groups may shrink to fewer than two. Fix: give the node groups a minSize of 2 or more in total (the default graviton and x86 groups have 1 each)',
    ]);
  });

  test('a Kubernetes version newer than Karpenter 1.14 supports (1.36) is refused with it', () => {
    const issues: ConfigIssue[] = [];
    const groups = resolve({}).cluster.nodeGroups;
    resolveAutoscaling(new ValueReader((key) => ({ autoscaler: 'karpenter' } as Record<string, unknown>)[key], issues), 'AL2023', '1.37', groups, issues);
    expect(issues).toEqual([{
      key: 'kubernetesVersion', value: '1.37',
      problem: 'Karpenter 1.14.1 supports Kubernetes 1.26-1.36 (its compatibility matrix); the controller would refuse to start',
      fix: 'use kubernetesVersion 1.36 or older with autoscaler=karpenter, or autoscaler=none',
    }]);
    const ok: ConfigIssue[] = [];
    resolveAutoscaling(new ValueReader((key) => ({ autoscaler: 'karpenter' } as Record<string, unknown>)[key], ok), 'AL2023', '1.36', groups, ok);
    expect(ok).toEqual([]);
  });

  test('the AMI stays pinned: latest and a version of the wrong family are refused', () => {
    expect(errorsFor({ autoscaler: 'karpenter', karpenterAmiVersion: 'latest' })[0]).toMatch(/^- karpenterAmiVersion = "latest": "latest" replaces every Karpenter node .* Fix: pin a release such as v20260903/);
    expect(errorsFor({ autoscaler: 'karpenter', amiFamily: 'BOTTLEROCKET', karpenterAmiVersion: 'v20260714' })).toEqual([
      '- karpenterAmiVersion = "v20260714": not a bottlerocket AMI release (Karpenter\'s nodes run bottlerocket because amiFamily is BOTTLEROCKET). Fix: use a release such as v1.66.0 (a Bottlerocket release)',
    ]);
  });
});

describe('karpenterNodePools bad input: one line per problem, all of them at once', () => {
  test('not JSON, not an array, empty', () => {
    expect(errorsFor({ autoscaler: 'karpenter', karpenterNodePools: '[{name:' })[0]).toMatch(/^- karpenterNodePools = "\[\{name:": not valid JSON .*Fix: quote the whole value for the shell/);
    expect(errorsFor(karpenter([]))).toEqual(['- karpenterNodePools = []: lists no pool, so Karpenter would never add a node. Fix: write it like [{"name":"graviton","arch":["arm64"],"capacityTypes":["spot","on-demand"],"cpuLimit":64}], or leave it out for one Graviton and one x86 pool']);
    expect(errorsFor({ autoscaler: 'karpenter', karpenterNodePools: '{"name":"a"}' })[0]).toMatch(/^- karpenterNodePools = \{"name":"a"\}: must be a JSON array of pools\./);
  });

  test('missing required keys', () => {
    expect(errorsFor(karpenter([{ name: 'a' }]))).toEqual([
      '- karpenterNodePools[0].arch = (not set): every pool needs arch. Fix: add "arch": ["arm64"] or ["arm64","amd64"]',
      '- karpenterNodePools[0].capacityTypes = (not set): every pool needs capacityTypes. Fix: add "capacityTypes": ["spot","on-demand"]',
      '- karpenterNodePools[0].cpuLimit = (not set): every pool needs a CPU limit, or it may grow without bound. Fix: add "cpuLimit", the total vCPUs the pool may run, such as 64',
    ]);
  });

  test('wrong values, each named by its path', () => {
    expect(errorsFor(karpenter([
      pool({ name: 'Arm_Pool', arch: ['aarch64'], capacityTypes: ['spot', 'spot'], cpuLimit: 0, weight: 101, instanceCategories: ['m7'], colour: 'blue' }),
    ]))).toEqual([
      '- karpenterNodePools[0].colour = "blue": not a NodePool key. Fix: use only name, arch, capacityTypes, cpuLimit, instanceCategories, instanceFamilies, weight, labels, taints',
      '- karpenterNodePools[0].name = "Arm_Pool": a NodePool name is 1-63 lower-case letters, digits and hyphens, starting and ending with a letter or digit. Fix: rename it, such as "graviton-spot"',
      '- karpenterNodePools[0].arch[0] = "aarch64": not an allowed value. Fix: use one or both of arm64, amd64',
      '- karpenterNodePools[0].capacityTypes[1] = "spot": listed twice. Fix: list each value once',
      '- karpenterNodePools[0].cpuLimit = 0: must be between 1 and 10000 vCPUs. Fix: use the total vCPUs the pool may run, such as 64',
      '- karpenterNodePools[0].weight = 101: a NodePool weight is 0-100. Fix: use a higher weight for the pool to try first, such as 100 for Graviton and 10 for x86',
      '- karpenterNodePools[0].instanceCategories[0] = "m7": not an EC2 instance category (the letters before the generation, as in m7g). Fix: use categories such as "c", "m" and "r"',
    ]);
  });

  test('an instance family of the other architecture, an unknown family, a reserved label, a duplicate name', () => {
    expect(errorsFor(karpenter([
      pool({ instanceFamilies: ['m7i', 'm7x'], labels: { 'karpenter.sh/capacity-type': 'spot' } }),
      pool({ arch: ['amd64'] }),
    ]))).toEqual([
      '- karpenterNodePools[0].instanceFamilies[0] = "m7i": an amd64 (x86_64) family in a pool whose arch is ["arm64"], so the pool could never launch it. Fix: add "amd64" to the pool\'s arch, or use an arm64 (Graviton) family such as m7g',
      '- karpenterNodePools[0].instanceFamilies[1] = "m7x": not an EC2 instance family. Fix: use a family such as m7g or m7i',
      '- karpenterNodePools[0].labels.karpenter.sh/capacity-type = "spot": karpenter.sh/ and karpenter.k8s.aws/ labels are set by Karpenter itself. Fix: use a name such as "team" or "example.com/team"',
      '- karpenterNodePools[1].name = "arm": karpenterNodePools[0] already has this name. Fix: give every pool its own name',
    ]);
  });

  test('entries that are not objects, a pool without a name, an empty category list', () => {
    expect(errorsFor(karpenter([1, null, ['arm'], pool({ name: undefined }), pool({ name: 'c', instanceCategories: [] })]))).toEqual([
      ...[0, 1, 2].map((i) => `- karpenterNodePools[${i}] = ${JSON.stringify([1, null, ['arm']][i])}: a pool must be a JSON object. Fix: give it name, arch, capacityTypes and cpuLimit, like [{"name":"graviton","arch":["arm64"],"capacityTypes":["spot","on-demand"],"cpuLimit":64}]`),
      '- karpenterNodePools[3].name = (not set): every pool needs a name. Fix: add "name", such as "graviton"',
      '- karpenterNodePools[4].instanceCategories = []: lists no category, so the pool could launch nothing. Fix: list some, such as ["c","m","r"], or leave it out',
    ]);
  });

  test('names, categories and AMI releases are matched whole, not by a prefix or suffix', () => {
    const names = ['-arm', 'arm-', 'arm!', 'a'.repeat(64)];
    expect(errorsFor(karpenter(names.map((name) => pool({ name }))))).toEqual(names.map((name, i) =>
      `- karpenterNodePools[${i}].name = "${name}": a NodePool name is 1-63 lower-case letters, digits and hyphens, starting and ending with a letter or digit. Fix: rename it, such as "graviton-spot"`));
    expect(errorsFor(karpenter([pool({ instanceCategories: ['7m', 'mmmmm'] })]))).toEqual(['7m', 'mmmmm'].map((c, i) =>
      `- karpenterNodePools[0].instanceCategories[${i}] = "${c}": not an EC2 instance category (the letters before the generation, as in m7g). Fix: use categories such as "c", "m" and "r"`));
    expect(resolve(karpenter([pool({ name: 'a', instanceCategories: ['hpc', 'x'] })])).cluster.karpenter?.nodePools[0]).toMatchObject({ name: 'a', instanceCategories: ['hpc', 'x'] });

    const al2023 = (v: string) => `- karpenterAmiVersion = "${v}": not a al2023 AMI release (Karpenter's nodes run al2023 because amiFamily is AL2). Fix: use a release such as v20260903 (an amazon-eks-ami release tag)`;
    for (const v of ['xv20260714', 'v20260714x', 'v2026071']) expect(errorsFor({ autoscaler: 'karpenter', karpenterAmiVersion: v })).toEqual([al2023(v)]);
    const bottlerocket = (v: string) => `- karpenterAmiVersion = "${v}": not a bottlerocket AMI release (Karpenter's nodes run bottlerocket because amiFamily is BOTTLEROCKET). Fix: use a release such as v1.66.0 (a Bottlerocket release)`;
    for (const v of ['xv1.61.0', 'v1.61.0x', 'v1.61']) expect(errorsFor({ autoscaler: 'karpenter', amiFamily: 'BOTTLEROCKET', karpenterAmiVersion: v })).toEqual([bottlerocket(v)]);
    for (const v of ['v10.1.0', 'v1.61.10']) {
      expect(resolve({ autoscaler: 'karpenter', amiFamily: 'BOTTLEROCKET', karpenterAmiVersion: v }).cluster.karpenter?.amiVersion).toBe(v);
    }
  });

  test('karpenterAmiVersion without autoscaler=karpenter is refused too; a misspelt autoscaler is reported alone', () => {
    expect(errorsFor({ karpenterAmiVersion: 'v20260714' })).toEqual([
      '- karpenterAmiVersion = "v20260714": only used with autoscaler=karpenter, so it would do nothing. Fix: set autoscaler to "karpenter", or remove the key',
    ]);
    expect(errorsFor({ autoscaler: 'Karpenters', karpenterAmiVersion: 'v20260714' })).toEqual([
      '- autoscaler = "Karpenters": not one of "none", "karpenter", "auto-mode". Fix: use one of none, karpenter, auto-mode',
    ]);
  });

  test('limits at their edges, lists as -c strings, the default categories, architectures in table order', () => {
    const pools = resolve(karpenter([
      pool({ name: 'a', cpuLimit: 1, weight: 0, arch: 'amd64, arm64', capacityTypes: ' on-demand ,spot' }),
      pool({ name: 'b', cpuLimit: 10000, weight: 100, instanceFamilies: ['m7g'] }),
    ])).cluster.karpenter?.nodePools;
    expect(pools).toEqual([
      { name: 'a', arch: ['arm64', 'amd64'], capacityTypes: ['spot', 'on-demand'], cpuLimit: 1, instanceCategories: ['c', 'm', 'r'], instanceFamilies: [], weight: 0, labels: {}, taints: [] },
      { name: 'b', arch: ['arm64'], capacityTypes: ['spot'], cpuLimit: 10000, instanceCategories: [], instanceFamilies: ['m7g'], weight: 100, labels: {}, taints: [] },
    ]);
    expect(errorsFor(karpenter([pool({ cpuLimit: 10001, weight: -1 })]))).toEqual([
      '- karpenterNodePools[0].cpuLimit = 10001: must be between 1 and 10000 vCPUs. Fix: use the total vCPUs the pool may run, such as 64',
      '- karpenterNodePools[0].weight = -1: a NodePool weight is 0-100. Fix: use a higher weight for the pool to try first, such as 100 for Graviton and 10 for x86',
    ]);
  });

  test('problems inside labels, taints and lists are named by their full path', () => {
    expect(errorsFor(karpenter([pool({ arch: [], capacityTypes: ['sometimes'], labels: { 'bad name!': 'x' }, taints: [{ key: 'k', effect: 'Never' }] })]))).toEqual([
      '- karpenterNodePools[0].arch = []: must be a non-empty JSON array. Fix: write "arch": ["arm64"] or ["arm64","amd64"]',
      '- karpenterNodePools[0].capacityTypes[0] = "sometimes": not an allowed value. Fix: use one or both of on-demand, spot (with both, Karpenter takes spot first)',
      '- karpenterNodePools[0].labels.bad name! = "x": not a label name EKS accepts (kubernetes.io/ and k8s.io/ prefixes are reserved). Fix: use a name such as "team" or "example.com/team"',
      '- karpenterNodePools[0].taints[0].effect = "Never": not a taint effect. Fix: use one of NoSchedule, PreferNoSchedule, NoExecute',
    ]);
    // A pool with problems is still checked for a duplicate name, and is not passed on.
    expect(errorsFor(karpenter([pool({ cpuLimit: 0 }), pool({ arch: ['amd64'] })]))).toEqual([
      '- karpenterNodePools[0].cpuLimit = 0: must be between 1 and 10000 vCPUs. Fix: use the total vCPUs the pool may run, such as 64',
      '- karpenterNodePools[1].name = "arm": karpenterNodePools[0] already has this name. Fix: give every pool its own name',
    ]);
  });

  test('the two managed nodes are counted over every node group', () => {
    const groups = JSON.stringify([
      { name: 'a', arch: 'arm64', instanceTypes: ['m7g.large'], minSize: 1, desiredSize: 1, maxSize: 3 },
      { name: 'b', arch: 'amd64', instanceTypes: ['m7i.large'], minSize: 0, desiredSize: 0, maxSize: 3 },
    ]);
    expect(errorsFor({ autoscaler: 'karpenter', nodeGroups: groups })[0]).toMatch(/^- nodeGroups = "minSize a=1, b=0": Karpenter runs two controller replicas/);
  });

  test('a misspelt key is refused as an unknown context key, with the closest one', () => {
    expect(errorsFor({ autoscaler: 'karpenter', karpenterNodePool: '[]' })).toEqual([
      '- karpenterNodePool = "(set)": not a context key of this project, so it would be ignored. Fix: did you mean "karpenterNodePools"? (docs/configuration.md lists every key)',
    ]);
  });

  test('bad input stops the CDK app before any construct exists', () => {
    const app = new App({ context: contextWith(karpenter([pool({ arch: [] })])) });
    expect(() => buildApp(app, {}, { nag: false, clock: () => TEST_DAY })).toThrow(/karpenterNodePools\[0\]\.arch = \[\]: must be a non-empty JSON array/);
    expect(app.node.children).toHaveLength(0);
  });
});

describe('autoscaler=auto-mode', () => {
  test('reads the same karpenterNodePools as Karpenter: the default pools, or the given ones, resolved alike', () => {
    const { cluster } = resolve({ autoscaler: 'auto-mode' });
    expect(cluster.autoscaler).toBe('auto-mode');
    expect(cluster.karpenter).toBeUndefined();
    expect(cluster.autoMode).toEqual({ nodePools: resolve({ autoscaler: 'karpenter' }).cluster.karpenter?.nodePools });
    const pools = [pool(), pool({ name: 'x86', arch: ['amd64'], weight: 10 })];
    expect(resolve({ autoscaler: 'auto-mode', karpenterNodePools: JSON.stringify(pools) }).cluster.autoMode?.nodePools)
      .toEqual(resolve(karpenter(pools)).cluster.karpenter?.nodePools);
  });

  test('needs no minimum node-group size (no controller runs on them), and takes any Kubernetes version the cluster may have', () => {
    const single = JSON.stringify([{ name: 'graviton', arch: 'arm64', instanceTypes: ['m7g.large'], minSize: 1, desiredSize: 1, maxSize: 3 }]);
    expect(resolve({ autoscaler: 'auto-mode', nodeGroups: single }).cluster.autoMode?.nodePools).toHaveLength(2);
    const issues: ConfigIssue[] = [];
    resolveAutoscaling(new ValueReader((key) => ({ autoscaler: 'auto-mode' } as Record<string, unknown>)[key], issues), 'AL2023', '1.37', [], issues);
    expect(issues).toEqual([]);
  });

  test('refuses karpenterAmiVersion (EKS picks the node image), the built-in pools\' names and eks.amazonaws.com/ labels, each with its fix', () => {
    expect(errorsFor({ autoscaler: 'auto-mode', karpenterAmiVersion: 'v20260714' })).toEqual([
      '- karpenterAmiVersion = "v20260714": EKS Auto Mode runs the node image AWS chooses and patches, so it would do nothing. Fix: remove the key, or use autoscaler=karpenter to pin the AMI',
    ]);
    expect(errorsFor({ autoscaler: 'auto-mode', karpenterNodePools: JSON.stringify([pool({ name: 'system' }), pool({ name: 'general-purpose' })]) })).toEqual([
      '- karpenterNodePools[0].name = "system": EKS Auto Mode has a built-in NodePool of that name. Fix: rename the pool, such as "graviton" or "x86"',
      '- karpenterNodePools[1].name = "general-purpose": EKS Auto Mode has a built-in NodePool of that name. Fix: rename the pool, such as "graviton" or "x86"',
    ]);
    expect(errorsFor({ autoscaler: 'auto-mode', karpenterNodePools: JSON.stringify([pool({ labels: { 'eks.amazonaws.com/compute-type': 'x', 'team.eks.amazonaws.com/x': 'y', 'eks.amazonaws.com.example/z': 'ok' } })]) })).toEqual([
      '- karpenterNodePools[0].labels.eks.amazonaws.com/compute-type = "x": eks.amazonaws.com/ labels are set by EKS Auto Mode itself. Fix: use a name such as "team" or "example.com/team"',
      '- karpenterNodePools[0].labels.team.eks.amazonaws.com/x = "y": eks.amazonaws.com/ labels are set by EKS Auto Mode itself. Fix: use a name such as "team" or "example.com/team"',
    ]);
    // A pool that is wrong for both autoscalers reports what Karpenter would.
    expect(errorsFor({ autoscaler: 'auto-mode', karpenterNodePools: '[]' })).toEqual(errorsFor({ autoscaler: 'karpenter', karpenterNodePools: '[]' }));
  });

  test('the same pool names are fine for Karpenter', () => {
    expect(resolve(karpenter([pool({ name: 'system' })])).cluster.karpenter?.nodePools.map((p) => p.name)).toEqual(['system']);
  });
});

describe('the publication day of an AMI release', () => {
  test('an amazon-eks-ami tag is its date; a Bottlerocket release is looked up, unknown ones have none', () => {
    expect(karpenterAmiPublished('al2023', 'v20260903')).toBe('2026-09-03');
    expect(karpenterAmiPublished('al2023', 'v2026090')).toBeUndefined();
    expect(karpenterAmiPublished('bottlerocket', 'v1.61.0')).toBe('2026-05-18');
    expect(karpenterAmiPublished('bottlerocket', 'v1.66.0')).toBe('2026-09-22');
    expect(karpenterAmiPublished('bottlerocket', 'v1.99.0')).toBeUndefined();
  });

  test('the pinned releases are the newest confirmed (2026-12-04), with their days', () => {
    expect(KARPENTER_AMI_RELEASES).toEqual({
      al2023: { version: 'v20260903', published: '2026-09-03' },
      bottlerocket: { version: 'v1.66.0', published: '2026-09-22' },
    });
    for (const family of ['al2023', 'bottlerocket'] as const) {
      expect(karpenterAmiPublished(family, KARPENTER_AMI_RELEASES[family].version)).toBe(KARPENTER_AMI_RELEASES[family].published);
    }
  });
});
