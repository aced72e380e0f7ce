import { loadCdkJsonContext } from '../config/cdk-json';
import { npmTookContext } from '../config/context-args';
import { ConfigError } from '../config/errors';
import { Clock, clockFromEnvironment, newestStandardSupportVersion } from '../config/kubernetes-versions';
import { resolveProjectConfig } from '../config/project-config';
import { computeCost, renderCostReport } from './cost-report';
import { computeKarpenterBound, renderKarpenterBound } from './karpenter-cost';
import { PRICE_TABLES, PriceTable, US_EAST_1_PRICES } from './prices';

/** Exit codes of `npm run cost`. */
export const COST_EXIT = { ok: 0, config: 1, usage: 2, partial: 3 } as const;

export interface CostCliOptions {
  /**
   * Price tables by region code.
   * @default PRICE_TABLES
   */
  readonly tables?: Readonly<Record<string, PriceTable>>;
  /** @default console.log */
  readonly out?: (line: string) => void;
  /** @default console.error */
  readonly err?: (line: string) => void;
  /**
   * The date of the run: it decides each Kubernetes version's support phase.
   * @default the system clock, or the day MIXED_ARCH_EKS_PRETEND_TODAY names (clockFromEnvironment)
   */
  readonly clock?: Clock;
  /**
   * The cdk.json to read the configuration from.
   * @default the project's cdk.json
   */
  readonly cdkJson?: string;
  /**
   * The environment: npm's variables say whether npm took a `-c` meant for this command.
   * @default process.env
   */
  readonly env?: NodeJS.ProcessEnv;
}

const USAGE = 'Usage: npm run cost -- [--region us-east-1] [-c key=value]...';

/**
 * `npm run cost -- [--region code] [-c key=value]...`: the cost of the configuration `cdk deploy` would get with
 * the same `-c` options. Returns the exit code: 0, 1 for a configuration error, 2 for bad arguments, 3 when
 * the report is printed but some items could not be priced.
 */
export function runCostCli(argv: readonly string[], options: CostCliOptions = {}): number {
  const { tables = PRICE_TABLES, out = console.log, err = console.error, clock = clockFromEnvironment(), cdkJson, env = process.env } = options;
  const took = npmTookContext('cost', env);
  if (took) {
    err(took);
    return COST_EXIT.usage;
  }
  const overrides: Record<string, unknown> = {};
  let region = US_EAST_1_PRICES.region;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--region' && i + 1 < argv.length) {
      region = argv[++i];
      continue;
    }
    const arg = argv[i] === '-c' || argv[i] === '--context' ? argv[++i] : undefined;
    const match = arg === undefined ? undefined : /^([^=]+)=(.*)$/s.exec(arg);
    if (!match) {
      err(`Unknown argument "${argv[i]}". ${USAGE}`);
      return COST_EXIT.usage;
    }
    overrides[match[1]] = match[2];
  }
  const prices = tables[region];
  if (!prices) {
    err(`No price table for region "${region}" (prices differ by region and are not guessed). Tables: ${Object.keys(tables).join(', ')}. ${USAGE}`);
    return COST_EXIT.usage;
  }
  try {
    const today = clock();
    const context = { ...loadCdkJsonContext(cdkJson), ...overrides };
    const { cluster } = resolveProjectConfig((key) => context[key], env, Object.keys(context), today);
    const report = computeCost(cluster, prices, today);
    let alternative;
    const al2023Version = newestStandardSupportVersion(today);
    if (report.supportPhase === 'extended' && al2023Version && cluster.nodeGroups.some((g) => g.amiFamily === 'AL2')) {
      // What -c amiFamily=AL2023 gives: AL2 groups move to AL2023, and the version to its default.
      const nodeGroups = cluster.nodeGroups.map((g) => (g.amiFamily === 'AL2' ? { ...g, amiFamily: 'AL2023' as const } : g));
      alternative = computeCost({ ...cluster, nodeGroups, kubernetesVersion: al2023Version }, prices, today);
    }
    out(renderCostReport(report, alternative));
    let complete = report.unpriced.length === 0;
    if (report.unpriced.length > 0) {
      err(`Could not price: ${report.unpriced.join(', ')}. Add the family to lib/cost/prices.ts (${prices.region}).`);
    }
    if (cluster.karpenter) {
      const bound = computeKarpenterBound(cluster.karpenter.nodePools, prices);
      out(renderKarpenterBound(bound, report.totalMonthly).join('\n'));
      // Printed either way; the exit code says that part of a pool could not be priced.
      complete &&= bound.complete;
    }
    if (cluster.autoMode) {
      const bound = computeKarpenterBound(cluster.autoMode.nodePools, prices);
      out(renderKarpenterBound(bound, report.totalMonthly, 'auto-mode').join('\n'));
      // The management fee is never priced (AUTO_MODE_FEE_NOT_INCLUDED): the report is partial.
      err('Could not price: the EKS Auto Mode management fee per instance type (not confirmed from the AWS price list; see the report).');
      complete = false;
    }
    return complete ? COST_EXIT.ok : COST_EXIT.partial;
  } catch (error) {
    if (error instanceof ConfigError) {
      err(error.message);
      return COST_EXIT.config;
    }
    throw error;
  }
}
