import { Architecture } from '../config/architectures';
import { SupportPhase, findKubernetesVersion, isoDay, phaseEnds, supportPhase, versionAboveTable } from '../config/kubernetes-versions';
import { ClusterConfig } from '../config/types';
import { PriceTable, instanceHourly } from './prices';

export interface NodeGroupCost {
  readonly name: string;
  readonly arch: Architecture;
  readonly instanceType: string;
  readonly capacityType: string;
  readonly minSize: number;
  readonly desiredSize: number;
  readonly maxSize: number;
  /** Undefined when the price table lacks the instance type: the group is listed, not counted. */
  readonly hourly?: number;
  readonly monthlyMin?: number;
  readonly monthlyDesired?: number;
  readonly monthlyMax?: number;
  /** The same size on the other architecture, when the table has one. */
  readonly counterpartType?: string;
  readonly counterpartMonthlyDesired?: number;
}

export interface CostReport {
  readonly prices: PriceTable;
  /** The day the support phase was computed for (ISO date). */
  readonly date: string;
  readonly kubernetesVersion: string;
  readonly supportPhase: SupportPhase;
  /** The last day of the current phase (end of standard or of extended support). */
  readonly phaseEnds?: string;
  readonly controlPlaneMonthly: number;
  /** What extended support adds over standard support, per month. */
  readonly extendedSupportPremiumMonthly: number;
  readonly nodeGroups: readonly NodeGroupCost[];
  readonly natGateways: number;
  /** True when the cluster uses an existing VPC, whose NAT gateways this stack does not create. */
  readonly existingVpc: boolean;
  readonly natMonthly: number;
  /** Public IPv4 addresses of the stack: one Elastic IP per NAT gateway it creates (nodes get none). */
  readonly publicIpv4Addresses: number;
  readonly publicIpv4Monthly: number;
  /** The KMS key that encrypts the cluster's Secrets, without requests (a small cluster stays in the free tier). */
  readonly kmsMonthly: number;
  /** Control-plane logs: an estimate from CONTROL_PLANE_LOG_GB_PER_DAY, ingestion plus storage once retention fills. */
  readonly logsGbPerMonth: number;
  /** Days the logs are kept; undefined when the stack does not set a retention (no clusterName): kept forever. */
  readonly logRetentionDays?: number;
  readonly logsMonthly: number;
  /** The cluster's upgrade policy, when set (supportType). */
  readonly supportType?: string;
  /** Sum of the priced lines at desired size: a lower bound when `unpriced` is not empty. */
  readonly totalMonthly: number;
  /** What the table could not price, one entry per item; empty for a complete report. */
  readonly unpriced: readonly string[];
}

type CostedCluster = Pick<ClusterConfig, 'kubernetesVersion' | 'nodeGroups' | 'natGateways' | 'vpcId'>
  & Partial<Pick<ClusterConfig, 'clusterName' | 'controlPlaneLogRetentionDays' | 'supportType'>>;

/**
 * An assumption, not a measurement: GB of control-plane logs a small cluster writes per day with all five log
 * types on (the audit log is most of it, and grows with API traffic: controllers, CI, kubectl). The report labels
 * the figure as an estimate; measure yours with the log group's IncomingBytes metric in CloudWatch.
 */
export const CONTROL_PLANE_LOG_GB_PER_DAY = 1;

/**
 * Monthly on-demand cost of `cluster` at `prices` on `date` (which decides the support phase); node groups at
 * their desired size, first instance type. Items the table lacks are listed in `unpriced`, never counted as 0.
 */
