import { resolveCluster } from '../../lib/config/cluster-config';
import { ConfigIssue } from '../../lib/config/errors';
import { ValueReader } from '../../lib/config/value-reader';
import { TEST_DAY, contextWith } from '../support/cdk';

/** cdk.json with `overrides`, resolved as the cluster keys alone. */
function resolveWith(overrides: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) {
  const context = contextWith(overrides);
  const issues: ConfigIssue[] = [];
  const cluster = resolveCluster(new ValueReader((key) => context[key], issues), env, issues, TEST_DAY);
  return { cluster, issues };
}
const issuesFor = (overrides: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) => resolveWith(overrides, env).issues;
const ACCOUNT = { CDK_DEFAULT_ACCOUNT: '123456789012', CDK_DEFAULT_REGION: 'eu-west-1' };
const ZONES_FIX = 'list 2 or 3 zones of one region, such as us-east-1a,us-east-1b';

test('cdk.json as it is has no issue', () => {
  expect(issuesFor({})).toEqual([]);
});

test('cluster name and log retention', () => {
  expect(issuesFor({ clusterName: '-prod' })).toEqual([{ key: 'clusterName', value: '-prod', problem: 'not an EKS cluster name', fix: 'use 1-100 letters, digits, - and _, starting with a letter or digit, such as "mixed-arch-eks"' }]);
  expect(issuesFor({ clusterName: 'a'.repeat(101) })).toHaveLength(1);
  expect(issuesFor({ clusterName: 'a'.repeat(100) })).toEqual([]);
  expect(issuesFor({ clusterName: 'prod', controlPlaneLogRetentionDays: '100' })).toEqual([{
    key: 'controlPlaneLogRetentionDays', value: 100, problem: 'not a retention period CloudWatch Logs offers',
    fix: 'use one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (nearest: 90)',
  }]);
  expect(issuesFor({ clusterName: 'prod', controlPlaneLogRetentionDays: '3000' })[0].fix).toMatch(/\(nearest: 2922\)$/);
  expect(issuesFor({ clusterName: undefined, controlPlaneLogRetentionDays: '30' })).toEqual([{
    key: 'controlPlaneLogRetentionDays', value: '30', problem: 'the stack creates the control-plane log group only for a cluster with a clusterName',
    fix: 'set clusterName for a new cluster; for an existing one without it, run aws logs put-retention-policy on /aws/eks/<ClusterName>/cluster (docs/upgrades.md)',
  }]);
});

test('an existing VPC: a valid id, and an account and region to look it up', () => {
  expect(issuesFor({ vpcId: 'vpc-123' }, ACCOUNT)).toEqual([{ key: 'vpcId', value: 'vpc-123', problem: 'not a VPC id', fix: 'use the id of an existing VPC, such as vpc-0a1b2c3d4e5f67890, or leave it out to create a VPC' }]);
  expect(issuesFor({ vpcId: 'vpc-0a1b2c3d4e5f67890' }, ACCOUNT)).toEqual([]);
  expect(issuesFor({ vpcId: 'vpc-0a1b2c3d' }, { CDK_DEFAULT_ACCOUNT: '123456789012' })).toEqual([{
    key: 'vpcId', value: 'vpc-0a1b2c3d', problem: 'using an existing VPC needs a lookup in your AWS account, and no account or region is known',
    fix: 'run with AWS credentials and a region (AWS_PROFILE/AWS_REGION), or leave vpcId out to create a VPC',
  }]);
  expect(issuesFor({ vpcId: 'vpc-0a1b2c3d', availabilityZones: 'eu-west-1a,eu-west-1b' }, ACCOUNT)).toEqual([{
    key: 'availabilityZones', value: 'eu-west-1a,eu-west-1b', problem: 'an existing VPC (vpcId) brings its own zones', fix: 'leave availabilityZones out, or leave vpcId out to create a VPC in these zones',
  }]);
});

