import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ConfigError } from '../lib/config/errors';
import { resolveProjectConfig } from '../lib/config/project-config';
import { buildTestApp, contextWith, templateFor, TEST_DAY } from './support/cdk';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Resources = Record<string, { Type: string; Properties?: any; DeletionPolicy?: string; UpdateReplacePolicy?: string }>;

function errorFor(overrides: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): string {
  const context = contextWith(overrides);
  try {
    resolveProjectConfig((key) => context[key], env, undefined, TEST_DAY);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`no ConfigError for ${JSON.stringify(overrides)}`);
}

const ofType = (resources: Resources, type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

describe('Kubernetes upgrade path, one minor version per deploy', () => {
  // The README's path from the AL2 default: switch to AL2023 with the first step, then one minor at a time.
  const steps = [
    { amiFamily: 'AL2', kubernetesVersion: '1.32' },
    { amiFamily: 'AL2023', kubernetesVersion: '1.33' },
    { amiFamily: 'AL2023', kubernetesVersion: '1.34' },
    { amiFamily: 'AL2023', kubernetesVersion: '1.35' },
    { amiFamily: 'AL2023', kubernetesVersion: '1.36' },
  ];
  const templates = steps.map((step) => templateFor(step).toJSON().Resources as Resources);

  test.each(steps.map((step, i) => [step.kubernetesVersion, i] as const))('at %s every node group runs the cluster version', (version, i) => {
    const [[, cluster]] = ofType(templates[i], 'AWS::EKS::Cluster');
    expect(cluster.Properties.Version).toBe(version);
    const groups = ofType(templates[i], 'AWS::EKS::Nodegroup');
    expect(groups).toHaveLength(2);
    for (const [, group] of groups) expect(group.Properties.Version).toBe(version);
  });

  test.each(steps.slice(1).map((step, i) => [steps[i].kubernetesVersion, step.kubernetesVersion, i] as const))(
    '%s -> %s: the cluster changes only its version, and node groups update in place or get a new name',
    (_from, to, i) => {
      const before = templates[i];
      const after = templates[i + 1];
      const [[clusterId, oldCluster]] = ofType(before, 'AWS::EKS::Cluster');
      const newCluster = after[clusterId];
      expect(newCluster).toBeDefined();
      // Every cluster property but Version is the same, so CloudFormation updates it in place (Name and the
      // VPC config would replace it).
      expect({ ...newCluster.Properties, Version: undefined }).toEqual({ ...oldCluster.Properties, Version: undefined });
      expect(newCluster.Properties.Version).toBe(to);

      for (const [id, oldGroup] of ofType(before, 'AWS::EKS::Nodegroup')) {
        const newGroup = after[id];
        expect(newGroup).toBeDefined();
        const replaced = newGroup.Properties.AmiType !== oldGroup.Properties.AmiType;
        if (replaced) {
          // AmiType is a replacement property: the new group must have another name, so it can exist beside the old one.
          expect(newGroup.Properties.NodegroupName).not.toEqual(oldGroup.Properties.NodegroupName);
        } else {
          expect(newGroup.Properties.NodegroupName).toEqual(oldGroup.Properties.NodegroupName);
          expect(newGroup.Properties.InstanceTypes).toEqual(oldGroup.Properties.InstanceTypes);
          expect(newGroup.Properties.CapacityType).toEqual(oldGroup.Properties.CapacityType);
        }
      }
      // Nothing else disappears, except the AL2 launch template once no AL2 group is left.
      const removed = Object.keys(before).filter((id) => !(id in after));
      expect(removed.every((id) => before[id].Type === 'AWS::EC2::LaunchTemplate')).toBe(true);
      expect(removed).toHaveLength(i === 0 ? 1 : 0);
    });
});

describe('a stack deployed from the previous release (cb4bba6, 2026-11-27) upgrades in place', () => {
  // That release's default template, synthesized from that commit; its cdk.json had no clusterName.
  const previous = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'releases', 'cb4bba6-default.template.json'), 'utf8')).Resources as Resources;
  // The same configuration: today's cdk.json without the clusterName that release did not have.
  const current = templateFor({ clusterName: undefined }).toJSON().Resources as Resources;
  // Properties CloudFormation can only change by replacing the resource (CloudFormation resource reference).
  const replacementProperties: Record<string, string[]> = {
    'AWS::EKS::Cluster': ['Name', 'RoleArn', 'EncryptionConfig', 'KubernetesNetworkConfig', 'BootstrapSelfManagedAddons'],
    'AWS::EKS::Nodegroup': ['NodegroupName', 'AmiType', 'CapacityType', 'InstanceTypes', 'NodeRole', 'Subnets', 'ClusterName'],
    'AWS::ECR::Repository': ['RepositoryName'],
    'AWS::EC2::VPC': ['CidrBlock'],
    // A new logical id is a new resource: a new launch template rolls every node, a new role replaces the groups.
    'AWS::EC2::LaunchTemplate': ['LaunchTemplateName'],
    'AWS::IAM::Role': ['RoleName', 'Path'],
  };

  test.each(Object.keys(replacementProperties))('every %s keeps its logical id and its replacement-only properties', (type) => {
    const before = Object.entries(previous).filter(([, r]) => r.Type === type);
    expect(before.length).toBeGreaterThan(0);
    for (const [id, resource] of before) {
      expect(current[id]?.Type).toBe(type);
      for (const property of replacementProperties[type]) {
        expect([id, property, current[id].Properties?.[property]]).toEqual([id, property, resource.Properties?.[property]]);
      }
    }
  });

  test('the ECR repository changes only its tag mutability, which CloudFormation updates in place', () => {
    const [[id, before]] = ofType(previous, 'AWS::ECR::Repository');
    const after = current[id];
    // ImageTagMutability and its exclusion filters: "Update requires: No interruption" (CloudFormation
    // AWS::ECR::Repository reference); the name, the one replacement property, stays.
    const { ImageTagMutability, ImageTagMutabilityExclusionFilters, ...rest } = after.Properties;
    expect(rest).toEqual(before.Properties);
    expect(before.Properties.ImageTagMutability).toBeUndefined();
    expect([ImageTagMutability, (ImageTagMutabilityExclusionFilters as unknown[]).length]).toEqual(['IMMUTABLE_WITH_EXCLUSION', 3]);
  });

  test('every IAM role of that release gains the permissions boundary in place: only PermissionsBoundary is added to it', () => {
    const before = ofType(previous, 'AWS::IAM::Role');
    expect(before.length).toBeGreaterThan(0);
    for (const [id, role] of before) {
      expect(role.Properties.PermissionsBoundary).toBeUndefined();
      // PermissionsBoundary: "Update requires: No interruption" (CloudFormation AWS::IAM::Role reference).
      expect([id, current[id].Properties.PermissionsBoundary]).toEqual([id, {
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':policy/mixed-arch-eks-permissions-boundary']],
      }]);
      expect([id, current[id].Properties.RoleName, current[id].Properties.Path]).toEqual([id, role.Properties.RoleName, role.Properties.Path]);
    }
  });

  test('the cluster is not given a name it did not have, so it is not replaced', () => {
    const [[, cluster]] = ofType(current, 'AWS::EKS::Cluster');
    expect(cluster.Properties.Name).toBeUndefined();
    expect(ofType(current, 'AWS::Logs::LogGroup').map(([, g]) => g.Properties.LogGroupName)).not.toContainEqual(expect.stringMatching(/^\/aws\/eks\//));
  });
});

