import { ECRClient, GetAuthorizationTokenCommand, GetAuthorizationTokenCommandOutput } from '@aws-sdk/client-ecr';
import { isEcrRegistry } from '../config/image-reference';
import { RegistryCredentials } from '../preflight/credentials';
import { PreflightError } from '../preflight/errors';
import { SecretScrubber } from '../preflight/redact';

/** The one call arch-guard makes to ECR; an ECRClient in the cluster, a stand-in or a local endpoint in tests. */
export interface EcrApi {
  send(command: GetAuthorizationTokenCommand): Promise<Pick<GetAuthorizationTokenCommandOutput, 'authorizationData'>>;
}

export interface EcrTokensOptions {
  readonly scrubber: SecretScrubber;
  /**
   * The ECR API for a region. The default is an ECRClient with the default credential chain: in the cluster, the
   * Pod Identity agent's credentials (no long-lived keys).
   */
  readonly clientFor?: (region: string) => EcrApi;
  /**
   * A token is fetched again this long before it expires (ECR's last 12 hours).
   * @default 900000 (15 minutes)
   */
  readonly refreshBeforeMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

interface Token {
  readonly credentials: RegistryCredentials;
  readonly expires: number;
}

/**
 * The ECR client of the server, bounded: the SDK's defaults (3 attempts, no request timeout, sockets idle for up
 * to 5 minutes) would let one hanging token call hold every lookup of that registry far past the webhook's
 * budget. Two attempts of at most 2 s each (1 s to connect) fail well within a pod's admission.
 */
export const ECR_CLIENT_LIMITS = { maxAttempts: 2, connectionTimeoutMs: 1000, requestTimeoutMs: 2000 } as const;

/** An ECRClient for a region with the default credential chain (Pod Identity in the cluster) and those limits. */
export function boundedEcrClient(region: string, extra: { readonly endpoint?: string; readonly credentials?: { accessKeyId: string; secretAccessKey: string } } = {}): ECRClient {
  return new ECRClient({
    region,
    ...extra,
    maxAttempts: ECR_CLIENT_LIMITS.maxAttempts,
    // throwOnRequestTimeout: without it the SDK only logs a warning when requestTimeout passes and keeps waiting.
    requestHandler: { connectionTimeout: ECR_CLIENT_LIMITS.connectionTimeoutMs, requestTimeout: ECR_CLIENT_LIMITS.requestTimeoutMs, throwOnRequestTimeout: true },
  });
}

/** `123456789012.dkr.ecr.eu-west-1.amazonaws.com` -> `eu-west-1` (also `dkr.ecr-fips` and `.amazonaws.com.cn`). */
export function ecrRegion(registry: string): string {
  return registry.split('.')[3];
}

/**
 * ECR authorization tokens per registry host, from GetAuthorizationToken, kept until shortly before they expire.
 * A token is only ever handed out for the host it was fetched for: the credential lookup asks by host.
 */
export class EcrTokens {
  private readonly tokens = new Map<string, Token>();
  private readonly pending = new Map<string, Promise<void>>();
  private readonly clients = new Map<string, EcrApi>();
  private readonly now: () => number;

  constructor(private readonly options: EcrTokensOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Fetches a token for an ECR host unless a fresh one is held; does nothing for other registries. */
  async prepare(registry: string): Promise<void> {
    if (!isEcrRegistry(registry) || this.fresh(registry)) return;
    const running = this.pending.get(registry);
    if (running) return running;
    const fetching = this.fetch(registry).finally(() => this.pending.delete(registry));
    this.pending.set(registry, fetching);
    return fetching;
  }

  /** The token's credentials for exactly this host, if one was prepared and has not expired. */
  credentials(registry: string): RegistryCredentials | undefined {
    const token = this.tokens.get(registry);
    return token && token.expires > this.now() ? token.credentials : undefined;
  }

  private fresh(registry: string): boolean {
    const token = this.tokens.get(registry);
    return token !== undefined && token.expires - (this.options.refreshBeforeMs ?? 15 * 60_000) > this.now();
  }

  private client(region: string): EcrApi {
    let client = this.clients.get(region);
    if (!client) {
      client = this.options.clientFor?.(region) ?? boundedEcrClient(region);
      this.clients.set(region, client);
    }
    return client;
  }

  private async fetch(registry: string): Promise<void> {
    const region = ecrRegion(registry);
    const account = registry.split('.')[0];
    let output;
    try {
      output = await this.client(region).send(new GetAuthorizationTokenCommand({ registryIds: [account] }));
    } catch (error) {
      const failure = error as { name?: string; message?: string };
      // The SDK's messages name the operation and the cause (no credentials, access denied); never a secret.
      throw new PreflightError(
        `cannot get an ECR token for ${registry} (${failure.name ?? 'Error'}: ${this.options.scrubber.scrub(String(failure.message ?? error)).split('\n')[0]})`,
        'Give the service account ecr:GetAuthorizationToken through its Pod Identity association',
      );
    }
    const data = output.authorizationData?.[0];
    const decoded = data?.authorizationToken ? Buffer.from(data.authorizationToken, 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    if (!data || colon <= 0) throw new PreflightError(`ECR answered GetAuthorizationToken for ${registry} without a token`, 'Retry; if it persists, check the ECR service health');
    const username = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    this.options.scrubber.add(password, username);
    this.options.scrubber.add(data.authorizationToken);
    const expires = data.expiresAt instanceof Date ? data.expiresAt.getTime() : this.now() + 12 * 3_600_000;
    this.tokens.set(registry, { credentials: { username, password, source: 'ECR GetAuthorizationToken' }, expires });
  }
}
