import { ConfigError } from '../../lib/config/errors';
import { clusterArchitectures, resolveProjectConfig } from '../../lib/config/project-config';
import { TEST_DAY, contextWith } from '../support/cdk';

const group = (overrides: Record<string, unknown>) => ({
  name: 'graviton', arch: 'arm64', instanceTypes: ['m7g.large'], minSize: 1, desiredSize: 1, maxSize: 3, ...overrides,
});

function resolve(overrides: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) {
  const context = contextWith(overrides);
  return resolveProjectConfig((key) => context[key], env, undefined, TEST_DAY);
}

/** The message of the ConfigError that `overrides` cause (fails the test if none is thrown). */
function errorFor(overrides: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): string {
  try {
    resolve(overrides, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`no ConfigError for ${JSON.stringify(overrides)}`);
}

describe('defaults', () => {
  test('the cdk.json configuration is a Graviton AL2 group and an x86_64 AL2 group on Kubernetes 1.32', () => {
    const { cluster } = resolve({});
    expect(cluster.amiFamily).toBe('AL2');
    expect(cluster.kubernetesVersion).toBe('1.32');
    expect(cluster.nodeGroups.map((g) => [g.name, g.arch, g.amiFamily, g.capacityType])).toEqual([
      ['graviton', 'arm64', 'AL2', 'on-demand'],
      ['x86', 'amd64', 'AL2', 'on-demand'],
    ]);
    expect(cluster.nodeGroups.every((g) => g.minSize >= 1)).toBe(true);
    expect(clusterArchitectures(cluster)).toEqual(['arm64', 'amd64']);
  });

  test('-c values arrive as strings and are parsed', () => {
    const { cluster } = resolve({ natGateways: '2', deployWorkloads: 'false', nodeGroups: JSON.stringify([group({})]) });
    expect(cluster.natGateways).toBe(2);
    expect(cluster.nodeGroups).toHaveLength(1);
  });
});

describe('bad input fails with the key, the value and the fix', () => {
  test('an amd64 instance type in an arm64 group', () => {
    expect(errorFor({ nodeGroups: [group({ instanceTypes: ['m7i.large'] })] })).toMatch(
      /nodeGroups\[0\]\.instanceTypes\[0\] = "m7i\.large": an amd64 \(x86_64\) instance type in a group whose arch is "arm64"\. Fix: use an arm64 \(Graviton\) type such as m7g\.large/);
  });

  test('an arm64 instance type in an amd64 group', () => {
    expect(errorFor({ nodeGroups: [group({ arch: 'amd64', instanceTypes: ['m7g.large'] })] })).toMatch(
      /nodeGroups\[0\]\.instanceTypes\[0\] = "m7g\.large": .*arm64 \(Graviton\) instance type in a group whose arch is "amd64".*Fix: .*m7i\.large/);
  });

  test('an instance type that does not exist', () => {
    expect(errorFor({ nodeGroups: [group({ instanceTypes: ['m7g.huge'] })] })).toMatch(
      /nodeGroups\[0\]\.instanceTypes\[0\] = "m7g\.huge": not an EC2 instance type \(no EC2 instance size is called "huge"\)\. Fix: use an existing type/);
    expect(errorFor({ nodeGroups: [group({ instanceTypes: ['zz9g.large'] })] })).toMatch(/no EC2 instance family is called "zz9g"/);
  });

  test('AL2 with Kubernetes 1.33 or later: once, on the key the user set', () => {
    const message = errorFor({ amiFamily: 'AL2', kubernetesVersion: '1.33' });
    expect(message).toMatch(/^Invalid configuration:\n {2}- kubernetesVersion = "1\.33": EKS publishes no Amazon Linux 2 AMIs for Kubernetes 1\.33 \(1\.32 is the last\)\. Fix: set amiFamily to "AL2023"/);
    expect(errorFor({ amiFamily: 'AL2023', kubernetesVersion: '1.34', nodeGroups: [group({ amiFamily: 'AL2' })] })).toMatch(
      /nodeGroups\[0\]\.amiFamily = "AL2": EKS publishes no Amazon Linux 2 AMIs for Kubernetes 1\.34/);
  });

  test('an unknown AMI family', () => {
    expect(errorFor({ amiFamily: 'ubuntu' })).toMatch(/amiFamily = "ubuntu": not one of "AL2", "AL2023", "BOTTLEROCKET"\. Fix: use one of/);
    expect(errorFor({ amiFamily: 'al2023' })).toMatch(/Fix: write "AL2023"/);
  });

  test('an unknown Kubernetes version, or one written as a number', () => {
    expect(errorFor({ kubernetesVersion: '1.29' })).toMatch(/kubernetesVersion = "1\.29": not a Kubernetes version that Amazon EKS supports\. Fix: use one of 1\.32, 1\.33, 1\.34, 1\.35/);
    expect(errorFor({ kubernetesVersion: 1.3 })).toMatch(/kubernetesVersion = 1\.3: must be a string.*Fix: quote it/);
  });

  test('min > desired and desired > max', () => {
    expect(errorFor({ nodeGroups: [group({ minSize: 3, desiredSize: 2, maxSize: 4 })] })).toMatch(
      /nodeGroups\[0\]\.minSize = 3: greater than desiredSize \(2\)\. Fix: keep minSize <= desiredSize <= maxSize/);
    expect(errorFor({ nodeGroups: [group({ minSize: 1, desiredSize: 5, maxSize: 4 })] })).toMatch(
      /nodeGroups\[0\]\.desiredSize = 5: greater than maxSize \(4\)/);
  });

  test('negative sizes and max 0', () => {
    expect(errorFor({ nodeGroups: [group({ minSize: -1 })] })).toMatch(/nodeGroups\[0\]\.minSize = -1: a size cannot be negative\. Fix: use 0 or more/);
    expect(errorFor({ nodeGroups: [group({ minSize: 0, desiredSize: 0, maxSize: 0 })] })).toMatch(
      /nodeGroups\[0\]\.maxSize = 0: EKS needs a maximum of at least 1 node\. Fix: set maxSize to 1 or more/);
  });

  test('a malformed CIDR', () => {
    expect(errorFor({ publicAccessCidrs: '203.0.113.0/24,10.0.0.300/8' })).toMatch(/publicAccessCidrs\[1\] = "10\.0\.0\.300\/8": not an IPv4 CIDR.*Fix: write an IPv4 network/);
    expect(errorFor({ publicAccessCidrs: '203.0.113.7/24' })).toMatch(/publicAccessCidrs\[0\] = "203\.0\.113\.7\/24": host bits are set/);
  });

  test('two groups with one name', () => {
    expect(errorFor({ nodeGroups: [group({}), group({})] })).toMatch(
      /nodeGroups\[1\]\.name = "graviton": nodeGroups\[0\] already has this name\. Fix: give every node group its own name/);
  });

  test('two names that CloudFormation ids would merge', () => {
    expect(errorFor({ nodeGroups: [group({ name: 'x86-a' }), group({ name: 'X86_a' })] })).toMatch(
      /nodeGroups\[1\]\.name = "X86_a": differs from nodeGroups\[0\] \("x86-a"\) only in case, - or _/);
  });

  test('no group at all', () => {
    expect(errorFor({ nodeGroups: [] })).toMatch(/nodeGroups = \[\]: the cluster needs at least one node group\. Fix: add one/);
    expect(errorFor({ nodeGroups: undefined })).toMatch(/nodeGroups = \(not set\): the cluster needs at least one node group\. Fix: define them under "context" in cdk.json/);
    expect(errorFor({ nodeGroups: '[]' })).toMatch(/the cluster needs at least one node group/);
  });

  test('a value of the wrong type: -c natGateways=abc', () => {
    expect(errorFor({ natGateways: 'abc' })).toMatch(/natGateways = "abc": must be a whole number\. Fix: write digits only/);
  });

  test("a value of the wrong type: -c nodeGroups='not json'", () => {
    expect(errorFor({ nodeGroups: 'not json' })).toMatch(/nodeGroups = "not json": not valid JSON .*Fix: quote the whole value for the shell/);
  });

  test('an unknown architecture, with the Kubernetes name as the fix', () => {
    expect(errorFor({ nodeGroups: [group({ arch: 'aarch64' })] })).toMatch(/nodeGroups\[0\]\.arch = "aarch64": not an architecture.*Fix: write "arm64"/);
  });

  test('an unknown node group key (a typo) is not silently ignored', () => {
    expect(errorFor({ nodeGroups: [group({ maxsize: 3 })] })).toMatch(/nodeGroups\[0\]\.maxsize = 3: not a node group key/);
  });

  test('a bad endpoint mode, and CIDRs with a private endpoint', () => {
    expect(errorFor({ endpointAccess: 'public' })).toMatch(/endpointAccess = "public": not one of "public-and-private", "private"/);
    expect(errorFor({ endpointAccess: 'private', publicAccessCidrs: '203.0.113.0/24' })).toMatch(/publicAccessCidrs = "203\.0\.113\.0\/24": a private endpoint has no public access/);
  });

  test('natGateways outside 1..2 and a malformed VPC id or admin ARN', () => {
    expect(errorFor({ natGateways: 0 })).toMatch(/natGateways = 0: .*need a NAT gateway.*Fix: use 1/);
    expect(errorFor({ vpcId: 'vpc-xyz' })).toMatch(/vpcId = "vpc-xyz": not a VPC id/);
    expect(errorFor({ adminPrincipalArns: 'alice' })).toMatch(/adminPrincipalArns\[0\] = "alice": not an IAM role or user ARN/);
    // EKS access entries reject STS sessions.
    expect(errorFor({ adminPrincipalArns: 'arn:aws:sts::123456789012:assumed-role/Admin/alice' })).toMatch(/adminPrincipalArns\[0\] = .*not an IAM role or user ARN/);
    expect(errorFor({ gitlabProject: '-group/project' })).toMatch(/gitlabProject = "-group\/project": must be a GitLab project path/);
    expect(errorFor({ gitlabUrl: 'https://gitlab.example.com:8443' })).toMatch(/gitlabUrl = "https:\/\/gitlab\.example\.com:8443": must not have a port/);
  });

  test('every problem is reported at once', () => {
    const message = errorFor({ natGateways: 'abc', amiFamily: 'ubuntu', publicAccessCidrs: 'x' });
    expect(message).toMatch(/^Invalid configuration \(3 problems\):/);
  });

  test('two problems in one node group are both reported', () => {
    const message = errorFor({ nodeGroups: [group({ instanceTypes: [], minSize: -1, taints: [{ key: 'bad key', effect: 'Sometimes' }] })] });
    expect(message).toMatch(/^Invalid configuration \(4 problems\):/);
    expect(message).toMatch(/nodeGroups\[0\]\.instanceTypes = \[\]: lists no instance type/);
    expect(message).toMatch(/nodeGroups\[0\]\.minSize = -1: a size cannot be negative/);
    expect(message).toMatch(/nodeGroups\[0\]\.taints\[0\]\.key = "bad key": a taint needs a key/);
    expect(message).toMatch(/nodeGroups\[0\]\.taints\[0\]\.effect = "Sometimes": not a taint effect/);
  });

  test('an existing VPC without an account and region is reported with the other problems', () => {
    const message = errorFor({ vpcId: 'vpc-0a1b2c3d4e5f67890', natGateways: 'abc' });
    expect(message).toMatch(/^Invalid configuration \(2 problems\):/);
    expect(message).toMatch(/vpcId = "vpc-0a1b2c3d4e5f67890": using an existing VPC needs a lookup in your AWS account/);
  });
});

describe('context keys', () => {
  const withKeys = (overrides: Record<string, unknown>) => {
    const context = contextWith(overrides);
    return () => resolveProjectConfig((key) => context[key], {}, Object.keys(context), TEST_DAY);
  };

  test('a misspelled key fails, naming the closest known key', () => {
    expect(withKeys({ amifamily: 'AL2023' })).toThrow(/amifamily = "\(set\)": not a context key of this project, so it would be ignored\. Fix: did you mean "amiFamily"\?/);
    expect(withKeys({ kubernetesVersions: '1.32' })).toThrow(/did you mean "kubernetesVersion"/);
    expect(withKeys({ somethingElse: 'x' })).toThrow(/somethingElse = .*Fix: remove it/);
  });

  test("CDK's own keys pass: feature flags, aws: settings, lookups, cdk-prefixed keys", () => {
    expect(withKeys({
      '@aws-cdk/core:newStyleStackSynthesis': true,
      'aws:cdk:enable-path-metadata': true,
      'availability-zones:account=123456789012:region=eu-west-1': ['eu-west-1a'],
      'cdk-partition': 'aws',
      'acknowledged-issue-numbers': [],
    })).not.toThrow();
  });
});

describe('GitLab values have one set of rules', () => {
  test('a protected-branch wildcard is accepted by the config', () => {
    expect(resolve({ gitlabProject: 'platform/eks', gitlabBranches: 'main,release/*' }).cluster.gitlab?.branches).toEqual(['main', 'release/*']);
  });

  test('characters git forbids in a ref are refused', () => {
    expect(errorFor({ gitlabBranches: 'main,rel?ase' })).toMatch(/gitlabBranches\[1\] = "rel\?ase": must be a branch name/);
    expect(errorFor({ gitlabBranches: ' , ' })).toMatch(/gitlabBranches = " , ": no branch could assume the deploy role/);
  });
});