describe('retries and redeploys', () => {
  const resources = templateFor({ gitlabProject: 'acme/mixed-arch-eks' }).toJSON().Resources as Resources;

  test('nothing is kept when the first create rolls back: no plain Retain anywhere', () => {
    const retained = Object.entries(resources).filter(([, r]) => r.DeletionPolicy === 'Retain').map(([id]) => id);
    expect(retained).toEqual([]);
  });

  test('data is kept on delete: the ECR repositories (print-platform-info, arch-guard), the log groups and the secrets key', () => {
    const kept = Object.values(resources).filter((r) => r.DeletionPolicy === 'RetainExceptOnCreate').map((r) => r.Type).sort();
    expect(kept).toEqual(['AWS::ECR::Repository', 'AWS::ECR::Repository', 'AWS::KMS::Key', 'AWS::Logs::LogGroup', 'AWS::Logs::LogGroup']);
    for (const r of Object.values(resources).filter((x) => x.DeletionPolicy === 'RetainExceptOnCreate')) expect(r.UpdateReplacePolicy).toBe('Retain');
  });
});

describe('the kubectl handler\'s log groups (aws-eks-v2 makes them Retain, two years)', () => {
  const resources = templateFor({ autoscaler: 'karpenter' }).toJSON().Resources as Resources;
  const kubectlLogs = Object.entries(resources).filter(([id, r]) => r.Type === 'AWS::Logs::LogGroup' && id.startsWith('ClusterKubectlProvider'));

  test('are kept on delete but not after a failed first create, for a month, like the stack\'s own', () => {
    expect(kubectlLogs.map(([id]) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual(['ClusterKubectlProviderHandlerLogGroup', 'ClusterKubectlProviderframeworkonEventLogGroup']);
    for (const [, group] of kubectlLogs) {
      expect([group.DeletionPolicy, group.UpdateReplacePolicy, group.Properties.RetentionInDays]).toEqual(['RetainExceptOnCreate', 'Retain', 30]);
    }
  });

  test('no plain Retain anywhere in a stack with the kubectl provider', () => {
    expect(Object.entries(resources).filter(([, r]) => r.DeletionPolicy === 'Retain').map(([id]) => id)).toEqual([]);
  });
});

describe('control-plane logs', () => {
  const template = templateFor({});
  const named = templateFor({ clusterName: 'platform-prod', controlPlaneLogRetentionDays: '365' });

  test('go to a log group the stack creates before the cluster, with a retention', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/eks/mixed-arch-eks/cluster', RetentionInDays: 90 });
    const [logGroupId] = Object.keys(template.findResources('AWS::Logs::LogGroup', { Properties: { LogGroupName: '/aws/eks/mixed-arch-eks/cluster' } }));
    template.hasResource('AWS::EKS::Cluster', Match.objectLike({ Properties: Match.objectLike({ Name: 'mixed-arch-eks' }), DependsOn: Match.arrayWith([logGroupId]) }));
  });

  test('follow clusterName and controlPlaneLogRetentionDays', () => {
    named.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/eks/platform-prod/cluster', RetentionInDays: 365 });
    named.hasResourceProperties('AWS::EKS::Cluster', Match.objectLike({ Name: 'platform-prod' }));
  });

  test('a retention CloudWatch does not offer, or a bad cluster name, fails with the nearest value', () => {
    expect(errorFor({ controlPlaneLogRetentionDays: 45 })).toMatch(/controlPlaneLogRetentionDays = 45: not a retention period CloudWatch Logs offers\. Fix: use one of 1, 3, 5, .* \(nearest: 30\)/);
    expect(errorFor({ clusterName: 'my cluster' })).toMatch(/clusterName = "my cluster": not an EKS cluster name/);
  });
});

describe('node volumes', () => {
  test('Amazon Linux nodes boot from an encrypted 20 GiB gp3 volume', () => {
    templateFor({}).hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({
        BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { DeleteOnTermination: true, Encrypted: true, VolumeSize: 20, VolumeType: 'gp3' } }],
      }),
    });
  });

  test('Bottlerocket nodes get an encrypted OS volume and an encrypted 20 GiB data volume', () => {
    templateFor({ amiFamily: 'BOTTLEROCKET', kubernetesVersion: '1.34' }).hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({
        BlockDeviceMappings: [
          { DeviceName: '/dev/xvda', Ebs: { DeleteOnTermination: true, Encrypted: true, VolumeSize: 4, VolumeType: 'gp3' } },
          { DeviceName: '/dev/xvdb', Ebs: { DeleteOnTermination: true, Encrypted: true, VolumeSize: 20, VolumeType: 'gp3' } },
        ],
      }),
    });
  });
});

