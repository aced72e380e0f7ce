import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pinnedArchitectures, scanManifests } from '../../lib/preflight/manifest-scan';
import { removeTempDirs, tempDir } from './helpers';

afterAll(removeTempDirs);

function folder(files: Record<string, string>): string {
  const dir = tempDir('preflight-scan-');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const affinity = (...terms: object[][]) => ({
  affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms.map((matchExpressions) => ({ matchExpressions })) } } },
});
const arch = (operator: string, values?: string[]) => ({ key: 'kubernetes.io/arch', operator, values });

describe('pinned architectures of a pod spec', () => {
  test.each([
    ['no constraint', {}, undefined],
    ['nodeSelector', { nodeSelector: { 'kubernetes.io/arch': 'arm64' } }, ['arm64']],
    ['other nodeSelector keys only', { nodeSelector: { 'kubernetes.io/os': 'linux' } }, undefined],
    ['affinity In', affinity([arch('In', ['amd64'])]), ['amd64']],
    ['affinity In both', affinity([arch('In', ['amd64', 'arm64'])]), undefined],
    ['affinity NotIn', affinity([arch('NotIn', ['amd64'])]), ['arm64']],
    ['terms are ORed', affinity([arch('In', ['amd64'])], [arch('In', ['arm64'])]), undefined],
    ['a term without an arch expression allows all', affinity([arch('In', ['arm64'])], [{ key: 'zone', operator: 'In', values: ['a'] }]), undefined],
    ['expressions are ANDed', affinity([arch('In', ['amd64', 'arm64']), arch('NotIn', ['amd64'])]), ['arm64']],
    ['nodeSelector and affinity intersect', { nodeSelector: { 'kubernetes.io/arch': 'arm64' }, ...affinity([arch('In', ['arm64', 'amd64', 's390x'])]) }, ['arm64']],
    ['unknown values are kept for warnings', { nodeSelector: { 'kubernetes.io/arch': 'aarch64' } }, ['aarch64']],
    ['an affinity value no node has', affinity([arch('In', ['s390x'])]), ['s390x']],
    ['DoesNotExist allows no architecture', affinity([arch('DoesNotExist')]), []],
    ['Exists, or NotIn without values, leaves it open', affinity([arch('Exists'), arch('NotIn')]), undefined],
    ['nodeSelector and affinity that exclude each other', { nodeSelector: { 'kubernetes.io/arch': 'arm64' }, ...affinity([arch('In', ['amd64'])]) }, []],
    ['nodeSelector with an affinity that leaves the arch open', { nodeSelector: { 'kubernetes.io/arch': 'arm64' }, ...affinity([{ key: 'zone', operator: 'In', values: ['a'] }]) }, ['arm64']],
    ['no terms', affinity(), undefined],
    ['terms without expressions, and expressions that are not objects', { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: ['x', { matchFields: [] }, { matchExpressions: [null, 'x'] }] } } } }, undefined],
    ['values that are not strings are ignored', affinity([null as unknown as object, arch('In', [5, 'arm64'] as string[])]), ['arm64']],
  ])('%s', (_name, spec, expected) => {
    expect(pinnedArchitectures(spec)).toEqual(expected);
  });
});

describe('scanning a manifest folder', () => {
  test('finds containers and init containers of every workload kind, in nested folders and multi-document files', () => {
    const dir = folder({
      'a.k8s.yaml': `kind: Pod
metadata: { name: p }
spec:
  nodeSelector: { kubernetes.io/arch: amd64 }
  initContainers: [{ name: init, image: busybox:1 }]
  containers: [{ name: main, image: app:1 }]
---
# an empty document and a non-workload
---
kind: Service
metadata: { name: svc }
spec: { ports: [{ port: 80 }] }
`,
      'sub/b.yml': `kind: Deployment
metadata: { name: d, namespace: web }
spec: { template: { spec: { containers: [{ name: c, image: app:2 }] } } }
---
kind: CronJob
metadata: { name: cj }
spec: { jobTemplate: { spec: { template: { spec: { nodeSelector: { kubernetes.io/arch: arm64 }, containers: [{ name: c, image: app:3 }] } } } } }
---
kind: List
items:
  - kind: DaemonSet
    metadata: { name: ds }
    spec: { template: { spec: { containers: [{ name: c, image: app:4 }] } } }
`,
      'notes.txt': 'kind: Pod',
      'c.yaml': `kind: PodList
items:
  - kind: Pod
    metadata: { name: listed }
    spec: { containers: [{ name: c, image: app:5 }, { name: no-image }, just-a-string, { image: app:6 }] }
---
spec: { template: { spec: { containers: [{ name: c, image: app:7 }] } } }
---
kind: Pod
metadata: { name: with-items }
items: [{ kind: Pod, metadata: { name: hidden }, spec: { containers: [{ name: c, image: app:8 }] } }]
spec: { containers: [{ name: c, image: app:9 }] }
`,
    });
    expect(scanManifests(dir)).toEqual([
      { image: 'busybox:1', workload: 'Pod p', container: 'init', file: 'a.k8s.yaml', pinnedTo: ['amd64'] },
      { image: 'app:1', workload: 'Pod p', container: 'main', file: 'a.k8s.yaml', pinnedTo: ['amd64'] },
      { image: 'app:5', workload: 'Pod listed', container: 'c', file: 'c.yaml', pinnedTo: undefined },
      { image: 'app:6', workload: 'Pod listed', container: '', file: 'c.yaml', pinnedTo: undefined },
      { image: 'app:7', workload: 'object (unnamed)', container: 'c', file: 'c.yaml', pinnedTo: undefined },
      { image: 'app:9', workload: 'Pod with-items', container: 'c', file: 'c.yaml', pinnedTo: undefined },
      { image: 'app:2', workload: 'Deployment web/d', container: 'c', file: join('sub', 'b.yml'), pinnedTo: undefined },
      { image: 'app:3', workload: 'CronJob cj', container: 'c', file: join('sub', 'b.yml'), pinnedTo: ['arm64'] },
      { image: 'app:4', workload: 'DaemonSet ds', container: 'c', file: join('sub', 'b.yml'), pinnedTo: undefined },
    ]);
  });

  test('a single file can be given', () => {
    const dir = folder({ 'job.yaml': 'kind: Job\nmetadata: { name: j }\nspec: { template: { spec: { containers: [{ name: c, image: x:1 }] } } }\n' });
    expect(scanManifests(join(dir, 'job.yaml')).map((u) => u.workload)).toEqual(['Job j']);
  });

  test.each([
    ['a missing folder', () => join(tmpdir(), 'no-such-preflight-folder'), /there is no folder .*no-such-preflight-folder. Run npm run synth first/],
    ['a folder without YAML', () => folder({ 'x.txt': '' }), /holds no \.yaml or \.yml files\. Run npm run synth first, or pass the folder that holds the manifests$/],
    ['YAML without workloads', () => folder({ 'cm.yaml': 'kind: ConfigMap\ndata: { a: b }\n' }), /found no workload with containers in .*\. Pass the folder with the Pod, Job, Deployment or CronJob manifests$/],
    ['broken YAML', () => folder({ 'bad.yaml': 'kind: Pod\nspec: [unclosed\n' }), /^bad\.yaml line \d+ is not valid YAML \([^\n]+\)\. Fix the file or regenerate it with npm run synth$/],
  ])('%s is a clear error', (_name, make, message) => {
    expect(() => scanManifests(make())).toThrow(message);
  });
});
