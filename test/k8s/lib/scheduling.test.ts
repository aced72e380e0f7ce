import { ConfigError } from '../../../lib/config/errors';
import { NodeTaint } from '../../../lib/config/types';
import { NodeGroupPlacement, placeWorkload } from '../../../k8s/lib/scheduling';

const group = (name: string, arch: 'arm64' | 'amd64', taints: NodeTaint[] = []): NodeGroupPlacement => ({ name, arch, taints });
const armOnly: NodeTaint = { key: 'dedicated', value: 'arm', effect: 'NoSchedule' };
const gpu: NodeTaint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };
const spot: NodeTaint = { key: 'spot', effect: 'NoExecute' };

function issuesOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

test('a pinned workload with a group of its architecture is placed there, untainted groups need no toleration', () => {
  expect(placeWorkload('w', 'arm64', [group('graviton', 'arm64'), group('x86', 'amd64', [spot])])).toEqual({ arch: 'arm64', tolerations: [] });
});

test('an unpinned workload on a cluster whose every group is tainted tolerates every distinct taint once', () => {
  const groups = [group('a', 'arm64', [armOnly, spot]), group('b', 'arm64', [gpu]), group('c', 'amd64', [spot])];
  expect(placeWorkload('w', undefined, groups)).toEqual({ arch: undefined, tolerations: [armOnly, spot, gpu] });
});

test('a pinned workload with no group of its architecture: one issue naming the key, what runs and the fix', () => {
  expect(issuesOf(() => placeWorkload('busybox', 'arm64', [group('x86', 'amd64'), group('x86-b', 'amd64')]))).toEqual([{
    key: 'nodeGroups',
    value: 'architectures amd64',
    problem: 'workload busybox is pinned to arm64, but no node group runs arm64, so its pod would stay Pending',
    fix: 'add a node group with "arch": "arm64" (such as m7g.large) or leave that workload out',
  }]);
  expect(issuesOf(() => placeWorkload('busybox', 'amd64', []))).toEqual([expect.objectContaining({ value: 'no node group' })]);
});

test('an unpinned workload is never refused, even with no node group', () => {
  expect(placeWorkload('w', undefined, [])).toEqual({ arch: undefined, tolerations: [] });
});