describe('an account that already has the GitLab OIDC provider', () => {
  const arn = 'arn:aws:iam::123456789012:oidc-provider/gitlab.example.com';
  const reused = templateFor({ gitlabProject: 'acme/eks', gitlabUrl: 'https://gitlab.example.com', gitlabOidcProviderArn: arn });

  test('reuses it: no provider is created and the role trusts the given one', () => {
    reused.resourceCountIs('AWS::IAM::OIDCProvider', 0);
    const gitlabRoles = Object.entries(reused.findResources('AWS::IAM::Role')).filter(([id]) => id.startsWith('GitLabDeployRole'));
    expect(gitlabRoles.map(([, r]) => r.Properties.AssumeRolePolicyDocument)).toEqual([{
      Version: '2012-10-17',
      Statement: [{
        Action: 'sts:AssumeRoleWithWebIdentity', Effect: 'Allow', Principal: { Federated: arn },
        Condition: { StringEquals: { 'gitlab.example.com:aud': 'sts.amazonaws.com' }, StringLike: { 'gitlab.example.com:sub': ['project_path:acme/eks:ref_type:branch:ref:main'] } },
      }],
    }]);
  });

  test('without the key, the stack creates the provider', () => {
    templateFor({ gitlabProject: 'acme/eks' }).resourceCountIs('AWS::IAM::OIDCProvider', 1);
  });

  test('a malformed ARN, or a provider for another host, is refused', () => {
    expect(errorFor({ gitlabProject: 'acme/eks', gitlabOidcProviderArn: 'arn:aws:iam::123456789012:role/gitlab' })).toMatch(
      /gitlabOidcProviderArn = "arn:aws:iam::123456789012:role\/gitlab": not an IAM OIDC provider ARN\. Fix: .*oidc-provider\/gitlab\.com/);
    expect(errorFor({ gitlabProject: 'acme/eks', gitlabOidcProviderArn: arn })).toMatch(
      /gitlabOidcProviderArn = .*: the provider is for gitlab\.example\.com, but gitlabUrl is https:\/\/gitlab\.com\. Fix: use the provider of gitlab\.com/);
  });
});

