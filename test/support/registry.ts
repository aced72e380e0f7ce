/**
 * Test helpers: a real OCI registry (Debian's `docker-registry`, the CNCF distribution registry) on a free
 * loopback port, images pushed to it through the registry HTTP API, and a server that never answers.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { AddressInfo, Server, Socket, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The binary of the Debian package `docker-registry`. */
export const REGISTRY_BINARY = process.env.REGISTRY_BINARY ?? '/usr/bin/docker-registry';

export interface TestRegistry {
  /** `127.0.0.1:<port>`, the registry part of image references. */
  readonly host: string;
  readonly url: string;
  /** Credentials the registry requires, when started with htpasswd auth. */
  readonly credentials?: { readonly username: string; readonly password: string };
  /** What the registry has logged so far (its stderr, at the `logLevel` it was started with). */
  log(): string;
  /** Stops the registry and deletes its storage. */
  stop(): Promise<void>;
}

export interface StartRegistryOptions {
  /** Require Basic auth with this user (registry `auth: htpasswd`, bcrypt via `htpasswd -B` from apache2-utils). */
  readonly htpasswd?: { readonly username: string; readonly password: string };
  /**
   * The registry's log level. At `warn`, an htpasswd registry logs every request without credentials
   * ("invalid authorization credential") and every login attempt by user name ("error authenticating user").
   * @default 'error'
   */
  readonly logLevel?: 'error' | 'warn' | 'info';
  /**
   * The loopback port to listen on (the README's demo uses 5000); a port in use then fails at once.
   * @default - a free port
   */
  readonly port?: number;
}

