import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildTestApp, unreasonedAcknowledgements } from '../support/cdk';
import { validateKarpenterObject } from '../support/karpenter-schema';

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown>; DependsOn?: string[] }>;
const resourcesOf = (stack: ReturnType<typeof buildTestApp>['stack']) => Template.fromStack(stack).toJSON().Resources as Resources;

// Each variant synthesized once.
const plain = buildTestApp({});
const withKarpenter = buildTestApp({ autoscaler: 'karpenter' });
const al2023 = buildTestApp({ autoscaler: 'karpenter', amiFamily: 'AL2023' });
const bottlerocket = buildTestApp({ autoscaler: 'karpenter', amiFamily: 'BOTTLEROCKET', kubernetesVersion: '1.34' });
const privateEndpoint = buildTestApp({ autoscaler: 'karpenter', amiFamily: 'AL2023', endpointAccess: 'private' });
// July's AMI, pinned on the suite's fixed day (TEST_DAY, 2026-11-28): 137 days old.
const staleAmi = buildTestApp({ autoscaler: 'karpenter', amiFamily: 'AL2023', karpenterAmiVersion: 'v20260714' });
const existingVpc = buildTestApp({ autoscaler: 'karpenter', vpcId: 'vpc-0a1b2c3d4e5f67890' }, { CDK_DEFAULT_ACCOUNT: '123456789012', CDK_DEFAULT_REGION: 'eu-west-1' });

describe('turning Karpenter on and off (day two)', () => {
  const before = resourcesOf(plain.stack);
  const after = resourcesOf(withKarpenter.stack);
  const changed = Object.keys(before).filter((id) => after[id] && JSON.stringify(before[id]) !== JSON.stringify(after[id]));

  test('keeps every resource of the cluster without it, and changes only subnet tags and a dependency of the kubectl barrier', () => {
    expect(Object.keys(before).filter((id) => !after[id])).toEqual([]);
    expect(changed.map((id) => after[id].Type).sort()).toEqual(['AWS::EC2::Subnet', 'AWS::EC2::Subnet', 'AWS::SSM::Parameter']);
    for (const id of changed.filter((i) => after[i].Type === 'AWS::EC2::Subnet')) {
      const { Tags: tagsAfter, ...restAfter } = after[id].Properties as { Tags: { Key: string }[] };
      const { Tags: tagsBefore, ...restBefore } = before[id].Properties as { Tags: { Key: string }[] };
      expect(restAfter).toEqual(restBefore);
      expect(tagsAfter.filter((t) => !tagsBefore.some((b) => b.Key === t.Key))).toEqual([{ Key: 'karpenter.sh/discovery', Value: { Ref: 'AWS::StackName' } }]);
    }
  });

  test('leaves the cluster, its add-ons and the node groups untouched, so turning it off deletes only what it added', () => {
    for (const type of ['AWS::EKS::Cluster', 'AWS::EKS::Nodegroup', 'AWS::EKS::Addon', 'AWS::EC2::LaunchTemplate']) {
      expect(changed.filter((id) => after[id].Type === type)).toEqual([]);
    }
  });
});

describe('the age of the pinned AMI release (a warning, never an error)', () => {
  test('an AMI release more than 90 days old warns with its age and how to roll forward', () => {
    expect(staleAmi.warnings).toContain('Annotation::mixed-arch-eks:karpenter-ami-age');
    const text = staleAmi.stack.node.metadata.filter((m) => m.type === 'aws:cdk:warning').map((m) => String(m.data));
    expect(text.filter((t) => t.includes('Karpenter\'s nodes run'))).toEqual([
      'Karpenter\'s nodes run al2023@v20260714, published 2026-07-14 (137 days before 2026-11-28, more than 90): they miss every later ' +
      'security patch, and node expiry replaces them onto the same image. Set karpenterAmiVersion to the newest release and deploy; ' +
      'Karpenter replaces its nodes one at a time (docs/upgrades.md, "Monthly node patching"). [ack: mixed-arch-eks:karpenter-ami-age]',
    ]);
  });

  test('the releases this version pins are within 90 days on the suite\'s day, so the default synth does not warn', () => {
    expect(al2023.warnings).not.toContain('Annotation::mixed-arch-eks:karpenter-ami-age');
    expect(bottlerocket.warnings).not.toContain('Annotation::mixed-arch-eks:karpenter-ami-age');
  });
});

