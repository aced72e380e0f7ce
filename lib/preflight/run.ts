import { ARCHITECTURES, Architecture, ARCHITECTURE_ALIASES } from '../config/architectures';
import { readCdkJsonContext } from '../config/cdk-json';
import { npmTookContext } from '../config/context-args';
import { ContextReader } from '../config/value-reader';
import { ConfigError } from '../config/errors';
import { ImageReference, ImageReferenceError, formatImageReference, parseImageReference } from '../config/image-reference';
import { clusterArchitectures, nodePlacements, resolveProjectConfig } from '../config/project-config';
import { CheckImageOptions, USAGE, parseCheckImageArgs } from './args';
import { ArchRequirement, checkCoverage } from './coverage';
import { createCredentialLookup } from './credentials';
import { PreflightError } from './errors';
import { WorkloadImageUse, scanManifests } from './manifest-scan';
import { ImageInspection, inspectImage } from './platforms';
import { SecretScrubber } from './redact';
import { RegistryClient } from './registry-client';
import { renderCoverage, renderInspection } from './table';

/** Where the command writes: results to `out`, failures to `err`, one line per call. */
export interface CommandOutput {
  out(line: string): void;
  err(line: string): void;
}

/** Exit codes of check-image. */
export const EXIT = { ok: 0, missingArchitecture: 1, failed: 2 } as const;

/** A node architecture and who runs it: `node group graviton`, `NodePool graviton`, or `--arch` on the command line. */
export interface NodeArchitecture {
  readonly arch: Architecture;
  /** Node group names; empty when --arch set the architectures. */
  readonly groups: readonly string[];
  /** NodePools that may launch nodes of this architecture (with autoscaler=karpenter or auto-mode in cdk.json). */
  readonly pools: readonly string[];
}

/** One image to check and everything that needs it. */
interface ImageCheck {
  readonly image: string;
  readonly reference?: ImageReference;
  readonly referenceError?: string;
  readonly requirements: ArchRequirement[];
}

// Registries throttle bursts; a few images at a time is plenty for a preflight.
const CONCURRENCY = 4;

/**
 * The check-image command: parses the arguments, reads the node architectures, inspects every image and
 * prints tables and verdicts. Returns the exit code; expected failures print one line and never throw.
 */
/**
 * @param cdkJson the cdk.json whose node groups give the architectures to require (default: the project's)
 */
export async function runCheckImage(argv: readonly string[], output: CommandOutput, env: NodeJS.ProcessEnv = process.env, cdkJson?: string): Promise<number> {
  const scrubber = new SecretScrubber();
  const out = (line: string) => output.out(scrubber.scrub(line));
  const err = (line: string) => output.err(scrubber.scrub(line));
  try {
    const took = npmTookContext('check-image', env);
    if (took) {
      err(`ERROR ${took}`);
      return EXIT.failed;
    }
    const options = parseCheckImageArgs(argv);
    if (options.help) {
      out(USAGE);
      return EXIT.ok;
    }
    const nodeArchs = nodeArchitectures(options, env, cdkJson);
    const checks = new Map<string, ImageCheck>();
    options.images.forEach((image) => addRequirements(checks, image, nodeArchs.map((n) => ({ arch: n.arch, neededBy: nodeLabel(n) }))));
    for (const folder of options.manifests) {
      for (const use of scanManifests(folder)) addRequirements(checks, use.image, workloadRequirements(use, nodeArchs, (line) => err(`WARNING ${line}`)));
    }

    const client = new RegistryClient({
      timeoutMs: options.timeoutSeconds * 1000,
      plainHttp: options.plainHttp,
      credentials: createCredentialLookup(env),
      scrubber,
      env,
    });
    const list = [...checks.values()];
    const results = await mapLimited(list, CONCURRENCY, (check) => inspect(client, check));

    let failed = 0;
    let missing = 0;
    let printed = false;
    list.forEach((check, i) => {
      const result = results[i];
      if ('error' in result) {
        failed++;
        err(`ERROR ${check.image}: ${result.error}`);
        return;
      }
      const coverage = checkCoverage(result.inspection, check.requirements);
      if (coverage.missing.length > 0) missing++;
      if (printed) out('');
      printed = true;
      renderInspection(result.inspection).forEach(out);
      renderCoverage(coverage).forEach(out);
    });
    if (list.length > 1) {
      if (printed) out('');
      out(`Checked ${list.length} images: ${list.length - failed - missing} OK, ${missing} missing an architecture, ${failed} could not be checked`);
    }
    return failed > 0 ? EXIT.failed : missing > 0 ? EXIT.missingArchitecture : EXIT.ok;
  } catch (error) {
    if (error instanceof PreflightError || error instanceof ConfigError) {
      err(`ERROR ${error.message}`);
    } else {
      // A bug, not a registry problem: still one line, no stack trace.
      err(`ERROR unexpected failure: ${(error as Error).message ?? String(error)}. Please report it with the command you ran`);
    }
    return EXIT.failed;
  }
}

