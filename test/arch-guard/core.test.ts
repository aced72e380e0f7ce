/**
 * The decision core's edges and the cache's time rules, where a registry adds nothing: terms that match no node,
 * a lookup that throws or never ends, LRU eviction, and the tag, digest and failure TTLs on a fixed clock.
 */
import { ImageResolver } from '../../lib/arch-guard/cache';
import { LookupResult, affinityPatch, decide, decideWith } from '../../lib/arch-guard/decide';
import { ArchGuardMetrics } from '../../lib/arch-guard/metrics';
import { ImageReference } from '../../lib/config/image-reference';
import { PreflightError } from '../../lib/preflight/errors';

const both: LookupResult = { ok: true, architectures: ['arm64', 'amd64'] };
const options = { clusterArchitectures: ['arm64', 'amd64'] as const, arm64Weight: 50 };
const arch = (values: string[]) => ({ key: 'kubernetes.io/arch', operator: 'In', values });
const spec = (extra: object = {}) => ({ containers: [{ name: 'a', image: 'app:1' }], ...extra });
const terms = (...list: object[]) => ({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: list } } } });

describe('the patch', () => {
  test('a term with neither expressions nor fields matches no node and stays so; the others get the expression', () => {
    expect(affinityPatch(spec(terms({}, { matchExpressions: [], matchFields: [] }, { matchExpressions: [{ key: 'zone', operator: 'Exists' }] })), ['arm64'])).toEqual([
      { op: 'add', path: '/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms/2/matchExpressions/-', value: arch(['arm64']) },
    ]);
  });

  test('an empty list of terms (the API refuses it) is replaced by one term', () => {
    expect(affinityPatch(spec(terms()), ['amd64'])).toEqual([
      { op: 'add', path: '/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution', value: { nodeSelectorTerms: [{ matchExpressions: [arch(['amd64'])] }] } },
    ]);
  });

  test('a cluster of one architecture: only it is allowed, and nothing is preferred', () => {
    const decision = decideWith(spec(), new Map([['app:1', both]]), { clusterArchitectures: ['amd64'] });
    expect(decision.summary).toBe('adds required kubernetes.io/arch In [amd64]');
    expect(decision.patch).toEqual([{ op: 'add', path: '/affinity', value: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [arch(['amd64'])] }] } } } }]);
  });

  test('a pod without containers or images is left alone', () => {
    expect(decideWith({}, new Map(), options)).toMatchObject({ outcome: 'no-images', patch: [], warnings: [] });
    expect(decideWith({ containers: [{ name: 'a' }] }, new Map(), options)).toMatchObject({ outcome: 'no-images', patch: [] });
  });
});

describe('lookups within the budget', () => {
  test('one cached image and one that never answers: unchanged after the budget, the slow one named', async () => {
    const started = Date.now();
    const decision = await decide(spec({ initContainers: [{ name: 'i', image: 'slow:1' }] }), (image) => (image === 'app:1' ? both : new Promise<LookupResult>(() => undefined)), { ...options, budgetMs: 150 });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(decision.outcome).toBe('lookup-failed');
    expect(decision.warnings).toEqual(['arch-guard: left unchanged, cannot read the platforms of slow:1: not read within the 150 ms budget']);
  });

  test('a lookup that throws, synchronously or not, is a failed lookup, not a crash', async () => {
    const sync = await decide(spec(), () => {
      throw new Error('boom');
    }, options);
    expect(sync.warnings).toEqual(['arch-guard: left unchanged, cannot read the platforms of app:1: boom']);
    const rejected = await decide(spec(), () => Promise.reject(new Error('later')), options);
    expect(rejected.warnings).toEqual(['arch-guard: left unchanged, cannot read the platforms of app:1: later']);
  });
});

describe('the image cache', () => {
  let now = 1_000_000;
  const asked: string[] = [];
  let fail = false;
  const metrics = new ArchGuardMetrics([]);
  const resolver = new ImageResolver({
    metrics,
    now: () => now,
    maxEntries: 3,
    inspect: async (reference: ImageReference) => {
      asked.push(`${reference.repository}:${reference.tag ?? ''}@${reference.digest ?? ''}`);
      if (fail) throw new PreflightError('registry down', 'retry');
      return { entries: [{ platform: { os: 'linux', architecture: 'arm64' }, digest: 'sha256:x', size: 1 }] };
    },
  });
  const digest = `sha256:${'1'.repeat(64)}`;

  test('busybox, busybox:latest and docker.io/library/busybox:latest are one entry; an invalid reference is a failed lookup', async () => {
    await resolver.resolve('busybox');
    expect(resolver.resolve('busybox:latest')).toEqual({ ok: true, architectures: ['arm64'] });
    expect(resolver.resolve('docker.io/library/busybox:latest')).toEqual({ ok: true, architectures: ['arm64'] });
    expect(asked).toEqual(['library/busybox:@']);
    expect(resolver.resolve('Not/Valid')).toEqual({ ok: false, error: '"Not/Valid" is not a valid image reference: the repository must be lower-case letters, digits and separators (for example "group/image")' });
  });

  test('a tag is asked again after 5 minutes, a digest only after 24 hours', async () => {
    asked.length = 0;
    await resolver.resolve(`app@${digest}`);
    now += 5 * 60_000 + 1;
    await resolver.resolve('busybox');
    await resolver.resolve(`app@${digest}`);
    expect(asked).toEqual([`library/app:@${digest}`, 'library/busybox:@']);
    now += 24 * 3_600_000;
    await resolver.resolve(`app@${digest}`);
    expect(asked).toHaveLength(3);
  });

  test('a failure is remembered for 10 seconds', async () => {
    asked.length = 0;
    fail = true;
    expect(await resolver.resolve('down:1')).toEqual({ ok: false, error: 'registry down' });
    now += 9_000;
    expect(resolver.resolve('down:1')).toEqual({ ok: false, error: 'registry down' });
    fail = false;
    now += 1_001;
    expect(await resolver.resolve('down:1')).toEqual({ ok: true, architectures: ['arm64'] });
    expect(asked).toEqual(['library/down:1@', 'library/down:1@']);
  });

  test('beyond maxEntries the least recently used image goes first', async () => {
    asked.length = 0;
    for (const image of ['a:1', 'b:1', 'c:1']) await resolver.resolve(image);
    resolver.resolve('a:1');
    await resolver.resolve('d:1');
    expect(resolver.size).toBe(3);
    resolver.resolve('a:1');
    await resolver.resolve('b:1');
    expect(asked).toEqual(['library/a:1@', 'library/b:1@', 'library/c:1@', 'library/d:1@', 'library/b:1@']);
  });
});
