import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Server, createServer } from 'node:https';
import { AddressInfo } from 'node:net';
import { isRecord } from '../manifests/pod-spec';
import { PreflightError } from '../preflight/errors';
import { Decision, decide, patchAt } from './decide';
import { Guard } from './guard';
import { JsonLogger } from './log';

export interface ArchGuardServerOptions {
  readonly guard: Guard;
  readonly log: JsonLogger;
  /** 0 picks a free port. */
  readonly port: number;
  /**
   * The address to listen on.
   * @default '0.0.0.0' (in the cluster the Service reaches the pod's address); tests pass 127.0.0.1
   */
  readonly host?: string;
  readonly tlsCertFile: string;
  readonly tlsKeyFile: string;
  /**
   * How often the certificate files are read again: cert-manager renews the Secret and kubelet swaps the
   * mounted files (within about a minute); the new pair is used for new connections.
   * @default 60000
   */
  readonly tlsReloadMs?: number;
  /**
   * Largest AdmissionReview body accepted. A Pod is at most about 1.5 MiB (etcd's request limit).
   * @default 3 MiB
   */
  readonly maxBodyBytes?: number;
  /**
   * Reviews in progress at once; more are answered 503 at once (the API server then admits the pod unchanged,
   * failurePolicy Ignore), so a flood of large bodies cannot exhaust the container's memory.
   * @default 32 (32 x the 3 MiB body limit stays well inside the Deployment's 256 MiB)
   */
  readonly maxInFlight?: number;
}

export interface RunningArchGuard {
  readonly port: number;
  /** Re-reads the certificate files now; true when a new pair was loaded. */
  reloadTls(): boolean;
  /** Stops accepting requests (readyz answers 503 meanwhile), lets those in flight finish. */
  close(): Promise<void>;
}

