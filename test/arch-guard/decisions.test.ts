/**
 * arch-guard end to end: the server started as `npm run arch-guard` starts it (test certificate from openssl),
 * images pushed to the real CNCF registry, AdmissionReviews built from real pod shapes (our own dist/ objects, a
 * Deployment's pod, a DaemonSet's pod with its matchFields affinity, pods with affinities and selectors), each
 * patch applied with fast-json-patch and every result validated against the Kubernetes Pod schema.
 */
import { Operation } from 'fast-json-patch';
import { workloadManifests } from '../../k8s/app';
import { ImagePusher, TestRegistry, startRegistry } from '../support/registry';
import { resolveWith } from '../support/config';
import { Json, TestServer, applied, patchOf, pod, podFromTemplate, readMetrics, startTestServer, validatePods } from './helpers';

let registry: TestRegistry;
let server: TestServer;
let host: string;
const patchedPods: Json[] = [];

beforeAll(async () => {
  registry = await startRegistry();
  host = registry.host;
  const push = new ImagePusher(registry);
  await Promise.all([
    push.multiArch('multi', '1', ['linux/arm64', 'linux/amd64']),
    push.multiArch('amd64only', '1', ['linux/amd64']),
    push.multiArch('arm64only', '1', ['linux/arm64/v8']),
    push.multiArch('attested', '1', ['linux/amd64', 'linux/arm64'], { attestations: true }),
    push.multiArch('dockerlist', '1', ['linux/amd64', 'linux/arm64'], { format: 'docker' }),
    push.image('single', '1', 'linux/arm64'),
    // amd64/v3 is not what amd64 nodes pull by default (check-image ignores non-baseline variants).
    push.multiArch('variant', '1', ['linux/amd64/v3', 'linux/arm64']),
    push.multiArch('windows', '1', ['windows/amd64']),
    push.multiArch('print-platform-info', '0.1.0', ['linux/arm64', 'linux/amd64']),
    push.multiArch('busybox', '1.37.0', ['linux/arm64']),
  ]);
  server = await startTestServer(['--plain-http', '--arch', 'arm64,amd64']);
});

afterAll(async () => {
  await server?.stop();
  await registry?.stop();
});

const ARCH = 'kubernetes.io/arch';
const required = (values: string[]) => ({ key: ARCH, operator: 'In', values });
const preferArm = { weight: 50, preference: { matchExpressions: [required(['arm64'])] } };

/** Reviews a pod, applies its patch, keeps the result for the schema check; returns patch, pod and warnings. */
async function admit(podObject: Json): Promise<{ ops: Operation[]; result: Json; warnings: string[] | undefined }> {
  const response = await server.review(podObject);
  expect(response.allowed).toBe(true);
  const ops = patchOf(response);
  const result = applied(podObject, ops);
  patchedPods.push(result);
  return { ops, result, warnings: response.warnings };
}

const nodeAffinityOf = (p: Json) => ((p.spec as Json).affinity as Json | undefined)?.nodeAffinity;

describe('one image: the architectures its index or manifest covers', () => {
  test.each([
    ['an OCI index for arm64 and amd64', 'multi:1', ['arm64', 'amd64'], true],
    ['an index with amd64 only', 'amd64only:1', ['amd64'], false],
    ['an index with arm64/v8 only', 'arm64only:1', ['arm64'], false],
    ['an index with buildx attestation entries (unknown/unknown, ignored)', 'attested:1', ['arm64', 'amd64'], true],
    ['a Docker manifest list', 'dockerlist:1', ['arm64', 'amd64'], true],
    ['a single-platform manifest (platform from its config)', 'single:1', ['arm64'], false],
    ['an index whose amd64 entry is the v3 variant only', 'variant:1', ['arm64'], false],
  ])('%s: required kubernetes.io/arch In the covered ones', async (_label, image, archs, prefers) => {
    const { ops, result, warnings } = await admit(pod('web', { web: `${host}/${image}` }));
    expect(warnings).toBeUndefined();
    const nodeAffinity = {
      requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [required(archs as string[])] }] },
      ...(prefers ? { preferredDuringSchedulingIgnoredDuringExecution: [preferArm] } : {}),
    };
    expect(ops).toEqual([{ op: 'add', path: '/spec/affinity', value: { nodeAffinity } }]);
    expect(nodeAffinityOf(result)).toEqual(nodeAffinity);
  });

  test('an image with no linux platform: no architecture fits, admitted unchanged with a warning that says why', async () => {
    const { ops, warnings } = await admit(pod('win', { app: `${host}/windows:1` }));
    expect(ops).toEqual([]);
    expect(warnings).toEqual([`arch-guard: left unchanged, no node architecture (arm64, amd64) is in every image: ${host}/windows:1 has none of them`]);
  });
});

