import { parseArgs } from 'node:util';
import { ARCHITECTURES, Architecture } from '../config/architectures';
import { parseArchList, parseContext, parseTimeout } from '../preflight/args';
import { UsageError } from '../preflight/errors';
import { DEFAULT_ARM64_WEIGHT, DEFAULT_BUDGET_MS } from './decide';

/** The options arch-guard and arch-plan share: check-image's registry options and the decision's knobs. */
export interface RegistryDecisionOptions {
  /** Overrides the architectures of the node groups (and NodePools) in cdk.json. */
  readonly arch?: readonly Architecture[];
  /** Per registry exchange; undefined: the decision budget. */
  readonly timeoutSeconds?: number;
  readonly plainHttp: boolean;
  readonly context: Readonly<Record<string, string>>;
  readonly arm64Weight: number;
  readonly budgetMs: number;
  /** A Docker config.json whose `auths` give credentials for registries other than ECR. */
  readonly dockerConfig?: string;
  readonly help: boolean;
}

export interface ArchGuardOptions extends RegistryDecisionOptions {
  readonly port: number;
  readonly tlsCert: string;
  readonly tlsKey: string;
}

export interface ArchPlanOptions extends RegistryDecisionOptions {
  /** Manifest files or folders. */
  readonly paths: readonly string[];
}

/** Above the largest webhook timeoutSeconds (10): the API server would give up on the answer first. */
const MAX_BUDGET_MS = 9000;

const SHARED = `  --arch <list>          the architectures the nodes run, instead of cdk.json's node groups: ${ARCHITECTURES.join(',')}
  -c <key>=<value>       override a cdk.json context key, as with cdk (repeatable): -c autoscaler=karpenter
  --timeout <seconds>    limit for each registry request (default: the budget)
  --plain-http           use HTTP instead of HTTPS for a registry on this machine (localhost, 127.0.0.1, [::1])
  --docker-config <file> a Docker config.json whose "auths" give credentials for other private registries
                         (each only to its own registry); ECR uses its own token through the AWS credentials
  --arm64-weight <1-100> weight of the preferred arm64 affinity when both architectures fit (default ${DEFAULT_ARM64_WEIGHT})
  --budget-ms <n>        time for all image lookups of one pod; past it the pod is admitted unchanged (default ${DEFAULT_BUDGET_MS})
  -h, --help             show this help`;

export const ARCH_GUARD_USAGE = `Usage: npm run arch-guard -- --port <n> --tls-cert <file> --tls-key <file> [options]

The arch-guard admission webhook: an HTTPS server that answers AdmissionReview v1 requests for Pods on
POST /mutate with a JSON Patch that keeps each pod on the architectures all its images cover (required
kubernetes.io/arch affinity, arm64 preferred). GET /healthz, /readyz and /metrics (Prometheus text).
It never blocks a pod: a lookup that fails or a pod no architecture fits is admitted unchanged, with a warning.

Options:
  --port <n>             HTTPS port (0: any free port, logged at start)
  --tls-cert <file>      PEM certificate (chain); reloaded when the file changes
  --tls-key <file>       PEM private key; reloaded with the certificate
${SHARED}`;

export const ARCH_PLAN_USAGE = `Usage: npm run arch-plan -- [options] <manifest file or folder>...

Prints, for each workload in the manifests, the architectures its images cover and what the arch-guard
webhook would do with its pods, from the same decision. Exit codes: 0 plan printed, 2 it could not run.

Options:
${SHARED}`;

const sharedOptions = {
  arch: { type: 'string' },
  context: { type: 'string', short: 'c', multiple: true },
  timeout: { type: 'string' },
  'plain-http': { type: 'boolean' },
  'docker-config': { type: 'string' },
  'arm64-weight': { type: 'string' },
  'budget-ms': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parse<T extends Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>>(argv: readonly string[], options: T, positionals: boolean) {
  try {
    return parseArgs({ args: [...argv], allowPositionals: positionals, strict: true, options });
  } catch (error) {
    throw new UsageError((error as Error).message.split(/\.\s/)[0].replace(/\.$/, ''));
  }
}

function shared(values: Record<string, string | boolean | string[] | undefined>): RegistryDecisionOptions {
  const str = (key: string) => values[key] as string | undefined;
  return {
    arch: str('arch') === undefined ? undefined : parseArchList(str('arch') as string),
    timeoutSeconds: str('timeout') === undefined ? undefined : parseTimeout(str('timeout') as string),
    plainHttp: (values['plain-http'] as boolean | undefined) ?? false,
    context: parseContext((values.context as string[] | undefined) ?? []),
    arm64Weight: str('arm64-weight') === undefined ? DEFAULT_ARM64_WEIGHT : integer('--arm64-weight', str('arm64-weight') as string, 1, 100, DEFAULT_ARM64_WEIGHT),
    budgetMs: str('budget-ms') === undefined ? DEFAULT_BUDGET_MS : integer('--budget-ms', str('budget-ms') as string, 1, MAX_BUDGET_MS, DEFAULT_BUDGET_MS),
    dockerConfig: str('docker-config'),
    help: (values.help as boolean | undefined) ?? false,
  };
}

function integer(option: string, value: string, min: number, max: number, example: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < min || n > max) {
    const why = option === '--budget-ms' ? ' (it must stay below the webhook\'s timeoutSeconds, at most 10 s)' : '';
    throw new UsageError(`${option} "${value}" is not a whole number from ${min} to ${max}${why}`, `Write it like ${option} ${example}`);
  }
  return n;
}

/** Parses arch-guard's arguments; throws UsageError with the reason. */
export function parseArchGuardArgs(argv: readonly string[]): ArchGuardOptions {
  const { values } = parse(argv, { ...sharedOptions, port: { type: 'string' }, 'tls-cert': { type: 'string' }, 'tls-key': { type: 'string' } }, false);
  const common = shared(values);
  if (common.help) return { ...common, port: 0, tlsCert: '', tlsKey: '' };
  const missing = ['port', 'tls-cert', 'tls-key'].filter((k) => values[k as keyof typeof values] === undefined);
  if (missing.length > 0) {
    throw new UsageError(`missing ${missing.map((m) => `--${m}`).join(', ')}`, 'Run it like npm run arch-guard -- --port 8443 --tls-cert tls.crt --tls-key tls.key --arch arm64,amd64');
  }
  return { ...common, port: integer('--port', values.port as string, 0, 65535, 8443), tlsCert: values['tls-cert'] as string, tlsKey: values['tls-key'] as string };
}

/** Parses arch-plan's arguments; throws UsageError with the reason. */
export function parseArchPlanArgs(argv: readonly string[]): ArchPlanOptions {
  const { values, positionals } = parse(argv, sharedOptions, true);
  const common = shared(values);
  if (!common.help && positionals.length === 0) {
    throw new UsageError('no manifests to plan', 'Name manifest files or folders: npm run synth, then npm run arch-plan -- dist/');
  }
  return { ...common, paths: positionals };
}
