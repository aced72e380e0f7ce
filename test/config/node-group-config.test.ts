import { configErrorsFor as errorsFor, resolveWith as resolve } from '../support/config';

// nodeGroups bad input, each problem as the user reads it: the key with its path, the value, why, and the fix.

const group = (overrides: Record<string, unknown> = {}) => ({ name: 'arm', arch: 'arm64', instanceTypes: ['m7g.large'], minSize: 1, desiredSize: 1, maxSize: 3, ...overrides });
const nodeGroups = (groups: unknown[]) => ({ nodeGroups: JSON.stringify(groups) });
const x86 = { arch: 'amd64', instanceTypes: ['m7i.large'] };

test('not an array, or entries that are not objects', () => {
  expect(errorsFor({ nodeGroups: '{"name":"a"}' })).toEqual([
    '- nodeGroups = {"name":"a"}: must be a JSON array of node groups. Fix: write it like [{"name":"graviton","arch":"arm64","instanceTypes":["m7g.large"],"minSize":1,"desiredSize":1,"maxSize":3}]',
  ]);
  expect(errorsFor(nodeGroups([1, null, [], group({ name: 'x86', ...x86 })]))).toEqual(['1', 'null', '[]'].map((value, i) =>
    `- nodeGroups[${i}] = ${value}: a node group must be a JSON object. Fix: give it the keys name, arch, instanceTypes, minSize, desiredSize and maxSize`));
});

test('names: required, 1-56 characters, starting with a letter or digit', () => {
  const invalid = (i: number, name: string) => `- nodeGroups[${i}].name = "${name}": a node group name is 1-56 letters, digits, hyphens and underscores, starting with a letter or digit. Fix: rename it, such as "graviton" or "x86-spot"`;
  expect(errorsFor(nodeGroups([group({ name: undefined }), group({ name: '-a' }), group({ name: 'a'.repeat(57) }), group({ name: 'a!' }), group({ name: 'ok_1-A', ...x86 })]))).toEqual([
    '- nodeGroups[0].name = (not set): every node group needs a name. Fix: add "name", such as "graviton"',
    invalid(1, '-a'), invalid(2, 'a'.repeat(57)), invalid(3, 'a!'),
  ]);
  expect(resolve(nodeGroups([group({ name: 'a'.repeat(56) }), group({ name: '9_x-Y', ...x86 })])).cluster.nodeGroups.map((g) => g.name)).toEqual(['a'.repeat(56), '9_x-Y']);
});

test('arch: an alias gets its spelling, anything else the two architectures', () => {
  expect(errorsFor(nodeGroups([group({ arch: 'aarch64' }), group({ name: 'b', arch: 'sparc' }), group({ name: 'c', arch: undefined })]))).toEqual([
    '- nodeGroups[0].arch = "aarch64": not an architecture; Kubernetes knows "arm64" and "amd64". Fix: write "arm64"',
    '- nodeGroups[1].arch = "sparc": not an architecture; Kubernetes knows "arm64" and "amd64". Fix: set "arch" to "arm64" or "amd64"',
    '- nodeGroups[2].arch = (not set): not an architecture; Kubernetes knows "arm64" and "amd64". Fix: set "arch" to "arm64" or "amd64"',
  ]);
});

test('instance types: required, not empty, each an EC2 type', () => {
  expect(errorsFor(nodeGroups([group({ instanceTypes: undefined }), group({ name: 'b', instanceTypes: [] }), group({ name: 'c', ...x86, instanceTypes: ['m7i.huge', 'q9.large', 'm7i'] })]))).toEqual([
    '- nodeGroups[0].instanceTypes = (not set): every node group needs instance types. Fix: add "instanceTypes": ["m7g.large"]',
    '- nodeGroups[1].instanceTypes = []: lists no instance type. Fix: list at least one, such as ["m7g.large"]',
    '- nodeGroups[2].instanceTypes[0] = "m7i.huge": not an EC2 instance type (no EC2 instance size is called "huge"). Fix: use an existing type such as m7i.large',
    '- nodeGroups[2].instanceTypes[1] = "q9.large": not an EC2 instance type (no EC2 instance family is called "q9"). Fix: use an existing type such as m7i.large',
    '- nodeGroups[2].instanceTypes[2] = "m7i": not an EC2 instance type (not of the form family.size). Fix: use an existing type such as m7i.large',
  ]);
});