describe('several images: the intersection over containers and init containers', () => {
  test('a multi-arch container and an amd64-only sidecar: amd64 only, no arm64 preference', async () => {
    const { result } = await admit(pod('two', { app: `${host}/multi:1`, sidecar: `${host}/amd64only:1` }));
    expect(nodeAffinityOf(result)).toEqual({ requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [required(['amd64'])] }] } });
  });

  test('an init container counts: an arm64-only init container and an amd64-only app share nothing, so unchanged with a warning', async () => {
    const { ops, warnings } = await admit(pod('init', { app: `${host}/amd64only:1` }, { initContainers: [{ name: 'setup', image: `${host}/arm64only:1` }] }));
    expect(ops).toEqual([]);
    expect(warnings).toEqual([
      `arch-guard: left unchanged, no node architecture (arm64, amd64) is in every image: ${host}/arm64only:1 has linux/arm64; ${host}/amd64only:1 has linux/amd64`,
    ]);
  });

  test('an ephemeral container does not count (it joins a running pod, never at creation)', async () => {
    const { result } = await admit(pod('debug', { app: `${host}/multi:1` }, { ephemeralContainers: [{ name: 'debugger', image: `${host}/amd64only:1` }] }));
    expect((nodeAffinityOf(result) as Json).requiredDuringSchedulingIgnoredDuringExecution).toEqual({ nodeSelectorTerms: [{ matchExpressions: [required(['arm64', 'amd64'])] }] });
  });

  test('one image in two containers is looked up once and named with both', async () => {
    const { result } = await admit(pod('same', { a: `${host}/arm64only:1`, b: `${host}/arm64only:1` }));
    expect(nodeAffinityOf(result)).toEqual({ requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [required(['arm64'])] }] } });
  });
});

describe('pods that constrain kubernetes.io/arch themselves are left as they are', () => {
  test('nodeSelector arm64 with an amd64-only image: unchanged, with a warning naming the image and the architecture', async () => {
    const { ops, warnings } = await admit(pod('pinned', { app: `${host}/amd64only:1` }, { nodeSelector: { [ARCH]: 'arm64' } }));
    expect(ops).toEqual([]);
    expect(warnings).toEqual([`arch-guard: ${host}/amd64only:1 has no linux/arm64 (it has linux/amd64 only), but this pod may run on arm64 nodes (exec format error there)`]);
  });

  test('nodeSelector amd64 with an amd64-only image: unchanged, no warning', async () => {
    const { ops, warnings } = await admit(pod('fine', { app: `${host}/amd64only:1` }, { nodeSelector: { [ARCH]: 'amd64' } }));
    expect(ops).toEqual([]);
    expect(warnings).toBeUndefined();
  });

  test('a required affinity allowing both, with an arm64-only image: unchanged, warned about amd64', async () => {
    const affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [required(['arm64', 'amd64'])] }] } } };
    const { ops, warnings } = await admit(pod('both', { app: `${host}/arm64only:1` }, { affinity }));
    expect(ops).toEqual([]);
    expect(warnings).toEqual([`arch-guard: ${host}/arm64only:1 has no linux/amd64 (it has linux/arm64 only), but this pod may run on amd64 nodes (exec format error there)`]);
  });
});

