import { createHash } from 'node:crypto';
import { DOCKER_HUB, isEcrRegistry } from '../config/image-reference';
import { CREDENTIAL_ENV, CredentialLookup, RegistryCredentials, environmentCredentialsHost, normalizeRegistryHost, usesCredentialHelper } from './credentials';
import { PreflightError } from './errors';
import { MANIFEST_ACCEPT } from './media-types';
import { SecretScrubber } from './redact';
import { parseAuthChallenge } from './www-authenticate';

/** Where a repository lives: `parseImageReference` output without tag or digest. */
export interface RepositoryLocation {
  readonly registry: string;
  readonly repository: string;
}

export interface RegistryClientOptions {
  /** Limit for one HTTP exchange: connect, headers and body. A silent server fails after this long. */
  readonly timeoutMs: number;
  /** Talk HTTP instead of HTTPS (a local registry without TLS). */
  readonly plainHttp: boolean;
  readonly credentials: CredentialLookup;
  /** Receives every password and token this client handles, so the caller can keep them out of output. */
  readonly scrubber: SecretScrubber;
  /** Environment for hints (credential helpers); defaults to process.env. */
  readonly env?: NodeJS.ProcessEnv;
}

/** A manifest or index as the registry served it. */
export interface FetchedManifest {
  /** From Content-Type, else from the body's `mediaType`; empty when neither says. */
  readonly mediaType: string;
  /** Digest of the bytes received (what `@sha256:...` pins). */
  readonly digest: string;
  readonly size: number;
  readonly body: unknown;
}

// Registries cap manifests at 4 MiB; image configs are small JSON. Anything larger is not what we asked for.
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const MAX_BLOB_BYTES = 8 * 1024 * 1024;

/**
 * A minimal, read-only OCI distribution client: GET manifests and blobs, with the registry auth dance
 * (anonymous or credentialed bearer tokens, Basic auth) and a hard time limit on every exchange.
 */
export class RegistryClient {
  // Authorization header per registry/repository: tokens are scoped to one repository.
  private readonly authorizations = new Map<string, string>();

  constructor(private readonly options: RegistryClientOptions) {}

  /** The manifest or index at a tag or digest. */
  async getManifest(location: RepositoryLocation, reference: string): Promise<FetchedManifest> {
    const { response, bytes } = await this.get(location, `manifests/${reference}`, MANIFEST_ACCEPT, MAX_MANIFEST_BYTES, {
      kind: 'manifest',
      reference,
    });
    const algorithm = reference.startsWith('sha512:') ? 'sha512' : 'sha256';
    const digest = `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
    if (reference.includes(':') && reference !== digest) {
      throw new PreflightError(
        `${location.registry} answered ${reference} with content whose digest is ${digest}`,
        'Check that nothing between you and the registry rewrites responses, then retry',
      );
    }
    let body: unknown;
    try {
      body = JSON.parse(bytes.toString('utf8'));
    } catch {
      throw malformed(location, `the manifest for "${reference}" is not JSON`);
    }
    const contentType = (response.headers.get('content-type') ?? '').split(';')[0].trim();
    const declared = typeof body === 'object' && body !== null ? (body as { mediaType?: unknown }).mediaType : undefined;
    const mediaType = contentType && contentType !== 'application/json' ? contentType : typeof declared === 'string' ? declared : '';
    return { mediaType, digest, size: bytes.length, body };
  }

  /** A blob (an image config), checked against its digest. */
  async getBlob(location: RepositoryLocation, digest: string): Promise<Buffer> {
    const { bytes } = await this.get(location, `blobs/${digest}`, '*/*', MAX_BLOB_BYTES, { kind: 'blob', reference: digest });
    const [algorithm, hex] = digest.split(':');
    if (!['sha256', 'sha512'].includes(algorithm) || createHash(algorithm).update(bytes).digest('hex') !== hex) {
      throw new PreflightError(`${location.registry} served blob ${digest} with other content`, 'Push the image again, then retry');
    }
    return bytes;
  }

  private baseUrl(registry: string): string {
    // Docker Hub's API is not on docker.io itself.
    const host = registry === DOCKER_HUB ? 'registry-1.docker.io' : registry;
    return `${this.plainHttpFor(registry) ? 'http' : 'https'}://${host}`;
  }

