import { NodeGroupConfig } from '../../lib/config/types';
import { CONTROL_PLANE_LOG_GB_PER_DAY, computeCost, renderCostReport } from '../../lib/cost/cost-report';
import { runCostCli } from '../../lib/cost/cli';
import { PriceTable, US_EAST_1_PRICES, instanceHourly } from '../../lib/cost/prices';
import { resolveProjectConfig } from '../../lib/config/project-config';
import { TEST_CDK_JSON, TEST_DAY, contextWith } from '../support/cdk';
import { readDoc } from '../support/docs';

// Round numbers, so every expected figure can be checked by hand.
const TABLE: PriceTable = {
  region: 'test-1', regionName: 'Test', date: '2000-01-01', source: 'fixture', hoursPerMonth: 100,
  eksStandardSupportHourly: 0.1, eksExtendedSupportHourly: 0.6, natGatewayHourly: 0.05, natGatewayPerGb: 0.05,
  publicIpv4Hourly: 0.01, kmsKeyMonthly: 1, kmsPer10kRequests: 0.03, logsIngestionPerGb: 0.5, logsStoragePerGbMonth: 0.03,
  families: {
    m7g: { large: 0.8, sizes: ['medium', 'large', 'xlarge', '4xlarge'], exceptions: { medium: 0.41 } },
    m7i: { large: 1.0, sizes: ['large', 'xlarge'] },
  },
  counterpartFamily: { m7g: 'm7i', m7i: 'm7g' },
};

const round2 = (value: number) => Math.round(value * 100) / 100;
const day = (iso: string) => new Date(`${iso}T12:00:00Z`);
const TODAY = day('2026-11-28');

const group = (name: string, arch: 'arm64' | 'amd64', instanceType: string, min: number, desired: number, max: number): NodeGroupConfig => ({
  name, arch, instanceTypes: [instanceType], amiFamily: 'AL2023', capacityType: 'on-demand',
  minSize: min, desiredSize: desired, maxSize: max, labels: {}, taints: [],
});

const cluster = {
  kubernetesVersion: '1.32',
  natGateways: 2,
  nodeGroups: [group('graviton', 'arm64', 'm7g.large', 1, 2, 4), group('x86', 'amd64', 'm7i.large', 1, 1, 3)],
};
const report = computeCost(cluster, TABLE, TODAY);

describe('prices per family and size', () => {
  test('a size costs the large price times its normalization factor / 4, except listed sizes', () => {
    expect(instanceHourly(TABLE, 'm7g.large')).toBe(0.8);
    expect(instanceHourly(TABLE, 'm7g.xlarge')).toBe(1.6);
    expect(instanceHourly(TABLE, 'm7g.4xlarge')).toBe(6.4);
    expect(instanceHourly(TABLE, 'm7g.medium')).toBe(0.41); // the exception, not 0.4
    expect(instanceHourly(TABLE, 'm7g.2xlarge')).toBeUndefined(); // a size the family does not list
    expect(instanceHourly(TABLE, 'm8g.large')).toBeUndefined();
  });

  test('us-east-1 list prices, as AWS publishes them (checked against Karpenter\'s generated table of 2026-07-20)', () => {
    const expected: Record<string, number> = {
      'm8g.large': 0.08976, 'm7g.4xlarge': 0.6528, 'm9g.16xlarge': 3.13088, 'm6g.medium': 0.0385, 'c8g.12xlarge': 1.91424,
      'r8g.xlarge': 0.23564, 'm8i.12xlarge': 2.54016, 'c8i.2xlarge': 0.37484, 'r7i.8xlarge': 2.1168, 'm6a.16xlarge': 2.7648,
      'm8a.medium': 0.06086, 'c7a.8xlarge': 1.64224, 'r7a.4xlarge': 1.2172, 't4g.2xlarge': 0.2688, 't3.medium': 0.0416,
      // The rounded mediums: half the large price would be 0.03625, 0.05355, 0.053885, 0.076075.
      'c7g.medium': 0.0363, 'r7g.medium': 0.0536, 'c8a.medium': 0.05389, 'r7a.medium': 0.07608,
    };
    for (const [type, price] of Object.entries(expected)) expect([type, instanceHourly(US_EAST_1_PRICES, type)]).toEqual([type, price]);
  });

  test('us-east-1 prices every family of the issue from medium or large to 16xlarge, and a counterpart for each', () => {
    const families = [
      'm6g', 'm7g', 'm8g', 'm9g', 'c6g', 'c7g', 'c8g', 'r6g', 'r7g', 'r8g',
      'm6i', 'm7i', 'm8i', 'c6i', 'c7i', 'c8i', 'r6i', 'r7i', 'r8i', 'm6a', 'm7a', 'm8a', 'c7a', 'r7a',
    ];
    for (const family of families) {
      for (const size of ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge']) {
        expect([`${family}.${size}`, instanceHourly(US_EAST_1_PRICES, `${family}.${size}`)]).toEqual([`${family}.${size}`, expect.any(Number)]);
      }
      const counterpart = US_EAST_1_PRICES.counterpartFamily[family];
      expect([family, instanceHourly(US_EAST_1_PRICES, `${counterpart}.large`)]).toEqual([family, expect.any(Number)]);
    }
    for (const type of ['t3.medium', 't3.2xlarge', 't4g.medium', 't4g.2xlarge']) expect(instanceHourly(US_EAST_1_PRICES, type)).toEqual(expect.any(Number));
    // Burstable families stop at 2xlarge, Intel ones start at large, metal is not priced by factor.
    for (const type of ['t3.4xlarge', 'm6i.medium', 'm7g.metal', 'm8g.24xlarge']) expect([type, instanceHourly(US_EAST_1_PRICES, type)]).toEqual([type, undefined]);
    expect(US_EAST_1_PRICES.counterpartFamily).toMatchObject({ m8g: 'm8i', m9g: 'm8i', m7a: 'm7g', t4g: 't3', t3: 't4g', c8i: 'c8g' });
  });
});

