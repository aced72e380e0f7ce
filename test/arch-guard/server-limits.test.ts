/**
 * arch-guard's bounds and failure modes, against scripted loopback servers (a real registry cannot be made to
 * hang, reset or answer slowly on cue): registries that hang or reset get an unchanged admit within the budget,
 * one lookup per image however many pods wait for it, malformed and oversized requests refused with a clear
 * status, credentials only to their own registry and never in a log, the certificate reloaded when it changes.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSilentServer } from '../support/registry';
import { TestCertificate, makeCertificate } from '../support/tls';
import { TestServer, admissionReview, https, pod, readMetrics, startTestServer } from './helpers';

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const index = (platforms: string[]) => JSON.stringify({
  schemaVersion: 2,
  mediaType: OCI_INDEX,
  manifests: platforms.map((p, i) => ({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${String(i).repeat(64)}`, size: 100, platform: { os: 'linux', architecture: p } })),
});
const BUDGET_MS = 600;

let scripted: Server;
let host: string;
let silent: { host: string; close(): Promise<void> };
let server: TestServer;
const dir = mkdtempSync(join(tmpdir(), 'arch-guard-limits-'));
/** Requests the scripted registry received: path and Authorization header. */
const seen: { path: string; authorization?: string }[] = [];
const SECRET = 'pa55-w0rd-for-private-only';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const routes: Record<string, Handler> = {
  // A registry that answers after a while: long enough for several pods to ask at once.
  '/v2/slow/manifests/1': (_req, res) => setTimeout(() => res.writeHead(200, { 'Content-Type': OCI_INDEX }).end(index(['arm64', 'amd64'])), 300),
  '/v2/reset/manifests/1': (req) => req.socket.destroy(),
  '/v2/hang/manifests/1': () => undefined,
  '/v2/fast/manifests/1': (_req, res) => res.writeHead(200, { 'Content-Type': OCI_INDEX }).end(index(['amd64'])),
  // Asks for Basic credentials: only the host the Docker config names for it may get them.
  '/v2/private/manifests/1': (req, res) => {
    const expected = `Basic ${Buffer.from(`robot:${SECRET}`).toString('base64')}`;
    if (req.headers.authorization === expected) res.writeHead(200, { 'Content-Type': OCI_INDEX }).end(index(['arm64']));
    else res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="test"', 'Content-Type': 'application/json' }).end(`{"errors":[{"code":"UNAUTHORIZED","message":"bad password ${SECRET}"}]}`);
  },
};

