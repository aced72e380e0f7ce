import { ConfigError } from '../config/errors';
import { isRecord } from '../manifests/pod-spec';
import { PreflightError } from '../preflight/errors';
import { readWorkloads } from '../preflight/manifest-scan';
import { ARCH_GUARD_USAGE, ARCH_PLAN_USAGE, parseArchGuardArgs, parseArchPlanArgs } from './args';
import { Decision, Outcome, decide } from './decide';
import { GuardDependencies, createGuard } from './guard';
import { JsonLogger } from './log';
import { RunningArchGuard, startArchGuardServer } from './server';

/** Where a command writes: results (and the server's JSON logs) to `out`, failures to `err`, one line per call. */
export interface CommandOutput {
  out(line: string): void;
  err(line: string): void;
}

/** Exit codes: 0 done, 2 could not run (check-image's codes). */
export const EXIT = { ok: 0, failed: 2 } as const;

export interface ArchGuardRun {
  readonly code: number;
  /** Set when the server is listening; the caller stops it. */
  readonly server?: RunningArchGuard;
}

export interface ServerDependencies extends GuardDependencies {
  /** @default '0.0.0.0' */
  readonly host?: string;
  /** @default 60000 */
  readonly tlsReloadMs?: number;
  /** Reviews answered at once before more get 503; tests lower it. @default DEFAULT_MAX_IN_FLIGHT */
  readonly maxInFlight?: number;
}

/**
 * The arch-guard command: parses the arguments, wires the decision and starts the server. Logs go to `out` as
 * JSON lines; a usage or configuration error is one `ERROR` line on `err` and exit code 2.
 */
export async function runArchGuard(argv: readonly string[], output: CommandOutput, deps: ServerDependencies = {}): Promise<ArchGuardRun> {
  try {
    const options = parseArchGuardArgs(argv);
    if (options.help) {
      output.out(ARCH_GUARD_USAGE);
      return { code: EXIT.ok };
    }
    const guard = await createGuard(options, deps);
    const log = new JsonLogger(output.out, guard.scrubber);
    const server = await startArchGuardServer({
      guard, log, port: options.port, host: deps.host, tlsCertFile: options.tlsCert, tlsKeyFile: options.tlsKey, tlsReloadMs: deps.tlsReloadMs, maxInFlight: deps.maxInFlight,
    });
    log.info('listening', {
      port: server.port,
      architectures: guard.decideOptions.clusterArchitectures,
      architecturesFrom: guard.architecturesFrom,
      arm64Weight: guard.decideOptions.arm64Weight,
      budgetMs: guard.decideOptions.budgetMs,
    });
    return { code: EXIT.ok, server };
  } catch (error) {
    output.err(errorLine(error));
    return { code: EXIT.failed };
  }
}

const GROUPS: Readonly<Record<Outcome, string>> = {
  mutated: 'placed by the webhook',
  pinned: 'left as they are (pinned)',
  'pinned-mismatch': 'pinned with a warning',
  'lookup-failed': 'unchanged, a lookup failed',
  'no-common-architecture': 'unchanged, no common architecture',
  'no-images': 'without images',
};

// A few workloads at a time: their lookups share the cache, and a registry is not hit by a burst.
const CONCURRENCY = 4;

/**
 * The arch-plan command: for each workload in the manifests, its images' architectures and what the webhook
 * would do, from the same decision. Exit 0 once the plan is printed (failed lookups are part of it), 2 when it
 * cannot run.
 */
export async function runArchPlan(argv: readonly string[], output: CommandOutput, deps: GuardDependencies = {}): Promise<number> {
  try {
    const options = parseArchPlanArgs(argv);
    if (options.help) {
      output.out(ARCH_PLAN_USAGE);
      return EXIT.ok;
    }
    const guard = await createGuard(options, deps);
    const out = (line: string) => output.out(guard.scrubber.scrub(line));
    const workloads = options.paths.flatMap((path) => readWorkloads(path));
    if (workloads.length === 0) throw new PreflightError(`found no workload with a pod spec in ${options.paths.join(', ')}`, 'Pass the folders or files with the Pod, Job, Deployment or CronJob manifests');
    const decisions: Decision[] = new Array(workloads.length);
    let next = 0;
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, workloads.length) }, async () => {
      while (next < workloads.length) {
        const i = next++;
        decisions[i] = await decide(workloads[i].podSpec, guard.resolver.resolve, guard.decideOptions);
      }
    }));

    out(`Nodes: ${guard.architecturesFrom}; arm64 preferred with weight ${options.arm64Weight} where both fit`);
    workloads.forEach((w, i) => {
      const d = decisions[i];
      out('');
      out(`${w.workload}  (${w.file})`);
      const width = Math.max(...d.images.map((image) => image.image.length));
      for (const image of d.images) {
        const what = image.result.ok ? (image.result.architectures.join(', ') || 'no linux/arm64 or linux/amd64') : `cannot be read: ${image.result.error}`;
        out(`  ${image.image.padEnd(width)}  ${what}  [${image.containers.join(', ')}]`);
      }
      out(`  webhook: ${d.summary}`);
    });
    const counts = new Map<Outcome, number>();
    decisions.forEach((d) => counts.set(d.outcome, (counts.get(d.outcome) ?? 0) + 1));
    out('');
    out(`Planned ${workloads.length} workload${workloads.length === 1 ? '' : 's'}: ${[...counts.entries()].map(([o, n]) => `${n} ${GROUPS[o]}`).join(', ')}`);
    return EXIT.ok;
  } catch (error) {
    output.err(errorLine(error));
    return EXIT.failed;
  }
}

function errorLine(error: unknown): string {
  if (error instanceof PreflightError) return `ERROR ${error.message}`;
  // A configuration error lists its problems, one per line, each naming the key.
  if (error instanceof ConfigError) return `ERROR ${error.message}`;
  return `ERROR unexpected failure: ${isRecord(error) && typeof error.message === 'string' ? error.message : String(error)}. Please report it with the command you ran`;
}