describe('support phase from the date of the run', () => {
  test('1.32 on 2026-11-28: extended support until 2027-03-23, at the extended rate', () => {
    expect(report).toMatchObject({ supportPhase: 'extended', phaseEnds: '2027-03-23', controlPlaneMonthly: 60, extendedSupportPremiumMonthly: 50 });
  });
  test('1.34 is in standard support on 2026-12-02 and in extended support on 2026-12-03', () => {
    const on = (iso: string) => computeCost({ ...cluster, kubernetesVersion: '1.34' }, TABLE, day(iso));
    expect(on('2026-12-02')).toMatchObject({ supportPhase: 'standard', phaseEnds: '2026-12-02', controlPlaneMonthly: 10 });
    expect(on('2026-12-03')).toMatchObject({ supportPhase: 'extended', phaseEnds: '2027-12-02', controlPlaneMonthly: 60 });
    expect(renderCostReport(on('2026-12-02'))).toMatch(/Kubernetes 1\.34 is in standard support until 2026-12-02; after that, extended support adds \$50\.00\/month/);
    expect(renderCostReport(on('2026-12-03'))).toMatch(/Kubernetes 1\.34 is in extended support until 2027-12-02: \$50\.00\/month more than standard support/);
    expect(renderCostReport(on('2026-12-03'))).toMatch(/Control plane {2}Kubernetes 1\.34, extended support on 2026-12-03/);
  });
});

test('each node group at min, desired and max, and the same size on the other architecture', () => {
  expect(report.nodeGroups[0]).toMatchObject({ monthlyMin: 80, monthlyDesired: 160, monthlyMax: 320, counterpartType: 'm7i.large', counterpartMonthlyDesired: 200 });
  expect(report.nodeGroups[1]).toMatchObject({ monthlyMin: 100, monthlyDesired: 100, monthlyMax: 300, counterpartType: 'm7g.large', counterpartMonthlyDesired: 80 });
});

test('NAT gateways; none counted for an existing VPC, and the report says so', () => {
  expect(report.natMonthly).toBe(10); // 2 x 0.05 x 100 h
  const existing = computeCost({ ...cluster, vpcId: 'vpc-12345678' }, TABLE, TODAY);
  expect(existing.natMonthly).toBe(0);
  expect(renderCostReport(existing)).toMatch(/NAT gateways {2}not counted: the existing VPC \(vpcId\) brings its own/);
  expect(renderCostReport(report)).toMatch(/NAT gateways {2}2 x \$0\.0500\/h/);
});

