import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isRecord, misplacedPodFields, podSpecPath, podSpecPointer, yamlFilesUnder } from '../../lib/manifests/pod-spec';
import { removeTempDirs, tempDir } from '../preflight/helpers';

afterAll(removeTempDirs);

const ALL_POD_FIELDS = {
  nodeSelector: {}, restartPolicy: 'Never', imagePullSecrets: [], tolerations: [], affinity: {}, containers: [],
  initContainers: [], serviceAccountName: 'a', automountServiceAccountToken: false, hostNetwork: false, volumes: [],
};

test('knows where each built-in workload kind keeps its pod spec', () => {
  expect(['Pod', 'PodTemplate', 'CronJob', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job', 'ConfigMap'].map(podSpecPointerOrNone)).toEqual([
    '/spec', '/template/spec', '/spec/jobTemplate/spec/template/spec', '/spec/template/spec', '/spec/template/spec', '/spec/template/spec',
    '/spec/template/spec', '/spec/template/spec', '/spec/template/spec', 'none',
  ]);
  expect(podSpecPath('Job')).toEqual(['spec', 'template', 'spec']);
  expect(() => podSpecPointer('Service')).toThrow(/^a Service has no pod spec$/);
});

function podSpecPointerOrNone(kind: string): string {
  return podSpecPath(kind) ? podSpecPointer(kind) : 'none';
}

describe('misplacedPodFields (the article\'s mistake: pod-spec fields one level off)', () => {
  test('finds every pod-spec field one level up, with where it belongs', () => {
    expect(misplacedPodFields({ kind: 'Job', spec: { ...ALL_POD_FIELDS, template: { spec: { containers: [] } } } })).toEqual(
      Object.keys(ALL_POD_FIELDS).map((field) => `spec.${field} (belongs in spec.template.spec)`));
  });

  test('looks at every level between the object and its pod spec', () => {
    expect(misplacedPodFields({
      kind: 'CronJob',
      spec: { nodeSelector: {}, jobTemplate: { restartPolicy: 'Never', spec: { tolerations: [], template: { affinity: {}, spec: { containers: [] } } } } },
    })).toEqual([
      'spec.nodeSelector (belongs in spec.jobTemplate.spec.template.spec)',
      'spec.jobTemplate.restartPolicy (belongs in spec.jobTemplate.spec.template.spec)',
      'spec.jobTemplate.spec.tolerations (belongs in spec.jobTemplate.spec.template.spec)',
      'spec.jobTemplate.spec.template.affinity (belongs in spec.jobTemplate.spec.template.spec)',
    ]);
  });

  test('finds pod-spec fields written into a container or an init container', () => {
    expect(misplacedPodFields({
      kind: 'Pod',
      spec: { containers: [{ name: 'a' }, { name: 'b', nodeSelector: {}, hostNetwork: true }], initContainers: [{ name: 'i', restartPolicy: 'Always' }] },
    })).toEqual([
      'spec.containers[1].nodeSelector (belongs in spec)',
      'spec.containers[1].hostNetwork (belongs in spec)',
      'spec.initContainers[0].restartPolicy (belongs in spec)',
    ]);
  });

  test('finds nothing in a correct Job, in kinds without a pod spec, or where the shape is not a pod spec at all', () => {
    expect(misplacedPodFields({ kind: 'Job', spec: { template: { spec: { ...ALL_POD_FIELDS, containers: [{ name: 'a', image: 'b' }] } } } })).toEqual([]);
    expect(misplacedPodFields({ kind: 'ConfigMap', data: { nodeSelector: 'x' } })).toEqual([]);
    expect(misplacedPodFields({ nodeSelector: {}, spec: { nodeSelector: {} } })).toEqual([]);
    expect(misplacedPodFields({ kind: 7, spec: { nodeSelector: {} } })).toEqual([]);
    expect(misplacedPodFields({ kind: 'Job', spec: 'text' })).toEqual([]);
    expect(misplacedPodFields({ kind: 'Pod', spec: { containers: 'a', initContainers: ['a', null, { name: 'x' }] } })).toEqual([]);
  });
});

test('yamlFilesUnder lists the YAML files below a folder, sorted and recursively, or the file itself', () => {
  const dir = tempDir('pod-spec-yaml-');
  mkdirSync(join(dir, 'b-sub'));
  for (const file of ['c.yaml', 'a.YML', 'notes.txt', 'yaml', 'b-sub/d.yml']) writeFileSync(join(dir, file), '');
  expect(yamlFilesUnder(dir)).toEqual([join(dir, 'a.YML'), join(dir, 'b-sub', 'd.yml'), join(dir, 'c.yaml')]);
  expect(yamlFilesUnder(join(dir, 'notes.txt'))).toEqual([join(dir, 'notes.txt')]);
  expect(() => yamlFilesUnder(join(dir, 'missing'))).toThrow(/ENOENT/);
});

test('isRecord is true for plain objects only', () => {
  expect([{}, { a: 1 }, [], null, undefined, 'a', 1].map(isRecord)).toEqual([true, true, false, false, false, false, false]);
});
