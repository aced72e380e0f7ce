import { Architecture } from '../config/architectures';
import { findKubernetesVersion } from '../config/kubernetes-versions';
import { ClusterConfig } from '../config/types';
import { PriceTable } from './prices';

/** A price the table lacks: the report fails rather than count it as zero. */
export class MissingPriceError extends Error {
  constructor(readonly item: string, table: PriceTable) {
    super(`No price for ${item} in the price table (${table.region}, ${table.date}). Add it to lib/cost/prices.ts.`);
    this.name = 'MissingPriceError';
  }
}

export interface NodeGroupCost {
  readonly name: string;
  readonly arch: Architecture;
  readonly instanceType: string;
  readonly capacityType: string;
  readonly minSize: number;
  readonly desiredSize: number;
  readonly maxSize: number;
  readonly hourly: number;
  readonly monthlyMin: number;
  readonly monthlyDesired: number;
  readonly monthlyMax: number;
  /** The same size on the other architecture. */
  readonly counterpartType: string;
  readonly counterpartMonthlyDesired: number;
}

export interface CostReport {
  readonly prices: PriceTable;
  readonly kubernetesVersion: string;
  readonly supportPhase: 'standard' | 'extended';
  readonly controlPlaneMonthly: number;
  /** What extended support adds over standard support, per month (0 in standard support). */
  readonly extendedSupportPremiumMonthly: number;
  readonly nodeGroups: readonly NodeGroupCost[];
  readonly natGateways: number;
  readonly natMonthly: number;
  readonly totalMonthly: number;
}

/** Monthly on-demand cost of `cluster` at `prices`; node groups at their desired size (first instance type). */
export function computeCost(cluster: Pick<ClusterConfig, 'kubernetesVersion' | 'nodeGroups' | 'natGateways' | 'vpcId'>, prices: PriceTable): CostReport {
  const month = (hourly: number) => round(hourly * prices.hoursPerMonth);
  const phase = findKubernetesVersion(cluster.kubernetesVersion)?.phase ?? 'standard';
  const controlPlaneHourly = phase === 'extended' ? prices.eksExtendedSupportHourly : prices.eksStandardSupportHourly;

  const nodeGroups = cluster.nodeGroups.map((group): NodeGroupCost => {
    const instanceType = group.instanceTypes[0];
    const hourly = priceOf(instanceType, prices);
    const counterpartType = counterpartOf(instanceType, prices);
    return {
      name: group.name, arch: group.arch, instanceType, capacityType: group.capacityType,
      minSize: group.minSize, desiredSize: group.desiredSize, maxSize: group.maxSize, hourly,
      monthlyMin: month(hourly * group.minSize),
      monthlyDesired: month(hourly * group.desiredSize),
      monthlyMax: month(hourly * group.maxSize),
      counterpartType,
      counterpartMonthlyDesired: month(priceOf(counterpartType, prices) * group.desiredSize),
    };
  });
  // An existing VPC brings its own NAT gateways; they are not this stack's cost.
  const natGateways = cluster.vpcId ? 0 : cluster.natGateways;
  const controlPlaneMonthly = month(controlPlaneHourly);
  const natMonthly = month(prices.natGatewayHourly * natGateways);
  return {
    prices,
    kubernetesVersion: cluster.kubernetesVersion,
    supportPhase: phase,
    controlPlaneMonthly,
    extendedSupportPremiumMonthly: phase === 'extended' ? month(prices.eksExtendedSupportHourly - prices.eksStandardSupportHourly) : 0,
    nodeGroups,
    natGateways,
    natMonthly,
    totalMonthly: round(controlPlaneMonthly + natMonthly + nodeGroups.reduce((sum, g) => sum + g.monthlyDesired, 0)),
  };
}

function priceOf(instanceType: string, prices: PriceTable): number {
  const price = prices.instanceHourly[instanceType];
  if (price === undefined) throw new MissingPriceError(`instance type ${instanceType}`, prices);
  return price;
}

function counterpartOf(instanceType: string, prices: PriceTable): string {
  const [family, size] = instanceType.split('.');
  const counterpart = prices.counterpartFamily[family];
  if (!counterpart) throw new MissingPriceError(`the other-architecture counterpart of ${family}`, prices);
  return `${counterpart}.${size}`;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

const usd = (value: number) => `$${value.toFixed(2)}`;
const rate = (value: number) => `$${value.toFixed(4)}/h`;

/** The report as text: one line per item, then the Graviton comparison and the AL2 note. */
export function renderCostReport(report: CostReport, al2023Alternative?: CostReport): string {
  const p = report.prices;
  const lines = [
    `Monthly on-demand cost (${p.hoursPerMonth} h), prices: ${p.region}, ${p.date}; ${p.source}`,
    '',
    `  Control plane  Kubernetes ${report.kubernetesVersion}, ${report.supportPhase} support`.padEnd(64) + usd(report.controlPlaneMonthly).padStart(10),
  ];
  for (const g of report.nodeGroups) {
    const spot = g.capacityType === 'spot' ? ' (spot: billed at the spot price, usually lower)' : '';
    lines.push(
      `  Node group ${g.name} (${g.arch})  ${g.desiredSize} x ${g.instanceType} @ ${rate(g.hourly)}`.padEnd(64) + usd(g.monthlyDesired).padStart(10) +
      `   min ${g.minSize}: ${usd(g.monthlyMin)}, max ${g.maxSize}: ${usd(g.monthlyMax)}${spot}`,
    );
  }
  lines.push(
    `  NAT gateways  ${report.natGateways} x ${rate(p.natGatewayHourly)} (+ $${p.natGatewayPerGb}/GB processed)`.padEnd(64) + usd(report.natMonthly).padStart(10),
    `  Total at desired size`.padEnd(64) + usd(report.totalMonthly).padStart(10),
    '',
    'The same node groups on the other architecture:',
  );
  for (const g of report.nodeGroups) {
    const diff = g.counterpartMonthlyDesired - g.monthlyDesired;
    const verdict = g.arch === 'arm64'
      ? `Graviton saves ${usd(diff)}/month (${percent(diff, g.counterpartMonthlyDesired)})`
      : `Graviton would save ${usd(-diff)}/month (${percent(-diff, g.monthlyDesired)})`;
    lines.push(`  ${g.name}: ${g.desiredSize} x ${g.counterpartType} = ${usd(g.counterpartMonthlyDesired)}/month; ${verdict}`);
  }
  if (report.supportPhase === 'extended') {
    lines.push('', `Kubernetes ${report.kubernetesVersion} is in extended support: ${usd(report.extendedSupportPremiumMonthly)}/month more than standard support.`);
    if (al2023Alternative) {
      lines.push(`With -c amiFamily=AL2023 (Kubernetes ${al2023Alternative.kubernetesVersion}, ${al2023Alternative.supportPhase} support): ` +
        `control plane ${usd(al2023Alternative.controlPlaneMonthly)}/month, total ${usd(al2023Alternative.totalMonthly)}/month ` +
        `(${usd(report.totalMonthly - al2023Alternative.totalMonthly)} less).`);
    }
  }
  return lines.join('\n');
}

function percent(part: number, whole: number): string {
  return whole === 0 ? '0%' : `${Math.round((part / whole) * 100)}%`;
}