test('sizes: all three required, none negative, max at least 1, min <= desired', () => {
  expect(errorsFor(nodeGroups([group({ minSize: undefined, desiredSize: undefined, maxSize: undefined }), group({ name: 'b', minSize: -1 }), group({ name: 'c', minSize: 2, desiredSize: 1 })]))).toEqual([
    ...['minSize', 'desiredSize', 'maxSize'].map((key) => `- nodeGroups[0].${key} = (not set): every node group needs minSize, desiredSize and maxSize. Fix: add "${key}", for example 1`),
    '- nodeGroups[1].minSize = -1: a size cannot be negative. Fix: use 0 or more',
    '- nodeGroups[2].minSize = 2: greater than desiredSize (1). Fix: keep minSize <= desiredSize <= maxSize',
  ]);
  expect(errorsFor(nodeGroups([group({ minSize: 0, desiredSize: 0, maxSize: 0 })]))).toEqual([
    '- nodeGroups[0].maxSize = 0: EKS needs a maximum of at least 1 node. Fix: set maxSize to 1 or more, or remove the group',
  ]);
  expect(resolve(nodeGroups([group({ minSize: 0, desiredSize: 0, maxSize: 1 }), group({ name: 'b', ...x86, minSize: 2, desiredSize: 2, maxSize: 2 })])).cluster.nodeGroups.map((g) => [g.minSize, g.desiredSize, g.maxSize]))
    .toEqual([[0, 0, 1], [2, 2, 2]]);
});

test('labels: an object of valid names (not kubernetes.io/ or k8s.io/) and valid string values', () => {
  const badName = (name: string) => `- nodeGroups[1].labels.${name} = "x": not a label name EKS accepts (kubernetes.io/ and k8s.io/ prefixes are reserved). Fix: use a name such as "team" or "example.com/team"`;
  const badValue = (name: string, value: string) => `- nodeGroups[1].labels.${name} = ${value}: a label value must be a string of at most 63 characters (letters, digits, - _ .). Fix: quote it and shorten it, such as "platform"`;
  expect(errorsFor(nodeGroups([
    group({ labels: ['a'] }),
    group({ name: 'b', labels: { 'kubernetes.io/role': 'x', 'node.k8s.io/x': 'x', 'bad name!': 'x', ['a'.repeat(64)]: 'x', ok: 'bad value!', n: 5, long: 'v'.repeat(64) } }),
  ]))).toEqual([
    '- nodeGroups[0].labels = ["a"]: labels must be a JSON object of strings. Fix: write them like {"team":"platform"}',
    badName('kubernetes.io/role'), badName('node.k8s.io/x'), badName('bad name!'), badName('a'.repeat(64)),
    badValue('ok', '"bad value!"'), badValue('n', '5'), badValue('long', `"${'v'.repeat(64)}"`),
  ]);
  const labels = { 'example.com/team': 'platform', tier: '', 'a.b-c_d': 'v'.repeat(63) };
  expect(resolve(nodeGroups([group({ labels }), group({ name: 'b', ...x86 })])).cluster.nodeGroups[0].labels).toEqual(labels);
});

test('taints: an array of key, optional label value, and effect', () => {
  expect(errorsFor(nodeGroups([
    group({ taints: { key: 'a' } }),
    group({ name: 'b', taints: [{ key: 'a', value: 'bad value!', effect: 'NoSchedule' }, { key: 'c', effect: 'Sometimes' }, { key: 'd', value: 5, effect: 'NoSchedule' }] }),
  ]))).toEqual([
    '- nodeGroups[0].taints = {"key":"a"}: taints must be a JSON array. Fix: write them like [{"key":"dedicated","value":"batch","effect":"NoSchedule"}]',
    '- nodeGroups[1].taints[0].value = "bad value!": a taint value must be a label value. Fix: use at most 63 letters, digits, - _ .',
    '- nodeGroups[1].taints[1].effect = "Sometimes": not a taint effect. Fix: use one of NoSchedule, PreferNoSchedule, NoExecute',
    '- nodeGroups[1].taints[2].value = 5: a taint value must be a label value. Fix: use at most 63 letters, digits, - _ .',
  ]);
});

test('an unknown key is refused with the list of node group keys', () => {
  expect(errorsFor(nodeGroups([group({ colour: 'blue' })]))).toEqual([
    '- nodeGroups[0].colour = "blue": not a node group key. Fix: use only name, arch, instanceTypes, minSize, desiredSize, maxSize, amiFamily, capacityType, labels, taints',
  ]);
});

test('CoreDNS needs a group it tolerates: PreferNoSchedule and CriticalAddonsOnly taints leave it one, NoSchedule everywhere does not', () => {
  expect(errorsFor(nodeGroups([group({ taints: [{ key: 'a', effect: 'NoSchedule' }] }), group({ name: 'b', ...x86, taints: [{ key: 'c', value: 'd', effect: 'NoExecute' }] })]))).toEqual([
    '- nodeGroups = "arm: a=:NoSchedule; b: c=d:NoExecute": every node group has a NoSchedule or NoExecute taint, and CoreDNS tolerates only CriticalAddonsOnly: it would stay Pending and the cluster would have no DNS. Fix: leave at least one node group without NoSchedule/NoExecute taints (PreferNoSchedule is fine), or taint it with key CriticalAddonsOnly',
  ]);
  for (const taints of [[{ key: 'a', effect: 'PreferNoSchedule' }], [{ key: 'CriticalAddonsOnly', effect: 'NoSchedule' }]]) {
    expect(resolve(nodeGroups([group({ taints }), group({ name: 'b', ...x86, taints: [{ key: 'a', effect: 'NoSchedule' }] })])).cluster.nodeGroups[0].taints).toEqual(taints);
  }
});

