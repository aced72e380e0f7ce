import { KarpenterNodePoolConfig } from '../../lib/config/karpenter-config';
import { runCostCli } from '../../lib/cost/cli';
import { computeKarpenterBound, renderKarpenterBound } from '../../lib/cost/karpenter-cost';
import { PriceTable } from '../../lib/cost/prices';
import { TEST_CDK_JSON, TEST_DAY } from '../support/cdk';

// Round numbers, so every figure can be checked by hand. Per vCPU (large = 2 vCPUs): m7g 0.4, r7g 0.6, m7i 0.5,
// r7i 0.75, c5 (generation 5, never allowed by categories) 1.0.
const SIZES = ['large', 'xlarge'];
const TABLE: PriceTable = {
  region: 'test-region', regionName: 'Test', date: '2000-01-01', source: 'fixture', hoursPerMonth: 100,
  eksStandardSupportHourly: 0.1, eksExtendedSupportHourly: 0.6, natGatewayHourly: 0.05, natGatewayPerGb: 0.05,
  publicIpv4Hourly: 0.01, kmsKeyMonthly: 1, kmsPer10kRequests: 0.03, logsIngestionPerGb: 0.5, logsStoragePerGbMonth: 0.03,
  families: {
    m7g: { large: 0.8, sizes: SIZES }, r7g: { large: 1.2, sizes: SIZES }, m7i: { large: 1.0, sizes: SIZES },
    r7i: { large: 1.5, sizes: SIZES }, c5: { large: 2.0, sizes: SIZES }, x8g: { large: 9, sizes: ['xlarge'] },
  },
  counterpartFamily: { m7g: 'm7i', m7i: 'm7g' },
};
const pool = (overrides: Partial<KarpenterNodePoolConfig>): KarpenterNodePoolConfig => ({
  name: 'p', arch: ['arm64'], capacityTypes: ['spot'], cpuLimit: 10, instanceCategories: ['c', 'm', 'r'], instanceFamilies: [], weight: 50, labels: {}, taints: [], ...overrides,
});

test('each pool at its CPU limit, at the dearest per-vCPU price among the priced families it allows', () => {
  const bound = computeKarpenterBound([pool({ name: 'arm' }), pool({ name: 'x86', arch: ['amd64'], cpuLimit: 20 })], TABLE);
  expect(bound.pools.map((p) => [p.name, p.dearestFamily, p.perVcpuHourly, p.monthly, p.priced])).toEqual([
    ['arm', 'r7g', 0.6, 600, ['m7g', 'r7g']], // 10 vCPU x 0.6 x 100 h
    ['x86', 'r7i', 0.75, 1500, ['m7i', 'r7i']], // 20 x 0.75 x 100; c5 is generation 5, excluded
  ]);
  expect(bound.totalMonthly).toBe(2100);
  // c is allowed, but the table prices no c family of generation 6+ for either architecture.
  expect(bound.pools[0].unpriced).toEqual(['c']);
  expect(bound.complete).toBe(false);
});

test('a pool of both architectures takes the dearest of both; a family list narrows it', () => {
  expect(computeKarpenterBound([pool({ arch: ['arm64', 'amd64'], instanceCategories: ['m', 'r'] })], TABLE).pools[0]).toMatchObject({ dearestFamily: 'r7i', monthly: 750, unpriced: [] });
  expect(computeKarpenterBound([pool({ instanceCategories: [], instanceFamilies: ['m7g'] })], TABLE)).toMatchObject({ totalMonthly: 400, complete: true });
  expect(computeKarpenterBound([pool({ instanceCategories: [], instanceFamilies: ['m8g'] })], TABLE).pools[0]).toMatchObject({ monthly: 0, unpriced: ['m8g'] });
});

test('the report states the assumption, each pool, the families priced, and the total beside today\'s', () => {
  const lines = renderKarpenterBound(computeKarpenterBound([pool({ name: 'arm', instanceCategories: ['m', 'r'] })], TABLE), 1000);
  expect(lines[1]).toBe('Karpenter NodePools (autoscaler=karpenter): what they may add at their CPU limits, an upper bound.');
  expect(lines[2]).toMatch(/^Assumption: every vCPU of the limit runs, on demand, at the dearest price per vCPU/);
  expect(lines).toContainEqual(expect.stringMatching(/^ {2}NodePool arm \(arm64\) {2}up to 10 vCPU @ \$0\.6000\/vCPU-h \(r7g\) +\$600\.00$/));
  expect(lines).toContain('    priced families: m7g, r7g');
  expect(lines.at(-1)).toMatch(/^ {2}Total with the NodePools at their limits +\$1600\.00$/);
});

