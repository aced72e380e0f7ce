import { NodeGroupConfig } from '../../lib/config/types';
import { MissingPriceError, computeCost, renderCostReport } from '../../lib/cost/cost-report';
import { runCostCli } from '../../lib/cost/cli';
import { PriceTable } from '../../lib/cost/prices';

// Round numbers, so every expected figure can be checked by hand.
const TABLE: PriceTable = {
  region: 'test-region', date: '2000-01-01', source: 'fixture', hoursPerMonth: 100,
  eksStandardSupportHourly: 0.1, eksExtendedSupportHourly: 0.6, natGatewayHourly: 0.05, natGatewayPerGb: 0.05,
  instanceHourly: { 'm7g.large': 0.8, 'm7i.large': 1.0 },
  counterpartFamily: { m7g: 'm7i', m7i: 'm7g' },
};

const group = (name: string, arch: 'arm64' | 'amd64', instanceType: string, min: number, desired: number, max: number): NodeGroupConfig => ({
  name, arch, instanceTypes: [instanceType], amiFamily: 'AL2023', capacityType: 'on-demand',
  minSize: min, desiredSize: desired, maxSize: max, labels: {}, taints: [],
});

const cluster = {
  kubernetesVersion: '1.32',
  natGateways: 2,
  nodeGroups: [group('graviton', 'arm64', 'm7g.large', 1, 2, 4), group('x86', 'amd64', 'm7i.large', 1, 1, 3)],
};
const report = computeCost(cluster, TABLE);

test('control plane at the extended-support rate for 1.32, and the premium over standard', () => {
  expect(report.supportPhase).toBe('extended');
  expect(report.controlPlaneMonthly).toBe(60); // 0.6 x 100 h
  expect(report.extendedSupportPremiumMonthly).toBe(50); // (0.6 - 0.1) x 100 h
  expect(computeCost({ ...cluster, kubernetesVersion: '1.35' }, TABLE).controlPlaneMonthly).toBe(10);
});

test('each node group at min, desired and max, and the same size on the other architecture', () => {
  expect(report.nodeGroups[0]).toMatchObject({ monthlyMin: 80, monthlyDesired: 160, monthlyMax: 320, counterpartType: 'm7i.large', counterpartMonthlyDesired: 200 });
  expect(report.nodeGroups[1]).toMatchObject({ monthlyMin: 100, monthlyDesired: 100, monthlyMax: 300, counterpartType: 'm7g.large', counterpartMonthlyDesired: 80 });
});

test('NAT gateways, and none for an existing VPC', () => {
  expect(report.natMonthly).toBe(10); // 2 x 0.05 x 100 h
  expect(computeCost({ ...cluster, vpcId: 'vpc-12345678' }, TABLE).natMonthly).toBe(0);
});

test('total at desired size: control plane + nodes + NAT', () => {
  expect(report.totalMonthly).toBe(60 + 160 + 100 + 10);
});

test('the report names the price source and states the Graviton saving as a number', () => {
  const text = renderCostReport(report, computeCost({ ...cluster, kubernetesVersion: '1.35' }, TABLE));
  expect(text).toMatch(/prices: test-region, 2000-01-01; fixture/);
  expect(text).toMatch(/graviton: 2 x m7i\.large = \$200\.00\/month; Graviton saves \$40\.00\/month \(20%\)/);
  expect(text).toMatch(/x86: 1 x m7g\.large = \$80\.00\/month; Graviton would save \$20\.00\/month \(20%\)/);
  expect(text).toMatch(/extended support: \$50\.00\/month more than standard support/);
  expect(text).toMatch(/With -c amiFamily=AL2023 \(Kubernetes 1\.35, standard support\): control plane \$10\.00\/month, total \$280\.00\/month \(\$50\.00 less\)/);
});

test('an instance type missing from the table is an error that names it, never a zero', () => {
  expect(() => computeCost({ ...cluster, nodeGroups: [group('g', 'arm64', 'm8g.large', 1, 1, 1)] }, TABLE)).toThrow(MissingPriceError);
  expect(() => computeCost({ ...cluster, nodeGroups: [group('g', 'arm64', 'm8g.large', 1, 1, 1)] }, TABLE)).toThrow(/No price for instance type m8g\.large/);
});

test('`npm run cost` reads cdk.json and -c overrides, and shows the AL2023 alternative for the AL2 default', () => {
  const out: string[] = [];
  const err: string[] = [];
  expect(runCostCli([], undefined, (l) => out.push(l), (l) => err.push(l))).toBe(0);
  expect(out.join('\n')).toMatch(/Control plane {2}Kubernetes 1\.32, extended support/);
  expect(out.join('\n')).toMatch(/With -c amiFamily=AL2023 \(Kubernetes 1\.35/);
  out.length = 0;
  const mixed = '[{"name":"g","arch":"arm64","instanceTypes":["m7g.large"],"minSize":1,"desiredSize":1,"maxSize":2,"amiFamily":"AL2"}]';
  expect(runCostCli(['-c', 'amiFamily=AL2023', '-c', 'kubernetesVersion=1.32', '-c', `nodeGroups=${mixed}`], undefined, (l) => out.push(l), (l) => err.push(l))).toBe(0);
  expect(out.join('\n')).toMatch(/With -c amiFamily=AL2023 \(Kubernetes 1\.35, standard support\)/);
  expect(runCostCli(['-c', 'natGateways=abc'], undefined, (l) => out.push(l), (l) => err.push(l))).toBe(1);
  expect(err.join('\n')).toMatch(/natGateways = "abc"/);
});