test('public IPv4: one Elastic IP per NAT gateway the stack creates, none for an existing VPC', () => {
  expect(report).toMatchObject({ publicIpv4Addresses: 2, publicIpv4Monthly: 2 }); // 2 x 0.01 x 100 h
  expect(renderCostReport(report)).toMatch(/^ {2}Public IPv4 {2}2 x \$0\.0100\/h \(NAT gateway Elastic IPs\) +\$2\.00$/m);
  const existing = computeCost({ ...cluster, vpcId: 'vpc-12345678' }, TABLE, TODAY);
  expect(existing).toMatchObject({ publicIpv4Addresses: 0, publicIpv4Monthly: 0 });
  expect(renderCostReport(existing)).toMatch(/^ {2}Public IPv4 {2}not counted: the existing VPC's NAT gateways hold them +\$0\.00$/m);
});

test('the KMS key of Secrets encryption: its monthly price, requests named', () => {
  expect(report.kmsMonthly).toBe(1);
  expect(renderCostReport(report)).toMatch(/^ {2}KMS key \(Secrets encryption\) {2}1 x \$1\.00\/month +\$1\.00 {3}\+ \$0\.03 per 10,000 requests past 20,000 free$/m);
});

test('control-plane logs: an estimate, labelled so, from the assumed GB/day, ingestion plus storage to the retention', () => {
  expect(CONTROL_PLANE_LOG_GB_PER_DAY).toBe(1);
  // 100 h = 4.17 days: 4.17 GB x $0.50 ingested; stored: one month's worth (no retention without a clusterName).
  expect(report).toMatchObject({ logsGbPerMonth: 4.17, logRetentionDays: undefined, logsMonthly: 2.21 });
  expect(renderCostReport(report)).toMatch(
    /^ {2}Control-plane logs \(estimate\) {2}4\.17 GB @ \$0\.50\/GB +\$2\.21 {3}1 GB\/day assumed, never expire \(no clusterName, so no retention\): storage grows each month$/m,
  );
  // With a clusterName the stack sets the retention: 30 days kept, 30 GB x $0.03 stored.
  const kept = computeCost({ ...cluster, clusterName: 'c', controlPlaneLogRetentionDays: 30 }, TABLE, TODAY);
  expect(kept).toMatchObject({ logRetentionDays: 30, logsMonthly: round2(4.17 * 0.5 + 30 * 0.03) });
  expect(renderCostReport(kept)).toMatch(/1 GB\/day assumed, kept 30 days @ \$0\.03\/GB-month$/m);
});

test('supportType STANDARD: the report says EKS upgrades at the end of standard support, never billing extended support', () => {
  const standard = computeCost({ ...cluster, kubernetesVersion: '1.35', supportType: 'STANDARD' }, TABLE, TODAY);
  expect(renderCostReport(standard)).toMatch(/Kubernetes 1\.35 is in standard support until 2027-03-27; then EKS upgrades the control plane to the next version \(supportType STANDARD\), so extended support is never billed\./);
});

test('total at desired size: control plane + nodes + NAT + public IPv4 + KMS + logs', () => {
  expect(report.totalMonthly).toBe(60 + 160 + 100 + 10 + 2 + 1 + 2.21);
  expect(report.unpriced).toEqual([]);
});

test('the report names the price region, date and source, and states the Graviton saving as a number', () => {
  const text = renderCostReport(report, computeCost({ ...cluster, kubernetesVersion: '1.35' }, TABLE, TODAY));
  expect(text).toMatch(/prices: test-1 Test, 2000-01-01; fixture/);
  expect(text).toMatch(/graviton: 2 x m7i\.large = \$200\.00\/month; Graviton saves \$40\.00\/month \(20%\)/);
  expect(text).toMatch(/x86: 1 x m7g\.large = \$80\.00\/month; Graviton would save \$20\.00\/month \(20%\)/);
  expect(text).toMatch(/Kubernetes 1\.32 is in extended support until 2027-03-23: \$50\.00\/month more than standard support/);
  expect(text).toMatch(/With -c amiFamily=AL2023 -c kubernetesVersion=1\.35 \(standard support\): control plane \$10\.00\/month, total \$285\.21\/month \(\$50\.00 less\)/);
});

test('a type the table lacks: the rest is priced, the total leaves it out, and the report names it', () => {
  const partial = computeCost({ ...cluster, nodeGroups: [...cluster.nodeGroups, group('big', 'arm64', 'x8g.large', 1, 1, 1)] }, TABLE, TODAY);
  expect(partial.unpriced).toEqual(['x8g.large (node group big)']);
  expect(partial.totalMonthly).toBe(335.21);
  const text = renderCostReport(partial);
  expect(text).toMatch(/Node group big \(arm64\) {2}1 x x8g\.large: not priced \(x8g\.large is not in the test-1 table\)/);
  expect(text).toMatch(/Total at desired size \(priced lines only\) +\$335\.21/);
  expect(text).toMatch(/Not priced \(no price in the test-1 table, so the total leaves them out\): x8g\.large \(node group big\)\./);
});

test('a priced type without a priced counterpart size is compared with nothing, not with zero', () => {
  const medium = computeCost({ ...cluster, nodeGroups: [group('small', 'arm64', 'm7g.medium', 1, 1, 1)] }, TABLE, TODAY);
  expect(medium.nodeGroups[0]).toMatchObject({ hourly: 0.41, monthlyDesired: 41 });
  expect(medium.nodeGroups[0].counterpartType).toBeUndefined();
  expect(renderCostReport(medium)).toMatch(/small: no priced counterpart of m7g\.medium on the other architecture/);
});

describe('npm run cost', () => {
  const run = (argv: string[], clockDay = '2026-11-28') => {
    const out: string[] = [];
    const err: string[] = [];
    const code = runCostCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l), clock: () => day(clockDay), cdkJson: TEST_CDK_JSON });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  test('reads cdk.json and -c overrides, and shows the AL2023 alternative for the AL2 default', () => {
    const result = run([]);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/prices: us-east-1 US East \(N\. Virginia\), 2026-07-20/);
    expect(result.out).toMatch(/Control plane {2}Kubernetes 1\.32, extended support on 2026-11-28 +\$438\.00/);
    expect(result.out).toMatch(/With -c amiFamily=AL2023 -c kubernetesVersion=1\.36 \(standard support\)/);
    const mixed = '[{"name":"g","arch":"arm64","instanceTypes":["m7g.large"],"minSize":1,"desiredSize":1,"maxSize":2,"amiFamily":"AL2"}]';
    expect(run(['-c', 'amiFamily=AL2023', '-c', 'kubernetesVersion=1.32', '-c', `nodeGroups=${mixed}`]).out).toMatch(/With -c amiFamily=AL2023 -c kubernetesVersion=1\.36 \(standard support\)/);
  });

  test('prices the current generations: Graviton4 m8g.large and Graviton3 m7g.4xlarge', () => {
    const groups = '[{"name":"g4","arch":"arm64","instanceTypes":["m8g.large"],"minSize":1,"desiredSize":1,"maxSize":2},' +
      '{"name":"g3","arch":"arm64","instanceTypes":["m7g.4xlarge"],"minSize":1,"desiredSize":1,"maxSize":2}]';
    const result = run(['-c', 'amiFamily=AL2023', '-c', `nodeGroups=${groups}`]);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/Node group g4 \(arm64\) {2}1 x m8g\.large @ \$0\.0898\/h +\$65\.52/);
    expect(result.out).toMatch(/Node group g3 \(arm64\) {2}1 x m7g\.4xlarge @ \$0\.6528\/h +\$476\.54/);
    expect(result.out).toMatch(/g4: 1 x m8i\.large = \$77\.26\/month; Graviton saves \$11\.74\/month \(15%\)/);
  });

  test('a type the validation accepts but the table lacks: prints the rest, names it, exits 3', () => {
    const groups = '[{"name":"mem","arch":"arm64","instanceTypes":["x8g.large"],"minSize":1,"desiredSize":1,"maxSize":2},' +
      '{"name":"x86","arch":"amd64","instanceTypes":["m7i.large"],"minSize":1,"desiredSize":1,"maxSize":2}]';
    const result = run(['-c', 'amiFamily=AL2023', '-c', `nodeGroups=${groups}`]);
    expect(result.code).toBe(3);
    expect(result.out).toMatch(/Node group x86 \(amd64\) {2}1 x m7i\.large @ \$0\.1008\/h/);
    expect(result.err).toBe('Could not price: x8g.large (node group mem). Add the family to lib/cost/prices.ts (us-east-1).');
  });

  test('bad arguments and configuration: exit 2 and 1, with the reason', () => {
    const region = run(['--region', 'eu-west-1']);
    expect(region.code).toBe(2);
    expect(region.err).toMatch(/No price table for region "eu-west-1".*Tables: us-east-1/);
    expect(run(['--bogus']).code).toBe(2);
    const config = run(['-c', 'natGateways=abc']);
    expect(config.code).toBe(1);
    expect(config.err).toMatch(/natGateways = "abc"/);
  });
});

