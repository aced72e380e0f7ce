import { formatImageReference, parseImageReference } from '../../lib/config/image-reference';
import { isLoopbackHost } from '../../lib/preflight/registry-client';

const HEX = 'a'.repeat(64);

describe('image references as the preflight reads them', () => {
  test.each([
    ['busybox', 'docker.io', 'library/busybox', undefined, undefined],
    ['busybox:1.37.0', 'docker.io', 'library/busybox', '1.37.0', undefined],
    ['arm64v8/busybox:1.37.0', 'docker.io', 'arm64v8/busybox', '1.37.0', undefined],
    ['docker.io/busybox', 'docker.io', 'library/busybox', undefined, undefined],
    ['index.docker.io/library/busybox:1', 'docker.io', 'library/busybox', '1', undefined],
    ['registry-1.docker.io/library/busybox:1', 'docker.io', 'library/busybox', '1', undefined],
    ['localhost/app', 'localhost', 'app', undefined, undefined],
    ['localhost:5000/app:dev', 'localhost:5000', 'app', 'dev', undefined],
    ['127.0.0.1:5000/group/sub/app:1.0', '127.0.0.1:5000', 'group/sub/app', '1.0', undefined],
    ['[::1]:5000/app:1', '[::1]:5000', 'app', '1', undefined],
    [`app@sha256:${HEX}`, 'docker.io', 'library/app', undefined, `sha256:${HEX}`],
    [`registry.gitlab.com/g/p/img:0.1.0@sha256:${HEX}`, 'registry.gitlab.com', 'g/p/img', '0.1.0', `sha256:${HEX}`],
    ['123456789012.dkr.ecr.eu-west-1.amazonaws.com/print-platform-info:abc', '123456789012.dkr.ecr.eu-west-1.amazonaws.com', 'print-platform-info', 'abc', undefined],
  ])('%s', (text, registry, repository, tag, digest) => {
    expect(parseImageReference(text)).toEqual({ registry, repository, tag, digest, original: text });
  });

  test('a port is not a tag, and the canonical form round-trips', () => {
    const ref = parseImageReference('localhost:5000/app');
    expect(ref.tag).toBeUndefined();
    expect(formatImageReference(ref)).toBe('localhost:5000/app');
    expect(formatImageReference(parseImageReference('busybox:1'))).toBe('docker.io/library/busybox:1');
  });

  test.each([
    ['', /empty/],
    ['Busybox', /lower-case/],
    ['busybox@sha256:123', /digest/],
    ['busybox:bad tag', /whitespace/],
    ['busybox:-bad', /tag/],
  ])('rejects %j', (text, reason) => {
    expect(() => parseImageReference(text)).toThrow(reason);
  });
});

describe('--plain-http reaches loopback registries only', () => {
  test.each([
    ['localhost:5000', true], ['127.0.0.1:38643', true], ['[::1]:5000', true], ['localhost', true],
    ['docker.io', false], ['registry.gitlab.com', false], ['10.0.0.5:5000', false], ['127.example.com', false],
  ])('%s -> %s', (registry, loopback) => {
    expect(isLoopbackHost(registry)).toBe(loopback);
  });
});
