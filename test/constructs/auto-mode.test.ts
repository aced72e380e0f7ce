import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { acknowledgementsOf, buildTestApp, unreasonedAcknowledgements } from '../support/cdk';
import { validateAutoModeNodePool } from '../support/auto-mode-schema';

/* eslint-disable @typescript-eslint/no-explicit-any */
// `-c autoscaler=auto-mode` on the cdk.json configuration (AL2 node groups, Kubernetes 1.32), synthesized once.
const { app, stack, warnings } = buildTestApp({ autoscaler: 'auto-mode' });
const template = Template.fromStack(stack);
const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, any>; DependsOn?: string[] }>;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const [[clusterId, cluster]] = ofType('AWS::EKS::Cluster');
const roleById = (id: string) => resources[id].Properties;
const managedPolicyNames = (role: Record<string, any>) => (role.ManagedPolicyArns as { 'Fn::Join': [string, unknown[]] }[])
  .map((arn) => String(arn['Fn::Join'][1].at(-1)).replace(':iam::aws:policy/', ''));
const nodeRoleId = cluster.Properties.ComputeConfig.NodeRoleArn['Fn::GetAtt'][0];

describe('the cluster with autoscaler=auto-mode', () => {
  test('turns on Auto Mode compute, block storage and load balancing together, with only the built-in system pool', () => {
    expect(cluster.Properties.ComputeConfig).toEqual({ Enabled: true, NodePools: ['system'], NodeRoleArn: { 'Fn::GetAtt': [nodeRoleId, 'Arn'] } });
    expect(cluster.Properties.StorageConfig).toEqual({ BlockStorage: { Enabled: true } });
    expect(cluster.Properties.KubernetesNetworkConfig).toEqual({ ElasticLoadBalancing: { Enabled: true }, IpFamily: 'ipv4' });
    // Auto Mode refuses BootstrapSelfManagedAddons true, and changing the property would replace the cluster.
    expect(cluster.Properties.BootstrapSelfManagedAddons).toBeUndefined();
  });

  test('keeps the configured managed node groups beside it', () => {
    expect(ofType('AWS::EKS::Nodegroup').map(([, g]) => g.Properties.NodegroupName)).toEqual(expect.arrayContaining([expect.stringMatching(/graviton/), expect.stringMatching(/x86/)]));
    expect(ofType('AWS::EKS::Nodegroup')).toHaveLength(2);
  });

  test('gives the cluster role the four Auto Mode policies and sts:TagSession, whole', () => {
    const role = roleById(cluster.Properties.RoleArn['Fn::GetAtt'][0]);
    expect(managedPolicyNames(role).sort()).toEqual([
      'AmazonEKSBlockStoragePolicy', 'AmazonEKSClusterPolicy', 'AmazonEKSComputePolicy', 'AmazonEKSLoadBalancingPolicy', 'AmazonEKSNetworkingPolicy',
    ]);
    expect(role.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [{ Action: ['sts:AssumeRole', 'sts:TagSession'], Effect: 'Allow', Principal: { Service: 'eks.amazonaws.com' } }],
    });
  });

  test('gives Auto Mode nodes a role of their own with the two policies EKS documents, trusted by EC2 only', () => {
    const role = roleById(nodeRoleId);
    expect(managedPolicyNames(role)).toEqual(['AmazonEKSWorkerNodeMinimalPolicy', 'AmazonEC2ContainerRegistryPullOnly']);
    expect(role.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17', Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' } }],
    });
    expect(role.Description).toBe('Nodes launched by EKS Auto Mode');
    expect(role.Policies).toBeUndefined();
    // Not the node groups' role: EKS cannot change the Auto Mode node role while Auto Mode is on.
    expect(nodeRoleId).not.toMatch(/^NodeGroups/);
    // EKS creates the access entry of the built-in node class's role itself; a second one would collide.
    expect(ofType('AWS::EKS::AccessEntry').filter(([, e]) => JSON.stringify(e.Properties.PrincipalArn).includes(nodeRoleId))).toEqual([]);
  });

  test('installs no Karpenter: no Helm chart, no interruption queue, no EC2NodeClass', () => {
    expect(ofType('Custom::AWSCDK-EKS-HelmChart')).toEqual([]);
    expect(ofType('AWS::SQS::Queue')).toEqual([]);
    expect(JSON.stringify(resources)).not.toMatch(/EC2NodeClass|karpenter\.k8s\.aws/);
  });
});

