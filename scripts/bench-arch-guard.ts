/**
 * The arch-guard part of `npm run bench` (alone: `npm run bench -- arch-guard`): the webhook server as its own
 * process (bin/arch-guard.ts, as `npm run arch-guard` runs it), images in the local CNCF registry, and a client in
 * this process on keep-alive HTTPS connections, as the API server holds them.
 * - warm: AdmissionReviews of one Deployment pod (its image cached), as many as the server answers in
 *   ARCH_GUARD_BENCH_SECONDS (default 5) from ARCH_GUARD_BENCH_CONNECTIONS (default 8) connections at once:
 *   reviews per second and p50/p99 latency. Target: >= 2,000 reviews/s, p99 < 10 ms.
 * - cold: one review per image never looked up before (each a new tag), one at a time: the latency with the
 *   registry lookup in it.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../lib/config/cdk-json';
import { ImagePusher, startRegistry } from '../test/support/registry';
import { makeCertificate } from '../test/support/tls';

const SECONDS = Number(process.env.ARCH_GUARD_BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.ARCH_GUARD_BENCH_CONNECTIONS ?? 8);
const COLD_IMAGES = 30;

export interface ArchGuardBench {
  readonly warm: {
    readonly reviews: number; readonly seconds: number; readonly perSecond: number; readonly p50Ms: number; readonly p99Ms: number; readonly connections: number;
    /** The server process's CPU time (user + system) per review: what a review costs, however busy the machine is. */
    readonly serverCpuMsPerReview: number;
    /** Reviews one core could answer at that cost (1000 / serverCpuMsPerReview). */
    readonly perCoreCapacity: number;
    /** The machine's 1-minute load average when the run ended (2 cores: above 2, other work shared them). */
    readonly loadAverage: number;
  };
  readonly cold: { readonly reviews: number; readonly p50Ms: number; readonly p99Ms: number; readonly maxMs: number };
  readonly targets: { readonly perSecond: { target: string; pass: boolean }; readonly p99: { target: string; pass: boolean } };
}

/** User + system CPU time of a process in ms, from /proc (Linux). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const ticks = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || 100);
  // After the ") ": state is field 3 of stat, so utime (14) and stime (15) are at 11 and 12 here.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticks;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const round = (v: number, digits = 2) => Math.round(v * 10 ** digits) / 10 ** digits;

/** A Deployment's pod as the ReplicaSet controller creates it, wrapped in an AdmissionReview. */
function review(image: string, n: number): string {
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      namespace: 'shop',
      operation: 'CREATE',
      userInfo: { username: 'system:serviceaccount:kube-system:replicaset-controller' },
      object: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { generateName: 'web-7d4b9c8f6-', namespace: 'shop', labels: { app: 'web', 'pod-template-hash': '7d4b9c8f6' } },
        spec: {
          containers: [{
            name: 'web', image, ports: [{ containerPort: 8080 }],
            resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
            securityContext: { allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] } },
          }],
          affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['eu-west-1a', 'eu-west-1b'] }] }] } } },
          tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
        },
      },
    },
  });
}

function post(agent: Agent, port: number, ca: string, body: string): Promise<number> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/mutate?timeout=5s', ca, servername: 'localhost', agent, headers: { 'Content-Type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200 || !text.includes('"patchType":"JSONPatch"')) reject(new Error(`unexpected answer ${res.statusCode}: ${text.slice(0, 300)}`));
        else resolve(Number(process.hrtime.bigint() - started) / 1e6);
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function startServer(args: string[]): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--require', 'esbuild-register', 'bin/arch-guard.ts', ...args], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let text = '';
    const onData = (c: Buffer) => {
      text += c.toString();
      const match = /"msg":"listening","port":(\d+)/.exec(text);
      if (match) {
        // Keep draining its log (one line per review) without holding it.
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`arch-guard exited (${code}) before listening: ${text}`)));
  });
  return { child, port };
}