describe('the whole report, line by line', () => {
  const spotGroup: NodeGroupConfig = { ...group('spot', 'arm64', 'm7g.xlarge', 2, 3, 5), capacityType: 'spot' };
  const mixed = { kubernetesVersion: '1.32', natGateways: 1, nodeGroups: [spotGroup, group('idle', 'amd64', 'm7i.large', 0, 0, 2), group('big', 'arm64', 'x8g.large', 1, 1, 1)] };

  test('spot, an empty group, an unpriced type, extended support and the AL2023 alternative', () => {
    const text = renderCostReport(computeCost(mixed, TABLE, TODAY), computeCost({ ...mixed, kubernetesVersion: '1.35' }, TABLE, TODAY));
    expect(text.split('\n')).toEqual([
      'Monthly on-demand cost (100 h), prices: test-1 Test, 2000-01-01; fixture',
      '',
      '  Control plane  Kubernetes 1.32, extended support on 2026-11-28    $60.00',
      '  Node group spot (arm64)  3 x m7g.xlarge @ $1.6000/h              $480.00   min 2: $320.00, max 5: $800.00 (spot: billed at the spot price, usually lower)',
      '  Node group idle (amd64)  0 x m7i.large @ $1.0000/h                 $0.00   min 0: $0.00, max 2: $200.00',
      '  Node group big (arm64)  1 x x8g.large: not priced (x8g.large is not in the test-1 table)',
      '  NAT gateways  1 x $0.0500/h (+ $0.05/GB processed)                 $5.00',
      '  Public IPv4  1 x $0.0100/h (NAT gateway Elastic IPs)               $1.00',
      '  KMS key (Secrets encryption)  1 x $1.00/month                      $1.00   + $0.03 per 10,000 requests past 20,000 free',
      '  Control-plane logs (estimate)  4.17 GB @ $0.50/GB                  $2.21   1 GB/day assumed, never expire (no clusterName, so no retention): storage grows each month',
      '  Total at desired size (priced lines only)                        $549.21',
      '',
      'The same node groups on the other architecture:',
      '  spot: 3 x m7i.xlarge = $600.00/month; Graviton saves $120.00/month (20%)',
      '  idle: 0 x m7g.large = $0.00/month; Graviton would save $0.00/month (0%)',
      '',
      'Kubernetes 1.32 is in extended support until 2027-03-23: $50.00/month more than standard support; after that date EKS upgrades the control plane itself.',
      'With -c amiFamily=AL2023 -c kubernetesVersion=1.35 (standard support): control plane $10.00/month, total $499.21/month ($50.00 less).',
      '',
      'Not priced (no price in the test-1 table, so the total leaves them out): x8g.large (node group big).',
    ]);
  });

  test('a version EKS does not offer, no node groups: no comparison, no alternative, nothing unpriced', () => {
    const ended = computeCost({ kubernetesVersion: '1.20', natGateways: 1, nodeGroups: [] }, TABLE, TODAY);
    expect(ended).toMatchObject({ supportPhase: 'ended', phaseEnds: undefined, controlPlaneMonthly: 10, totalMonthly: 19.21 });
    expect(renderCostReport(ended, report).split('\n')).toEqual([
      'Monthly on-demand cost (100 h), prices: test-1 Test, 2000-01-01; fixture',
      '',
      '  Control plane  Kubernetes 1.20, ended support on 2026-11-28       $10.00',
      '  NAT gateways  1 x $0.0500/h (+ $0.05/GB processed)                 $5.00',
      '  Public IPv4  1 x $0.0100/h (NAT gateway Elastic IPs)               $1.00',
      '  KMS key (Secrets encryption)  1 x $1.00/month                      $1.00   + $0.03 per 10,000 requests past 20,000 free',
      '  Control-plane logs (estimate)  4.17 GB @ $0.50/GB                  $2.21   1 GB/day assumed, never expire (no clusterName, so no retention): storage grows each month',
      '  Total at desired size                                             $19.21',
      '',
      'Kubernetes 1.20 is not offered by EKS on 2026-11-28 (ended).',
    ]);
  });

  test('min, desired and max each scale with their own size', () => {
    expect(computeCost(mixed, TABLE, TODAY).nodeGroups[0]).toMatchObject({ hourly: 1.6, monthlyMin: 320, monthlyDesired: 480, monthlyMax: 800 });
  });

  test('standard support: no alternative line even when one is passed', () => {
    const standard = computeCost({ ...cluster, kubernetesVersion: '1.35' }, TABLE, TODAY);
    expect(renderCostReport(standard, report)).not.toMatch(/With -c amiFamily/);
  });
});