describe('add-ons: Auto Mode runs its own on its nodes, the node groups keep theirs', () => {
  test('the same four managed add-ons as without Auto Mode, and none that Auto Mode brings (EBS CSI, load balancer controller)', () => {
    const addons = ofType('AWS::EKS::Addon').map(([, r]) => r.Properties.AddonName).sort();
    expect(addons).toEqual(['coredns', 'eks-pod-identity-agent', 'kube-proxy', 'vpc-cni']);
    expect(JSON.stringify(resources)).not.toMatch(/aws-ebs-csi-driver|aws-load-balancer-controller/);
  });

  test('every node group still waits for kube-proxy, the VPC CNI and the Pod Identity agent, and CoreDNS for the node groups', () => {
    const addonId = (name: string) => ofType('AWS::EKS::Addon').find(([, r]) => r.Properties.AddonName === name)![0];
    for (const [groupId, group] of ofType('AWS::EKS::Nodegroup')) {
      expect((group as any).DependsOn).toEqual(expect.arrayContaining([addonId('kube-proxy'), addonId('vpc-cni'), addonId('eks-pod-identity-agent')]));
      expect(resources[addonId('coredns')].DependsOn).toContain(groupId);
    }
  });
});

describe('Auto Mode NodePools', () => {
  const pools = stack.autoModeNodePools!.nodePools;

  test('one per karpenterNodePools entry (the Karpenter defaults), Graviton first by weight, on the built-in default NodeClass', () => {
    expect(pools.map((p) => [p.metadata.name, p.spec.weight])).toEqual([['graviton', 100], ['x86', 10]]);
    expect(pools[0]).toEqual({
      apiVersion: 'karpenter.sh/v1',
      kind: 'NodePool',
      metadata: { name: 'graviton' },
      spec: {
        template: {
          spec: {
            nodeClassRef: { group: 'eks.amazonaws.com', kind: 'NodeClass', name: 'default' },
            requirements: [
              { key: 'kubernetes.io/arch', operator: 'In', values: ['arm64'] },
              { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot', 'on-demand'] },
              { key: 'eks.amazonaws.com/instance-category', operator: 'In', values: ['c', 'm', 'r'] },
              { key: 'eks.amazonaws.com/instance-generation', operator: 'Gt', values: ['5'] },
            ],
            expireAfter: '336h',
            terminationGracePeriod: '10m',
          },
        },
        disruption: { consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: '1m', budgets: [{ nodes: '10%' }, { nodes: '1', reasons: ['Drifted'] }] },
        limits: { cpu: '64' },
        weight: 100,
      },
    });
    expect(pools[1].spec.template.spec.requirements[0]).toEqual({ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] });
  });

  test('pass the Auto Mode NodePool schema (Auto Mode labels only, no kubernetes.io/os)', () => {
    for (const pool of pools) expect(validateAutoModeNodePool(pool)).toEqual([]);
  });

  test('the schema validator is real: Karpenter-only label keys, kubernetes.io/os, an EC2NodeClass reference and a built-in name fail', () => {
    const pool = JSON.parse(JSON.stringify(pools[0]));
    pool.metadata.name = 'general-purpose';
    pool.spec.template.spec.nodeClassRef = { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' };
    pool.spec.template.spec.requirements.push({ key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: ['m'] }, { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] });
    expect(validateAutoModeNodePool(pool)).toEqual(expect.arrayContaining([
      '/metadata/name: must NOT be valid',
      '/spec/template/spec/nodeClassRef/group: must be equal to constant',
      '/spec/template/spec/nodeClassRef/kind: must be equal to constant',
      '/spec/template/spec/requirements/4/key: must be equal to one of the allowed values',
      '/spec/template/spec/requirements/5/key: must be equal to one of the allowed values',
    ]));
  });

  test('are applied one per manifest named after the pool, after the cluster (so once Auto Mode serves the NodePool API)', () => {
    const manifests = ofType('Custom::AWSCDK-EKS-KubernetesResource');
    expect(manifests.map(([id]) => id.replace(/[0-9A-F]{8}$/, ''))).toEqual(['ClusterAutoModeNodePoolgraviton', 'ClusterAutoModeNodePoolx86']);
    for (const [, manifest] of manifests) {
      expect(manifest.Properties.Overwrite).toBe(true);
      expect(JSON.stringify(manifest.Properties)).toContain(clusterId);
    }
  });

  test('follow the pools\' families, labels and taints', () => {
    const custom = buildTestApp({
      autoscaler: 'auto-mode',
      karpenterNodePools: '[{"name":"batch","arch":["arm64"],"capacityTypes":["spot"],"cpuLimit":16,"instanceFamilies":["c7g"],"weight":90,"labels":{"team":"batch"},"taints":[{"key":"batch","effect":"NoSchedule"}]}]',
    }).stack.autoModeNodePools!.nodePools;
    expect(custom).toHaveLength(1);
    expect(custom[0].spec.template).toEqual({
      metadata: { labels: { team: 'batch' } },
      spec: expect.objectContaining({
        requirements: [
          { key: 'kubernetes.io/arch', operator: 'In', values: ['arm64'] },
          { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] },
          { key: 'eks.amazonaws.com/instance-family', operator: 'In', values: ['c7g'] },
        ],
        taints: [{ key: 'batch', effect: 'NoSchedule' }],
      }),
    });
    expect(custom[0].spec.limits).toEqual({ cpu: '16' });
    expect(validateAutoModeNodePool(custom[0])).toEqual([]);
  });
});