test('accelerated types: one no EKS AMI drives, mixed accelerators, an AMI family without that accelerator', () => {
  expect(errorsFor(nodeGroups([group({ ...x86, name: 'x86' }), group({ name: 'gpu', arch: 'amd64', instanceTypes: ['g4ad.xlarge', 'm7i.large'] })]))).toEqual([
    '- nodeGroups[1].instanceTypes[0] = "g4ad.xlarge": its accelerator is one no EKS-optimized AMI supports (they drive NVIDIA GPUs from g4dn and p3 on, Inferentia and Trainium). Fix: use g6, g5 or g5g (NVIDIA), inf2 or trn1 (Neuron), or a type without an accelerator',
  ]);
  expect(errorsFor(nodeGroups([group({ ...x86, name: 'x86' }), group({ name: 'gpu', arch: 'amd64', instanceTypes: ['g6.xlarge', 'inf2.xlarge', 'm7i.large'] })]))).toEqual([
    '- nodeGroups[1].instanceTypes = ["g6.xlarge","inf2.xlarge","m7i.large"]: mixes types that need different AMIs (g6.xlarge: NVIDIA GPU, inf2.xlarge: Inferentia/Trainium (Neuron), m7i.large: no accelerator); a node group has one AMI type. Fix: put NVIDIA GPU, Neuron and other instance types in separate node groups',
  ]);
  expect(errorsFor(nodeGroups([group({ ...x86, name: 'x86' }), group({ name: 'gpu', instanceTypes: ['g5g.xlarge'] })]))).toEqual([
    '- nodeGroups[1].instanceTypes[0] = "g5g.xlarge": EKS has no AL2 AMI type for NVIDIA GPU instances on arm64. Fix: set the group\'s "amiFamily" to "AL2023" or "BOTTLEROCKET"',
  ]);
});

test('Amazon Linux 2 on Kubernetes 1.33 or later: refused for a group that asks for it, not for groups that all choose another family', () => {
  expect(errorsFor({ amiFamily: 'AL2023', kubernetesVersion: '1.33', ...nodeGroups([group({ ...x86, name: 'x86' }), group({ amiFamily: 'AL2' })]) })).toEqual([
    '- nodeGroups[1].amiFamily = "AL2": EKS publishes no Amazon Linux 2 AMIs for Kubernetes 1.33 (1.32 is the last). Fix: set amiFamily to "AL2023" or "BOTTLEROCKET", or kubernetesVersion to "1.32"',
  ]);
  expect(errorsFor({ kubernetesVersion: '1.33', ...nodeGroups([group({ ...x86, name: 'x86' }), group()]) })).toEqual([
    '- kubernetesVersion = "1.33": EKS publishes no Amazon Linux 2 AMIs for Kubernetes 1.33 (1.32 is the last). Fix: set amiFamily to "AL2023" or "BOTTLEROCKET", or kubernetesVersion to "1.32"',
  ]);
  expect(resolve({ kubernetesVersion: '1.33', ...nodeGroups([group({ ...x86, name: 'x86', amiFamily: 'AL2023' }), group({ amiFamily: 'BOTTLEROCKET' })]) }).cluster.nodeGroups.map((g) => g.amiFamily))
    .toEqual(['AL2023', 'BOTTLEROCKET']);
});

test('taint keys, desired above max, and names that differ only in case, - or _', () => {
  expect(errorsFor(nodeGroups([group({ ...x86, name: 'x86' }), group({ taints: [{ key: 'bad key!', effect: 'NoSchedule' }, { effect: 'NoSchedule' }] })]))).toEqual([
    '- nodeGroups[1].taints[0].key = "bad key!": a taint needs a key that is a valid label name. Fix: write taints like [{"key":"dedicated","value":"batch","effect":"NoSchedule"}]',
    '- nodeGroups[1].taints[1].key = (not set): a taint needs a key that is a valid label name. Fix: write taints like [{"key":"dedicated","value":"batch","effect":"NoSchedule"}]',
  ]);
  expect(errorsFor(nodeGroups([group({ ...x86, name: 'x86' }), group({ desiredSize: 4, maxSize: 3 })]))).toEqual([
    '- nodeGroups[1].desiredSize = 4: greater than maxSize (3). Fix: keep minSize <= desiredSize <= maxSize',
  ]);
  expect(errorsFor(nodeGroups([group({ ...x86, name: 'x86' }), group({ name: 'X86' }), group({ ...x86, name: 'x-8_6' })]))).toEqual([
    '- nodeGroups[1].name = "X86": differs from nodeGroups[0] ("x86") only in case, - or _. Fix: give every node group its own name',
    '- nodeGroups[2].name = "x-8_6": differs from nodeGroups[1] ("X86") only in case, - or _. Fix: give every node group its own name',
  ]);
});