/** The architectures to require: --arch, else the node groups (and NodePools) of cdk.json with the -c overrides. */
export function nodeArchitectures(options: Pick<CheckImageOptions, 'arch' | 'context'>, env: NodeJS.ProcessEnv, cdkJson?: string): NodeArchitecture[] {
  if (options.arch) return options.arch.map((arch) => ({ arch, groups: [], pools: [] }));
  let fromFile;
  try {
    fromFile = readCdkJsonContext(cdkJson);
  } catch (error) {
    // A cdk.json that is not JSON: its one line names the file, line and column.
    if (error instanceof ConfigError) throw error;
    throw new PreflightError(`cannot read the node groups from cdk.json (${(error as Error).message.split('\n')[0]})`, 'Fix cdk.json, or give the architectures with --arch');
  }
  const context: ContextReader = (key) => (key in options.context ? options.context[key] : fromFile(key));
  const { cluster } = resolveProjectConfig(context, env);
  const placements = nodePlacements(cluster);
  const named = (arch: Architecture, kind: string) => placements.filter((p) => p.arch === arch && p.kind === kind).map((p) => p.name);
  return clusterArchitectures(cluster).map((arch) => ({ arch, groups: named(arch, 'node group'), pools: named(arch, 'NodePool') }));
}

export function nodeLabel(node: NodeArchitecture): string {
  if (node.groups.length === 0 && node.pools.length === 0) return '--arch';
  const list = (what: string, names: readonly string[]) => (names.length ? [`${what}${names.length > 1 ? 's' : ''} ${names.join(', ')}`] : []);
  return [...list('node group', node.groups), ...list('NodePool', node.pools)].join(', ');
}

/** What one workload needs of its image: its pinned architecture(s), or every node architecture. */
function workloadRequirements(use: WorkloadImageUse, nodeArchs: readonly NodeArchitecture[], warn: (line: string) => void): ArchRequirement[] {
  const where = `${use.workload} (${use.file})`;
  if (!use.pinnedTo) {
    return nodeArchs.map((node) => ({
      arch: node.arch,
      neededBy: `${use.workload} [${use.file}, not pinned, may run on ${node.groups.length + node.pools.length > 0 ? nodeLabel(node) : `any ${node.arch} node`}]`,
    }));
  }
  const pinned = use.pinnedTo.filter((v): v is Architecture => (ARCHITECTURES as readonly string[]).includes(v));
  for (const value of use.pinnedTo.filter((v) => !pinned.includes(v as Architecture))) {
    const alias = ARCHITECTURE_ALIASES[value.toLowerCase()];
    warn(`${where} is pinned to kubernetes.io/arch=${value}, which no node carries${alias ? ` (write ${alias})` : ''}`);
  }
  if (use.pinnedTo.length === 0) warn(`${where} excludes every architecture in its nodeAffinity, so it can never be scheduled`);
  for (const arch of pinned.filter((a) => !nodeArchs.some((n) => n.arch === a))) {
    warn(`${where} is pinned to ${arch} but no node runs ${arch} (nodes: ${nodeArchs.map((n) => n.arch).join(', ')}), so it stays Pending`);
  }
  return pinned.map((arch) => ({ arch, neededBy: `${use.workload} [${use.file}, pinned to ${arch}]` }));
}

function addRequirements(checks: Map<string, ImageCheck>, image: string, requirements: ArchRequirement[]): void {
  let reference: ImageReference | undefined;
  let referenceError: string | undefined;
  try {
    reference = parseImageReference(image);
  } catch (error) {
    if (!(error instanceof ImageReferenceError)) throw error;
    referenceError = `${error.message}. Write it as [registry/]repository[:tag][@sha256:<digest>]`;
  }
  // `busybox:1.37.0` and `docker.io/library/busybox:1.37.0` are one image: check it once.
  const key = reference ? formatImageReference(reference) : image;
  const check = checks.get(key) ?? { image, reference, referenceError, requirements: [] };
  check.requirements.push(...requirements);
  checks.set(key, check);
}

async function inspect(client: RegistryClient, check: ImageCheck): Promise<{ inspection: ImageInspection } | { error: string }> {
  if (!check.reference) return { error: check.referenceError ?? 'invalid image reference' };
  try {
    return { inspection: await inspectImage(client, check.reference) };
  } catch (error) {
    if (error instanceof PreflightError) return { error: error.message };
    return { error: `unexpected failure: ${(error as Error).message ?? String(error)}. Please report it with the command you ran` };
  }
}

/** Maps with at most `limit` calls in flight; results keep the input order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
