/**
 * The client's safety checks, through `npm run check-image` (a child process, as a user runs it) against the real
 * registry: plain HTTP only on this machine and only with --plain-http, content that does not match its digest is
 * refused, an entry for another OS or a variant the nodes cannot run is no coverage, and no password, Basic
 * string or token reaches stdout or stderr on any path, errors included (every run is checked, see `run`).
 */
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo, Server as TcpServer, Socket, createServer as createTcpServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import { Descriptor, ImagePusher, TestRegistry, startRegistry } from '../support/registry';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliResult, removeTempDirs, runNpm, tempDir } from './helpers';

const USER = 'carol';
const PASSWORD = 'S4fety-XYZZY-never-print-me';
const BASIC = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
let registry: TestRegistry;
let index: Descriptor;

// Every secret any case hands the command, and every output it produced: checked whole at the end.
const SECRETS = new Set<string>([PASSWORD, BASIC.slice('Basic '.length)]);
const outputs: { args: readonly string[]; text: string }[] = [];

/** `npm run check-image -- <args>`, its output recorded for the no-secret check. */
async function run(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const result = await runNpm(args, env);
  outputs.push({ args, text: `${result.stdout}${result.stderr}` });
  return result;
}

beforeAll(async () => {
  registry = await startRegistry();
  const push = new ImagePusher(registry);
  index = await push.multiArch('app/multi', '1.0', ['linux/amd64', 'linux/arm64']);
  await push.image('app/single', 'arm64', 'linux/arm64');
  // arm64 only for another OS, for a newer variant than the nodes run, or as 32-bit ARM: none is arm64 coverage.
  await push.multiArch('app/odd', '1.0', ['linux/amd64', 'windows/arm64', 'linux/arm64/v9', 'linux/arm/v7']);
});

afterAll(async () => {
  await registry?.stop();
  removeTempDirs();
});

/** This machine's first non-loopback IPv4 address: a host --plain-http must not apply to. */
function nonLoopbackAddress(): string {
  const address = Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
  if (!address) throw new Error('this test needs a non-loopback IPv4 interface (eth0 or similar)');
  return address;
}

async function listen(server: Server | TcpServer, host: string): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return `${host}:${(server.address() as AddressInfo).port}`;
}

const close = (server: Server | TcpServer) => new Promise<void>((resolve) => server.close(() => resolve()));

/** An HTTP front on loopback: `handle` answers what it wants to, everything else goes to the real registry. */
async function startFront(handle: (req: IncomingMessage, res: ServerResponse, body: Buffer, status: number) => boolean) {
  const server = createServer((req, res) => {
    void (async () => {
      const upstream = await fetch(`${registry.url}${req.url}`, { headers: { Accept: req.headers.accept ?? '*/*' } });
      const body = Buffer.from(await upstream.arrayBuffer());
      if (handle(req, res, body, upstream.status)) return;
      res.writeHead(upstream.status, { 'Content-Type': upstream.headers.get('content-type') ?? 'application/octet-stream' }).end(body);
    })();
  });
  const host = await listen(server, '127.0.0.1');
  return { host, close: () => close(server) };
}

test('--plain-http is not used for a host off this machine: it gets a TLS handshake, never a plain GET or a password', async () => {
  const received: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    // Record the first bytes, then hang up, as a plain-HTTP server would on a TLS ClientHello.
    socket.once('data', (chunk: Buffer) => {
      received.push(chunk);
      socket.destroy();
    });
    socket.on('error', () => undefined);
  });
  const host = await listen(server, nonLoopbackAddress());
  try {
    const result = await run(['--plain-http', '--arch', 'amd64', '--timeout', '5', `${host}/app/multi:1.0`], {
      REGISTRY_HOST: host,
      REGISTRY_USERNAME: USER,
      REGISTRY_PASSWORD: PASSWORD,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`--plain-http is for a registry on this machine only (localhost, 127.0.0.1, [::1]); ${host} must speak HTTPS`);
    expect(received.length).toBeGreaterThan(0);
    // 0x16 0x03: a TLS handshake record, the start of a ClientHello.
    expect([...received[0].subarray(0, 2)]).toEqual([0x16, 0x03]);
    const bytes = Buffer.concat(received).toString('latin1');
    expect(bytes).not.toContain('GET ');
    expect(bytes).not.toContain(PASSWORD);
  } finally {
    sockets.forEach((s) => s.destroy());
    await close(server);
  }
});

