import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCredentialLookup, dockerConfigDir, normalizeRegistryHost, usesCredentialHelper } from '../../lib/preflight/credentials';
import { SecretScrubber } from '../../lib/preflight/redact';
import { parseAuthChallenge } from '../../lib/preflight/www-authenticate';
import { removeTempDirs, tempDir } from './helpers';

afterAll(removeTempDirs);

function dockerConfig(content: string): string {
  const dir = tempDir('preflight-docker-');
  writeFileSync(join(dir, 'config.json'), content);
  return dir;
}
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('WWW-Authenticate challenges', () => {
  test('Docker Hub bearer challenge', () => {
    expect(parseAuthChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"')).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/busybox:pull' },
    });
  });

  test('commas inside quotes, unquoted values, Basic', () => {
    expect(parseAuthChallenge('Bearer realm="https://gitlab.com/jwt/auth", service=container_registry, scope="repository:a/b:pull,push"')?.params).toEqual({
      realm: 'https://gitlab.com/jwt/auth',
      service: 'container_registry',
      scope: 'repository:a/b:pull,push',
    });
    expect(parseAuthChallenge('Basic realm="https://123456789012.dkr.ecr.eu-west-1.amazonaws.com/",service="ecr.amazonaws.com"')?.scheme).toBe('basic');
    expect(parseAuthChallenge('')).toBeUndefined();
  });
});

describe('credentials', () => {
  test('Docker config keys normalize like docker login writes them', () => {
    expect(normalizeRegistryHost('https://index.docker.io/v1/')).toBe('docker.io');
    expect(normalizeRegistryHost('registry-1.docker.io')).toBe('docker.io');
    expect(normalizeRegistryHost('http://localhost:5000')).toBe('localhost:5000');
    expect(normalizeRegistryHost('Registry.GitLab.com')).toBe('registry.gitlab.com');
  });

  test('DOCKER_CONFIG selects the folder, else ~/.docker', () => {
    expect(dockerConfigDir({ DOCKER_CONFIG: '/x' })).toBe('/x');
    expect(dockerConfigDir({})).toMatch(/\.docker$/);
  });

  test('environment credentials need REGISTRY_HOST and go to that host only; config.json serves the others', () => {
    const DOCKER_CONFIG = dockerConfig(JSON.stringify({ auths: { 'https://index.docker.io/v1/': { auth: b64('hub:hubpass') } } }));
    expect(() => createCredentialLookup({ DOCKER_CONFIG, REGISTRY_USERNAME: 'u', REGISTRY_PASSWORD: 'p:w' })).toThrow(
      'REGISTRY_USERNAME and REGISTRY_PASSWORD are set but REGISTRY_HOST is not. Set REGISTRY_HOST to the one registry they are for',
    );
    expect(() => createCredentialLookup({ DOCKER_CONFIG, REGISTRY_USERNAME: 'u', REGISTRY_PASSWORD: 'p:w', REGISTRY_HOST: ' ' })).toThrow(/REGISTRY_HOST is not/);
    const hub = createCredentialLookup({ DOCKER_CONFIG, REGISTRY_USERNAME: 'u', REGISTRY_PASSWORD: 'p:w', REGISTRY_HOST: 'docker.io' });
    expect(hub('docker.io')).toEqual({ username: 'u', password: 'p:w', source: 'REGISTRY_USERNAME/REGISTRY_PASSWORD' });
    const scoped = createCredentialLookup({ DOCKER_CONFIG, REGISTRY_USERNAME: 'u', REGISTRY_PASSWORD: 'p', REGISTRY_HOST: 'https://registry.gitlab.com' });
    expect(scoped('registry.gitlab.com')?.username).toBe('u');
    expect(scoped('docker.io')).toEqual({ username: 'hub', password: 'hubpass', source: join(DOCKER_CONFIG, 'config.json') });
    expect(scoped('quay.io')).toBeUndefined();
  });

  test('config.json: username/password fields, no file, helpers, broken entries', () => {
    const fields = dockerConfig(JSON.stringify({ auths: { 'localhost:5000': { username: 'a', password: 'b' } }, credHelpers: { 'public.ecr.aws': 'ecr-login' } }));
    expect(createCredentialLookup({ DOCKER_CONFIG: fields })('localhost:5000')?.password).toBe('b');
    expect(usesCredentialHelper('public.ecr.aws', { DOCKER_CONFIG: fields })).toBe(true);
    expect(usesCredentialHelper('localhost:5000', { DOCKER_CONFIG: fields })).toBe(false);
    expect(createCredentialLookup({ DOCKER_CONFIG: join(tmpdir(), 'no-such-docker-config') })('docker.io')).toBeUndefined();
    expect(() => createCredentialLookup({ DOCKER_CONFIG: dockerConfig('{not json') })('docker.io')).toThrow(/config.json is not valid JSON. Fix it, or run docker login again/);
    const broken = createCredentialLookup({ DOCKER_CONFIG: dockerConfig(JSON.stringify({ auths: { 'docker.io': { auth: b64('nocolon-secretvalue') } } })) });
    expect(() => broken('docker.io')).toThrow('the "auth" entry for docker.io');
    try {
      broken('docker.io');
    } catch (error) {
      expect((error as Error).message).not.toContain('secretvalue');
    }
  });
});

