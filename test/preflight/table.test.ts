import { checkCoverage } from '../../lib/preflight/coverage';
import { ImageInspection } from '../../lib/preflight/platforms';
import { formatSize, renderColumns, renderCoverage, renderInspection, shortDigest } from '../../lib/preflight/table';

const d = (c: string) => `sha256:${c.repeat(64)}`;

const busybox: ImageInspection = {
  reference: { registry: 'docker.io', repository: 'library/busybox', tag: '1.37.0', original: 'busybox:1.37.0' },
  fetched: '1.37.0',
  kind: 'oci-index',
  digest: d('a'),
  entries: [
    { platform: { os: 'linux', architecture: 'amd64' }, digest: d('1'), size: 610 },
    { platform: { os: 'linux', architecture: 'arm64', variant: 'v8' }, digest: d('2'), size: 610 },
    { platform: { os: 'unknown', architecture: 'unknown' }, digest: d('3'), size: 566, ignored: 'attestation' },
  ],
};

describe('table rendering', () => {
  test('an index renders as header and aligned platform table, attestations marked', () => {
    expect(renderInspection(busybox)).toEqual([
      `docker.io/library/busybox:1.37.0  (OCI image index, ${d('a')})`,
      '  PLATFORM         DIGEST               SIZE',
      '  linux/amd64      sha256:111111111111  610 B',
      '  linux/arm64/v8   sha256:222222222222  610 B',
      '  unknown/unknown  sha256:333333333333  566 B  attestation (ignored)',
    ]);
  });

  test('verdict: OK lists who needs each architecture', () => {
    const result = checkCoverage(busybox, [
      { arch: 'arm64', neededBy: 'node group graviton' },
      { arch: 'amd64', neededBy: 'node group x86' },
    ]);
    expect(renderCoverage(result)).toEqual(['OK: covers arm64 (node group graviton), amd64 (node group x86)']);
  });

  test('verdict: one MISSING line per architecture, deduplicated needers, and the fix', () => {
    const amd64Only = { entries: busybox.entries.filter((e) => e.platform?.architecture !== 'arm64') };
    const result = checkCoverage(amd64Only, [
      { arch: 'arm64', neededBy: 'node group graviton' },
      { arch: 'arm64', neededBy: 'Job default/a [jobs.yaml, pinned to arm64]' },
      { arch: 'arm64', neededBy: 'node group graviton' },
      { arch: 'amd64', neededBy: 'node group x86' },
    ]);
    expect(renderCoverage(result)).toEqual([
      'MISSING arm64: needed by node group graviton, Job default/a [jobs.yaml, pinned to arm64]; the image has linux/amd64 only',
      '  Fix: build and push every platform, e.g. docker buildx build --platform linux/amd64,linux/arm64 --push ...',
    ]);
  });

  test('an image with no node platform at all says so', () => {
    const result = checkCoverage({ entries: [{ platform: { os: 'linux', architecture: 's390x' }, digest: d('4'), size: 1 }] }, [{ arch: 'amd64', neededBy: '--arch' }]);
    expect(renderCoverage(result)[0]).toBe('MISSING amd64: needed by --arch; the image has no linux/arm64 or linux/amd64 platform');
  });

  test('sizes, digests and columns', () => {
    expect(formatSize(0)).toBe('0 B');
    expect(formatSize(1023)).toBe('1023 B');
    expect(formatSize(1536)).toBe('1.5 KiB');
    expect(formatSize(31.5 * 1024 * 1024)).toBe('31.5 MiB');
    expect(formatSize(3 * 1024 ** 3)).toBe('3.0 GiB');
    expect(formatSize(1024)).toBe('1.0 KiB');
    expect(formatSize(1024 ** 2 - 1)).toBe('1024.0 KiB');
    expect(formatSize(1024 ** 2)).toBe('1.0 MiB');
    expect(formatSize(2 * 1024 ** 4)).toBe('2.0 TiB');
    expect(formatSize(3 * 1024 ** 5)).toBe('3072.0 TiB');
    expect(shortDigest(d('f'))).toBe('sha256:ffffffffffff');
    expect(shortDigest('weird')).toBe('weird');
    expect(renderColumns([['a', 'bb', ''], ['ccc', 'd', '']], '> ')).toEqual(['> a    bb', '> ccc  d']);
  });
});
