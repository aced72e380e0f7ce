/** Registries that answer, but not with an image: each is exit 2 with a one-line reason. */
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { runCheckImage } from '../../lib/preflight/run';
import { captureOutput, emptyDockerConfig, removeTempDirs } from './helpers';

const HEX = 'c'.repeat(64);
const routes: Record<string, { status?: number; type?: string; body: string }> = {
  '/v2/garbage/manifests/1': { type: 'text/html', body: '<html>hello</html>' },
  '/v2/schema1/manifests/1': { type: 'application/vnd.docker.distribution.manifest.v1+prettyjws', body: '{"schemaVersion":1,"name":"schema1"}' },
  '/v2/chart/manifests/1': {
    type: 'application/vnd.oci.image.manifest.v1+json',
    body: JSON.stringify({ schemaVersion: 2, config: { mediaType: 'application/vnd.cncf.helm.config.v1+json', digest: `sha256:${HEX}`, size: 2 }, layers: [] }),
  },
  '/v2/nolist/manifests/1': { type: 'application/vnd.oci.image.index.v1+json', body: '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json"}' },
  '/v2/badentry/manifests/1': { type: 'application/vnd.oci.image.index.v1+json', body: '{"schemaVersion":2,"manifests":[{"platform":{"os":"linux","architecture":"amd64"}}]}' },
  '/v2/busy/manifests/1': { status: 503, body: '' },
  '/v2/limited/manifests/1': { status: 429, body: '{"errors":[{"code":"TOOMANYREQUESTS"}]}' },
  '/v2/forbidden/manifests/1': { status: 403, body: '{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}' },
  '/v2/nochallenge/manifests/1': { status: 401, body: '' },
};

let server: Server;
let host: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const route = routes[req.url ?? ''] ?? { status: 404, type: 'application/json', body: '{"errors":[{"code":"NAME_UNKNOWN"}]}' };
    res.writeHead(route.status ?? 200, { 'Content-Type': route.type ?? 'application/json' }).end(route.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  removeTempDirs();
});

test.each([
  ['garbage', 'unexpected answer from HOST: the manifest for "1" is not JSON. Check that the address points at an OCI/Docker registry'],
  ['schema1', 'HOST/schema1:1 has a Docker schema 1 manifest, which carries no platform list. Push it again'],
  ['chart', 'HOST/chart:1 is not a container image (its config is application/vnd.cncf.helm.config.v1+json)'],
  ['nolist', 'unexpected manifest from HOST: the index has no "manifests" list'],
  ['badentry', 'unexpected manifest from HOST: manifests[0] has no digest and size'],
  ['busy', 'HOST failed with HTTP 503. Retry later'],
  ['limited', 'HOST rate-limited the request (HTTP 429)'],
  ['forbidden', 'HOST denied pulling forbidden (DENIED). Use credentials that may pull this repository'],
  ['nochallenge', 'unexpected answer from HOST: it asked for authentication without a usable challenge (no WWW-Authenticate header)'],
  ['missing', 'HOST has no repository missing. Check the image name'],
])('%s', async (repository, message) => {
  const out = captureOutput();
  const code = await runCheckImage(['--plain-http', '--arch', 'arm64', `${host}/${repository}:1`], out, { DOCKER_CONFIG: emptyDockerConfig() });
  expect(code).toBe(2);
  expect(out.stdout()).toBe('');
  const lines = out.stderr().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(message.replace(/HOST/g, host));
});