test('a manifest whose bytes do not match the requested digest is refused, and so is a tampered config blob', async () => {
  // A front that rewrites what the registry serves: one added byte changes the digest, and the JSON stays valid.
  const front = await startFront((req, res, body, status) => {
    if (status !== 200 || !/\/(manifests\/sha256:|blobs\/)/.test(req.url ?? '')) return false;
    res.writeHead(200, { 'Content-Type': req.url?.includes('/manifests/') ? index.mediaType : 'application/octet-stream' }).end(Buffer.concat([body, Buffer.from(' ')]));
    return true;
  });
  try {
    const pinned = await run(['--plain-http', '--arch', 'arm64', `${front.host}/app/multi@${index.digest}`]);
    expect(pinned.code).toBe(2);
    expect(pinned.stdout).toBe('');
    expect(pinned.stderr).toMatch(
      new RegExp(`^ERROR ${front.host}/app/multi@${index.digest}: ${front.host} answered ${index.digest} with content whose digest is sha256:[0-9a-f]{64}\\. Check that nothing between you and the registry rewrites responses, then retry\n$`),
    );
    expect(pinned.stderr).not.toContain(`whose digest is ${index.digest}`);

    // The tag is not a digest (nothing to compare), but the config blob it names is checked.
    const single = await run(['--plain-http', '--arch', 'arm64', `${front.host}/app/single:arm64`]);
    expect(single.code).toBe(2);
    expect(single.stderr).toMatch(new RegExp(`^ERROR ${front.host}/app/single:arm64: ${front.host} served blob sha256:[0-9a-f]{64} with other content\\. Push the image again, then retry\n$`));
  } finally {
    await front.close();
  }
});

test('a registry that echoes the credentials back in its error never gets them printed', async () => {
  // Asks for Basic auth, then denies the request with an error code quoting the header and the password it got.
  const front = await startFront((req, res) => {
    if (!req.headers.authorization) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="echo"' }).end();
      return true;
    }
    const password = Buffer.from(req.headers.authorization.replace(/^Basic /, ''), 'base64').toString().split(':').slice(1).join(':');
    res.writeHead(403, { 'Content-Type': 'application/json' }).end(JSON.stringify({ errors: [{ code: `DENIED for ${req.headers.authorization} (${password})` }] }));
    return true;
  });
  try {
    const result = await run(['--plain-http', '--arch', 'arm64', `${front.host}/app/multi:1.0`], {
      REGISTRY_HOST: front.host,
      REGISTRY_USERNAME: USER,
      REGISTRY_PASSWORD: PASSWORD,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `ERROR ${front.host}/app/multi:1.0: ${front.host} denied pulling app/multi (DENIED for Basic *** (***)). Use credentials that may pull this repository, or ask for pull access\n`,
    );
    expect(result.stderr).not.toContain(PASSWORD);
    expect(result.stderr).not.toContain(BASIC.slice('Basic '.length));
  } finally {
    await front.close();
  }
});

test('credentials are never sent to a token service over plain HTTP off this machine', async () => {
  const tokenRequests: string[] = [];
  const tokenService = createServer((req, res) => {
    tokenRequests.push(req.url ?? '');
    res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"token":"t"}');
  });
  const tokenHost = await listen(tokenService, nonLoopbackAddress());
  const front = await startFront((_req, res) => {
    res.writeHead(401, { 'WWW-Authenticate': `Bearer realm="http://${tokenHost}/token",service="front"` }).end();
    return true;
  });
  try {
    const result = await run(['--plain-http', '--arch', 'arm64', `${front.host}/app/multi:1.0`], {
      REGISTRY_HOST: front.host,
      REGISTRY_USERNAME: USER,
      REGISTRY_PASSWORD: PASSWORD,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `ERROR ${front.host}/app/multi:1.0: ${front.host} sends its logins to http://${tokenHost}, which is not HTTPS: the credentials were not sent. ` +
        'Check the registry address; only a registry on this machine with --plain-http may use plain HTTP\n',
    );
    expect(tokenRequests).toEqual([]);
  } finally {
    await front.close();
    await close(tokenService);
  }
});