describe('secret scrubbing', () => {
  test('passwords, their Basic base64 and tokens are blanked; tiny values are not', () => {
    const s = new SecretScrubber();
    s.add('hunter22', 'bob');
    s.add('tok-abc');
    s.add('ab');
    expect(s.scrub(`hunter22 ${b64('bob:hunter22')} tok-abc ab`)).toBe('*** *** *** ab');
  });
});

describe('Docker config.json edges', () => {
  test('keys with a scheme, a path, spaces or capitals name the same host', () => {
    expect(['  HTTPS://Registry.Example.com:5000/v2/  ', 'http://registry.example.com:5000', 'registry.hub.docker.com', 'index.docker.io'].map(normalizeRegistryHost))
      .toEqual(['registry.example.com:5000', 'registry.example.com:5000', 'docker.io', 'docker.io']);
  });

  test('an entry with username and password, with auth only, or with neither', () => {
    const dir = dockerConfig(JSON.stringify({ auths: {
      'a.example.com': { username: 'u', password: 'p', auth: b64('other:pair') },
      'b.example.com': { auth: b64('user:pa:ss') },
      'c.example.com': {},
      'd.example.com': { username: 'u' },
    } }));
    const lookup = createCredentialLookup({ DOCKER_CONFIG: dir });
    const file = join(dir, 'config.json');
    expect(['a.example.com', 'b.example.com', 'c.example.com', 'd.example.com', 'e.example.com'].map(lookup)).toEqual([
      { username: 'u', password: 'p', source: file }, { username: 'user', password: 'pa:ss', source: file }, undefined, undefined, undefined,
    ]);
  });

  test('an auth entry that is not user:password is refused, naming the host and never the value', () => {
    for (const auth of [b64(':password'), b64('user:'), b64('nocolon')]) {
      const dir = dockerConfig(JSON.stringify({ auths: { 'a.example.com': { auth } } }));
      expect(() => createCredentialLookup({ DOCKER_CONFIG: dir })('a.example.com')).toThrow(
        new RegExp(`^the "auth" entry for a\\.example\\.com in ${join(dir, 'config.json').replace(/[.]/g, '\\.')} is not base64 of user:password\\. Run docker login a\\.example\\.com again$`),
      );
    }
  });

  test('a config.json that is not an object, or cannot be read, is a clear error; a missing one is none', () => {
    for (const text of ['[]', 'null', '"text"', '{']) {
      const dir = dockerConfig(text);
      expect(() => createCredentialLookup({ DOCKER_CONFIG: dir })('a.example.com')).toThrow(/config\.json is not valid JSON\. Fix it, or run docker login again to rewrite it$/);
      expect(usesCredentialHelper('a.example.com', { DOCKER_CONFIG: dir })).toBe(false);
    }
    const unreadable = tempDir('preflight-docker-');
    mkdirSync(join(unreadable, 'config.json'));
    expect(() => createCredentialLookup({ DOCKER_CONFIG: unreadable })('a.example.com')).toThrow(/^cannot read .*config\.json \(EISDIR\)\. Fix its permissions, or point DOCKER_CONFIG at another folder$/);
    expect(createCredentialLookup({ DOCKER_CONFIG: join(unreadable, 'missing') })('a.example.com')).toBeUndefined();
  });

  test('REGISTRY_USERNAME/PASSWORD go to REGISTRY_HOST only; other hosts still read config.json', () => {
    const dir = dockerConfig(JSON.stringify({ auths: { 'b.example.com': { username: 'cfg', password: 'cfgpw' } } }));
    const lookup = createCredentialLookup({ DOCKER_CONFIG: dir, REGISTRY_USERNAME: 'ci', REGISTRY_PASSWORD: 'cipw', REGISTRY_HOST: 'https://A.example.com/' });
    expect(lookup('a.example.com')).toEqual({ username: 'ci', password: 'cipw', source: 'REGISTRY_USERNAME/REGISTRY_PASSWORD' });
    expect(lookup('b.example.com')).toEqual({ username: 'cfg', password: 'cfgpw', source: join(dir, 'config.json') });
  });
});
