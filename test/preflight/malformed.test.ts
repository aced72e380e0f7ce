/** Registries that answer, but not with an image: each is exit 2 with a one-line reason. And manifests without a mediaType, read by their shape. */
import { createServer, Server } from 'node:http';
import { createHash } from 'node:crypto';
import { AddressInfo } from 'node:net';
import { runCheckImage } from '../../lib/preflight/run';
import { captureOutput, emptyDockerConfig, removeTempDirs } from './helpers';

const HEX = 'c'.repeat(64);
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
// Image configs served as blobs, under the digest of their bytes (the client checks it).
const CONFIGS = { badconfig: 'not json', noplatform: '{"rootfs":{"type":"layers"}}', untypedmanifest: '{"os":"linux","architecture":"arm64"}' };
const digestOf = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;
// `typed`: the manifest says it is an OCI image manifest; without, only its shape tells.
const withConfig = (repository: keyof typeof CONFIGS, typed = true) => {
  const config = { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digestOf(CONFIGS[repository]), size: CONFIGS[repository].length };
  const manifest = { schemaVersion: 2, ...(typed ? { mediaType: OCI_MANIFEST } : {}), config, layers: [] };
  return {
    [`/v2/${repository}/manifests/1`]: { type: typed ? OCI_MANIFEST : 'application/json', body: JSON.stringify(manifest) },
    [`/v2/${repository}/blobs/${config.digest}`]: { type: 'application/octet-stream', body: CONFIGS[repository] },
  };
};
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
  '/v2/array/manifests/1': { type: OCI_MANIFEST, body: '[]' },
  '/v2/schema1body/manifests/1': { type: 'application/json', body: '{"schemaVersion":1,"fsLayers":[]}' },
  '/v2/nolistdocker/manifests/1': { type: 'application/vnd.docker.distribution.manifest.list.v2+json', body: '{"schemaVersion":2}' },
  '/v2/othertype/manifests/1': { type: 'application/vnd.example.thing.v1+json', body: '{"schemaVersion":2,"mediaType":"application/vnd.example.thing.v1+json"}' },
  '/v2/shapeless/manifests/1': { type: 'application/json', body: '{"schemaVersion":2,"layers":[]}' },
  '/v2/noconfig/manifests/1': { type: OCI_MANIFEST, body: `{"schemaVersion":2,"mediaType":"${OCI_MANIFEST}","layers":[]}` },
  '/v2/baddigest/manifests/1': { type: 'application/vnd.oci.image.index.v1+json', body: `{"schemaVersion":2,"manifests":[{"digest":"sha256:XYZ","size":1}]}` },
  ...withConfig('badconfig'),
  ...withConfig('noplatform'),
  ...withConfig('untypedmanifest', false),
  '/v2/untypedindex/manifests/1': { type: 'application/json', body: JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: OCI_MANIFEST, digest: `sha256:${HEX}`, size: 10, platform: { os: 'linux', architecture: 'arm64' } }] }) },
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
  ['array', 'unexpected manifest from HOST: the manifest is not a JSON object. Push the image again with docker buildx or another OCI-compliant tool'],
  ['schema1body', 'HOST/schema1body:1 has a Docker schema 1 manifest, which carries no platform list. Push it again with a current Docker or buildx, which write schema 2 or OCI'],
  ['nolistdocker', 'unexpected manifest from HOST: the manifest list has no "manifests" list'],
  ['othertype', 'unexpected manifest from HOST: the manifest type "application/vnd.example.thing.v1+json" is not an image index or image manifest'],
  ['shapeless', 'unexpected manifest from HOST: the manifest type "unknown" is not an image index or image manifest'],
  ['noconfig', 'unexpected manifest from HOST: the manifest has no config descriptor'],
  ['baddigest', 'unexpected manifest from HOST: manifests[0] has no digest and size'],
  ['badconfig', 'unexpected manifest from HOST: the image config is not JSON'],
  ['noplatform', 'unexpected manifest from HOST: the image config names no os and architecture'],
])('%s', async (repository, message) => {
  const out = captureOutput();
  const code = await runCheckImage(['--plain-http', '--arch', 'arm64', `${host}/${repository}:1`], out, { DOCKER_CONFIG: emptyDockerConfig() });
  expect(code).toBe(2);
  expect(out.stdout()).toBe('');
  const lines = out.stderr().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(message.replace(/HOST/g, host));
});

test.each(['untypedindex', 'untypedmanifest'])('%s: an OCI index or manifest without a mediaType is read by its shape', async (repository) => {
  const out = captureOutput();
  const code = await runCheckImage(['--plain-http', '--arch', 'arm64', `${host}/${repository}:1`], out, { DOCKER_CONFIG: emptyDockerConfig() });
  expect(out.stderr()).toBe('');
  expect(out.stdout()).toMatch(/linux\/arm64/);
  expect(code).toBe(0);
});
