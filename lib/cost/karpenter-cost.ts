import { Architecture } from '../config/architectures';
import { KarpenterNodePoolConfig } from '../config/karpenter-config';
import { PriceTable } from './prices';

/** What one NodePool may cost at its CPU limit. */
export interface NodePoolBound {
  readonly name: string;
  readonly arch: readonly Architecture[];
  readonly cpuLimit: number;
  /** The dearest on-demand price per vCPU-hour among the table's types the pool may launch. */
  readonly perVcpuHourly: number;
  /** The family that price comes from. */
  readonly dearestFamily: string;
  readonly monthly: number;
  /** The table's families the pool allows (the bound's basis). */
  readonly priced: readonly string[];
  /** Allowed families or categories the price table has no price for: the bound does not cover them. */
  readonly unpriced: readonly string[];
}

export interface KarpenterBound {
  readonly pools: readonly NodePoolBound[];
  readonly totalMonthly: number;
  /** Whether every pool has a price for everything it allows (otherwise the CLI exits 1). */
  readonly complete: boolean;
}

// `large` has 2 vCPUs in every family the table holds (c, m, r, t), and prices scale with the size.
const LARGE_VCPUS = 2;

/**
 * The most the NodePools can add: each pool at its CPU limit, every vCPU at the dearest on-demand price per vCPU
 * of the instance families in the price table that the pool allows (its categories of generation 6 and later,
 * or its families, on its architectures). Spot capacity costs less than on-demand, so this is an upper bound,
 * except for allowed types the table has no price for (listed in `unpriced`).
 */
export function computeKarpenterBound(pools: readonly KarpenterNodePoolConfig[], prices: PriceTable): KarpenterBound {
  const families = Object.keys(prices.families).filter((f) => prices.families[f].sizes.includes('large'));
  const result = pools.map((pool): NodePoolBound => {
    const allowed = families.filter((family) => allows(pool, family));
    const unpriced = pool.instanceFamilies.length > 0
      ? pool.instanceFamilies.filter((f) => !families.includes(f))
      : pool.instanceCategories.filter((c) => !families.some((f) => category(f) === c && pool.arch.includes(archOf(f))));
    let dearestFamily = '';
    let perVcpuHourly = 0;
    for (const family of allowed) {
      const perVcpu = prices.families[family].large / LARGE_VCPUS;
      if (perVcpu > perVcpuHourly) [perVcpuHourly, dearestFamily] = [perVcpu, family];
    }
    return {
      name: pool.name, arch: pool.arch, cpuLimit: pool.cpuLimit, perVcpuHourly, dearestFamily,
      monthly: round(pool.cpuLimit * perVcpuHourly * prices.hoursPerMonth), priced: allowed.sort(), unpriced,
    };
  });
  return {
    pools: result,
    totalMonthly: round(result.reduce((sum, p) => sum + p.monthly, 0)),
    complete: result.every((p) => p.dearestFamily !== '' && p.unpriced.length === 0),
  };
}

/**
 * The EKS Auto Mode management fee, as the report states it: not priced. EKS bills it per hour for each instance
 * Auto Mode launches, at a rate that depends on the instance type (Amazon EKS pricing page; EKS best practices
 * guide, "EKS Auto Mode": standard EC2 rates plus a management fee on Auto Mode nodes only). No per-type figures
 * could be confirmed from the AWS price list for this project (searched 2026-12-04), so none is guessed.
 */
export const AUTO_MODE_FEE_NOT_INCLUDED = [
  'Not included: the EKS Auto Mode management fee, billed per hour for each instance Auto Mode launches at a rate per instance type',
  '(https://aws.amazon.com/eks/pricing/). Its figures could not be confirmed from the AWS price list, so they are not guessed here.',
  'The built-in system pool has no limit set here: it launches nodes only for pods that tolerate CriticalAddonsOnly and fit no other node.',
] as const;

/**
 * The report lines, with the assumption the bound rests on. The same pools run under Karpenter or Auto Mode, on
 * the same EC2 prices; Auto Mode adds its management fee, which is named and left out (see above).
 */
export function renderKarpenterBound(bound: KarpenterBound, currentTotalMonthly: number, autoscaler: 'karpenter' | 'auto-mode' = 'karpenter'): string[] {
  const usd = (v: number) => `$${v.toFixed(2)}`;
  const lines = [
    '',
    autoscaler === 'karpenter'
      ? 'Karpenter NodePools (autoscaler=karpenter): what they may add at their CPU limits, an upper bound.'
      : 'EKS Auto Mode NodePools (autoscaler=auto-mode): the EC2 they may add at their CPU limits, an upper bound.',
    'Assumption: every vCPU of the limit runs, on demand, at the dearest price per vCPU among the priced families the pool allows;',
    autoscaler === 'karpenter'
      ? 'generations newer than the table\'s are not priced. Spot capacity and smaller bills are the usual case; the controller runs on the node groups above.'
      : 'generations newer than the table\'s are not priced. Spot capacity and smaller bills are the usual case; AWS runs the autoscaler.',
  ];
  for (const p of bound.pools) {
    const price = p.dearestFamily ? `@ $${p.perVcpuHourly.toFixed(4)}/vCPU-h (${p.dearestFamily})` : 'no priced family';
    lines.push(`  NodePool ${p.name} (${p.arch.join(', ')})  up to ${p.cpuLimit} vCPU ${price}`.padEnd(64) + usd(p.monthly).padStart(10));
    lines.push(`    priced families: ${p.priced.join(', ') || 'none'}`);
    if (p.unpriced.length > 0) lines.push(`    not priced (missing from the price table, so not in the bound): ${p.unpriced.join(', ')}`);
  }
  lines.push(
    `  NodePools at their limits`.padEnd(64) + usd(bound.totalMonthly).padStart(10),
    `  Total with the NodePools at their limits`.padEnd(64) + usd(currentTotalMonthly + bound.totalMonthly).padStart(10),
  );
  if (autoscaler === 'auto-mode') lines.push(...AUTO_MODE_FEE_NOT_INCLUDED);
  return lines;
}

function allows(pool: KarpenterNodePoolConfig, family: string): boolean {
  if (!pool.arch.includes(archOf(family))) return false;
  if (pool.instanceFamilies.length > 0) return pool.instanceFamilies.includes(family);
  return pool.instanceCategories.includes(category(family)) && generation(family) > 5;
}

/** `m7g` -> `m`, `c6i` -> `c`. */
function category(family: string): string {
  return /^[a-z]+/.exec(family)?.[0] ?? family;
}

function generation(family: string): number {
  return Number(/\d+/.exec(family)?.[0] ?? 0);
}

/** Graviton families carry a `g` right after the generation (m7g, c6gn, t4g). */
function archOf(family: string): Architecture {
  return /^[a-z]+\d+g/.test(family) ? 'arm64' : 'amd64';
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