describe('cluster DNS needs somewhere to run', () => {
  const tainted = (name: string, arch: string, effect: string, key = 'dedicated') => ({
    name, arch, instanceTypes: [arch === 'arm64' ? 'm7g.large' : 'm7i.large'], minSize: 1, desiredSize: 1, maxSize: 2,
    taints: [{ key, value: 'x', effect }],
  });

  test('every group tainted NoSchedule/NoExecute is refused', () => {
    expect(errorFor({ amiFamily: 'AL2023', nodeGroups: [tainted('a', 'arm64', 'NoSchedule'), tainted('b', 'amd64', 'NoExecute')] })).toMatch(
      /nodeGroups = "a: dedicated=x:NoSchedule; b: dedicated=x:NoExecute": every node group has a NoSchedule or NoExecute taint.*CoreDNS.*Fix: leave at least one node group without/);
  });

  test('a PreferNoSchedule or CriticalAddonsOnly taint leaves room for CoreDNS', () => {
    const build = (groups: unknown[]) => () => buildTestApp({ amiFamily: 'AL2023', nodeGroups: JSON.stringify(groups) });
    expect(build([tainted('a', 'arm64', 'NoSchedule'), tainted('b', 'amd64', 'PreferNoSchedule')])).not.toThrow();
    expect(build([tainted('a', 'arm64', 'NoSchedule'), tainted('b', 'amd64', 'NoSchedule', 'CriticalAddonsOnly')])).not.toThrow();
  });
});

describe('availabilityZones', () => {
  const zonal = buildTestApp({ availabilityZones: 'eu-west-1b,eu-west-1c' });

  test('puts the new VPC in the zones named and pins the stack to their region', () => {
    const template = Template.fromStack(zonal.stack);
    expect(zonal.stack.region).toBe('eu-west-1');
    const zones = Object.values(template.findResources('AWS::EC2::Subnet')).map((s: any) => s.Properties.AvailabilityZone).sort();
    expect(zones).toEqual(['eu-west-1b', 'eu-west-1b', 'eu-west-1c', 'eu-west-1c']);
  });

  test('bad zones fail with the key, the value and the fix', () => {
    expect(errorFor({ availabilityZones: 'eu-west-1a' })).toMatch(/availabilityZones = "eu-west-1a": EKS needs subnets in at least 2 different zones/);
    expect(errorFor({ availabilityZones: 'eu-west-1a,us-east-1a' })).toMatch(/the zones are in several regions \(eu-west-1, us-east-1\)/);
    expect(errorFor({ availabilityZones: 'eu-west-1a,west' })).toMatch(/availabilityZones\[1\] = "west": not an availability zone name/);
    expect(errorFor({ availabilityZones: 'eu-west-1a,eu-west-1b' }, { CDK_DEFAULT_REGION: 'us-east-1' })).toMatch(
      /the zones are in eu-west-1, but you deploy to us-east-1\. Fix: use zones of us-east-1, or deploy with AWS_REGION=eu-west-1/);
    expect(errorFor({ availabilityZones: 'eu-west-1a,eu-west-1b', vpcId: 'vpc-0a1b2c3d4e5f67890' }, { CDK_DEFAULT_ACCOUNT: '123456789012', CDK_DEFAULT_REGION: 'eu-west-1' })).toMatch(
      /availabilityZones = .*an existing VPC \(vpcId\) brings its own zones/);
    expect(errorFor({ availabilityZones: 'eu-west-1a,eu-west-1b', natGateways: 3 })).toMatch(/natGateways = 3: the new VPC has 2 availability zones/);
  });
});