test('npm run cost -- -c autoscaler=karpenter prints the bound after today\'s figures; an unpriced pool exits 3 (partial)', () => {
  const out: string[] = [];
  const options = (lines: string[]) => ({ tables: { 'us-east-1': TABLE }, out: (l: string) => lines.push(l), err: () => undefined, clock: () => TEST_DAY, cdkJson: TEST_CDK_JSON });
  expect(runCostCli(['-c', 'autoscaler=karpenter'], options(out))).toBe(3);
  const text = out.join('\n');
  expect(text.indexOf('Total at desired size')).toBeLessThan(text.indexOf('Karpenter NodePools'));
  expect(text).toMatch(/NodePool graviton \(arm64\) {2}up to 64 vCPU @ \$0\.6000\/vCPU-h \(r7g\) +\$3840\.00/);
  expect(text).toMatch(/not priced \(missing from the price table, so not in the bound\): c/);
  const none: string[] = [];
  expect(runCostCli([], options(none))).toBe(0);
  expect(none.join('\n')).not.toMatch(/Karpenter/);
});

describe('which families a pool allows, and the dearest of them', () => {
  // Listed out of order, with a tie and a three-letter category, so that order, ties and parsing all show.
  const TIES: PriceTable = {
    ...TABLE,
    families: {
      r7g: { large: 1.2, sizes: SIZES }, c7g: { large: 1.2, sizes: SIZES }, m7g: { large: 0.8, sizes: SIZES },
      hpc7g: { large: 3, sizes: SIZES }, x8g: { large: 9, sizes: ['xlarge'] },
    },
  };

  test('priced families sorted; of equal prices the first in the table wins', () => {
    expect(computeKarpenterBound([pool({})], TIES).pools[0]).toMatchObject({ priced: ['c7g', 'm7g', 'r7g'], dearestFamily: 'r7g', perVcpuHourly: 0.6, unpriced: [] });
  });

  test('a category of several letters is read whole, and a Graviton family of it is arm64', () => {
    expect(computeKarpenterBound([pool({ instanceCategories: ['hpc'] })], TIES).pools[0]).toMatchObject({ priced: ['hpc7g'], dearestFamily: 'hpc7g', unpriced: [] });
    expect(computeKarpenterBound([pool({ arch: ['amd64'], instanceCategories: ['hpc'] })], TIES).pools[0]).toMatchObject({ priced: [], unpriced: ['hpc'] });
  });

  test('a family the table prices without a large size counts as unpriced', () => {
    const bound = computeKarpenterBound([pool({ instanceCategories: [], instanceFamilies: ['x8g'] })], TIES);
    expect(bound.pools[0]).toMatchObject({ priced: [], dearestFamily: '', perVcpuHourly: 0, monthly: 0, unpriced: ['x8g'] });
    expect(bound.complete).toBe(false);
    expect(renderKarpenterBound(bound, 100)).toEqual([
      '',
      'Karpenter NodePools (autoscaler=karpenter): what they may add at their CPU limits, an upper bound.',
      'Assumption: every vCPU of the limit runs, on demand, at the dearest price per vCPU among the priced families the pool allows;',
      'generations newer than the table\'s are not priced. Spot capacity and smaller bills are the usual case; the controller runs on the node groups above.',
      '  NodePool p (arm64)  up to 10 vCPU no priced family                 $0.00',
      '    priced families: none',
      '    not priced (missing from the price table, so not in the bound): x8g',
      '  NodePools at their limits                                          $0.00',
      '  Total with the NodePools at their limits                         $100.00',
    ]);
  });

  test('a pool whose every family is priced is complete, and lists nothing unpriced', () => {
    const bound = computeKarpenterBound([pool({ instanceCategories: ['m'] })], TIES);
    expect(bound).toMatchObject({ complete: true, totalMonthly: 400 });
    expect(renderKarpenterBound(bound, 0).filter((l) => l.includes('not priced (missing'))).toEqual([]);
  });
});