  /** --plain-http reaches a registry on this machine only: credentials never cross a network in the clear. */
  private plainHttpFor(registry: string): boolean {
    return this.options.plainHttp && isLoopbackHost(registry);
  }

  private async get(
    location: RepositoryLocation,
    path: string,
    accept: string,
    maxBytes: number,
    what: { kind: 'manifest' | 'blob'; reference: string },
  ): Promise<{ response: Response; bytes: Buffer }> {
    const url = `${this.baseUrl(location.registry)}/v2/${location.repository}/${path}`;
    const key = `${location.registry}/${location.repository}`;
    let authorized = false;
    for (;;) {
      const headers: Record<string, string> = { Accept: accept };
      const authorization = this.authorizations.get(key);
      if (authorization) headers.Authorization = authorization;
      const { response, bytes } = await this.exchange(location.registry, url, headers, maxBytes);
      if (response.status === 401 && !authorized) {
        this.authorizations.set(key, await this.authorize(location, response));
        authorized = true;
        continue;
      }
      if (response.ok) return { response, bytes };
      throw this.statusError(location, response, bytes, what);
    }
  }

  /** Answers a 401 challenge: a bearer token from the realm, or Basic credentials. */
  private async authorize(location: RepositoryLocation, response: Response): Promise<string> {
    const header = response.headers.get('www-authenticate');
    const challenge = header ? parseAuthChallenge(header) : undefined;
    const credentials = this.credentialsFor(location.registry);
    if (challenge?.scheme === 'basic') {
      if (!credentials) throw this.credentialsNeeded(location);
      return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
    }
    if (challenge?.scheme !== 'bearer' || !challenge.params.realm) {
      throw malformed(location, `it asked for authentication without a usable challenge (${header ? header.split(' ')[0] : 'no WWW-Authenticate header'})`);
    }
    let realm: URL;
    try {
      realm = new URL(challenge.params.realm);
    } catch {
      throw malformed(location, 'its token service address (bearer realm) is not a URL');
    }
    if (credentials && realm.protocol !== 'https:' && !(realm.protocol === 'http:' && this.plainHttpFor(realm.host))) {
      // A token service is often on another host (GitLab's is); it still never gets a password in the clear.
      throw new PreflightError(
        `${location.registry} sends its logins to ${realm.protocol}//${realm.host}, which is not HTTPS: the credentials were not sent`,
        'Check the registry address; only a registry on this machine with --plain-http may use plain HTTP',
      );
    }
    if (challenge.params.service) realm.searchParams.set('service', challenge.params.service);
    realm.searchParams.set('scope', challenge.params.scope ?? `repository:${location.repository}:pull`);
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (credentials) {
      realm.searchParams.set('account', credentials.username);
      headers.Authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
    }
    const { response: tokenResponse, bytes } = await this.exchange(location.registry, realm.toString(), headers, MAX_BLOB_BYTES);
    if (tokenResponse.status === 401 || tokenResponse.status === 403) {
      throw credentials ? this.credentialsRejected(location, credentials) : this.credentialsNeeded(location);
    }
    if (!tokenResponse.ok) {
      throw new PreflightError(`the token service ${realm.host} of ${location.registry} answered HTTP ${tokenResponse.status}`, 'Retry later; if it persists, check the registry status');
    }
    let token: unknown;
    try {
      const body = JSON.parse(bytes.toString('utf8')) as { token?: unknown; access_token?: unknown };
      token = body.token ?? body.access_token;
    } catch {
      // handled below
    }
    if (typeof token !== 'string' || token === '') {
      throw malformed(location, `its token service ${realm.host} answered without a token`);
    }
    this.options.scrubber.add(token);
    return `Bearer ${token}`;
  }

  private credentialsFor(registry: string): RegistryCredentials | undefined {
    const credentials = this.options.credentials(registry);
    if (credentials) this.options.scrubber.add(credentials.password, credentials.username);
    return credentials;
  }

