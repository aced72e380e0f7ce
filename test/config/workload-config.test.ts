import { ConfigIssue } from '../../lib/config/errors';
import { checkPinnedImage, resolveWorkloads } from '../../lib/config/workload-config';
import { ValueReader } from '../../lib/config/value-reader';

function resolveWith(values: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) {
  const issues: ConfigIssue[] = [];
  const workloads = resolveWorkloads(new ValueReader((key) => values[key], issues), env, issues);
  return { workloads, issues };
}

test('unset: every workload, the pinned default images, the default namespace and pull secret', () => {
  expect(resolveWith({})).toEqual({
    workloads: {
      selected: ['busybox', 'print-platform-info'],
      printPlatformInfoImage: expect.stringMatching(/^[^:]+:[^:]+$/),
      busyboxImage: expect.stringMatching(/busybox:/),
      namespace: 'default',
      imagePullSecretName: 'registry-credentials',
    },
    issues: [],
  });
});

test('every key at a non-default value; the environment variable wins over the key', () => {
  expect(resolveWith({
    workloads: 'print-platform-info', printPlatformInfoImage: 'registry.example.com/ppi:1.0', busyboxImage: 'registry.example.com/busybox:2.0',
    namespace: 'platform-info', imagePullSecretName: 'gitlab-pull',
  }, { PRINT_PLATFORM_INFO_IMAGE: 'registry.example.com/ppi@sha256:' + 'a'.repeat(64) })).toEqual({
    workloads: {
      selected: ['print-platform-info'], printPlatformInfoImage: 'registry.example.com/ppi@sha256:' + 'a'.repeat(64),
      busyboxImage: 'registry.example.com/busybox:2.0', namespace: 'platform-info', imagePullSecretName: 'gitlab-pull',
    },
    issues: [],
  });
});

test('the selection keeps the project\'s order; a near miss names the spelling, anything else the list', () => {
  expect(resolveWith({ workloads: ['print-platform-info', 'busybox'] }).workloads.selected).toEqual(['busybox', 'print-platform-info']);
  expect(resolveWith({ workloads: 'Print_Platform Info,nginx' }).issues).toEqual([
    { key: 'workloads', value: 'Print_Platform Info,nginx', problem: '"Print_Platform Info" is not a workload of this project', fix: 'write "print-platform-info"' },
    { key: 'workloads', value: 'Print_Platform Info,nginx', problem: '"nginx" is not a workload of this project', fix: 'use busybox, print-platform-info' },
  ]);
  expect(resolveWith({ workloads: ' , ' }).issues).toEqual([
    { key: 'workloads', value: ' , ', problem: 'names no workload', fix: 'list one or more of busybox, print-platform-info, or leave the key out for all of them' },
  ]);
  expect(resolveWith({ workloads: [] }).issues).toHaveLength(1);
  // A wrong type is reported once, by the reader.
  expect(resolveWith({ workloads: 3 }).issues.map((i) => i.problem)).toEqual(['must be a comma-separated string or a JSON array of strings']);
});

test('namespaces: the cluster\'s own are refused, as are names Kubernetes would refuse', () => {
  for (const ns of ['kube-system', 'kube-public', 'kube-node-lease']) {
    expect(resolveWith({ namespace: ns }).issues).toEqual([expect.objectContaining({ key: 'namespace', value: ns, fix: 'use a namespace of your own, such as "platform-info"' })]);
  }
  for (const ns of ['Platform', '-a', 'a-', 'a_b', 'a'.repeat(64)]) {
    expect(resolveWith({ namespace: ns }).issues).toEqual([{ key: 'namespace', value: ns, problem: 'not a Kubernetes namespace name', fix: 'use at most 63 lower-case letters, digits and hyphens, such as "platform-info"' }]);
  }
  for (const ns of ['a', 'a'.repeat(63), 'a-1']) expect(resolveWith({ namespace: ns }).issues).toEqual([]);
});

test('pull secret names: empty for none, else a Kubernetes Secret name', () => {
  expect(resolveWith({ imagePullSecretName: '' }).workloads.imagePullSecretName).toBe('');
  for (const ok of ['a', 'a.b-c', 'a'.repeat(253)]) expect(resolveWith({ imagePullSecretName: ok }).issues).toEqual([]);
  for (const bad of ['A', '.a', 'a.', 'a_b', 'a'.repeat(254)]) {
    expect(resolveWith({ imagePullSecretName: bad }).issues).toEqual([{ key: 'imagePullSecretName', value: bad, problem: 'not a Kubernetes Secret name', fix: 'use lower-case letters, digits, - and ., such as "registry-credentials", or "" for none' }]);
  }
});

test('images are pinned: a tag other than latest, or a digest', () => {
  const issuesFor = (image: string) => {
    const issues: ConfigIssue[] = [];
    checkPinnedImage('busyboxImage', image, issues);
    return issues;
  };
  expect(issuesFor('busybox:1.37.0')).toEqual([]);
  expect(issuesFor(`busybox:latest@sha256:${'b'.repeat(64)}`)).toEqual([]);
  expect(issuesFor('busybox')).toEqual([{ key: 'busyboxImage', value: 'busybox', problem: 'the image has no tag, so every pull may run something else', fix: 'pin it, such as busybox:1.0.0 or busybox@sha256:<digest>' }]);
  expect(issuesFor('busybox:latest')).toEqual([{ key: 'busyboxImage', value: 'busybox:latest', problem: '"latest" moves, so nodes may run different code', fix: 'use a version or commit tag, or a digest (@sha256:...)' }]);
  expect(issuesFor('Busybox:1')).toEqual([{ key: 'busyboxImage', value: 'Busybox:1', problem: expect.stringMatching(/^malformed image reference \(.+\)$/), fix: 'write it as [registry/]repository:tag or [registry/]repository@sha256:<digest>' }]);
  expect(resolveWith({ busyboxImage: 'busybox' }).issues.map((i) => i.key)).toEqual(['busyboxImage']);
  expect(resolveWith({}, { PRINT_PLATFORM_INFO_IMAGE: 'x:latest' }).issues.map((i) => i.key)).toEqual(['PRINT_PLATFORM_INFO_IMAGE']);
  expect(resolveWith({ printPlatformInfoImage: 'x:latest' }).issues.map((i) => i.key)).toEqual(['printPlatformInfoImage']);
});