test('availability zones: 2 or 3 distinct zones of the region deployed to; NAT gateways up to one per zone', () => {
  expect(resolveWith({ availabilityZones: 'eu-west-1a,eu-west-1b,eu-west-1c', natGateways: '3' }, ACCOUNT)).toMatchObject({ cluster: { availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'], natGateways: 3 }, issues: [] });
  expect(issuesFor({ availabilityZones: 'eu-west-1a,eu-west-1b', natGateways: '3' })).toEqual([{
    key: 'natGateways', value: 3, problem: 'the new VPC has 2 availability zones and its private subnets need a NAT gateway to reach ECR and EKS', fix: 'use 1 (cheapest) up to 2 (one per zone, survives a zone outage)',
  }]);
  expect(issuesFor({ natGateways: '0' })[0]).toMatchObject({ key: 'natGateways', value: 0 });
  expect(issuesFor({ availabilityZones: 'eu-west-1a,eu-west-1' })).toEqual([{ key: 'availabilityZones[1]', value: 'eu-west-1', problem: 'not an availability zone name', fix: ZONES_FIX }]);
  for (const zones of ['eu-west-1a', 'eu-west-1a,eu-west-1a', 'eu-west-1a,eu-west-1b,eu-west-1c,eu-west-1d']) {
    expect(issuesFor({ availabilityZones: zones })).toEqual([{ key: 'availabilityZones', value: zones, problem: 'EKS needs subnets in at least 2 different zones, and the VPC layout has room for 3', fix: ZONES_FIX }]);
  }
  expect(issuesFor({ availabilityZones: 'eu-west-1a,us-east-1b' })).toEqual([{ key: 'availabilityZones', value: 'eu-west-1a,us-east-1b', problem: 'the zones are in several regions (eu-west-1, us-east-1)', fix: ZONES_FIX }]);
  expect(issuesFor({ availabilityZones: 'us-east-1a,us-east-1b' }, ACCOUNT)).toEqual([{
    key: 'availabilityZones', value: 'us-east-1a,us-east-1b', problem: 'the zones are in us-east-1, but you deploy to eu-west-1', fix: 'use zones of eu-west-1, or deploy with AWS_REGION=us-east-1',
  }]);
});

test('endpoint: public CIDRs are IPv4 networks without host bits; a private endpoint takes none', () => {
  const fix = 'write an IPv4 network as a.b.c.d/n, such as 203.0.113.0/24, and separate several with commas';
  expect(issuesFor({ publicAccessCidrs: '203.0.113.0/24,10.0.0.0/8,0.0.0.0/0,192.0.2.7/32' })).toEqual([]);
  expect(issuesFor({ publicAccessCidrs: '203.0.113.1/24,256.0.0.0/8,10.0.0.0/33,10.0.0.0' })).toEqual([
    { key: 'publicAccessCidrs[0]', value: '203.0.113.1/24', problem: 'host bits are set, so EKS rejects it', fix },
    { key: 'publicAccessCidrs[1]', value: '256.0.0.0/8', problem: 'not an IPv4 CIDR (octets go to 255, prefixes to 32)', fix },
    { key: 'publicAccessCidrs[2]', value: '10.0.0.0/33', problem: 'not an IPv4 CIDR (octets go to 255, prefixes to 32)', fix },
    { key: 'publicAccessCidrs[3]', value: '10.0.0.0', problem: 'not an IPv4 CIDR', fix },
  ]);
  expect(resolveWith({ endpointAccess: 'private' })).toMatchObject({ cluster: { endpointAccess: 'private', publicAccessCidrs: [] }, issues: [] });
  expect(issuesFor({ endpointAccess: 'private', publicAccessCidrs: '203.0.113.0/24' })).toEqual([{
    key: 'publicAccessCidrs', value: '203.0.113.0/24', problem: 'a private endpoint has no public access to restrict', fix: 'leave publicAccessCidrs out, or set endpointAccess to "public-and-private"',
  }]);
  expect(issuesFor({ publicAccessCidrs: ' , ' })).toEqual([{
    key: 'publicAccessCidrs', value: ' , ', problem: 'a public endpoint needs at least one allowed CIDR', fix: 'list the networks your operators and CI reach the API from, or set endpointAccess to "private"',
  }]);
  expect(resolveWith({ endpointAccess: 'public-and-private', publicAccessCidrs: '203.0.113.0/24' }).cluster).toMatchObject({ endpointAccess: 'public-and-private', publicAccessCidrs: ['203.0.113.0/24'] });
});

test('admins and the ECR repository name', () => {
  expect(resolveWith({ adminPrincipalArns: 'arn:aws:iam::123456789012:role/Admin, arn:aws-us-gov:iam::123456789012:user/ops/alice' })).toMatchObject({
    cluster: { adminPrincipalArns: ['arn:aws:iam::123456789012:role/Admin', 'arn:aws-us-gov:iam::123456789012:user/ops/alice'] }, issues: [],
  });
  expect(issuesFor({ adminPrincipalArns: 'arn:aws:iam::123456789012:group/Admins' })).toEqual([{
    key: 'adminPrincipalArns[0]', value: 'arn:aws:iam::123456789012:group/Admins', problem: 'not an IAM role or user ARN', fix: 'use ARNs such as arn:aws:iam::123456789012:role/Admin, separated by commas',
  }]);
  expect(resolveWith({ ecrRepositoryName: 'team/ppi.x_y-z' })).toMatchObject({ cluster: { ecrRepositoryName: 'team/ppi.x_y-z' }, issues: [] });
  for (const bad of ['Team/ppi', 'a', 'team//ppi', 'ppi-', 'x'.repeat(257)]) {
    expect(issuesFor({ ecrRepositoryName: bad })).toEqual([{ key: 'ecrRepositoryName', value: bad, problem: 'not a valid ECR repository name', fix: 'use lower-case letters, digits and . _ - / such as "print-platform-info"' }]);
  }
});

test('the Kubernetes version is a string EKS offers on the day', () => {
  expect(issuesFor({ kubernetesVersion: 1.3 })).toEqual([{ key: 'kubernetesVersion', value: 1.3, problem: 'must be a string (a JSON number turns "1.30" into 1.3)', fix: 'quote it, for example "1.32"' }]);
  expect(issuesFor({ kubernetesVersion: '1.99' })).toEqual([{ key: 'kubernetesVersion', value: '1.99', problem: 'not a Kubernetes version that Amazon EKS supports', fix: expect.stringMatching(/^use one of 1\.\d+(, 1\.\d+)+, or leave it out for 1\.32$/) }]);
});

test('identifiers are matched whole: a valid one with text before or after it is refused', () => {
  const keysOf = (overrides: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) => issuesFor(overrides, env).map((issue) => issue.key);
  const role = 'arn:aws:iam::123456789012:role/Admin';
  expect([`x${role}`, `${role}!`].map((arn) => keysOf({ adminPrincipalArns: arn }))).toEqual([['adminPrincipalArns[0]'], ['adminPrincipalArns[0]']]);
  expect(['xvpc-0a1b2c3d', 'vpc-0a1b2c3dx'].map((vpcId) => keysOf({ vpcId }, ACCOUNT))).toEqual([['vpcId'], ['vpcId']]);
  expect(['xeu-west-1a,eu-west-1b', 'eu-west-1ab,eu-west-1b'].map((availabilityZones) => keysOf({ availabilityZones }))).toEqual([['availabilityZones[0]'], ['availabilityZones[0]']]);
  expect(resolveWith({ availabilityZones: 'us-gov-west-1a,us-gov-west-1b' })).toMatchObject({ cluster: { availabilityZones: ['us-gov-west-1a', 'us-gov-west-1b'] }, issues: [] });
  expect(['x10.0.0.0/8', '10.0.0.0/8x'].map((publicAccessCidrs) => keysOf({ publicAccessCidrs }))).toEqual([['publicAccessCidrs[0]'], ['publicAccessCidrs[0]']]);
  expect(keysOf({ publicAccessCidrs: '10.100.0.0/16,10.0.0.255/32,198.51.100.128/25,10.0.1.0/24' })).toEqual([]);
  expect(issuesFor({ publicAccessCidrs: '10.0.1.0/16' })).toEqual([
    { key: 'publicAccessCidrs[0]', value: '10.0.1.0/16', problem: 'host bits are set, so EKS rejects it', fix: 'write an IPv4 network as a.b.c.d/n, such as 203.0.113.0/24, and separate several with commas' },
  ]);
  expect(resolveWith({ ecrRepositoryName: 'team/print-platform-info' })).toMatchObject({ cluster: { ecrRepositoryName: 'team/print-platform-info' }, issues: [] });
});

test('unset keys take their defaults: no workloads deployed, the log retention only checked when set', () => {
  expect(resolveWith({}).cluster.deployWorkloads).toBe(false);
  expect(resolveWith({ deployWorkloads: 'true' }).cluster.deployWorkloads).toBe(true);
  expect(issuesFor({ clusterName: undefined, controlPlaneLogRetentionDays: undefined })).toEqual([]);
  expect(issuesFor({ natGateways: undefined })).toEqual([]);
});
