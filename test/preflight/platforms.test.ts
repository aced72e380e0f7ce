import { coveredArchitectures, formatPlatform, nodeArchitectureOf, PlatformEntry } from '../../lib/preflight/platforms';

const entry = (os: string, architecture: string, variant?: string, ignored?: PlatformEntry['ignored']): PlatformEntry => ({
  platform: { os, architecture, variant },
  digest: 'sha256:0',
  size: 1,
  ignored,
});

describe('which entries serve which node architecture', () => {
  test.each([
    [entry('linux', 'arm64'), 'arm64'],
    [entry('linux', 'arm64', 'v8'), 'arm64'],
    [entry('linux', 'aarch64'), 'arm64'],
    [entry('linux', 'amd64'), 'amd64'],
    [entry('linux', 'x86_64'), 'amd64'],
    [entry('linux', 'arm', 'v7'), undefined],
    [entry('linux', 's390x'), undefined],
    [entry('windows', 'amd64', undefined, 'not-linux'), undefined],
    [entry('linux', 'arm64', 'v9', 'variant'), undefined],
    [entry('unknown', 'unknown', undefined, 'attestation'), undefined],
  ])('%j -> %s', (e, arch) => {
    expect(nodeArchitectureOf(e)).toBe(arch);
  });

  test('an entry without a platform serves nothing', () => {
    expect(nodeArchitectureOf({ digest: 'sha256:0', size: 1, ignored: 'no-platform' })).toBeUndefined();
    expect(formatPlatform(undefined)).toBe('-');
  });

  test('covered architectures are deduplicated in entry order', () => {
    expect(coveredArchitectures({ entries: [entry('linux', 'arm64'), entry('linux', 'amd64'), entry('linux', 'arm64', 'v8')] })).toEqual(['arm64', 'amd64']);
  });
});