describe('existing affinities: the requirement is ANDed into every term, preferences appended', () => {
  test('a Deployment\'s pod with zone terms (ORed) and a preferred term of its own', async () => {
    const deployment: Json = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'shop' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            containers: [{ name: 'web', image: `${host}/multi:1`, ports: [{ containerPort: 8080 }] }],
            affinity: {
              nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: {
                  nodeSelectorTerms: [
                    { matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['eu-west-1a'] }] },
                    { matchExpressions: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['m7g.large', 'm7i.large'] }] },
                  ],
                },
                preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, preference: { matchExpressions: [{ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] }] } }],
              },
              podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'web' } } } }] },
            },
          },
        },
      },
    };
    const podObject = podFromTemplate(deployment, (deployment.spec as Json).template as Json);
    const { ops, result } = await admit(podObject);
    const base = '/spec/affinity/nodeAffinity';
    expect(ops).toEqual([
      { op: 'add', path: `${base}/requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms/0/matchExpressions/-`, value: required(['arm64', 'amd64']) },
      { op: 'add', path: `${base}/requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms/1/matchExpressions/-`, value: required(['arm64', 'amd64']) },
      { op: 'add', path: `${base}/preferredDuringSchedulingIgnoredDuringExecution/-`, value: preferArm },
    ]);
    const terms = ((nodeAffinityOf(result) as Json).requiredDuringSchedulingIgnoredDuringExecution as Json).nodeSelectorTerms as Json[];
    expect(terms.map((t) => (t.matchExpressions as Json[]).map((e) => e.key))).toEqual([
      ['topology.kubernetes.io/zone', ARCH],
      ['node.kubernetes.io/instance-type', ARCH],
    ]);
    expect(((result.spec as Json).affinity as Json).podAntiAffinity).toEqual(((podObject.spec as Json).affinity as Json).podAntiAffinity);
  });

  test('a DaemonSet\'s pod: the controller\'s matchFields term gets the expression beside it', async () => {
    const daemonSet: Json = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'node-agent', namespace: 'monitoring' },
      spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'agent', image: `${host}/amd64only:1` }] } } },
    };
    // What the DaemonSet controller adds to every pod: the node it is for, by name.
    const podObject = podFromTemplate(daemonSet, (daemonSet.spec as Json).template as Json, (spec) => ({
      ...spec,
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['ip-10-0-1-23.eu-west-1.compute.internal'] }] }] } } },
      tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' }],
    }));
    const { ops, result } = await admit(podObject);
    expect(ops).toEqual([{ op: 'add', path: '/spec/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms/0/matchExpressions', value: [required(['amd64'])] }]);
    expect(((nodeAffinityOf(result) as Json).requiredDuringSchedulingIgnoredDuringExecution as Json).nodeSelectorTerms).toEqual([{
      matchFields: [{ key: 'metadata.name', operator: 'In', values: ['ip-10-0-1-23.eu-west-1.compute.internal'] }],
      matchExpressions: [required(['amd64'])],
    }]);
  });

  test('podAffinity only (no nodeAffinity): nodeAffinity added beside it', async () => {
    const podAffinity = { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'cache' } } }] };
    const { ops } = await admit(pod('near-cache', { app: `${host}/multi:1` }, { affinity: { podAffinity } }));
    expect(ops).toEqual([{ op: 'add', path: '/spec/affinity/nodeAffinity', value: {
      requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [required(['arm64', 'amd64'])] }] },
      preferredDuringSchedulingIgnoredDuringExecution: [preferArm],
    } }]);
  });

  test('only a preferred node affinity on the arch label: the requirement is added, the pod\'s own preference is the only one', async () => {
    const preferAmd = [{ weight: 80, preference: { matchExpressions: [required(['amd64'])] } }];
    const { ops } = await admit(pod('likes-x86', { app: `${host}/multi:1` }, { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: preferAmd } } }));
    expect(ops).toEqual([{ op: 'add', path: '/spec/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution', value: { nodeSelectorTerms: [{ matchExpressions: [required(['arm64', 'amd64'])] }] } }]);
  });
});