beforeAll(async () => {
  scripted = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    seen.push({ path, authorization: req.headers.authorization });
    (routes[path] ?? ((_q, r) => r.writeHead(404, { 'Content-Type': 'application/json' }).end('{"errors":[{"code":"NAME_UNKNOWN"}]}')))(req, res);
  });
  await new Promise<void>((resolve) => scripted.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(scripted.address() as AddressInfo).port}`;
  silent = await startSilentServer();
  // Credentials for the scripted registry's host as `localhost:<port>` only: 127.0.0.1:<port> is another registry.
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ auths: { [`localhost:${host.split(':')[1]}`]: { auth: Buffer.from(`robot:${SECRET}`).toString('base64') } } }));
  server = await startTestServer(['--plain-http', '--arch', 'arm64,amd64', '--budget-ms', String(BUDGET_MS), '--docker-config', config], { tlsReloadMs: 50 });
});

afterAll(async () => {
  await server?.stop();
  scripted?.closeAllConnections();
  await new Promise<void>((resolve) => (scripted ? scripted.close(() => resolve()) : resolve()));
  await silent?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a registry that fails: admitted unchanged within the budget, with a warning (fail open)', () => {
  test.each([
    ['hangs (accepts, never answers)', () => `${silent.host}/app:1`, (image: string) => `arch-guard: left unchanged, cannot read the platforms of ${image}: not read within the ${BUDGET_MS} ms budget`],
    ['hangs after the headers are asked for', () => `${host}/hang:1`, (image: string) => `arch-guard: left unchanged, cannot read the platforms of ${image}: not read within the ${BUDGET_MS} ms budget`],
    ['resets the connection', () => `${host}/reset:1`, (image: string) => `arch-guard: left unchanged, cannot read the platforms of ${image}: ${host} closed the connection`],
  ])('one that %s', async (_label, imageOf, warning) => {
    const image = imageOf();
    const started = Date.now();
    const response = await server.review(pod('app', { app: image }));
    const ms = Date.now() - started;
    expect(response).toEqual({ uid: expect.any(String), allowed: true, warnings: [warning(image)] });
    // Within the budget and the answer's way back, not the registry's own 15 s timeout (a margin for a loaded machine).
    expect(ms).toBeLessThan(BUDGET_MS + 1500);
  });

  test('a failed lookup is remembered briefly: the next pod is answered at once, the registry not asked again', async () => {
    const before = seen.filter((s) => s.path === '/v2/reset/manifests/1').length;
    const started = Date.now();
    const response = await server.review(pod('again', { app: `${host}/reset:1` }));
    expect(Date.now() - started).toBeLessThan(BUDGET_MS);
    expect(response.warnings).toEqual([`arch-guard: left unchanged, cannot read the platforms of ${host}/reset:1: ${host} closed the connection`]);
    expect(seen.filter((s) => s.path === '/v2/reset/manifests/1').length).toBe(before);
  });
});

test('one lookup per image: eight pods created at once wait for the same registry request', async () => {
  await readMetrics(server);
  const shared = server.metric('arch_guard_shared_lookups_total');
  const lookups = server.metric('arch_guard_registry_lookups_total{result="ok"}');
  const responses = await Promise.all(Array.from({ length: 8 }, (_, i) => server.review(pod(`burst-${i}`, { app: `${host}/slow:1` }))));
  expect(responses.every((r) => r.patchType === 'JSONPatch')).toBe(true);
  expect(seen.filter((s) => s.path === '/v2/slow/manifests/1')).toHaveLength(1);
  await readMetrics(server);
  expect(server.metric('arch_guard_registry_lookups_total{result="ok"}')).toBe(lookups + 1);
  expect(server.metric('arch_guard_shared_lookups_total')).toBe(shared + 7);
  // And later pods are answered from the cache.
  const hits = server.metric('arch_guard_cache_hits_total');
  await server.review(pod('later', { app: `${host}/slow:1` }));
  await readMetrics(server);
  expect(server.metric('arch_guard_cache_hits_total')).toBe(hits + 1);
  expect(seen.filter((s) => s.path === '/v2/slow/manifests/1')).toHaveLength(1);
});

describe('credentials go only to the registry they are for, and never into a log', () => {
  test('the Docker config entry for localhost:<port> is sent there, and the pod is placed', async () => {
    const response = await server.review(pod('private', { app: `localhost:${host.split(':')[1]}/private:1` }));
    expect(response.patchType).toBe('JSONPatch');
    expect(response.warnings).toBeUndefined();
  });

  test('the same server as 127.0.0.1:<port> is another registry: asked anonymously, and the pod admitted unchanged', async () => {
    const before = seen.length;
    const response = await server.review(pod('other-host', { app: `${host}/private:1` }));
    expect(response.patch).toBeUndefined();
    expect(response.warnings).toEqual([`arch-guard: left unchanged, cannot read the platforms of ${host}/private:1: ${host} requires credentials to pull private`]);
    expect(seen.slice(before).map((s) => s.authorization)).toEqual([undefined]);
  });

  test('no log line holds the password or its Basic form, though the registry echoed it', () => {
    expect(server.rawLogs()).not.toContain(SECRET);
    expect(server.rawLogs()).not.toContain(Buffer.from(`robot:${SECRET}`).toString('base64'));
  });
});

describe('requests that are not an AdmissionReview: a clear status, and the server keeps serving', () => {
  test.each([
    ['not JSON', '{"apiVersion":', 'the body is not JSON: POST an AdmissionReview (admission.k8s.io/v1)'],
    ['a JSON array', '[]', 'the body is not a JSON object: POST an AdmissionReview (admission.k8s.io/v1)'],
    ['admission.k8s.io/v1beta1', JSON.stringify({ ...admissionReview(pod('a', { a: 'busybox:1' })), apiVersion: 'admission.k8s.io/v1beta1' }), 'expected apiVersion admission.k8s.io/v1, kind AdmissionReview; got admission.k8s.io/v1beta1, AdmissionReview (set admissionReviewVersions: ["v1"])'],
    ['no request', JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }), 'the AdmissionReview has no request'],
    ['no uid', JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { operation: 'CREATE', object: {} } }), 'request.uid is missing'],
    ['a CREATE without its object', JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'u1', operation: 'CREATE' } }), 'request.object is missing for a CREATE'],
    ['a spec that is not an object', JSON.stringify(admissionReview({ kind: 'Pod', spec: 'x' })), 'request.object.spec is not an object'],
  ])('%s: 400 saying what is wrong', async (_label, body, error) => {
    const answer = await server.post(body);
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({ error });
  });

  test('a body over the 3 MiB limit, announced by Content-Length: 413 before it is read', async () => {
    const answer = await server.post(Buffer.alloc(3 * 1024 * 1024 + 1, 32));
    expect(answer.status).toBe(413);
    expect(answer.json).toEqual({ error: `the body is ${3 * 1024 * 1024 + 1} bytes, more than the ${3 * 1024 * 1024}-byte limit` });
  });

  test('a body over the limit sent in chunks (no Content-Length): 413 once it passes the limit', async () => {
    const answer = await server.post(Buffer.alloc(4 * 1024 * 1024, 32), { 'Transfer-Encoding': 'chunked' });
    expect(answer.status).toBe(413);
    expect(answer.json).toEqual({ error: `the body is more than the ${3 * 1024 * 1024}-byte limit` });
  });

  test.each([
    ['GET /mutate', 'GET', '/mutate', 405],
    ['POST /other', 'POST', '/other', 404],
  ])('%s: %s', async (_label, method, path, status) => {
    const answer = await https(server.port, server.cert.cert, method, path, method === 'POST' ? '{}' : undefined);
    expect(answer.status).toBe(status);
  });

  test('after all of that: healthy, ready, and the refusals counted', async () => {
    expect((await server.get('/healthz')).text).toBe('ok\n');
    expect((await server.get('/readyz')).status).toBe(200);
    await readMetrics(server);
    expect(server.metric('arch_guard_rejected_requests_total{reason="malformed"}')).toBe(7);
    expect(server.metric('arch_guard_rejected_requests_total{reason="too_large"}')).toBe(2);
    expect(server.metric('arch_guard_lookup_failures_total{reason="budget"}')).toBe(2);
  });
});

describe('concurrency: reviews past the in-flight limit are refused at once (503), so a flood cannot exhaust memory', () => {
  test('with a limit of 1, a second review while the first waits on a hanging registry gets 503, then the server serves again', async () => {
    const capped = await startTestServer(['--plain-http', '--arch', 'arm64,amd64', '--budget-ms', String(BUDGET_MS)], { maxInFlight: 1 });
    try {
      const slow = capped.post(admissionReview(pod('slow', { app: `${silent.host}/flood:1` })));
      await new Promise((resolve) => setTimeout(resolve, 100));
      const started = Date.now();
      const refused = await capped.post(admissionReview(pod('second', { app: `${silent.host}/flood:2` })));
      expect(refused.status).toBe(503);
      expect(refused.headers['retry-after']).toBe('1');
      expect(refused.json).toEqual({ error: 'busy: 1 reviews in progress' });
      expect(Date.now() - started).toBeLessThan(BUDGET_MS);
      expect((await slow).status).toBe(200);
      expect((await capped.post(admissionReview(pod('third', { app: `${silent.host}/flood:1` })))).status).toBe(200);
      await readMetrics(capped);
      expect(capped.metric('arch_guard_rejected_requests_total{reason="busy"}')).toBe(1);
    } finally {
      await capped.stop();
    }
  });
});

describe('TLS: the certificate files are reloaded when cert-manager renews them', () => {
  const waitFor = async (check: () => Promise<boolean>) => {
    for (let i = 0; i < 100; i++) {
      if (await check()) return true;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return false;
  };

  let renewed: TestCertificate;

  test('a new pair in the same files is served to new connections, without a restart', async () => {
    const first = await server.get('/healthz');
    expect(first.fingerprint256).toBe(server.cert.fingerprint256);
    renewed = makeCertificate(mkdtempSync(join(dir, 'renewed-')));
    copyFileSync(renewed.keyFile, server.cert.keyFile);
    copyFileSync(renewed.certFile, server.cert.certFile);
    const switched = await waitFor(async () => (await https(server.port, renewed.cert, 'GET', '/healthz').catch(() => undefined))?.fingerprint256 === renewed.fingerprint256);
    expect(switched).toBe(true);
    expect(server.logs().filter((l) => l.msg === 'TLS certificate reloaded')).toEqual([{
      time: expect.any(String), level: 'info', msg: 'TLS certificate reloaded',
      certificateSha256: createHash('sha256').update(renewed.cert).digest('hex'),
    }]);
  });

  test('a certificate without its key (half-written) is refused: the pair in use stays, and it is logged once', async () => {
    const other = makeCertificate(mkdtempSync(join(dir, 'other-')));
    copyFileSync(other.certFile, server.cert.certFile);
    const rejected = () => server.logs().filter((l) => l.level === 'warn' && String(l.msg).startsWith('new TLS files rejected'));
    expect(await waitFor(async () => rejected().length > 0)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(rejected()).toHaveLength(1);
    const answer = await https(server.port, renewed.cert, 'GET', '/healthz');
    expect(answer.fingerprint256).toBe(renewed.fingerprint256);
    expect(server.logs().filter((l) => l.msg === 'TLS certificate reloaded')).toHaveLength(1);
  });
});
