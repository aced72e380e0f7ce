/**
 * Helpers for the arch-guard tests: AdmissionReview requests built from real pod shapes, an HTTPS client that
 * trusts the test certificate, the patch applied with a real JSON Patch library, and the patched pods checked
 * against the Kubernetes Pod schema (kubernetes-models, through scripts/validate-manifests.ts).
 */
import { spawnSync } from 'node:child_process';
import { request } from 'node:https';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyPatch, deepClone, Operation } from 'fast-json-patch';
import { runArchGuard } from '../../lib/arch-guard/cli';
import { RunningArchGuard } from '../../lib/arch-guard/server';
import { PROJECT_ROOT } from '../../lib/config/cdk-json';
import { makeCertificate, TestCertificate } from '../support/tls';

export type Json = Record<string, unknown>;

let uid = 0;

/** An AdmissionReview v1 as the API server sends it for a Pod CREATE. */
export function admissionReview(pod: Json, overrides: Json = {}): Json {
  const metadata = (pod.metadata ?? {}) as Json;
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: `00000000-0000-4000-8000-${String(++uid).padStart(12, '0')}`,
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      requestKind: { group: '', version: 'v1', kind: 'Pod' },
      requestResource: { group: '', version: 'v1', resource: 'pods' },
      namespace: metadata.namespace ?? 'default',
      operation: 'CREATE',
      userInfo: { username: 'system:serviceaccount:kube-system:replicaset-controller', groups: ['system:serviceaccounts'] },
      object: pod,
      oldObject: null,
      dryRun: false,
      options: { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions' },
      ...overrides,
    },
  };
}

/** A bare Pod with these containers (name: image) and extra spec fields. */
export function pod(name: string, images: Record<string, string>, spec: Json = {}): Json {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: { containers: Object.entries(images).map(([container, image]) => ({ name: container, image })), ...spec },
  };
}