test('the kubectl provider (a Lambda) is there to apply the NodePools', () => {
  template.hasResourceProperties('AWS::Lambda::LayerVersion', { Description: Match.stringLikeRegexp('^/opt/kubectl/kubectl ') });
});

test('warns as the default stack does, and about nothing of its own', () => {
  expect(warnings).toEqual([
    'Annotation::mixed-arch-eks:extended-support', 'Annotation::mixed-arch-eks:al2-end-of-support', 'Annotation::mixed-arch-eks:open-endpoint',
    'Annotation::mixed-arch-eks:account-wide-admin',
  ]);
});

test('passes the cdk-nag AwsSolutions pack, every acknowledgement with a reason', () => {
  const result = new AwsSolutionsChecks(app).validateScope(app);
  expect(result.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.resourceLogicalId).join(',')}`)).toEqual([]);
  expect(unreasonedAcknowledgements(app)).toEqual([]);
  const policy = (name: string) => `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${name}]`;
  const own = acknowledgementsOf(app).filter((a) => a.path.startsWith('MixedArchEks/AutoModeNodeRole/') || (a.path === 'MixedArchEks/Cluster/Role' && !a.rule.includes('AmazonEKSClusterPolicy')));
  expect(own.map((a) => `${a.path.slice('MixedArchEks/'.length)} ${a.rule.replace(/^Annotation::/, '')}`)).toEqual([
    ...['AmazonEKSWorkerNodeMinimalPolicy', 'AmazonEC2ContainerRegistryPullOnly'].map((n) => `AutoModeNodeRole/Role ${policy(n)}`),
    ...['AmazonEKSComputePolicy', 'AmazonEKSBlockStoragePolicy', 'AmazonEKSLoadBalancingPolicy', 'AmazonEKSNetworkingPolicy'].map((n) => `Cluster/Role ${policy(n)}`),
  ]);
});

test('an existing VPC with a private endpoint: Auto Mode the same way, cdk-nag clean', () => {
  const variant = buildTestApp(
    { autoscaler: 'auto-mode', vpcId: 'vpc-0a1b2c3d4e5f67890', endpointAccess: 'private' },
    { CDK_DEFAULT_ACCOUNT: '123456789012', CDK_DEFAULT_REGION: 'eu-west-1' },
  );
  const variantTemplate = Template.fromStack(variant.stack);
  variantTemplate.hasResourceProperties('AWS::EKS::Cluster', {
    ComputeConfig: { Enabled: true, NodePools: ['system'], NodeRoleArn: Match.anyValue() },
    StorageConfig: { BlockStorage: { Enabled: true } },
    KubernetesNetworkConfig: Match.objectLike({ ElasticLoadBalancing: { Enabled: true } }),
    ResourcesVpcConfig: Match.objectLike({ EndpointPrivateAccess: true, EndpointPublicAccess: false }),
  });
  expect(variant.stack.autoModeNodePools!.nodePools.map((p) => p.metadata.name)).toEqual(['graviton', 'x86']);
  const result = new AwsSolutionsChecks(variant.app).validateScope(variant.app);
  expect(result.violations.map((v) => v.ruleName)).toEqual([]);
});

test('a pool family missing from Auto Mode\'s supported-instance list is a synth warning naming it; listed ones are not', () => {
  const pools = JSON.stringify([
    { name: 'new', arch: ['arm64'], capacityTypes: ['spot'], cpuLimit: 8, instanceFamilies: ['m9g', 'm8g'] },
    { name: 'old', arch: ['amd64'], capacityTypes: ['spot'], cpuLimit: 8, instanceFamilies: ['m7i', 'c7i'] },
  ]);
  const variant = buildTestApp({ autoscaler: 'auto-mode', karpenterNodePools: pools });
  expect(variant.warnings.filter((w) => w.includes('auto-mode'))).toEqual(['Annotation::mixed-arch-eks:auto-mode-instance-family']);
  const messages = variant.stack.node.findAll().flatMap((c) => c.node.metadata).filter((m) => m.type === 'aws:cdk:warning').map((m) => String(m.data));
  expect(messages.filter((m) => m.includes('supported-instance list'))).toEqual([
    expect.stringMatching(/^NodePool new lists m9g, which EKS Auto Mode's supported-instance list .* Check the list, or use a listed family such as m8g or m8i\. \[ack: mixed-arch-eks:auto-mode-instance-family\]$/),
  ]);
});