  /** One HTTP exchange, body included, bounded by the timeout; network failures become PreflightErrors. */
  private async exchange(registry: string, url: string, headers: Record<string, string>, maxBytes: number): Promise<{ response: Response; bytes: Buffer }> {
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    try {
      const response = await fetch(url, { headers, signal, redirect: 'follow' });
      const length = Number(response.headers.get('content-length') ?? '0');
      if (length > maxBytes) {
        await response.body?.cancel();
        throw malformed({ registry }, `it announced a ${length}-byte answer for ${new URL(url).pathname}, more than a manifest or config can be`);
      }
      const bytes = Buffer.from(await response.arrayBuffer());
      if (bytes.length > maxBytes) throw malformed({ registry }, `its answer for ${new URL(url).pathname} is larger than ${maxBytes} bytes`);
      return { response, bytes };
    } catch (error) {
      if (error instanceof PreflightError) throw error;
      throw this.networkError(new URL(url), error);
    }
  }

  private networkError(url: URL, error: unknown): PreflightError {
    const seconds = this.options.timeoutMs / 1000;
    // Duck-typed, not instanceof: fetch's errors may come from another realm (a jest vm context, for one).
    const failure = (typeof error === 'object' && error !== null ? error : {}) as { name?: string; message?: string; cause?: NodeJS.ErrnoException };
    if (failure.name === 'TimeoutError' || failure.name === 'AbortError') {
      return new PreflightError(`no answer from ${url.host} within ${seconds} s`, 'Check that the registry is up and the host and port are right, or raise --timeout');
    }
    const cause = failure.cause;
    const code = typeof cause?.code === 'string' ? cause.code : '';
    const https = url.protocol === 'https:';
    // --plain-http was asked for a remote registry and not honoured: say so instead of suggesting it again.
    const plainHttpHint = this.options.plainHttp && https
      ? `--plain-http is for a registry on this machine only (localhost, 127.0.0.1, [::1]); ${url.host} must speak HTTPS`
      : 'If this registry speaks plain HTTP (a local registry), add --plain-http';
    switch (code) {
      case 'ECONNREFUSED':
        return new PreflightError(`connection refused by ${url.host}`, 'Check that the registry is running and the host and port in the image reference');
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        return new PreflightError(`cannot resolve ${url.hostname}`, 'Check the registry name in the image reference, and DNS');
      case 'ECONNRESET':
      case 'UND_ERR_SOCKET':
        return new PreflightError(`${url.host} closed the connection`, https ? `${plainHttpHint}; else retry` : 'Retry; if it persists, check the registry');
      case 'ERR_SSL_WRONG_VERSION_NUMBER':
      case 'ERR_SSL_PACKET_LENGTH_TOO_LONG':
      case 'EPROTO':
        return new PreflightError(`TLS handshake with ${url.host} failed`, plainHttpHint);
      default:
        if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/.test(code)) {
          return new PreflightError(`${url.host} presented a TLS certificate Node does not trust (${code})`, 'Point NODE_EXTRA_CA_CERTS at its CA certificate');
        }
        return new PreflightError(`cannot reach ${url.host} (${code || cause?.message || failure.message || String(error)})`, 'Check the registry address and your network or proxy');
    }
  }

  private statusError(location: RepositoryLocation, response: Response, bytes: Buffer, what: { kind: 'manifest' | 'blob'; reference: string }): PreflightError {
    const { registry, repository } = location;
    const codes = registryErrorCodes(bytes);
    switch (response.status) {
      case 401: {
        const credentials = this.credentialsFor(registry);
        if (credentials) return this.credentialsRejected(location, credentials);
        return new PreflightError(
          `${registry} refused anonymous access to ${repository}: it does not exist or is private`,
          `Check the image name, or give credentials: ${this.howToAuthenticate(registry)}`,
        );
      }
      case 403:
        return new PreflightError(`${registry} denied pulling ${repository}${codes ? ` (${codes})` : ''}`, 'Use credentials that may pull this repository, or ask for pull access');
      case 404:
        if (what.kind === 'blob') {
          return new PreflightError(`${registry} has no blob ${what.reference} that ${repository} refers to`, 'Push the image again, then retry');
        }
        if (codes.includes('NAME_UNKNOWN')) {
          return new PreflightError(`${registry} has no repository ${repository}`, 'Check the image name (registry, path) and that it was pushed');
        }
        return new PreflightError(
          `${registry}/${repository} has no ${what.reference.includes(':') ? 'manifest' : 'tag'} "${what.reference}"`,
          'Check the tag or digest, and that the image was pushed',
        );
      case 429:
        return new PreflightError(`${registry} rate-limited the request (HTTP 429)`, `Wait and retry, or give credentials to get a higher limit: ${this.howToAuthenticate(registry)}`);
      case 400:
        if (this.plainHttpFor(registry)) {
          return new PreflightError(`${registry} answered HTTP 400 to a plain-HTTP request`, 'Drop --plain-http if the registry speaks HTTPS');
        }
        break;
      default:
        if (response.status >= 500) {
          return new PreflightError(`${registry} failed with HTTP ${response.status}`, 'Retry later; if it persists, check the registry status');
        }
    }
    return new PreflightError(`${registry} answered HTTP ${response.status}${codes ? ` (${codes})` : ''} for ${what.reference}`, 'Check the image reference and the registry address');
  }

  private credentialsNeeded(location: RepositoryLocation): PreflightError {
    const { registry, repository } = location;
    let fix = this.howToAuthenticate(registry);
    fix = fix[0].toUpperCase() + fix.slice(1);
    if (usesCredentialHelper(registry, this.options.env ?? process.env)) fix += ' (Docker credential helpers are not used by this tool)';
    return new PreflightError(`${registry} requires credentials to pull ${repository}`, fix);
  }

  /**
   * How to give credentials for `registry`. When REGISTRY_HOST names another registry, says so: setting
   * REGISTRY_USERNAME/REGISTRY_PASSWORD again would not help, they are for that host only.
   */
  private howToAuthenticate(registry: string): string {
    const scopedTo = environmentCredentialsHost(this.options.env ?? process.env);
    const ecrRegion = isEcrRegistry(registry) ? registry.split('.')[3] : undefined;
    if (scopedTo !== undefined && scopedTo !== normalizeRegistryHost(registry)) {
      const login = ecrRegion
        ? `aws ecr get-login-password --region ${ecrRegion} | docker login --username AWS --password-stdin ${registry}`
        : `docker login ${registry}`;
      return `${CREDENTIAL_ENV.username}/${CREDENTIAL_ENV.password} are sent to ${CREDENTIAL_ENV.host}=${scopedTo} only; for ${registry}, run ${login}`;
    }
    if (ecrRegion) {
      return `set ${CREDENTIAL_ENV.host}=${registry} ${CREDENTIAL_ENV.username}=AWS ${CREDENTIAL_ENV.password}="$(aws ecr get-login-password --region ${ecrRegion})"`;
    }
    return `set ${CREDENTIAL_ENV.host}=${registry} with ${CREDENTIAL_ENV.username} and ${CREDENTIAL_ENV.password}, or run docker login ${registry}`;
  }

  private credentialsRejected(location: RepositoryLocation, credentials: RegistryCredentials): PreflightError {
    const ecr = isEcrRegistry(location.registry) ? ' (ECR passwords from aws ecr get-login-password expire after 12 hours)' : '';
    return new PreflightError(
      `${location.registry} rejected the credentials of user "${credentials.username}" from ${credentials.source}`,
      `Check the username and password${ecr}, and that they may pull ${location.repository}`,
    );
  }
}

function malformed(location: Pick<RepositoryLocation, 'registry'>, detail: string): PreflightError {
  return new PreflightError(`unexpected answer from ${location.registry}: ${detail}`, 'Check that the address points at an OCI/Docker registry');
}

/** The `errors[].code` values of a distribution-spec error body, comma-separated; empty if none. */
function registryErrorCodes(bytes: Buffer): string {
  try {
    const body = JSON.parse(bytes.toString('utf8')) as { errors?: { code?: unknown }[] };
    return (body.errors ?? []).map((e) => e.code).filter((c): c is string => typeof c === 'string').join(', ');
  } catch {
    return '';
  }
}

/** `localhost`, `127.x.x.x` or `[::1]`, with or without a port. */
export function isLoopbackHost(registry: string): boolean {
  const host = registry.startsWith('[') ? registry.slice(0, registry.indexOf(']') + 1) : registry.split(':')[0];
  return host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}