describe('variants with Karpenter synthesize', () => {
  test('a tainted node group: the controller tolerates its taints, since its second replica needs a second node', () => {
    const tainted = JSON.stringify([
      { name: 'graviton', arch: 'arm64', instanceTypes: ['m7g.large'], minSize: 1, desiredSize: 1, maxSize: 2, taints: [{ key: 'dedicated', value: 'system', effect: 'NoSchedule' }, { key: 'x86only', effect: 'NoExecute' }] },
      { name: 'x86', arch: 'amd64', instanceTypes: ['m7i.large'], minSize: 1, desiredSize: 1, maxSize: 2 },
    ]);
    const { stack } = buildTestApp({ autoscaler: 'karpenter', amiFamily: 'AL2023', nodeGroups: tainted });
    const chart = Object.values(resourcesOf(stack)).find((r) => r.Type === 'Custom::AWSCDK-EKS-HelmChart' && r.Properties?.Chart === 'karpenter')!;
    const values = JSON.stringify(chart.Properties!.Values);
    expect(values).toContain('\\"tolerations\\":[{\\"key\\":\\"CriticalAddonsOnly\\",\\"operator\\":\\"Exists\\"},' +
      '{\\"key\\":\\"dedicated\\",\\"operator\\":\\"Equal\\",\\"value\\":\\"system\\",\\"effect\\":\\"NoSchedule\\"},' +
      '{\\"key\\":\\"x86only\\",\\"operator\\":\\"Exists\\",\\"effect\\":\\"NoExecute\\"}]');
  });

  test('AL2023 (Kubernetes 1.36): AL2023 nodes at the pinned release, the v36 kubectl layer (its own version)', () => {
    expect(al2023.stack.karpenter!.nodeClass.spec.amiSelectorTerms).toEqual([{ alias: 'al2023@v20260903' }]);
    Template.fromStack(al2023.stack).hasResourceProperties('AWS::Lambda::LayerVersion', { Description: Match.stringLikeRegexp('^/opt/kubectl/kubectl 1\\.36\\.') });
  });

  test('Bottlerocket: Bottlerocket nodes, an encrypted OS volume and an encrypted data volume, schema-valid', () => {
    const nodeClass = bottlerocket.stack.karpenter!.nodeClass;
    expect(nodeClass.spec.amiSelectorTerms).toEqual([{ alias: 'bottlerocket@v1.66.0' }]);
    expect(nodeClass.spec.blockDeviceMappings).toEqual([
      { deviceName: '/dev/xvda', ebs: { volumeSize: '4Gi', volumeType: 'gp3', encrypted: true, deleteOnTermination: true } },
      { deviceName: '/dev/xvdb', ebs: { volumeSize: '20Gi', volumeType: 'gp3', encrypted: true, deleteOnTermination: true } },
    ]);
    const deployed = JSON.parse(JSON.stringify(nodeClass).replace(/"id":"\$\{Token\[[^\]]+\]\}"/, '"id":"sg-0123456789abcdef0"').replace(/\$\{Token\[[^\]]+\]\}/g, 'x'));
    expect(validateKarpenterObject(deployed)).toEqual([]);
  });

  test('private endpoint: the kubectl handler that runs Helm sits in the private subnets', () => {
    const template = Template.fromStack(privateEndpoint.stack);
    template.hasResourceProperties('AWS::EKS::Cluster', Match.objectLike({ ResourcesVpcConfig: Match.objectLike({ EndpointPublicAccess: false, EndpointPrivateAccess: true }) }));
    template.hasResourceProperties('AWS::Lambda::Function', Match.objectLike({
      Layers: Match.anyValue(),
      VpcConfig: Match.objectLike({ SubnetIds: [{ Ref: Match.stringLikeRegexp('^VpcprivateSubnet1') }, { Ref: Match.stringLikeRegexp('^VpcprivateSubnet2') }] }),
    }));
    template.resourcePropertiesCountIs('Custom::AWSCDK-EKS-HelmChart', { Chart: 'karpenter' }, 1);
  });

  test('private endpoint and Bottlerocket: cdk-nag finds nothing unacknowledged', () => {
    for (const { app } of [privateEndpoint, bottlerocket]) {
      const result = new AwsSolutionsChecks(app).validateScope(app);
      expect(result.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.resourceLogicalId).join(',')}`)).toEqual([]);
      expect(unreasonedAcknowledgements(app)).toEqual([]);
    }
  });

  test('custom pools (families, both architectures, labels, taints) build schema-valid NodePools', () => {
    const pools = JSON.stringify([
      { name: 'batch', arch: ['arm64', 'amd64'], capacityTypes: ['spot'], cpuLimit: 200, instanceFamilies: ['c7g', 'c7i'], weight: 5, labels: { team: 'batch' }, taints: [{ key: 'batch', value: 'true', effect: 'NoSchedule' }] },
    ]);
    const [pool] = buildTestApp({ autoscaler: 'karpenter', amiFamily: 'AL2023', karpenterNodePools: pools }).stack.karpenter!.nodePools;
    expect(pool.spec.template.metadata).toEqual({ labels: { team: 'batch' } });
    expect(pool.spec.template.spec.taints).toEqual([{ key: 'batch', value: 'true', effect: 'NoSchedule' }]);
    expect(pool.spec.template.spec.requirements).toEqual([
      { key: 'kubernetes.io/arch', operator: 'In', values: ['arm64', 'amd64'] },
      { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] },
      { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] },
      { key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: ['c7g', 'c7i'] },
    ]);
    expect(validateKarpenterObject(pool)).toEqual([]);
  });

  test('existing VPC: its subnets cannot be tagged from here, so the node class selects them by id', () => {
    const terms = existingVpc.stack.karpenter!.nodeClass.spec.subnetSelectorTerms;
    expect(terms.length).toBeGreaterThan(0);
    for (const term of terms) expect(term).toEqual({ id: expect.stringMatching(/^(p-|subnet-)/) });
  });
});