describe('us-east-1 table entries', () => {
  test('burstable sizes medium to 2xlarge, the AMD families and their Graviton counterparts', () => {
    const expected: Record<string, number> = {
      't3.large': 0.0832, 't3.xlarge': 0.1664, 't4g.medium': 0.0336, 't4g.large': 0.0672,
      'c6a.large': 0.0765, 'r6a.large': 0.1134, 'r8a.medium': 0.07988, 'r8a.large': 0.15976,
    };
    for (const [type, price] of Object.entries(expected)) expect([type, instanceHourly(US_EAST_1_PRICES, type)]).toEqual([type, price]);
    expect(US_EAST_1_PRICES.counterpartFamily).toMatchObject({ c6a: 'c6g', c7a: 'c7g', c8a: 'c8g', r6a: 'r6g', r7a: 'r7g', r8a: 'r8g' });
    expect(US_EAST_1_PRICES.source).toBe('AWS Price List (EC2 Linux on-demand via Karpenter\'s generated table; EKS and VPC pricing pages)');
  });
});

test('docs/cost.md shows what `npm run cost` prints for the default configuration on the test day', () => {
  const out: string[] = [];
  runCostCli([], { out: (l) => out.push(l), err: () => undefined, clock: () => TODAY, cdkJson: TEST_CDK_JSON });
  const sample = /```\n(Monthly on-demand cost[\s\S]*?)```/.exec(readDoc('docs/cost.md'))?.[1];
  expect(sample).toBe(`${out.join('\n')}\n`);
});

