/**
 * Registry authentication against a real registry with htpasswd (Basic) auth, and the bearer-token flow
 * through a small token service in front of it.
 */
import { writeFileSync } from 'node:fs';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parseImageReference } from '../../lib/config/image-reference';
import { createCredentialLookup } from '../../lib/preflight/credentials';
import { PreflightError } from '../../lib/preflight/errors';
import { coveredArchitectures, inspectImage } from '../../lib/preflight/platforms';
import { SecretScrubber } from '../../lib/preflight/redact';
import { RegistryClient } from '../../lib/preflight/registry-client';
import { runCheckImage } from '../../lib/preflight/run';
import { ImagePusher, TestRegistry, startRegistry } from '../support/registry';
import { CliResult, captureOutput, emptyDockerConfig, removeTempDirs, runCli, runInProcess, tempDir } from './helpers';

const USER = 'alice';
const PASSWORD = 'Pa55:word-XYZZY-never-print-me';
const WRONG = 'wrong-XYZZY-never-print-me-either';
let registry: TestRegistry;
let image: string;

beforeAll(async () => {
  registry = await startRegistry({ htpasswd: { username: USER, password: PASSWORD } });
  await new ImagePusher(registry).multiArch('secure/app', '1.0', ['linux/amd64', 'linux/arm64']);
  image = `${registry.host}/secure/app:1.0`;
});

afterAll(async () => {
  await registry?.stop();
  removeTempDirs();
});

const ARGS = ['--plain-http', '--arch', 'amd64,arm64'];

/** No secret, in clear or as Basic-auth base64, anywhere in the output. */
function expectNoSecrets(text: string): void {
  for (const secret of [PASSWORD, WRONG]) {
    expect(text).not.toContain(secret);
    expect(text).not.toContain(Buffer.from(`${USER}:${secret}`).toString('base64'));
  }
}

describe('htpasswd (Basic auth) registry', () => {
  test('right credentials from REGISTRY_USERNAME/REGISTRY_PASSWORD pass', async () => {
    const result = await runInProcess([...ARGS, image], { REGISTRY_USERNAME: USER, REGISTRY_PASSWORD: PASSWORD, REGISTRY_HOST: registry.host });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expectNoSecrets(result.stdout);
  });

  test('a wrong password fails with exit 2, names the user and source, never the password', async () => {
    const result = await runCli([...ARGS, image], { REGISTRY_USERNAME: USER, REGISTRY_PASSWORD: WRONG, REGISTRY_HOST: registry.host });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      `ERROR ${image}: ${registry.host} rejected the credentials of user "alice" from REGISTRY_USERNAME/REGISTRY_PASSWORD. Check the username and password, and that they may pull secure/app`,
    );
    expectNoSecrets(result.stdout + result.stderr);
  });

  test('missing credentials fail with exit 2 and say how to give them', async () => {
    const result = await runInProcess([...ARGS, image]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      `ERROR ${image}: ${registry.host} requires credentials to pull secure/app. Set REGISTRY_HOST=${registry.host} with REGISTRY_USERNAME and REGISTRY_PASSWORD, or run docker login ${registry.host}`,
    );
  });

  test('credentials from $DOCKER_CONFIG/config.json auths (base64 user:password) pass', async () => {
    const dir = tempDir('preflight-docker-');
    const auth = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths: { [`http://${registry.host}`]: { auth } } }));
    const out = captureOutput();
    expect(await runCheckImage([...ARGS, image], out, { DOCKER_CONFIG: dir })).toBe(0);

    writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from(`${USER}:${WRONG}`).toString('base64') } } }));
    const wrong = captureOutput();
    expect(await runCheckImage([...ARGS, image], wrong, { DOCKER_CONFIG: dir })).toBe(2);
    expect(wrong.stderr()).toContain(`rejected the credentials of user "alice" from ${join(dir, 'config.json')}`);
    expectNoSecrets(wrong.stdout() + wrong.stderr());
  });

  test('REGISTRY_HOST scopes the environment credentials: another host is anonymous, and the message says why', async () => {
    const out = captureOutput();
    const env = { DOCKER_CONFIG: emptyDockerConfig(), REGISTRY_USERNAME: USER, REGISTRY_PASSWORD: PASSWORD, REGISTRY_HOST: 'registry.example.com' };
    expect(await runCheckImage([...ARGS, image], out, env)).toBe(2);
    expect(out.stderr()).toBe(
      `ERROR ${image}: ${registry.host} requires credentials to pull secure/app. REGISTRY_USERNAME/REGISTRY_PASSWORD are sent to REGISTRY_HOST=registry.example.com only; for ${registry.host}, run docker login ${registry.host}`,
    );
    expect(await runCheckImage([...ARGS, image], captureOutput(), { ...env, REGISTRY_HOST: `http://${registry.host}/` })).toBe(0);
  });

  test('only one of REGISTRY_USERNAME/REGISTRY_PASSWORD is a usage error', async () => {
    const out = captureOutput();
    expect(await runCheckImage([...ARGS, image], out, { DOCKER_CONFIG: emptyDockerConfig(), REGISTRY_USERNAME: USER })).toBe(2);
    expect(out.stderr()).toBe('ERROR REGISTRY_USERNAME is set but REGISTRY_PASSWORD is not. Set both, or neither to use ~/.docker/config.json or anonymous access');
  });
});