describe('namespaces and branches that would widen access', () => {
  test("Kubernetes' own namespaces are refused", () => {
    for (const namespace of ['kube-system', 'kube-public', 'kube-node-lease']) {
      expect(errorFor({ namespace })).toMatch(new RegExp(`namespace = "${namespace}": a namespace of the cluster itself.*Fix: use a namespace of your own`));
    }
  });

  test('a branch pattern that matches every branch is refused; a narrower one warns', () => {
    expect(errorFor({ gitlabProject: 'acme/eks', gitlabBranches: 'main,*' })).toMatch(/gitlabBranches\[1\] = "\*": matches every branch, protected or not/);
    expect(errorFor({ gitlabProject: 'acme/eks', gitlabBranches: '*/*' })).toMatch(/gitlabBranches\[0\] = "\*\/\*": matches every branch/);
    const { warnings } = buildTestApp({ gitlabProject: 'acme/eks', gitlabBranches: 'main,release/*' });
    expect(warnings).toContain('Annotation::mixed-arch-eks:gitlab-branch-wildcard');
    expect(buildTestApp({ gitlabProject: 'acme/eks' }).warnings).not.toContain('Annotation::mixed-arch-eks:gitlab-branch-wildcard');
  });

  test('a namespace that changes is not pruned away: its manifest never prunes', () => {
    const template = templateFor({ deployWorkloads: 'true', namespace: 'platform-info' });
    const manifests = Object.values(template.findResources('Custom::AWSCDK-EKS-KubernetesResource'));
    const namespace = manifests.find((m) => String(m.Properties.Manifest).includes('"kind":"Namespace"'));
    expect(namespace?.Properties.PruneLabel).toBeUndefined();
    const workloads = manifests.filter((m) => m !== namespace);
    expect(workloads.length).toBe(4);
    for (const m of workloads) expect(m.Properties.PruneLabel).toMatch(/^aws\.cdk\.eks\/prune-/);
  });

  test('a retention without a cluster name is refused (the stack makes the log group only for a named cluster)', () => {
    expect(errorFor({ clusterName: undefined, controlPlaneLogRetentionDays: 30 })).toMatch(
      /controlPlaneLogRetentionDays = 30: the stack creates the control-plane log group only for a cluster with a clusterName/);
  });
});


describe('Karpenter pools across two configurations', () => {
  const poolIds = (pools?: unknown[]) => Object.keys(templateFor({
    autoscaler: 'karpenter', ...(pools ? { karpenterNodePools: JSON.stringify(pools) } : {}),
  }).findResources('Custom::AWSCDK-EKS-KubernetesResource')).filter((id) => id.startsWith('ClusterKarpenterNodePool'));

  test('a pool dropped from karpenterNodePools is a resource removed (kubectl deletes it); the kept one keeps its id', () => {
    const before = poolIds();
    const after = poolIds([{ name: 'graviton', arch: ['arm64'], capacityTypes: ['spot', 'on-demand'], cpuLimit: 64 }]);
    expect(before.map((id) => id.replace(/[0-9A-F]{8}$/, ''))).toEqual(['ClusterKarpenterNodePoolgraviton', 'ClusterKarpenterNodePoolx86']);
    expect(after).toEqual(before.filter((id) => id.startsWith('ClusterKarpenterNodePoolgraviton')));
  });
});