export const DEFAULT_MAX_BODY_BYTES = 3 * 1024 * 1024;
export const DEFAULT_MAX_IN_FLIGHT = 32;
const ADMISSION_API = 'admission.k8s.io/v1';

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** Starts the webhook's HTTPS server; resolves once it listens. Throws PreflightError when the TLS files are unusable. */
export async function startArchGuardServer(options: ArchGuardServerOptions): Promise<RunningArchGuard> {
  const { guard, log } = options;
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  let inFlight = 0;
  let closing = false;
  let loaded = readTls(options);
  let lastSeen = fingerprint(loaded);

  let server: Server;
  try {
    server = createServer(
      { cert: loaded.cert, key: loaded.key, requestTimeout: 15_000, headersTimeout: 10_000, minVersion: 'TLSv1.2' },
      (req, res) => {
        handle(req, res).catch((error: unknown) => {
          // A bug, never a reason to stop serving: log it, answer 500 (the API server admits: failurePolicy Ignore).
          log.error('request failed', { path: req.url, error: (error as Error).message ?? String(error) });
          if (!res.headersSent) send(res, 500, 'text/plain', 'internal error\n');
          else res.destroy();
        });
      },
    );
  } catch (error) {
    throw new PreflightError(
      `cannot use ${options.tlsCertFile} and ${options.tlsKeyFile} (${(error as Error).message})`,
      'Give a PEM certificate and the private key that belongs to it',
    );
  }
  server.on('clientError', (_error, socket) => socket.destroy());
  server.on('tlsClientError', () => undefined);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // The API server calls /mutate?timeout=5s.
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/healthz') return send(res, 200, 'text/plain', 'ok\n');
    if (req.method === 'GET' && path === '/readyz') return closing ? send(res, 503, 'text/plain', 'shutting down\n') : send(res, 200, 'text/plain', 'ready\n');
    if (req.method === 'GET' && path === '/metrics') return send(res, 200, 'text/plain; version=0.0.4; charset=utf-8', guard.metrics.render());
    if (path !== '/mutate') return send(res, 404, 'text/plain', 'not found: POST /mutate, GET /healthz, /readyz, /metrics\n');
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      return send(res, 405, 'text/plain', 'POST an AdmissionReview to /mutate\n');
    }
    if (inFlight >= maxInFlight) {
      guard.metrics.rejected.inc({ reason: 'busy' });
      log.warn('request refused', { status: 503, reason: `${inFlight} reviews in progress, the limit` });
      res.setHeader('Retry-After', '1');
      return send(res, 503, 'application/json', `${JSON.stringify({ error: `busy: ${maxInFlight} reviews in progress` })}\n`);
    }
    inFlight++;
    try {
      await reviewRequest(req, res);
    } finally {
      inFlight--;
    }
  }

  async function reviewRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    let body: unknown;
    try {
      body = parseReview(await readBody(req, maxBody));
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      guard.metrics.rejected.inc({ reason: error.status === 413 ? 'too_large' : 'malformed' });
      log.warn('request refused', { status: error.status, reason: error.message });
      if (error.status === 413) res.setHeader('Connection', 'close');
      return send(res, error.status, 'application/json', `${JSON.stringify({ error: error.message })}\n`);
    }
    const answer = await review(body as AdmissionReviewIn);
    guard.metrics.latency.observe(Number(process.hrtime.bigint() - started) / 1e9);
    send(res, 200, 'application/json', JSON.stringify(answer));
  }

  async function review(body: AdmissionReviewIn): Promise<object> {
    const request = body.request;
    const response: Record<string, unknown> = { uid: request.uid, allowed: true };
    const answer = { apiVersion: ADMISSION_API, kind: 'AdmissionReview', response };
    const pod = request.object;
    const who = podName(request);
    if (!isPodCreate(request)) {
      guard.metrics.decisions.inc({ outcome: 'ignored' });
      return answer;
    }
    let decision: Decision;
    try {
      decision = await decide(pod.spec, guard.resolver.resolve, guard.decideOptions);
    } catch (error) {
      guard.metrics.decisions.inc({ outcome: 'ignored' });
      log.error('decision failed; admitted unchanged', { uid: request.uid, pod: who, error: (error as Error).message ?? String(error) });
      response.warnings = ['arch-guard: left unchanged after an internal error (see its logs)'];
      return answer;
    }
    guard.metrics.decisions.inc({ outcome: decision.outcome });
    decision.images.forEach((i) => {
      if (!i.result.ok) guard.metrics.lookupFailures.inc({ reason: / budget$/.test(i.result.error) ? 'budget' : 'error' });
    });
    if (decision.patch.length > 0) {
      response.patchType = 'JSONPatch';
      response.patch = Buffer.from(JSON.stringify(patchAt('/spec', decision.patch))).toString('base64');
    }
    if (decision.warnings.length > 0) response.warnings = decision.warnings.map((w) => guard.scrubber.scrub(w));
    log.log(decision.warnings.length > 0 ? 'warn' : 'info', 'pod admitted', {
      uid: request.uid,
      pod: who,
      outcome: decision.outcome,
      allowed: decision.allowed,
      pinnedTo: decision.pinnedTo,
      images: decision.images.map((i) => ({ image: i.image, ...(i.result.ok ? { architectures: i.result.architectures } : { error: i.result.error }) })),
      summary: decision.summary,
      dryRun: request.dryRun === true || undefined,
    });
    return answer;
  }

  function reloadTls(): boolean {
    let next;
    try {
      next = readTls(options);
    } catch (error) {
      // Mid-rotation or a missing mount: keep serving the pair in use and try again next time.
      log.warn('TLS files not readable; keeping the current certificate', { error: (error as Error).message });
      guard.metrics.tlsReloads.inc({ result: 'error' });
      return false;
    }
    const seen = fingerprint(next);
    if (seen === fingerprint(loaded)) return false;
    try {
      server.setSecureContext({ cert: next.cert, key: next.key, minVersion: 'TLSv1.2' });
    } catch (error) {
      if (seen !== lastSeen) {
        log.warn('new TLS files rejected (a certificate and key that do not match?); keeping the current certificate', { error: (error as Error).message });
        guard.metrics.tlsReloads.inc({ result: 'error' });
      }
      lastSeen = seen;
      return false;
    }
    loaded = next;
    lastSeen = seen;
    guard.metrics.tlsReloads.inc({ result: 'ok' });
    log.info('TLS certificate reloaded', { certificateSha256: createHash('sha256').update(next.cert).digest('hex') });
    return true;
  }

  const timer = setInterval(reloadTls, options.tlsReloadMs ?? 60_000);
  timer.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    reloadTls,
    close: async () => {
      closing = true;
      clearInterval(timer);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await closed;
    },
  };
}