/**
 * A second htpasswd registry, for user bob, that a scanned manifest names and nobody gave credentials for. At log
 * level warn it logs each request without credentials ("invalid authorization credential") and each login
 * attempt with the user name ("error authenticating user \"alice\""): its log shows what it received.
 */
describe('credentials reach only the registry the user named', () => {
  let other: TestRegistry;
  let manifests: string;

  beforeAll(async () => {
    other = await startRegistry({ htpasswd: { username: 'bob', password: 'bob-s3cret-pw' }, logLevel: 'warn' });
    await new ImagePusher(other).multiArch('third/party', '2.0', ['linux/amd64', 'linux/arm64']);
    manifests = tempDir('preflight-leak-');
    writeFileSync(
      join(manifests, 'pods.yaml'),
      [`${registry.host}/secure/app:1.0`, `${other.host}/third/party:2.0`]
        .map((img, i) => `apiVersion: v1\nkind: Pod\nmetadata: { name: p${i} }\nspec:\n  containers: [{ name: c, image: ${img} }]\n`)
        .join('---\n'),
    );
  });

  afterAll(async () => {
    await other?.stop();
  });

  /** What the other registry logs while `run` runs, once it has logged `anonymous` requests without credentials. */
  async function logDuring(run: () => Promise<void>, anonymous: number): Promise<string> {
    const start = other.log().length;
    await run();
    const deadline = Date.now() + 5000;
    const logged = () => other.log().slice(start);
    while (Date.now() < deadline && (logged().match(/invalid authorization credential/g) ?? []).length < anonymous) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // Its log is written asynchronously: give a late line (a login attempt) time to arrive too.
    await new Promise((resolve) => setTimeout(resolve, 100));
    return logged();
  }

  test('REGISTRY_USERNAME/PASSWORD without REGISTRY_HOST: one line, exit 2, no registry contacted', async () => {
    let result: CliResult | undefined;
    const log = await logDuring(async () => {
      result = await runCli(['--plain-http', '--arch', 'amd64,arm64', '--manifests', manifests], { REGISTRY_USERNAME: USER, REGISTRY_PASSWORD: PASSWORD });
    }, 0);
    expect(result?.code).toBe(2);
    expect(result?.stdout).toBe('');
    expect(result?.stderr).toBe(
      'ERROR REGISTRY_USERNAME and REGISTRY_PASSWORD are set but REGISTRY_HOST is not. Set REGISTRY_HOST to the one registry they are for (such as REGISTRY_HOST=registry.gitlab.com); no other registry receives them\n',
    );
    expect(log).toBe('');
  });

  test('with REGISTRY_HOST, the named registry gets them and a registry a manifest names does not', async () => {
    let result: CliResult | undefined;
    const log = await logDuring(async () => {
      result = await runCli(['--plain-http', '--arch', 'amd64,arm64', '--manifests', manifests], {
        REGISTRY_USERNAME: USER,
        REGISTRY_PASSWORD: PASSWORD,
        REGISTRY_HOST: registry.host,
      });
    }, 1);
    expect(result?.code).toBe(2);
    expect(result?.stdout).toContain('Checked 2 images: 1 OK, 0 missing an architecture, 1 could not be checked');
    expect(result?.stderr).toBe(
      `ERROR ${other.host}/third/party:2.0: ${other.host} requires credentials to pull third/party. ` +
        `REGISTRY_USERNAME/REGISTRY_PASSWORD are sent to REGISTRY_HOST=${registry.host} only; for ${other.host}, run docker login ${other.host}\n`,
    );
    // It was asked once, without credentials, and saw no login attempt.
    expect(log.match(/invalid authorization credential/g)).toHaveLength(1);
    expect(log).not.toContain('authenticating user');
  });

  test('config.json auths go to their own host only (not another port of the same address)', async () => {
    const dir = tempDir('preflight-docker-');
    const auth = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
    const ip = registry.host.split(':')[0];
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths: { [`http://${registry.host}`]: { auth }, [ip]: { auth }, [`https://${ip}/v1/`]: { auth } } }));
    const out = captureOutput();
    const log = await logDuring(async () => {
      expect(await runCheckImage(['--plain-http', '--arch', 'amd64,arm64', '--manifests', manifests], out, { DOCKER_CONFIG: dir })).toBe(2);
    }, 1);
    expect(out.stdout()).toContain('Checked 2 images: 1 OK, 0 missing an architecture, 1 could not be checked');
    expect(out.stderr()).toBe(
      `ERROR ${other.host}/third/party:2.0: ${other.host} requires credentials to pull third/party. Set REGISTRY_HOST=${other.host} with REGISTRY_USERNAME and REGISTRY_PASSWORD, or run docker login ${other.host}`,
    );
    expect(log.match(/invalid authorization credential/g)).toHaveLength(1);
    expect(log).not.toContain('authenticating user');
  });
});

