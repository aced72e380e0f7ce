import { parseArgs } from 'node:util';
import { ARCHITECTURE_ALIASES, ARCHITECTURES, Architecture, isArchitecture } from '../config/architectures';
import { CREDENTIAL_ENV } from './credentials';
import { UsageError } from './errors';

/** What the command line asks for. */
export interface CheckImageOptions {
  readonly images: readonly string[];
  /** Folders (or files) of Kubernetes manifests whose images to check. */
  readonly manifests: readonly string[];
  /** Overrides the node group architectures from cdk.json. */
  readonly arch?: readonly Architecture[];
  readonly timeoutSeconds: number;
  readonly plainHttp: boolean;
  readonly help: boolean;
  /** `-c key=value` overrides of the cdk.json context, as `cdk` and `npm run cost` take them. */
  readonly context: Readonly<Record<string, string>>;
}

export const DEFAULT_TIMEOUT_SECONDS = 15;

export const USAGE = `Usage: npm run check-image -- [options] <image-ref>...
       npm run check-image -- [options] --manifests <folder>

Reads each image's manifest from its registry and checks that it has a linux platform for every
node architecture (the node groups in cdk.json and, with autoscaler=karpenter or auto-mode, its
NodePools; or --arch). With --manifests, checks every image the Kubernetes manifests use against
the architecture each workload is pinned to (nodeSelector or required nodeAffinity on
kubernetes.io/arch), or against every node architecture when not pinned.

Options:
  --arch <list>         architectures to require instead of the node groups': ${ARCHITECTURES.join(',')}
  -c <key>=<value>      override a cdk.json context key, as with cdk (repeatable): -c autoscaler=karpenter
  --manifests <folder>  check the images of the YAML manifests in this folder (repeatable)
  --timeout <seconds>   limit for each registry request (default ${DEFAULT_TIMEOUT_SECONDS})
  --plain-http          use HTTP instead of HTTPS for a registry on this machine (localhost, 127.0.0.1, [::1])
  -h, --help            show this help

Credentials: ${CREDENTIAL_ENV.username} and ${CREDENTIAL_ENV.password}, sent only to the registry that
${CREDENTIAL_ENV.host} names (required with them); for other registries, the "auths" entry of that registry in
$DOCKER_CONFIG/config.json (default ~/.docker/config.json, as docker login writes it); else anonymous.
ECR: ${CREDENTIAL_ENV.host}=<account>.dkr.ecr.<region>.amazonaws.com ${CREDENTIAL_ENV.username}=AWS \\
     ${CREDENTIAL_ENV.password}="$(aws ecr get-login-password --region <region>)" npm run check-image -- <image-ref>

Exit codes: 0 every architecture covered, 1 an architecture is missing, 2 the check could not run.`;

/** Parses the arguments after `check-image`; throws UsageError with the reason. */
export function parseCheckImageArgs(argv: readonly string[]): CheckImageOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        arch: { type: 'string' },
        manifests: { type: 'string', multiple: true },
        timeout: { type: 'string' },
        'plain-http': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        context: { type: 'string', short: 'c', multiple: true },
      },
    });
  } catch (error) {
    // parseArgs explains itself well ("Unknown option '--foo'"); keep its first sentence (some end in a newline).
    throw new UsageError((error as Error).message.split(/\.\s/)[0].replace(/\.$/, ''));
  }
  const { values, positionals } = parsed;
  const help = values.help ?? false;
  const manifests = values.manifests ?? [];
  if (!help && positionals.length === 0 && manifests.length === 0) {
    throw new UsageError('nothing to check', 'Name one or more images (npm run check-image -- busybox:1.37.0), or pass --manifests dist/');
  }
  return {
    images: positionals,
    manifests,
    arch: values.arch === undefined ? undefined : parseArchList(values.arch),
    timeoutSeconds: values.timeout === undefined ? DEFAULT_TIMEOUT_SECONDS : parseTimeout(values.timeout),
    plainHttp: values['plain-http'] ?? false,
    help,
    context: parseContext(values.context ?? []),
  };
}

export function parseContext(pairs: readonly string[]): Record<string, string> {
  const context: Record<string, string> = {};
  for (const pair of pairs) {
    const match = /^([^=]+)=(.*)$/s.exec(pair);
    if (!match) throw new UsageError(`-c "${pair}" is not key=value`, 'Write it like -c autoscaler=karpenter');
    context[match[1]] = match[2];
  }
  return context;
}

export function parseArchList(value: string): Architecture[] {
  const archs = value.split(',').map((a) => a.trim()).filter(Boolean);
  if (archs.length === 0) throw new UsageError('--arch is empty', `Give a comma-separated list, such as --arch ${ARCHITECTURES.join(',')}`);
  for (const arch of archs) {
    if (!isArchitecture(arch)) {
      const alias = ARCHITECTURE_ALIASES[arch.toLowerCase()];
      throw new UsageError(`--arch: "${arch}" is not a node architecture`, alias ? `Write ${alias}` : `Use ${ARCHITECTURES.join(' or ')}`);
    }
  }
  return [...new Set(archs)] as Architecture[];
}

export function parseTimeout(value: string): number {
  const seconds = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !(seconds > 0)) {
    throw new UsageError(`--timeout "${value}" is not a positive number of seconds`, 'Write it like --timeout 15');
  }
  return seconds;
}