test('a pool whose only family of its categories is older than generation 6 prices nothing and is not complete', () => {
  const bound = computeKarpenterBound([pool({ arch: ['amd64'], instanceCategories: ['c'] })], TABLE);
  expect(bound.pools[0]).toMatchObject({ priced: [], unpriced: [], dearestFamily: '', monthly: 0 });
  expect(bound.complete).toBe(false);
});

test('lists join with commas, and the report lines with line breaks', () => {
  const bound = computeKarpenterBound([pool({ name: 'both', arch: ['arm64', 'amd64'], instanceCategories: ['m', 'x', 'z'] })], TABLE);
  const lines = renderKarpenterBound(bound, 0);
  expect(lines).toContainEqual(expect.stringMatching(/^ {2}NodePool both \(arm64, amd64\) {2}up to 10 vCPU @ \$0\.5000\/vCPU-h \(m7i\)/));
  expect(lines).toContain('    not priced (missing from the price table, so not in the bound): x, z');
  const out: string[] = [];
  runCostCli(['-c', 'autoscaler=karpenter'], { tables: { 'us-east-1': TABLE }, out: (l) => out.push(l), err: () => undefined, clock: () => TEST_DAY, cdkJson: TEST_CDK_JSON });
  expect(out.join('\n')).toMatch(/an upper bound\.\nAssumption: every vCPU/);
});

describe('npm run cost -- -c autoscaler=auto-mode', () => {
  const run = (argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = runCostCli(argv, { tables: { 'us-east-1': TABLE }, out: (l) => out.push(l), err: (l) => err.push(l), clock: () => TEST_DAY, cdkJson: TEST_CDK_JSON });
    return { code, out: out.join('\n'), err };
  };

  test('bounds the EC2 of the same pools as Karpenter would, and says the Auto Mode fee is not included: exit 3 (partial)', () => {
    const pools = JSON.stringify([{ name: 'arm', arch: ['arm64'], capacityTypes: ['spot'], cpuLimit: 10, instanceCategories: ['m'] }]);
    const autoMode = run(['-c', 'autoscaler=auto-mode', '-c', `karpenterNodePools=${pools}`]);
    const karpenter = run(['-c', 'autoscaler=karpenter', '-c', `karpenterNodePools=${pools}`]);
    // The pool is fully priced: only the fee makes the Auto Mode report partial.
    expect(karpenter.code).toBe(0);
    expect(autoMode.code).toBe(3);
    expect(autoMode.err).toEqual(['Could not price: the EKS Auto Mode management fee per instance type (not confirmed from the AWS price list; see the report).']);
    const boundLines = (text: string) => text.split('\n').filter((l) => /^ {2}(NodePool|NodePools|Total with)/.test(l) || l.startsWith('    priced'));
    expect(boundLines(autoMode.out)).toEqual(boundLines(karpenter.out));
    expect(autoMode.out).not.toMatch(/Karpenter/);
    expect(autoMode.out.split('\n').slice(-7)).toEqual([
      '  NodePool arm (arm64)  up to 10 vCPU @ $0.4000/vCPU-h (m7g)       $400.00',
      '    priced families: m7g',
      '  NodePools at their limits                                        $400.00',
      '  Total with the NodePools at their limits                         $651.79',
      'Not included: the EKS Auto Mode management fee, billed per hour for each instance Auto Mode launches at a rate per instance type',
      '(https://aws.amazon.com/eks/pricing/). Its figures could not be confirmed from the AWS price list, so they are not guessed here.',
      'The built-in system pool has no limit set here: it launches nodes only for pods that tolerate CriticalAddonsOnly and fit no other node.',
    ]);
    expect(autoMode.out).toContain('EKS Auto Mode NodePools (autoscaler=auto-mode): the EC2 they may add at their CPU limits, an upper bound.');
    expect(autoMode.out).toContain('generations newer than the table\'s are not priced. Spot capacity and smaller bills are the usual case; AWS runs the autoscaler.');
  });
});