test('a registry that redirects to another host (a CDN, S3) gets the credentials, the other host does not', async () => {
  // Blob storage behind a redirect: records what it is sent, serves the blob from the real registry.
  const seen: (string | undefined)[] = [];
  const storage = createServer((req, res) => {
    seen.push(req.headers.authorization);
    void fetch(`${registry.url}${req.url}`).then(async (upstream) => res.writeHead(upstream.status).end(Buffer.from(await upstream.arrayBuffer())));
  });
  // localhost, not 127.0.0.1: another origin (host and port), as a CDN is.
  const storageHost = `localhost:${(await listen(storage, '127.0.0.1')).split(':')[1]}`;
  const authorized: boolean[] = [];
  const front = await startFront((req, res) => {
    if (req.headers.authorization !== BASIC) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="front"' }).end();
      return true;
    }
    authorized.push(true);
    if (!req.url?.includes('/blobs/')) return false;
    res.writeHead(307, { Location: `http://${storageHost}${req.url}` }).end();
    return true;
  });
  try {
    const result = await run(['--plain-http', '--arch', 'arm64', `${front.host}/app/single:arm64`], {
      REGISTRY_HOST: front.host,
      REGISTRY_USERNAME: USER,
      REGISTRY_PASSWORD: PASSWORD,
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(authorized.length).toBeGreaterThanOrEqual(2);
    // The config blob came through the redirect, without the Authorization header.
    expect(seen).toEqual([undefined]);
  } finally {
    await front.close();
    await close(storage);
  }
});

/** An HTTP front that asks for Basic auth, then denies the request quoting the Authorization header it got. */
async function echoingFront() {
  return startFront((req, res) => {
    if (!req.headers.authorization) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="echo"' }).end();
      return true;
    }
    res.writeHead(403, { 'Content-Type': 'application/json' }).end(JSON.stringify({ errors: [{ code: `DENIED for ${req.headers.authorization}` }] }));
    return true;
  });
}

test('a bearer token the registry echoes in its error is never printed', async () => {
  const TOKEN = 'tok3n-ZZYZX-never-print-me';
  SECRETS.add(TOKEN);
  const tokenService = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ token: TOKEN })));
  const tokenHost = await listen(tokenService, '127.0.0.1');
  const front = await startFront((req, res) => {
    if (!req.headers.authorization) {
      res.writeHead(401, { 'WWW-Authenticate': `Bearer realm="http://${tokenHost}/token",service="front"` }).end();
      return true;
    }
    res.writeHead(403, { 'Content-Type': 'application/json' }).end(JSON.stringify({ errors: [{ code: `DENIED for ${req.headers.authorization}` }] }));
    return true;
  });
  try {
    const result = await run(['--plain-http', '--arch', 'arm64', `${front.host}/app/multi:1.0`], { REGISTRY_HOST: front.host, REGISTRY_USERNAME: USER, REGISTRY_PASSWORD: PASSWORD });
    expect([result.code, result.stdout]).toEqual([2, '']);
    expect(result.stderr).toBe(`ERROR ${front.host}/app/multi:1.0: ${front.host} denied pulling app/multi (DENIED for Bearer ***). Use credentials that may pull this repository, or ask for pull access\n`);
  } finally {
    await front.close();
    await close(tokenService);
  }
});

test('the Basic string of a short password is scrubbed too, not only the password', async () => {
  const basic = Buffer.from('dave:pw1').toString('base64');
  SECRETS.add(basic);
  const front = await echoingFront();
  try {
    const result = await run(['--plain-http', '--arch', 'arm64', `${front.host}/app/multi:1.0`], { REGISTRY_HOST: front.host, REGISTRY_USERNAME: 'dave', REGISTRY_PASSWORD: 'pw1' });
    expect([result.code, result.stdout]).toEqual([2, '']);
    expect(result.stderr).toBe(`ERROR ${front.host}/app/multi:1.0: ${front.host} denied pulling app/multi (DENIED for Basic ***). Use credentials that may pull this repository, or ask for pull access\n`);
  } finally {
    await front.close();
  }
});