describe('npm run cost arguments and exit codes', () => {
  const run = (argv: string[], tables?: Record<string, PriceTable>) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = runCostCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l), clock: () => TODAY, cdkJson: TEST_CDK_JSON, ...(tables ? { tables } : {}) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  const USAGE = 'Usage: npm run cost -- [--region us-east-1] [-c key=value]...';

  test('a complete report prints nothing on stderr', () => {
    expect(run([])).toMatchObject({ code: 0, err: '' });
  });

  test('--context is -c; a value may hold "="; --region takes the next argument', () => {
    const byContext = run(['--context', 'natGateways=2', '--region', 'us-east-1']);
    expect(byContext).toMatchObject({ code: 0, err: '' });
    expect(byContext.out).toMatch(/NAT gateways {2}2 x \$0\.0450\/h/);
    expect(run(['-c', 'clusterName=a=b']).err).toMatch(/clusterName = "a=b"/);
  });

  test('bad arguments: each message names the argument and the usage', () => {
    expect(run(['--region'])).toEqual({ code: 2, out: '', err: `Unknown argument "--region". ${USAGE}` });
    // The argument after -c is the one without "=".
    expect(run(['-c', 'natGateways'])).toEqual({ code: 2, out: '', err: `Unknown argument "natGateways". ${USAGE}` });
    expect(run(['-x', 'natGateways=1'])).toEqual({ code: 2, out: '', err: `Unknown argument "-x". ${USAGE}` });
    expect(run(['--region', 'eu-west-1'])).toEqual({
      code: 2, out: '',
      err: `No price table for region "eu-west-1" (prices differ by region and are not guessed). Tables: us-east-1. ${USAGE}`,
    });
  });

  test('the AL2023 alternative only for AL2 groups on extended support', () => {
    const al2023 = '[{"name":"g","arch":"arm64","instanceTypes":["m7g.large"],"minSize":1,"desiredSize":1,"maxSize":2,"amiFamily":"AL2023"}]';
    expect(run(['-c', 'amiFamily=AL2023', '-c', 'kubernetesVersion=1.32', '-c', `nodeGroups=${al2023}`]).out).not.toMatch(/With -c amiFamily/);
    expect(run(['-c', 'kubernetesVersion=1.35']).out).not.toMatch(/With -c amiFamily/);
  });

  test('an error that is not a configuration error is not swallowed', () => {
    const broken = { 'us-east-1': { ...TABLE, region: 'us-east-1', families: undefined } as unknown as PriceTable };
    expect(() => run([], broken)).toThrow(TypeError);
  });
});

