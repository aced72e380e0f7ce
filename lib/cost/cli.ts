import { loadCdkJsonContext } from '../config/cdk-json';
import { ConfigError } from '../config/errors';
import { newestStandardSupportVersion } from '../config/kubernetes-versions';
import { resolveProjectConfig } from '../config/project-config';
import { MissingPriceError, computeCost, renderCostReport } from './cost-report';
import { PriceTable, US_EAST_1_PRICES } from './prices';

/**
 * `npm run cost -- [-c key=value]...`: the cost of the configuration `cdk deploy` would get with the same
 * `-c` options. Returns the exit code.
 */
export function runCostCli(argv: readonly string[], prices: PriceTable = US_EAST_1_PRICES, out = console.log, err = console.error): number {
  const overrides: Record<string, unknown> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] === '-c' || argv[i] === '--context' ? argv[++i] : undefined;
    const match = arg === undefined ? undefined : /^([^=]+)=(.*)$/s.exec(arg);
    if (!match) {
      err(`Unknown argument "${argv[i]}". Usage: npm run cost -- [-c key=value]...`);
      return 2;
    }
    overrides[match[1]] = match[2];
  }
  try {
    const context = { ...loadCdkJsonContext(), ...overrides };
    const { cluster } = resolveProjectConfig((key) => context[key], process.env, Object.keys(context));
    const report = computeCost(cluster, prices);
    let alternative;
    if (report.supportPhase === 'extended' && cluster.nodeGroups.some((g) => g.amiFamily === 'AL2')) {
      // What -c amiFamily=AL2023 gives: AL2 groups move to AL2023, and the version to its default.
      const nodeGroups = cluster.nodeGroups.map((g) => (g.amiFamily === 'AL2' ? { ...g, amiFamily: 'AL2023' as const } : g));
      alternative = computeCost({ ...cluster, nodeGroups, kubernetesVersion: newestStandardSupportVersion() }, prices);
    }
    out(renderCostReport(report, alternative));
    return 0;
  } catch (error) {
    if (error instanceof ConfigError || error instanceof MissingPriceError) {
      err(error.message);
      return 1;
    }
    throw error;
  }
}