describe('switching the autoscaler: none, karpenter and auto-mode update the cluster in place', () => {
  const modes = ['none', 'karpenter', 'auto-mode'] as const;
  const templates = Object.fromEntries(modes.map((m) => [m, templateFor({ autoscaler: m }).toJSON().Resources as Resources])) as Record<(typeof modes)[number], Resources>;
  // Every path the docs give (docs/autoscaling.md, "Switching"): Auto Mode on and off from no autoscaler, and
  // Karpenter <-> Auto Mode through none.
  const steps: [(typeof modes)[number], (typeof modes)[number]][] = [
    ['none', 'auto-mode'], ['auto-mode', 'none'], ['karpenter', 'none'], ['none', 'karpenter'],
  ];
  // Properties CloudFormation can only change by replacing the cluster (CloudFormation AWS::EKS::Cluster reference:
  // Name, RoleArn, the subnets and security groups, EncryptionConfig, ServiceIpv4Cidr, BootstrapSelfManagedAddons).
  const fixed = ['Name', 'RoleArn', 'ResourcesVpcConfig', 'EncryptionConfig', 'BootstrapSelfManagedAddons', 'Version', 'AccessConfig', 'Logging'];
  const replacementOnly = ['NodegroupName', 'AmiType', 'CapacityType', 'InstanceTypes', 'NodeRole', 'Subnets', 'ClusterName'];

  test.each(steps)('%s -> %s: same cluster, role, node groups and add-ons; only the three Auto Mode switches change, together', (from, to) => {
    const before = templates[from];
    const after = templates[to];
    const [[clusterId, oldCluster]] = ofType(before, 'AWS::EKS::Cluster');
    const newCluster = after[clusterId];
    expect(newCluster?.Type).toBe('AWS::EKS::Cluster');
    for (const property of fixed) expect([property, newCluster.Properties[property]]).toEqual([property, oldCluster.Properties[property]]);
    // Within KubernetesNetworkConfig only ElasticLoadBalancing may change ("Update requires: No interruption").
    const { ElasticLoadBalancing: oldElb, ...oldNetwork } = oldCluster.Properties.KubernetesNetworkConfig;
    const { ElasticLoadBalancing: newElb, ...newNetwork } = newCluster.Properties.KubernetesNetworkConfig;
    expect(newNetwork).toEqual(oldNetwork);
    const on = to === 'auto-mode';
    // EKS takes compute, block storage and load balancing on or off in the same request (EKS user guide).
    expect([newCluster.Properties.ComputeConfig.Enabled, newCluster.Properties.StorageConfig.BlockStorage.Enabled, newElb.Enabled]).toEqual([on, on, on]);
    expect([oldCluster.Properties.ComputeConfig.Enabled, oldElb.Enabled]).toEqual([from === 'auto-mode', from === 'auto-mode']);
    expect(newCluster.Properties.ComputeConfig.NodePools).toEqual(on ? ['system'] : undefined);
    // The cluster role cannot be changed after creation (EKS user guide): the same resource gains or loses policies.
    const roleId = oldCluster.Properties.RoleArn['Fn::GetAtt'][0];
    expect(after[roleId]?.Type).toBe('AWS::IAM::Role');
    for (const [id, group] of ofType(before, 'AWS::EKS::Nodegroup')) {
      for (const property of replacementOnly) expect([id, property, after[id]?.Properties[property]]).toEqual([id, property, group.Properties[property]]);
    }
    expect(ofType(after, 'AWS::EKS::Addon').map(([id]) => id).sort()).toEqual(ofType(before, 'AWS::EKS::Addon').map(([id]) => id).sort());
  });

  test('the Auto Mode node role exists exactly while Auto Mode is on, and is named in ComputeConfig', () => {
    const nodeRoles = (resources: Resources) => ofType(resources, 'AWS::IAM::Role').filter(([id]) => id.startsWith('AutoModeNodeRole')).map(([id]) => id);
    expect(nodeRoles(templates.none)).toEqual([]);
    expect(nodeRoles(templates.karpenter)).toEqual([]);
    const [[, cluster]] = ofType(templates['auto-mode'], 'AWS::EKS::Cluster');
    expect(nodeRoles(templates['auto-mode'])).toEqual([cluster.Properties.ComputeConfig.NodeRoleArn['Fn::GetAtt'][0]]);
  });

  test('a direct karpenter -> auto-mode switch is not a supported path: the same NodePool names under new resources, which the removal of Karpenter\'s deletes', () => {
    // Why the docs go through none: CloudFormation creates the new manifests before it deletes the old ones, so
    // `kubectl delete nodepool graviton` (Karpenter's resource going away) would delete the Auto Mode pool that
    // replaced it; and a NodePool's nodeClassRef group cannot change in place (Karpenter v1 CRD validation).
    const pools = (resources: Resources) => ofType(resources, 'Custom::AWSCDK-EKS-KubernetesResource')
      .map(([id, r]) => [id, /"kind\\":\\"NodePool\\",\\"metadata\\":\{[^}]*\\"name\\":\\"([a-z0-9-]+)\\"/.exec(JSON.stringify(r.Properties.Manifest))?.[1]] as const)
      .filter(([, name]) => name !== undefined);
    const karpenter = pools(templates.karpenter);
    const autoMode = pools(templates['auto-mode']);
    expect(karpenter.map(([, name]) => name)).toEqual(['graviton', 'x86']);
    expect(autoMode.map(([, name]) => name)).toEqual(['graviton', 'x86']);
    for (const [id] of autoMode) expect(templates.karpenter[id]).toBeUndefined();
  });
});
