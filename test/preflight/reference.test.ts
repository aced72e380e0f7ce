import { ImageReferenceError, formatImageReference, isEcrRegistry, isPublicRegistry, parseImageReference } from '../../lib/config/image-reference';
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

describe('image reference grammar, matched whole', () => {
  const repositoryError = 'the repository must be lower-case letters, digits and separators (for example "group/image")';
  const reasonOf = (text: string) => {
    try {
      parseImageReference(text);
      return 'valid';
    } catch (error) {
      expect(error).toBeInstanceOf(ImageReferenceError);
      expect((error as Error).name).toBe('ImageReferenceError');
      return (error as ImageReferenceError).reason;
    }
  };

  test('repository components: one of . _ __ or dashes between letters and digits', () => {
    expect(['a.b', 'a_b', 'a__b', 'a-b', 'a---b', 'a0/b1'].map(reasonOf)).toEqual(Array(6).fill('valid'));
    expect(['a___b', 'a..b', 'a._b', '-a', 'a-', '_a', 'a/', '/a'].map(reasonOf)).toEqual(Array(8).fill(repositoryError));
  });

  test('tags: a word character, then up to 127 of word characters, . and -', () => {
    expect(['a:v1.0-rc_1', `a:${'t'.repeat(128)}`, 'a:_x'].map(reasonOf)).toEqual(['valid', 'valid', 'valid']);
    expect(['a:.x', `a:${'t'.repeat(129)}`, 'a:x!'].map(reasonOf)).toEqual(['the tag ".x" is not a valid tag', `the tag "${'t'.repeat(129)}" is not a valid tag`, 'the tag "x!" is not a valid tag']);
  });

  test('digests: sha256 with 64 or sha512 with 128 lower-case hex digits, nothing around them', () => {
    expect([`a@sha256:${HEX}`, `a@sha512:${'b'.repeat(128)}`].map(reasonOf)).toEqual(['valid', 'valid']);
    const bad = [`xsha256:${HEX}`, `sha256:${HEX}0`, `sha256:${HEX.slice(1)}`, `sha256:${HEX.toUpperCase()}`, `sha512:${HEX}`, `sha256:${'b'.repeat(128)}`];
    expect(bad.map((digest) => reasonOf(`a@${digest}`))).toEqual(bad.map((digest) => `the digest "${digest}" is not sha256:<64 hex digits>`));
    expect(parseImageReference(`app@sha256:${HEX}`)).toMatchObject({ repository: 'library/app', digest: `sha256:${HEX}` });
  });

  test('registries: host names with an optional port, IPv6 in brackets; Docker Hub\'s other names', () => {
    expect(['my-registry.example.com/a', 'r.example.com:5000/a', '[::1]:5000/a', 'localhost/a', 'a1.b2-c.d/a'].map((t) => parseImageReference(t).registry))
      .toEqual(['my-registry.example.com', 'r.example.com:5000', '[::1]:5000', 'localhost', 'a1.b2-c.d']);
    expect(['-bad.example.com/a', 'bad-.example.com/a', 'bad_host.example.com/a', 'r.example.com:port/a', '[::1/a'].map(reasonOf))
      .toEqual(['-bad.example.com', 'bad-.example.com', 'bad_host.example.com', 'r.example.com:port', '[::1'].map((r) => `the registry "${r}" is not a host name`));
    expect(['registry-1.docker.io/x/y', 'index.docker.io/y'].map((t) => formatImageReference(parseImageReference(t)))).toEqual(['docker.io/x/y', 'docker.io/library/y']);
    // A first component without a dot, a port or localhost is part of the repository, even alone.
    expect(parseImageReference('team/app')).toMatchObject({ registry: 'docker.io', repository: 'team/app' });
    expect(parseImageReference('  busybox:1  ')).toMatchObject({ repository: 'library/busybox', tag: '1', original: '  busybox:1  ' });
  });

  test('which registries are ECR (pulled with the node role) and which are public', () => {
    expect(['123456789012.dkr.ecr.eu-west-1.amazonaws.com', '123456789012.dkr.ecr-fips.us-east-1.amazonaws.com', '123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn']
      .map(isEcrRegistry)).toEqual([true, true, true]);
    expect(['x123456789012.dkr.ecr.eu-west-1.amazonaws.com', '123456789012.dkr.ecr.eu-west-1.amazonaws.com.evil.example', '12345678901.dkr.ecr.eu-west-1.amazonaws.com', 'public.ecr.aws']
      .map(isEcrRegistry)).toEqual([false, false, false, false]);
    expect(['docker.io', 'public.ecr.aws', 'ghcr.io', 'public.ecr.aws.example'].map(isPublicRegistry)).toEqual([true, true, false, false]);
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