/** The Pod a controller creates from a workload's template (Deployment, Job, DaemonSet...): as the API server sees it. */
export function podFromTemplate(workload: Json, template: Json, extraSpec: (spec: Json) => Json = (s) => s): Json {
  const metadata = workload.metadata as Json;
  const templateMetadata = (template.metadata ?? {}) as Json;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${String(metadata.name)}-`,
      namespace: metadata.namespace ?? 'default',
      labels: templateMetadata.labels ?? {},
      ownerReferences: [{ apiVersion: String(workload.apiVersion), kind: String(workload.kind), name: String(metadata.name), uid: 'd9607e19-f88f-11e6-a518-42010a800195', controller: true }],
    },
    spec: extraSpec(deepClone(template.spec) as Json),
  };
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  readonly json?: Json;
}

/** One HTTPS request to the server on 127.0.0.1, trusting only the test certificate. */
export function https(port: number, ca: string, method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<HttpAnswer & { fingerprint256: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, ca, servername: 'localhost', agent: false, headers: { 'Content-Type': 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: Json | undefined;
        try {
          json = JSON.parse(text) as Json;
        } catch {
          json = undefined;
        }
        const fingerprint256 = (res.socket as unknown as { getPeerCertificate(): { fingerprint256: string } }).getPeerCertificate().fingerprint256;
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json, fingerprint256 });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The admission response of a review answer. */
export function responseOf(answer: HttpAnswer): { uid: string; allowed: boolean; patchType?: string; patch?: string; warnings?: string[] } {
  expect(answer.status).toBe(200);
  expect(answer.json?.apiVersion).toBe('admission.k8s.io/v1');
  expect(answer.json?.kind).toBe('AdmissionReview');
  return answer.json?.response as { uid: string; allowed: boolean; patchType?: string; patch?: string; warnings?: string[] };
}

/** The JSON Patch operations of a response (none when it carries no patch). */
export function patchOf(response: { patchType?: string; patch?: string }): Operation[] {
  if (!response.patch) return [];
  expect(response.patchType).toBe('JSONPatch');
  return JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8')) as Operation[];
}

/** The pod after the patch, applied by fast-json-patch with its validation on (a bad path throws). */
export function applied(podObject: Json, operations: Operation[]): Json {
  return applyPatch(deepClone(podObject), operations, true, false).newDocument as Json;
}

/**
 * Validates pods against the Kubernetes OpenAPI schema (kubernetes-models ships ES modules only, so this runs
 * the project's validator in one child process for all of them). Returns its output; status 0 when all are valid.
 */
export function validatePods(pods: readonly Json[]): { status: number | null; stdout: string; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'arch-guard-pods-'));
  try {
    pods.forEach((p, i) => {
      // generateName'd pods have no name yet; the API server gives them one before validation.
      const metadata = { ...(p.metadata as Json) };
      if (!metadata.name) metadata.name = `${String(metadata.generateName ?? 'pod-')}x${i}`;
      delete metadata.generateName;
      writeFileSync(join(dir, `pod-${String(i).padStart(3, '0')}.yaml`), JSON.stringify({ ...p, metadata }));
    });
    const result = spawnSync(process.execPath, ['--require', 'esbuild-register', join(PROJECT_ROOT, 'scripts', 'validate-manifests.ts'), dir], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 60_000 });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface TestServer {
  readonly port: number;
  readonly cert: TestCertificate;
  readonly server: RunningArchGuard;
  /** Every line the server logged, parsed. */
  logs(): Json[];
  /** The raw log text (to look for secrets). */
  rawLogs(): string;
  post(body: Json | string | Buffer, headers?: Record<string, string>): Promise<HttpAnswer>;
  review(podObject: Json, overrides?: Json): Promise<ReturnType<typeof responseOf>>;
  get(path: string): Promise<HttpAnswer & { fingerprint256: string }>;
  metric(line: string): number;
  stop(): Promise<void>;
}

/** Starts arch-guard in this process, as `npm run arch-guard` does, on 127.0.0.1 with a fresh certificate. */
export async function startTestServer(args: readonly string[], options: { tlsReloadMs?: number; maxInFlight?: number; cert?: TestCertificate } = {}): Promise<TestServer> {
  const cert = options.cert ?? makeCertificate();
  const lines: string[] = [];
  const errors: string[] = [];
  const run = await runArchGuard(['--port', '0', '--tls-cert', cert.certFile, '--tls-key', cert.keyFile, ...args], {
    out: (l) => lines.push(l),
    err: (l) => errors.push(l),
  }, { host: '127.0.0.1', tlsReloadMs: options.tlsReloadMs, maxInFlight: options.maxInFlight });
  if (!run.server) throw new Error(`arch-guard did not start: ${errors.join('\n')}`);
  const server = run.server;
  const post = (body: Json | string | Buffer, headers: Record<string, string> = {}) =>
    https(server.port, cert.cert, 'POST', '/mutate?timeout=5s', typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body), headers);
  const get = (path: string) => https(server.port, cert.cert, 'GET', path);
  return {
    port: server.port,
    cert,
    server,
    logs: () => lines.map((l) => JSON.parse(l) as Json),
    rawLogs: () => lines.join('\n'),
    post,
    get,
    review: async (podObject, overrides) => responseOf(await post(admissionReview(podObject, overrides))),
    metric: (line) => Number(new RegExp(`^${line.replace(/[{}"\\.+]/g, '\\$&')} (\\S+)$`, 'm').exec(metricsText)?.[1] ?? NaN),
    stop: () => server.close(),
  };
}

let metricsText = '';

/** Reads /metrics once; `metric(line)` then looks values up in it. */
export async function readMetrics(server: TestServer): Promise<string> {
  const answer = await server.get('/metrics');
  expect(answer.status).toBe(200);
  expect(answer.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
  metricsText = answer.text;
  return metricsText;
}