/** Runs both measurements and returns the figures; everything it started is stopped. */
export async function benchArchGuard(log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<ArchGuardBench> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-arch-guard-'));
  const registry = await startRegistry();
  let server: { child: ChildProcess; port: number } | undefined;
  try {
    const push = new ImagePusher(registry);
    await push.multiArch('web', '1.0.0', ['linux/arm64', 'linux/amd64'], { attestations: true });
    for (let i = 0; i < COLD_IMAGES; i++) await push.multiArch('cold', `v${i}`, ['linux/arm64', 'linux/amd64']);
    const cert = makeCertificate(dir);
    server = await startServer(['--port', '0', '--tls-cert', cert.certFile, '--tls-key', cert.keyFile, '--plain-http', '--arch', 'arm64,amd64']);
    const { port } = server;
    const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });

    // Cold: each review the first for its image; the registry answers with the index (one GET).
    const cold: number[] = [];
    for (let i = 0; i < COLD_IMAGES; i++) cold.push(await post(agent, port, cert.cert, review(`${registry.host}/cold:v${i}`, i)));
    cold.sort((a, b) => a - b);
    log(`arch-guard cold: ${COLD_IMAGES} reviews, p50 ${percentile(cold, 50).toFixed(2)} ms, p99 ${percentile(cold, 99).toFixed(2)} ms`);

    // Warm: one image, cached after the first review; a short warm-up, then the timed run.
    const image = `${registry.host}/web:1.0.0`;
    const warmUpEnd = Date.now() + 1000;
    let n = 1000;
    await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
      while (Date.now() < warmUpEnd) await post(agent, port, cert.cert, review(image, n++));
    }));
    const latencies: number[] = [];
    const cpuBefore = cpuMs(server.child.pid as number);
    const started = process.hrtime.bigint();
    const end = Date.now() + SECONDS * 1000;
    await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
      while (Date.now() < end) latencies.push(await post(agent, port, cert.cert, review(image, n++)));
    }));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const serverCpuMsPerReview = (cpuMs(server.child.pid as number) - cpuBefore) / latencies.length;
    agent.destroy();
    latencies.sort((a, b) => a - b);
    const perSecond = latencies.length / seconds;
    const p99 = percentile(latencies, 99);
    log(`arch-guard warm: ${latencies.length} reviews in ${seconds.toFixed(1)} s from ${CONNECTIONS} connections: ${Math.round(perSecond)}/s, p50 ${percentile(latencies, 50).toFixed(2)} ms, p99 ${p99.toFixed(2)} ms, server CPU ${serverCpuMsPerReview.toFixed(3)} ms per review`);
    return {
      warm: {
        reviews: latencies.length, seconds: round(seconds), perSecond: Math.round(perSecond), p50Ms: round(percentile(latencies, 50)), p99Ms: round(p99), connections: CONNECTIONS,
        serverCpuMsPerReview: round(serverCpuMsPerReview, 3), perCoreCapacity: Math.round(1000 / serverCpuMsPerReview), loadAverage: round(loadavg()[0]),
      },
      cold: { reviews: COLD_IMAGES, p50Ms: round(percentile(cold, 50)), p99Ms: round(percentile(cold, 99)), maxMs: round(cold[cold.length - 1]) },
      targets: { perSecond: { target: '>= 2000', pass: perSecond >= 2000 }, p99: { target: '< 10 ms', pass: p99 < 10 } },
    };
  } finally {
    if (server) {
      const exited = new Promise((resolve) => server?.child.once('exit', resolve));
      server.child.kill('SIGTERM');
      await exited;
    }
    await registry.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Prints the figures as the main bench prints its own. */
export function printArchGuardBench(result: ArchGuardBench): void {
  const { warm, cold, targets } = result;
  console.log(`\narch-guard bench: ${new Date().toISOString()}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), node ${process.version}; server and client are separate processes`);
  console.log(`warm cache  ${String(warm.perSecond).padStart(6)} reviews/s  p50 ${warm.p50Ms.toFixed(2)} ms  p99 ${warm.p99Ms.toFixed(2)} ms  (${warm.reviews} reviews, ${warm.seconds} s, ${warm.connections} keep-alive connections)`);
  console.log(`            server CPU ${warm.serverCpuMsPerReview.toFixed(3)} ms per review: ${warm.perCoreCapacity} reviews/s per core; load average ${warm.loadAverage} at the end (2 cores)`);
  console.log(`cold lookup               p50 ${cold.p50Ms.toFixed(2)} ms  p99 ${cold.p99Ms.toFixed(2)} ms  max ${cold.maxMs.toFixed(2)} ms  (${cold.reviews} images, each reviewed once, local registry)`);
  console.log(`warm reviews/s target ${targets.perSecond.target}: ${targets.perSecond.pass ? 'PASS' : 'FAIL'}; warm p99 target ${targets.p99.target}: ${targets.p99.pass ? 'PASS' : 'FAIL'}`);
}
