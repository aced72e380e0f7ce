import { Architecture } from '../config/architectures';
import { CredentialLookup, dockerConfigFileLookup } from '../preflight/credentials';
import { inspectImage } from '../preflight/platforms';
import { SecretScrubber } from '../preflight/redact';
import { RegistryClient } from '../preflight/registry-client';
import { RegistryDecisionOptions } from './args';
import { ImageResolver, ImageResolverOptions } from './cache';
import { DecideOptions, OUTCOMES } from './decide';
import { EcrApi, EcrTokens } from './ecr';
import { ArchGuardMetrics } from './metrics';

/** Everything a decision needs, wired from the command line: arch-guard and arch-plan build the same. */
export interface Guard {
  readonly decideOptions: DecideOptions;
  /** `arm64 (node group graviton), amd64 (node group x86)` or `arm64, amd64 (--arch)`. */
  readonly architecturesFrom: string;
  readonly resolver: ImageResolver;
  readonly metrics: ArchGuardMetrics;
  readonly scrubber: SecretScrubber;
}

export interface GuardDependencies {
  /** For the cdk.json configuration (PRINT_PLATFORM_INFO_IMAGE and such); never for registry credentials. */
  readonly env?: NodeJS.ProcessEnv;
  /** The ECR API per region (tests); default: ECRClient with the default credential chain. */
  readonly ecrClientFor?: (region: string) => EcrApi;
  /** The cdk.json whose node groups give the architectures without --arch (tests: their own). @default the project's */
  readonly cdkJson?: string;
  /** Cache knobs (tests and the benchmark). */
  readonly cache?: Partial<Pick<ImageResolverOptions, 'tagTtlMs' | 'digestTtlMs' | 'errorTtlMs' | 'maxEntries' | 'now'>>;
}

/**
 * Credentials only ever go to the registry they are for: an ECR token to the ECR host it was fetched for, a
 * config.json entry to its own host; anything else is asked anonymously. The environment's REGISTRY_* variables
 * (check-image's, for CI) are not read: in the cluster, credentials come from the Pod Identity and a named Secret.
 */
export async function createGuard(options: RegistryDecisionOptions, deps: GuardDependencies = {}): Promise<Guard> {
  const { clusterArchitectures, architecturesFrom } = await architectures(options, deps.env ?? process.env, deps.cdkJson);
  const scrubber = new SecretScrubber();
  const metrics = new ArchGuardMetrics([...OUTCOMES, 'ignored']);
  const ecr = new EcrTokens({ scrubber, clientFor: deps.ecrClientFor });
  const fromFile = options.dockerConfig ? dockerConfigFileLookup(options.dockerConfig) : undefined;
  // Read it once now: a missing or broken file is a start-up error, not a failure of every later lookup.
  fromFile?.('');
  const credentials: CredentialLookup = (registry) => ecr.credentials(registry) ?? fromFile?.(registry);
  const client = new RegistryClient({
    timeoutMs: options.timeoutSeconds !== undefined ? options.timeoutSeconds * 1000 : options.budgetMs,
    plainHttp: options.plainHttp,
    credentials,
    scrubber,
    env: {},
  });
  const resolver = new ImageResolver({
    ...deps.cache,
    metrics,
    inspect: async (reference) => {
      await ecr.prepare(reference.registry);
      return inspectImage(client, reference);
    },
  });
  return {
    decideOptions: { clusterArchitectures, arm64Weight: options.arm64Weight, budgetMs: options.budgetMs },
    architecturesFrom,
    resolver,
    metrics,
    scrubber,
  };
}

/**
 * --arch, else the node groups and NodePools of cdk.json with the -c overrides (as check-image reads them). The
 * configuration code (and the aws-cdk-lib it needs) is loaded only then: the container passes --arch, and its
 * bundle never runs it.
 */
async function architectures(options: RegistryDecisionOptions, env: NodeJS.ProcessEnv, cdkJson?: string): Promise<{ clusterArchitectures: Architecture[]; architecturesFrom: string }> {
  if (options.arch) return { clusterArchitectures: [...options.arch], architecturesFrom: `${options.arch.join(', ')} (--arch)` };
  // A require, not import(): a bundle initializes the module only here, and jest's CommonJS runtime loads it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { nodeArchitectures, nodeLabel } = require('../preflight/run') as typeof import('../preflight/run');
  const nodes = nodeArchitectures(options, env, cdkJson);
  return { clusterArchitectures: nodes.map((n) => n.arch), architecturesFrom: nodes.map((n) => `${n.arch} (${nodeLabel(n)})`).join(', ') };
}