describe('npm run cost lists', () => {
  const run = (argv: string[], tables?: Record<string, PriceTable>) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = runCostCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l), clock: () => TODAY, cdkJson: TEST_CDK_JSON, ...(tables ? { tables } : {}) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  test('every price table and every unpriced group, comma separated', () => {
    expect(run(['--region', 'eu-west-1'], { 'us-east-1': US_EAST_1_PRICES, 'test-1': TABLE }).err).toMatch(/Tables: us-east-1, test-1\. Usage/);
    const groups = '[{"name":"a","arch":"arm64","instanceTypes":["x8g.large"],"minSize":1,"desiredSize":1,"maxSize":2},' +
      '{"name":"b","arch":"arm64","instanceTypes":["x8g.xlarge"],"minSize":1,"desiredSize":1,"maxSize":2}]';
    const result = run(['-c', 'amiFamily=AL2023', '-c', `nodeGroups=${groups}`]);
    expect(result.code).toBe(3);
    expect(result.err).toBe('Could not price: x8g.large (node group a), x8g.xlarge (node group b). Add the family to lib/cost/prices.ts (us-east-1).');
    expect(result.out).toMatch(/so the total leaves them out\): x8g\.large \(node group a\), x8g\.xlarge \(node group b\)\.$/);
  });

  test('the AL2023 alternative when some groups are AL2 and others not', () => {
    const mixed = '[{"name":"old","arch":"arm64","instanceTypes":["m7g.large"],"minSize":1,"desiredSize":1,"maxSize":2,"amiFamily":"AL2"},' +
      '{"name":"new","arch":"amd64","instanceTypes":["m7i.large"],"minSize":1,"desiredSize":1,"maxSize":2,"amiFamily":"AL2023"}]';
    const result = run(['-c', 'kubernetesVersion=1.32', '-c', `nodeGroups=${mixed}`]);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/With -c amiFamily=AL2023 -c kubernetesVersion=1\.36 \(standard support\)/);
  });
});

test('no priced group: no comparison heading', () => {
  const none = computeCost({ ...cluster, nodeGroups: [group('big', 'arm64', 'x8g.large', 1, 1, 1)] }, TABLE, TODAY);
  expect(renderCostReport(none)).not.toMatch(/The same node groups on the other architecture/);
});

test('Kubernetes 1.37, above the table: priced at the standard rate, its end date said to be unknown', () => {
  const context = contextWith({ amiFamily: 'AL2023', kubernetesVersion: '1.37' });
  const { cluster } = resolveProjectConfig((key) => context[key], {}, undefined, TEST_DAY);
  const text = renderCostReport(computeCost(cluster, US_EAST_1_PRICES, TEST_DAY));
  expect(text).toContain('Control plane  Kubernetes 1.37, standard support on 2026-11-28    $73.00');
  expect(text).toContain('Kubernetes 1.37 is in standard support (its end date is not in this project\'s table); after that, extended support adds $365.00/month.');
});