interface AdmissionRequest {
  readonly uid: string;
  readonly kind?: { group?: string; version?: string; kind?: string };
  readonly resource?: { resource?: string };
  readonly subResource?: string;
  readonly operation?: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly dryRun?: boolean;
  readonly object: { metadata?: Record<string, unknown>; spec?: unknown };
}

interface AdmissionReviewIn {
  readonly request: AdmissionRequest;
}

function isPodCreate(request: AdmissionRequest): boolean {
  return request.operation === 'CREATE' && request.kind?.kind === 'Pod' && (request.kind.group ?? '') === '' && !request.subResource;
}

function podName(request: AdmissionRequest): string {
  const metadata = request.object.metadata ?? {};
  const name = typeof metadata.name === 'string' && metadata.name ? metadata.name : `${typeof metadata.generateName === 'string' ? metadata.generateName : ''}*`;
  return `${request.namespace ?? metadata.namespace ?? ''}/${name}`;
}

/** Checks the shape this server relies on; anything else is a 400 that says what is wrong. */
export function parseReview(text: string): AdmissionReviewIn {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'the body is not JSON: POST an AdmissionReview (admission.k8s.io/v1)');
  }
  if (!isRecord(body)) throw new HttpError(400, 'the body is not a JSON object: POST an AdmissionReview (admission.k8s.io/v1)');
  if (body.apiVersion !== ADMISSION_API || body.kind !== 'AdmissionReview') {
    throw new HttpError(400, `expected apiVersion ${ADMISSION_API}, kind AdmissionReview; got ${String(body.apiVersion)}, ${String(body.kind)} (set admissionReviewVersions: ["v1"])`);
  }
  const request = body.request;
  if (!isRecord(request)) throw new HttpError(400, 'the AdmissionReview has no request');
  if (typeof request.uid !== 'string' || request.uid === '') throw new HttpError(400, 'request.uid is missing');
  if (request.operation === 'CREATE' && !isRecord(request.object)) throw new HttpError(400, 'request.object is missing for a CREATE');
  if (isRecord(request.object) && request.object.spec !== undefined && !isRecord(request.object.spec)) throw new HttpError(400, 'request.object.spec is not an object');
  return { request: { ...request, object: isRecord(request.object) ? request.object : {} } as unknown as AdmissionRequest };
}

/** The whole body as text, or HttpError 413 as soon as it passes the limit (announced or streamed). */
function readBody(req: IncomingMessage, max: number): Promise<string> {
  const announced = Number(req.headers['content-length'] ?? '0');
  if (announced > max) {
    req.resume();
    return Promise.reject(new HttpError(413, `the body is ${announced} bytes, more than the ${max}-byte limit`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > max) {
        done = true;
        chunks.length = 0;
        // Stop buffering; the rest of the body is read and dropped while the 413 goes out.
        reject(new HttpError(413, `the body is more than the ${max}-byte limit`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!done) resolve(Buffer.concat(chunks).toString('utf8'));
      done = true;
    });
    req.on('error', (error) => {
      if (!done) reject(error);
      done = true;
    });
  });
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) }).end(body);
}

function readTls(options: Pick<ArchGuardServerOptions, 'tlsCertFile' | 'tlsKeyFile'>): { cert: Buffer; key: Buffer } {
  const read = (file: string, what: string) => {
    try {
      return readFileSync(file);
    } catch (error) {
      throw new PreflightError(`cannot read the TLS ${what} ${file} (${(error as NodeJS.ErrnoException).code ?? 'read error'})`, 'Check the path, and that the certificate Secret is mounted there');
    }
  };
  return { cert: read(options.tlsCertFile, 'certificate'), key: read(options.tlsKeyFile, 'key') };
}

function fingerprint(pair: { cert: Buffer; key: Buffer }): string {
  return createHash('sha256').update(pair.cert).update('\0').update(pair.key).digest('hex');
}