export function computeCost(cluster: CostedCluster, prices: PriceTable, date: Date): CostReport {
  const month = (hourly: number) => round(hourly * prices.hoursPerMonth);
  const unpriced: string[] = [];
  const support = findKubernetesVersion(cluster.kubernetesVersion);
  // The version above the table is the newest EKS may offer: standard support, its end date unknown.
  const phase = support ? supportPhase(support, date) : cluster.kubernetesVersion === versionAboveTable() ? 'standard' : 'ended';

  const nodeGroups = cluster.nodeGroups.map((group): NodeGroupCost => {
    const instanceType = group.instanceTypes[0];
    const base = {
      name: group.name, arch: group.arch, instanceType, capacityType: group.capacityType,
      minSize: group.minSize, desiredSize: group.desiredSize, maxSize: group.maxSize,
    };
    const hourly = instanceHourly(prices, instanceType);
    if (hourly === undefined) {
      unpriced.push(`${instanceType} (node group ${group.name})`);
      return base;
    }
    const [family, size] = instanceType.split('.');
    const counterpartFamily = prices.counterpartFamily[family];
    const counterpartType = counterpartFamily ? `${counterpartFamily}.${size}` : undefined;
    const counterpartHourly = counterpartType ? instanceHourly(prices, counterpartType) : undefined;
    return {
      ...base, hourly,
      monthlyMin: month(hourly * group.minSize),
      monthlyDesired: month(hourly * group.desiredSize),
      monthlyMax: month(hourly * group.maxSize),
      ...(counterpartHourly === undefined ? {} : { counterpartType, counterpartMonthlyDesired: month(counterpartHourly * group.desiredSize) }),
    };
  });
  // An existing VPC brings its own NAT gateways; they are not this stack's cost.
  const natGateways = cluster.vpcId ? 0 : cluster.natGateways;
  const controlPlaneHourly = phase === 'extended' ? prices.eksExtendedSupportHourly : prices.eksStandardSupportHourly;
  const controlPlaneMonthly = month(controlPlaneHourly);
  const natMonthly = month(prices.natGatewayHourly * natGateways);
  // Each NAT gateway has an Elastic IP; nodes sit in private subnets, and the EKS endpoint's addresses are not ours.
  const publicIpv4Monthly = month(prices.publicIpv4Hourly * natGateways);
  const kmsMonthly = prices.kmsKeyMonthly;
  const days = prices.hoursPerMonth / 24;
  const logsGbPerMonth = round(CONTROL_PLANE_LOG_GB_PER_DAY * days);
  // The stack sets the retention only with a clusterName; without one, EKS's log group keeps everything (the
  // storage line then grows every month: one month's worth is counted).
  const logRetentionDays = cluster.clusterName === undefined ? undefined : cluster.controlPlaneLogRetentionDays;
  const storedGb = CONTROL_PLANE_LOG_GB_PER_DAY * (logRetentionDays ?? days);
  const logsMonthly = round(logsGbPerMonth * prices.logsIngestionPerGb + storedGb * prices.logsStoragePerGbMonth);
  return {
    prices,
    date: isoDay(date),
    kubernetesVersion: cluster.kubernetesVersion,
    supportPhase: phase,
    phaseEnds: support ? phaseEnds(support, date) : undefined,
    controlPlaneMonthly,
    extendedSupportPremiumMonthly: month(prices.eksExtendedSupportHourly - prices.eksStandardSupportHourly),
    nodeGroups,
    natGateways,
    existingVpc: cluster.vpcId !== undefined,
    natMonthly,
    publicIpv4Addresses: natGateways,
    publicIpv4Monthly,
    kmsMonthly,
    logsGbPerMonth,
    logRetentionDays,
    logsMonthly,
    supportType: cluster.supportType,
    totalMonthly: round(controlPlaneMonthly + natMonthly + publicIpv4Monthly + kmsMonthly + logsMonthly
      + nodeGroups.reduce((sum, g) => sum + (g.monthlyDesired ?? 0), 0)),
    unpriced,
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

const usd = (value: number) => `$${value.toFixed(2)}`;
const rate = (value: number) => `$${value.toFixed(4)}/h`;

/** The report as text: one line per item, then the Graviton comparison, the support phase and what is missing. */
export function renderCostReport(report: CostReport, al2023Alternative?: CostReport): string {
  const p = report.prices;
  const lines = [
    `Monthly on-demand cost (${p.hoursPerMonth} h), prices: ${p.region} ${p.regionName}, ${p.date}; ${p.source}`,
    '',
    `  Control plane  Kubernetes ${report.kubernetesVersion}, ${report.supportPhase} support on ${report.date}`.padEnd(64) + usd(report.controlPlaneMonthly).padStart(10),
  ];
  for (const g of report.nodeGroups) {
    const head = `  Node group ${g.name} (${g.arch})  ${g.desiredSize} x ${g.instanceType}`;
    if (g.hourly === undefined) {
      lines.push(`${head}: not priced (${g.instanceType} is not in the ${p.region} table)`);
      continue;
    }
    const spot = g.capacityType === 'spot' ? ' (spot: billed at the spot price, usually lower)' : '';
    lines.push(
      `${head} @ ${rate(g.hourly)}`.padEnd(64) + usd(g.monthlyDesired as number).padStart(10) +
      `   min ${g.minSize}: ${usd(g.monthlyMin as number)}, max ${g.maxSize}: ${usd(g.monthlyMax as number)}${spot}`,
    );
  }
  const nat = report.existingVpc
    ? '  NAT gateways  not counted: the existing VPC (vpcId) brings its own'
    : `  NAT gateways  ${report.natGateways} x ${rate(p.natGatewayHourly)} (+ $${p.natGatewayPerGb}/GB processed)`;
  const ipv4 = report.existingVpc
    ? '  Public IPv4  not counted: the existing VPC\'s NAT gateways hold them'
    : `  Public IPv4  ${report.publicIpv4Addresses} x ${rate(p.publicIpv4Hourly)} (NAT gateway Elastic IPs)`;
  const kept = report.logRetentionDays === undefined
    ? 'never expire (no clusterName, so no retention): storage grows each month'
    : `kept ${report.logRetentionDays} days @ $${p.logsStoragePerGbMonth}/GB-month`;
  lines.push(
    nat.padEnd(64) + usd(report.natMonthly).padStart(10),
    ipv4.padEnd(64) + usd(report.publicIpv4Monthly).padStart(10),
    `  KMS key (Secrets encryption)  1 x ${usd(p.kmsKeyMonthly)}/month`.padEnd(64) + usd(report.kmsMonthly).padStart(10) +
      `   + $${p.kmsPer10kRequests} per 10,000 requests past 20,000 free`,
    `  Control-plane logs (estimate)  ${report.logsGbPerMonth} GB @ ${usd(p.logsIngestionPerGb)}/GB`.padEnd(64) + usd(report.logsMonthly).padStart(10) +
      `   ${CONTROL_PLANE_LOG_GB_PER_DAY} GB/day assumed, ${kept}`,
    `  Total at desired size${report.unpriced.length > 0 ? ' (priced lines only)' : ''}`.padEnd(64) + usd(report.totalMonthly).padStart(10),
  );
  const priced = report.nodeGroups.filter((g) => g.monthlyDesired !== undefined);
  if (priced.length > 0) lines.push('', 'The same node groups on the other architecture:');
  for (const g of priced) {
    if (g.monthlyDesired === undefined) continue;
    if (g.counterpartType === undefined || g.counterpartMonthlyDesired === undefined) {
      lines.push(`  ${g.name}: no priced counterpart of ${g.instanceType} on the other architecture`);
      continue;
    }
    const diff = g.counterpartMonthlyDesired - g.monthlyDesired;
    const verdict = g.arch === 'arm64'
      ? `Graviton saves ${usd(diff)}/month (${percent(diff, g.counterpartMonthlyDesired)})`
      : `Graviton would save ${usd(-diff)}/month (${percent(-diff, g.monthlyDesired)})`;
    lines.push(`  ${g.name}: ${g.desiredSize} x ${g.counterpartType} = ${usd(g.counterpartMonthlyDesired)}/month; ${verdict}`);
  }
  lines.push('', supportSentence(report));
  if (report.supportPhase === 'extended' && al2023Alternative) {
    // Both keys: cdk.json pins kubernetesVersion, so amiFamily alone would keep the version.
    lines.push(`With -c amiFamily=AL2023 -c kubernetesVersion=${al2023Alternative.kubernetesVersion} (${al2023Alternative.supportPhase} support): ` +
      `control plane ${usd(al2023Alternative.controlPlaneMonthly)}/month, total ${usd(al2023Alternative.totalMonthly)}/month ` +
      `(${usd(report.totalMonthly - al2023Alternative.totalMonthly)} less).`);
  }
  if (report.unpriced.length > 0) {
    lines.push('', `Not priced (no price in the ${p.region} table, so the total leaves them out): ${report.unpriced.join(', ')}.`);
  }
  return lines.join('\n');
}

function supportSentence(report: CostReport): string {
  const premium = usd(report.extendedSupportPremiumMonthly);
  if (report.supportPhase === 'extended') {
    return `Kubernetes ${report.kubernetesVersion} is in extended support until ${report.phaseEnds}: ${premium}/month more than standard support; ` +
      'after that date EKS upgrades the control plane itself.';
  }
  if (report.supportPhase === 'standard' && report.supportType === 'STANDARD') {
    return `Kubernetes ${report.kubernetesVersion} is in standard support until ${report.phaseEnds}; then EKS upgrades the control plane to the next version (supportType STANDARD), so extended support is never billed.`;
  }
  if (report.supportPhase === 'standard') {
    // The version above the table has no known end date (lib/config/kubernetes-versions.ts, versionAboveTable).
    const until = report.phaseEnds ? `until ${report.phaseEnds}` : '(its end date is not in this project\'s table)';
    return `Kubernetes ${report.kubernetesVersion} is in standard support ${until}; after that, extended support adds ${premium}/month.`;
  }
  return `Kubernetes ${report.kubernetesVersion} is not offered by EKS on ${report.date} (${report.supportPhase}).`;
}

function percent(part: number, whole: number): string {
  return whole === 0 ? '0%' : `${Math.round((part / whole) * 100)}%`;
}