describe('our own workloads (the k8s app\'s objects, images in the local registry)', () => {
  test('busybox and the pinned print-platform-info Jobs are left as they are; the unpinned Job is placed, arm64 first', async () => {
    const config = resolveWith({ printPlatformInfoImage: `${host}/print-platform-info:0.1.0`, busyboxImage: `${host}/busybox:1.37.0` });
    const objects = workloadManifests(config).workloads.flatMap((w) => w.objects as Json[]);
    const outcomes: Record<string, unknown> = {};
    for (const object of objects) {
      const podObject = object.kind === 'Pod' ? object : podFromTemplate(object, ((object.spec as Json).template as Json));
      const { ops, warnings } = await admit(podObject);
      outcomes[String((object.metadata as Json).name).replace(/-[0-9a-f]{10}$/, '')] = warnings ?? ops.map((o) => o.path);
    }
    expect(outcomes).toEqual({
      busybox: [],
      'print-platform-info-arm64': [],
      'print-platform-info-amd64': [],
      'print-platform-info-any': ['/spec/affinity'],
    });
  });
});

test('non-Pod and non-CREATE requests are admitted untouched', async () => {
  const update = await server.review(pod('x', { app: `${host}/multi:1` }), { operation: 'UPDATE' });
  expect(update).toEqual({ uid: expect.any(String), allowed: true });
  const binding = await server.review(pod('x', { app: `${host}/multi:1` }), { subResource: 'binding' });
  expect(binding).toEqual({ uid: expect.any(String), allowed: true });
  const deployment = await server.review({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: {} }, { kind: { group: 'apps', version: 'v1', kind: 'Deployment' } });
  expect(deployment).toEqual({ uid: expect.any(String), allowed: true });
});

test('the response echoes the request uid', async () => {
  const review = { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'abc-123', operation: 'CREATE', kind: { group: '', version: 'v1', kind: 'Pod' }, object: pod('u', { a: `${host}/multi:1` }) } };
  const answer = await server.post(review);
  expect((answer.json?.response as Json).uid).toBe('abc-123');
});

test('every decision is one JSON log line naming the pod, outcome, images and what was done', () => {
  const line = server.logs().find((l) => l.pod === 'shop/web-*');
  expect(line).toEqual({
    time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    level: 'info',
    msg: 'pod admitted',
    uid: expect.any(String),
    pod: 'shop/web-*',
    outcome: 'mutated',
    allowed: ['arm64', 'amd64'],
    images: [{ image: `${host}/multi:1`, architectures: ['arm64', 'amd64'] }],
    summary: 'adds required kubernetes.io/arch In [arm64, amd64], prefers arm64 (weight 50)',
  });
  expect(server.logs().find((l) => l.pod === 'default/pinned')).toMatchObject({ level: 'warn', outcome: 'pinned-mismatch' });
});

test('metrics count decisions by outcome, registry lookups and cache hits', async () => {
  await readMetrics(server);
  expect(server.metric('arch_guard_decisions_total{outcome="mutated"}')).toBeGreaterThanOrEqual(15);
  expect(server.metric('arch_guard_decisions_total{outcome="pinned"}')).toBe(4);
  expect(server.metric('arch_guard_decisions_total{outcome="pinned-mismatch"}')).toBe(2);
  expect(server.metric('arch_guard_decisions_total{outcome="no-common-architecture"}')).toBe(2);
  expect(server.metric('arch_guard_decisions_total{outcome="ignored"}')).toBe(3);
  // Ten images pushed, each read from the registry once; every later use is a cache hit.
  expect(server.metric('arch_guard_registry_lookups_total{result="ok"}')).toBe(10);
  expect(server.metric('arch_guard_registry_lookups_total{result="error"}')).toBe(0);
  expect(server.metric('arch_guard_cache_misses_total')).toBe(10);
  expect(server.metric('arch_guard_cache_hits_total')).toBeGreaterThanOrEqual(15);
  expect(server.metric('arch_guard_review_duration_seconds_count')).toBeGreaterThanOrEqual(25);
});

test('every patched pod is a valid Pod (Kubernetes OpenAPI schema)', () => {
  expect(patchedPods.length).toBeGreaterThanOrEqual(20);
  const result = validatePods(patchedPods);
  expect(result.stderr).toBe('');
  expect(result.stdout).toMatch(/all objects are valid/);
  expect(result.status).toBe(0);
});
