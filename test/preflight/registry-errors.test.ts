/**
 * How the registry client reports a registry that fails: token services, status codes, oversized answers, a
 * registry that hangs, resets or is not there. A scripted HTTP server on loopback plays the registry (a real
 * registry cannot be made to fail this way); the command runs in-process, as `npm run check-image` would.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { runCheckImage } from '../../lib/preflight/run';
import { captureOutput, emptyDockerConfig, removeTempDirs } from './helpers';

const HEX = 'e'.repeat(64);
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
type Handler = (req: IncomingMessage, res: ServerResponse) => void;
// Headers may name the server itself (`<host>`), known once it listens.
const json = (status: number, body: unknown, headers: Record<string, string> = {}): Handler => (_req, res) => {
  const named = Object.fromEntries(Object.entries(headers).map(([key, value]) => [key, value.replace('<host>', host)]));
  res.writeHead(status, { 'Content-Type': 'application/json', ...named }).end(JSON.stringify(body));
};

let server: Server;
let host: string;
const routes: Record<string, Handler> = {
  '/v2/tokenfail/manifests/1': json(401, {}, { 'WWW-Authenticate': 'Bearer realm="http://<host>/token/fail",service="test"' }),
  '/token/fail': json(500, {}),
  '/v2/tokenempty/manifests/1': json(401, {}, { 'WWW-Authenticate': 'Bearer realm="http://<host>/token/empty"' }),
  '/token/empty': json(200, { expires_in: 60 }),
  '/v2/badrealm/manifests/1': json(401, {}, { 'WWW-Authenticate': 'Bearer realm="not a url"' }),
  '/v2/basic/manifests/1': json(401, {}, { 'WWW-Authenticate': 'Basic realm="test"' }),
  '/v2/private/manifests/1': json(401, {}, { 'WWW-Authenticate': 'Bearer realm="http://<host>/token/ok"' }),
  '/token/ok': json(200, { token: 'tok-123456' }),
  '/v2/notag/manifests/1': json(404, { errors: [{ code: 'MANIFEST_UNKNOWN' }] }),
  [`/v2/notag/manifests/sha256:${HEX}`]: json(404, { errors: [{ code: 'MANIFEST_UNKNOWN' }] }),
  '/v2/noblob/manifests/1': (_req, res) => res.writeHead(200, { 'Content-Type': OCI_MANIFEST })
    .end(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${HEX}`, size: 2 }, layers: [] })),
  [`/v2/noblob/blobs/sha256:${HEX}`]: json(404, { errors: [{ code: 'BLOB_UNKNOWN' }] }),
  '/v2/teapot/manifests/1': json(418, { errors: [{ code: 'TEAPOT' }, { code: 'SHORT' }, { message: 'no code' }] }),
  '/v2/badrequest/manifests/1': json(400, 'Client sent an HTTP request to an HTTPS server.'),
  '/v2/huge/manifests/1': (_req, res) => res.writeHead(200, { 'Content-Type': OCI_MANIFEST, 'Content-Length': String(MAX_MANIFEST_BYTES + 1) }).end(' '.repeat(MAX_MANIFEST_BYTES + 1)),
  '/v2/chunked/manifests/1': (_req, res) => {
    res.writeHead(200, { 'Content-Type': OCI_MANIFEST });
    for (let i = 0; i < 5; i++) res.write(' '.repeat(1024 * 1024));
    res.end();
  },
  '/v2/slow/manifests/1': () => undefined,
  '/v2/reset/manifests/1': (req) => req.socket.destroy(),
};

beforeAll(async () => {
  server = createServer((req, res) => (routes[req.url?.split('?')[0] ?? ''] ?? json(404, { errors: [{ code: 'NAME_UNKNOWN' }] }))(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  removeTempDirs();
});

async function check(image: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}) {
  const out = captureOutput();
  const code = await runCheckImage(['--plain-http', '--arch', 'arm64', ...extra, image], out, { DOCKER_CONFIG: emptyDockerConfig(), ...env });
  return { code, stdout: out.stdout(), stderr: out.stderr() };
}

test.each([
  ['tokenfail', 'the token service <host> of <host> answered HTTP 500. Retry later; if it persists, check the registry status'],
  ['tokenempty', 'unexpected answer from <host>: its token service <host> answered without a token. Check that the address points at an OCI/Docker registry'],
  ['badrealm', 'unexpected answer from <host>: its token service address (bearer realm) is not a URL. Check that the address points at an OCI/Docker registry'],
  ['basic', '<host> requires credentials to pull basic. Set REGISTRY_HOST=<host> with REGISTRY_USERNAME and REGISTRY_PASSWORD, or run docker login <host>'],
  ['private', '<host> refused anonymous access to private: it does not exist or is private. Check the image name, or give credentials: set REGISTRY_HOST=<host> with REGISTRY_USERNAME and REGISTRY_PASSWORD, or run docker login <host>'],
  ['notag', '<host>/notag has no tag "1". Check the tag or digest, and that the image was pushed'],
  ['noblob', `<host> has no blob sha256:${HEX} that noblob refers to. Push the image again, then retry`],
  ['teapot', '<host> answered HTTP 418 (TEAPOT, SHORT) for 1. Check the image reference and the registry address'],
  ['badrequest', '<host> answered HTTP 400 to a plain-HTTP request. Drop --plain-http if the registry speaks HTTPS'],
  ['huge', `unexpected answer from <host>: it announced a ${MAX_MANIFEST_BYTES + 1}-byte answer for /v2/huge/manifests/1, more than a manifest or config can be. Check that the address points at an OCI/Docker registry`],
  ['chunked', `unexpected answer from <host>: its answer for /v2/chunked/manifests/1 is larger than ${MAX_MANIFEST_BYTES} bytes. Check that the address points at an OCI/Docker registry`],
  ['reset', '<host> closed the connection. Retry; if it persists, check the registry'],
])('%s: one ERROR line that says what failed and what to do', async (repository, message) => {
  const result = await check(`${host}/${repository}:1`);
  expect(result.stdout).toBe('');
  expect(result.stderr).toBe(`ERROR ${host}/${repository}:1: ${message.replace(/<host>/g, host)}`);
  expect(result.code).toBe(2);
});

test('a digest that is not there is a missing manifest, not a tag', async () => {
  const result = await check(`${host}/notag@sha256:${HEX}`);
  expect(result.stderr).toContain(`${host}/notag has no manifest "sha256:${HEX}"`);
});

test('a registry that does not answer within --timeout', async () => {
  const result = await check(`${host}/slow:1`, ['--timeout', '0.3']);
  expect(result.stderr).toBe(`ERROR ${host}/slow:1: no answer from ${host} within 0.3 s. Check that the registry is up and the host and port are right, or raise --timeout`);
});

test('a registry that is not there', async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const free = `127.0.0.1:${(closed.address() as AddressInfo).port}`;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const result = await check(`${free}/app:1`);
  expect(result.stderr).toBe(`ERROR ${free}/app:1: connection refused by ${free}. Check that the registry is running and the host and port in the image reference`);
});

test('credentials scoped to another registry are not offered, and the fix says so', async () => {
  const result = await check(`${host}/basic:1`, [], { REGISTRY_HOST: 'registry.example.com', REGISTRY_USERNAME: 'ci', REGISTRY_PASSWORD: 'secret-pw' });
  expect(result.stderr).toBe(`ERROR ${host}/basic:1: ${host} requires credentials to pull basic. REGISTRY_USERNAME/REGISTRY_PASSWORD are sent to REGISTRY_HOST=registry.example.com only; for ${host}, run docker login ${host}`);
});