/** A free loopback port (the OS picks one; a tiny race remains, so startRegistry retries). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts a registry and waits until it answers `GET /v2/`. */
export async function startRegistry(options: StartRegistryOptions = {}): Promise<TestRegistry> {
  if (!existsSync(REGISTRY_BINARY)) {
    throw new Error(`${REGISTRY_BINARY} is missing: install it with apt-get install -y docker-registry (and apache2-utils for htpasswd)`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'preflight-registry-'));
  let auth = '';
  if (options.htpasswd) {
    // -C 4: the cheapest bcrypt cost, so logins stay fast in tests.
    const line = execFileSync('htpasswd', ['-nbBC', '4', options.htpasswd.username, options.htpasswd.password], { encoding: 'utf8' });
    writeFileSync(join(dir, 'htpasswd'), line.trim() + '\n');
    auth = `auth:\n  htpasswd:\n    realm: preflight-test\n    path: ${join(dir, 'htpasswd')}\n`;
  }
  let lastError = '';
  for (let attempt = 0; attempt < (options.port ? 1 : 3); attempt++) {
    const port = options.port ?? await freePort();
    const config = join(dir, 'config.yml');
    writeFileSync(
      config,
      [
        'version: 0.1',
        `log:\n  level: ${options.logLevel ?? 'error'}\n  accesslog:\n    disabled: true`,
        `storage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\n  delete:\n    enabled: true`,
        `http:\n  addr: 127.0.0.1:${port}`,
        auth,
      ].join('\n'),
    );
    const child = spawn(REGISTRY_BINARY, ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const url = `http://127.0.0.1:${port}`;
    if (await waitUntilUp(url, child)) {
      return {
        host: `127.0.0.1:${port}`,
        url,
        credentials: options.htpasswd,
        log: () => stderr,
        stop: async () => {
          await stopProcess(child);
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    await stopProcess(child);
    lastError = stderr.trim();
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`docker-registry did not start: ${lastError || 'no output'}`);
}

async function waitUntilUp(url: string, child: ChildProcess): Promise<boolean> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      const response = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      if (response.status === 200 || response.status === 401) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

/** A TCP server that accepts connections and never writes a byte: a registry that hangs. */
export async function startSilentServer(): Promise<{ readonly host: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    close: async () => {
      sockets.forEach((s) => s.destroy());
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** An OCI descriptor, as pushed. */
export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly platform?: { os: string; architecture: string; variant?: string };
  readonly annotations?: Record<string, string>;
}

export type ImageFormat = 'oci' | 'docker';

const TYPES = {
  oci: {
    index: 'application/vnd.oci.image.index.v1+json',
    manifest: 'application/vnd.oci.image.manifest.v1+json',
    config: 'application/vnd.oci.image.config.v1+json',
    layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  },
  docker: {
    index: 'application/vnd.docker.distribution.manifest.list.v2+json',
    manifest: 'application/vnd.docker.distribution.manifest.v2+json',
    config: 'application/vnd.docker.container.image.v1+json',
    layer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  },
} as const;

function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** `linux/arm64/v8` -> { os, architecture, variant }. */
export function platformOf(text: string): { os: string; architecture: string; variant?: string } {
  const [os, architecture, variant] = text.split('/');
  return variant ? { os, architecture, variant } : { os, architecture };
}

/** Pushes blobs and manifests with the distribution API (monolithic upload, then PUT manifest). */
export class ImagePusher {
  constructor(private readonly registry: TestRegistry) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    const c = this.registry.credentials;
    return c ? { ...extra, Authorization: `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}` } : extra;
  }

  async blob(repository: string, bytes: Buffer, mediaType: string): Promise<Descriptor> {
    const digest = sha256(bytes);
    const start = await fetch(`${this.registry.url}/v2/${repository}/blobs/uploads/`, { method: 'POST', headers: this.headers() });
    await start.arrayBuffer();
    if (start.status !== 202) throw new Error(`blob upload start: HTTP ${start.status}`);
    const location = new URL(start.headers.get('location') as string, this.registry.url);
    location.searchParams.set('digest', digest);
    const put = await fetch(location, { method: 'PUT', body: bytes, headers: this.headers({ 'Content-Type': 'application/octet-stream' }) });
    await put.arrayBuffer();
    if (put.status !== 201) throw new Error(`blob upload: HTTP ${put.status}`);
    return { mediaType, digest, size: bytes.length };
  }

  async manifest(repository: string, reference: string | undefined, mediaType: string, body: object): Promise<Descriptor> {
    const bytes = Buffer.from(JSON.stringify(body, null, 2));
    const digest = sha256(bytes);
    const response = await fetch(`${this.registry.url}/v2/${repository}/manifests/${reference ?? digest}`, {
      method: 'PUT',
      body: bytes,
      headers: this.headers({ 'Content-Type': mediaType }),
    });
    const text = await response.text();
    if (response.status !== 201) throw new Error(`manifest PUT ${repository}:${reference}: HTTP ${response.status} ${text}`);
    return { mediaType, digest, size: bytes.length };
  }

  /** A single-platform image: config blob naming the platform, one (fake) layer, the manifest. */
  async image(repository: string, reference: string | undefined, platform: string, format: ImageFormat = 'oci'): Promise<Descriptor> {
    const t = TYPES[format];
    const p = platformOf(platform);
    const layer = await this.blob(repository, Buffer.from(`layer for ${platform} ${repository}`), t.layer);
    const config = await this.blob(
      repository,
      Buffer.from(JSON.stringify({ ...p, created: '2025-01-01T00:00:00Z', config: {}, rootfs: { type: 'layers', diff_ids: [layer.digest] } })),
      t.config,
    );
    const manifest = await this.manifest(repository, reference, t.manifest, { schemaVersion: 2, mediaType: t.manifest, config, layers: [layer] });
    return { ...manifest, platform: p };
  }

  /** A buildx-style provenance attestation manifest for one image (platform unknown/unknown). */
  async attestation(repository: string, subject: Descriptor): Promise<Descriptor> {
    const t = TYPES.oci;
    const config = await this.blob(repository, Buffer.from(JSON.stringify({ architecture: 'unknown', os: 'unknown', config: {}, rootfs: { type: 'layers', diff_ids: [] } })), t.config);
    const statement = await this.blob(repository, Buffer.from(JSON.stringify({ _type: 'https://in-toto.io/Statement/v0.1', subject: [{ digest: subject.digest }] })), 'application/vnd.in-toto+json');
    const manifest = await this.manifest(repository, undefined, t.manifest, {
      schemaVersion: 2,
      mediaType: t.manifest,
      config,
      layers: [{ ...statement, annotations: { 'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v0.2' } }],
    });
    return {
      ...manifest,
      platform: { os: 'unknown', architecture: 'unknown' },
      annotations: { 'vnd.docker.reference.digest': subject.digest, 'vnd.docker.reference.type': 'attestation-manifest' },
    };
  }

  /** A multi-platform image: one image per platform, optional attestations, then the index/list at the tag. */
  async multiArch(repository: string, tag: string, platforms: readonly string[], options: { format?: ImageFormat; attestations?: boolean } = {}): Promise<Descriptor> {
    const format = options.format ?? 'oci';
    const children: Descriptor[] = [];
    for (const platform of platforms) children.push(await this.image(repository, undefined, platform, format));
    if (options.attestations) {
      for (const child of [...children]) children.push(await this.attestation(repository, child));
    }
    const t = TYPES[format];
    return this.manifest(repository, tag, t.index, { schemaVersion: 2, mediaType: t.index, manifests: children });
  }
}