/**
 * A token service and registry front in one: answers /v2/ requests without a valid token with a Bearer
 * challenge, hands out tokens at /token (anonymously, or for alice's Basic credentials), and forwards
 * token-carrying requests to the htpasswd registry.
 */
async function startTokenFront(options: { anonymous: boolean }) {
  const tokenRequests: { authorization?: string; scope?: string; service?: string }[] = [];
  const issued = new Set<string>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://front');
      if (url.pathname === '/token') {
        tokenRequests.push({ authorization: req.headers.authorization, scope: url.searchParams.get('scope') ?? undefined, service: url.searchParams.get('service') ?? undefined });
        const basic = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
        if (req.headers.authorization === basic || (options.anonymous && !req.headers.authorization)) {
          const token = `token-${issued.size}-${req.headers.authorization ? 'user' : 'anon'}`;
          issued.add(token);
          res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(issued.size % 2 ? { token } : { access_token: token }));
        } else {
          res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"details":"incorrect username or password"}');
        }
        return;
      }
      const bearer = req.headers.authorization?.replace(/^Bearer /, '');
      if (!bearer || !issued.has(bearer)) {
        const repo = /^\/v2\/(.+)\/(manifests|blobs)\//.exec(url.pathname)?.[1] ?? '';
        res.writeHead(401, {
          'Content-Type': 'application/json',
          'WWW-Authenticate': `Bearer realm="http://${host}/token",service="front",scope="repository:${repo}:pull"`,
        });
        res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
        return;
      }
      const upstream = await fetch(`${registry.url}${url.pathname}`, {
        headers: { Accept: req.headers.accept ?? '*/*', Authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` },
      });
      const body = Buffer.from(await upstream.arrayBuffer());
      res.writeHead(upstream.status, { 'Content-Type': upstream.headers.get('content-type') ?? 'application/octet-stream' }).end(body);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { host, tokenRequests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('bearer token flow', () => {
  const client = (env: NodeJS.ProcessEnv, scrubber = new SecretScrubber()) =>
    new RegistryClient({ timeoutMs: 5000, plainHttp: true, credentials: createCredentialLookup({ DOCKER_CONFIG: emptyDockerConfig(), ...env }), scrubber });

  test('an anonymous token is fetched from the realm with service and scope, then used', async () => {
    const front = await startTokenFront({ anonymous: true });
    try {
      const inspection = await inspectImage(client({}), parseImageReference(`${front.host}/secure/app:1.0`));
      expect(coveredArchitectures(inspection)).toEqual(['amd64', 'arm64']);
      expect(front.tokenRequests).toEqual([{ authorization: undefined, scope: 'repository:secure/app:pull', service: 'front' }]);
    } finally {
      await front.close();
    }
  });

  test('credentials go to the token endpoint as Basic auth; the token is registered as a secret', async () => {
    const front = await startTokenFront({ anonymous: false });
    try {
      const scrubber = new SecretScrubber();
      const inspection = await inspectImage(client({ REGISTRY_USERNAME: USER, REGISTRY_PASSWORD: PASSWORD, REGISTRY_HOST: front.host }, scrubber), parseImageReference(`${front.host}/secure/app:1.0`));
      expect(inspection.kind).toBe('oci-index');
      expect(front.tokenRequests[0].authorization).toBe(`Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`);
      expect(scrubber.scrub('token-0-user and Pa55:word-XYZZY-never-print-me')).toBe('*** and ***');

      const wrong = inspectImage(client({ REGISTRY_USERNAME: USER, REGISTRY_PASSWORD: WRONG, REGISTRY_HOST: front.host }), parseImageReference(`${front.host}/secure/app:1.0`));
      await expect(wrong).rejects.toThrow(PreflightError);
      await expect(wrong).rejects.toThrow(`${front.host} rejected the credentials of user "alice" from REGISTRY_USERNAME/REGISTRY_PASSWORD`);

      const anonymous = inspectImage(client({}), parseImageReference(`${front.host}/secure/app:1.0`));
      await expect(anonymous).rejects.toThrow(`${front.host} requires credentials to pull secure/app`);
    } finally {
      await front.close();
    }
  });
});