test('credentials from a Docker config.json are scrubbed when the registry echoes them', async () => {
  const front = await echoingFront();
  const dockerConfig = tempDir('safety-docker-config-');
  writeFileSync(join(dockerConfig, 'config.json'), JSON.stringify({ auths: { [front.host]: { auth: BASIC.slice('Basic '.length) } } }));
  try {
    const result = await run(['--plain-http', '--arch', 'arm64', `${front.host}/app/multi:1.0`], { DOCKER_CONFIG: dockerConfig });
    expect([result.code, result.stdout]).toEqual([2, '']);
    expect(result.stderr).toBe(`ERROR ${front.host}/app/multi:1.0: ${front.host} denied pulling app/multi (DENIED for Basic ***). Use credentials that may pull this repository, or ask for pull access\n`);
  } finally {
    await front.close();
  }
});

test('an arm64 entry for another OS, a newer variant or 32-bit ARM is no arm64 coverage', async () => {
  const arm = await run(['--plain-http', '--arch', 'arm64', `${registry.host}/app/odd:1.0`]);
  expect([arm.code, arm.stderr]).toEqual([1, '']);
  const digest = '[0-9a-f]{12}';
  expect(arm.stdout).toMatch(new RegExp([
    `^${registry.host}/app/odd:1\\.0  \\(OCI image index, sha256:[0-9a-f]{64}\\)`,
    '  PLATFORM        DIGEST               SIZE',
    `  linux/amd64     sha256:${digest}  475 B`,
    `  windows/arm64   sha256:${digest}  475 B  not Linux \\(ignored\\)`,
    `  linux/arm64/v9  sha256:${digest}  475 B  nodes pull the baseline variant \\(ignored\\)`,
    `  linux/arm/v7    sha256:${digest}  475 B`,
    'MISSING arm64: needed by --arch; the image has linux/amd64 only',
    '  Fix: build and push every platform, e\\.g\\. docker buildx build --platform linux/amd64,linux/arm64 --push \\.\\.\\.',
    '$',
  ].join('\n')));
  const amd = await run(['--plain-http', '--arch', 'amd64', `${registry.host}/app/odd:1.0`]);
  expect([amd.code, amd.stderr]).toEqual([0, '']);
});

test('without --plain-http a registry on this machine is spoken to over TLS too: no plain GET, no password', async () => {
  const received: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.once('data', (chunk: Buffer) => {
      received.push(chunk);
      socket.destroy();
    });
    socket.on('error', () => undefined);
  });
  const host = await listen(server, '127.0.0.1');
  try {
    const result = await run(['--arch', 'amd64', '--timeout', '5', `${host}/app/multi:1.0`], { REGISTRY_HOST: host, REGISTRY_USERNAME: USER, REGISTRY_PASSWORD: PASSWORD });
    expect([result.code, result.stdout]).toEqual([2, '']);
    expect(result.stderr).toBe(`ERROR ${host}/app/multi:1.0: ${host} closed the connection. If this registry speaks plain HTTP (a local registry), add --plain-http; else retry\n`);
    expect([...received[0].subarray(0, 2)]).toEqual([0x16, 0x03]);
    expect(Buffer.concat(received).toString('latin1')).not.toContain('GET ');
  } finally {
    sockets.forEach((s) => s.destroy());
    await close(server);
  }
});

test('no run above printed a password, a Basic string or a token, on success or error', () => {
  const leaks = outputs.flatMap(({ args, text }) => [...SECRETS].filter((secret) => text.includes(secret)).map((secret) => `${args.join(' ')}: ${secret}`));
  expect(outputs.length).toBeGreaterThanOrEqual(10);
  expect(leaks).toEqual([]);
});
