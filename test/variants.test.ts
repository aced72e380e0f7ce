import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { EKS_KUBERNETES_VERSIONS } from '../lib/config/kubernetes-versions';
import { MixedArchNodeGroups } from '../lib/constructs/node-groups';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { accessEntriesOf, accessPolicyArn, annotationsOf, buildTestApp, templateFor, unreasonedAcknowledgements } from './support/cdk';

const spotArm = JSON.stringify([
  {
    name: 'graviton-spot', arch: 'arm64', instanceTypes: ['m7g.large', 'm6g.large'], minSize: 0, desiredSize: 2, maxSize: 6,
    capacityType: 'spot', labels: { team: 'batch' }, taints: [{ key: 'dedicated', value: 'batch', effect: 'NoSchedule' }],
  },
  { name: 'x86', arch: 'amd64', instanceTypes: ['m7i.large'], minSize: 1, desiredSize: 1, maxSize: 2, amiFamily: 'BOTTLEROCKET' },
]);

// Each variant is synthesized once, here, and shared by its tests.
const al2023 = buildTestApp({ amiFamily: 'AL2023' });
const al2023Template = Template.fromStack(al2023.stack);
const bottlerocketApp = buildTestApp({ amiFamily: 'BOTTLEROCKET', kubernetesVersion: '1.34' });
const bottlerocket = Template.fromStack(bottlerocketApp.stack);
const spotApp = buildTestApp({ amiFamily: 'AL2023', nodeGroups: spotArm, natGateways: '2' });
const spot = Template.fromStack(spotApp.stack);
const existingVpcApp = buildTestApp(
  { vpcId: 'vpc-0a1b2c3d4e5f67890' },
  { CDK_DEFAULT_ACCOUNT: '123456789012', CDK_DEFAULT_REGION: 'eu-west-1' },
);
const existingVpc = Template.fromStack(existingVpcApp.stack);
const privateEndpointApp = buildTestApp({
  endpointAccess: 'private',
  adminPrincipalArns: 'arn:aws:iam::123456789012:role/PlatformAdmin,arn:aws:iam::123456789012:user/alice',
});
const privateEndpoint = Template.fromStack(privateEndpointApp.stack);
const restrictedApp = buildTestApp({ amiFamily: 'AL2023', publicAccessCidrs: '203.0.113.0/24,0.0.0.0/1' });
const withWorkloads = buildTestApp({ deployWorkloads: 'true', gitlabProject: 'acme/mixed-arch-eks', namespace: 'platform-info' });
const withWorkloadsTemplate = Template.fromStack(withWorkloads.stack);

describe('synth warnings (captured, not printed)', () => {
  const OPEN_ENDPOINT = 'Annotation::mixed-arch-eks:open-endpoint';
  const ADMIN = 'Annotation::mixed-arch-eks:account-wide-admin';
  const AL2 = 'Annotation::mixed-arch-eks:al2-end-of-support';
  const UNTAGGED_SUBNET = 'Annotation::@aws-cdk/aws-eks:clusterMustManuallyTagSubnet';
  // On the tests' day, 2026-11-28: 1.32 (the AL2 default) is in extended support, 1.34 leaves standard support
  // after 2026-12-02.
  const EXTENDED = 'Annotation::mixed-arch-eks:extended-support';
  const ENDING = 'Annotation::mixed-arch-eks:standard-support-ending';
  test.each([
    ['AL2023', () => al2023.warnings, [OPEN_ENDPOINT, ADMIN]],
    ['Bottlerocket (1.34)', () => bottlerocketApp.warnings, [ENDING, OPEN_ENDPOINT, ADMIN]],
    ['spot', () => spotApp.warnings, [OPEN_ENDPOINT, ADMIN]],
    // An imported VPC's subnets cannot be tagged for load balancers by the stack: two private, two public.
    ['existing VPC (AL2)', () => existingVpcApp.warnings, [EXTENDED, AL2, OPEN_ENDPOINT, ADMIN, UNTAGGED_SUBNET, UNTAGGED_SUBNET, UNTAGGED_SUBNET, UNTAGGED_SUBNET]],
    ['private endpoint (AL2)', () => privateEndpointApp.warnings, [EXTENDED, AL2]],
    ['public endpoint restricted to some networks (AL2023)', () => restrictedApp.warnings, [ADMIN]],
    ['with workloads (AL2)', () => withWorkloads.warnings, [EXTENDED, AL2, OPEN_ENDPOINT, ADMIN]],
  ])('%s', (_name, warnings, expected) => {
    expect(warnings()).toEqual(expected);
  });
});

describe('AL2023', () => {
  test('defaults to the newest Kubernetes version in standard support on 2026-11-28, 1.36', () => {
    al2023Template.hasResourceProperties('AWS::EKS::Cluster', Match.objectLike({ Version: '1.36' }));
  });
  test('uses the AL2023 standard AMI of each architecture', () => {
    al2023Template.hasResourceProperties('AWS::EKS::Nodegroup', Match.objectLike({ NodegroupName: Match.stringLikeRegexp('^graviton-[0-9a-f]{6}$'), AmiType: 'AL2023_ARM_64_STANDARD' }));
    al2023Template.hasResourceProperties('AWS::EKS::Nodegroup', Match.objectLike({ NodegroupName: Match.stringLikeRegexp('^x86-[0-9a-f]{6}$'), AmiType: 'AL2023_x86_64_STANDARD' }));
  });
  test('does not warn about AL2', () => {
    annotationsOf(al2023.stack).hasNoWarning('*', Match.stringLikeRegexp('Amazon Linux 2,'));
  });
});

describe('Bottlerocket', () => {
  test('uses the Bottlerocket AMI of each architecture on the chosen version', () => {
    bottlerocket.hasResourceProperties('AWS::EKS::Cluster', Match.objectLike({ Version: '1.34' }));
    bottlerocket.hasResourceProperties('AWS::EKS::Nodegroup', Match.objectLike({ NodegroupName: Match.stringLikeRegexp('^graviton-[0-9a-f]{6}$'), AmiType: 'BOTTLEROCKET_ARM_64' }));
    bottlerocket.hasResourceProperties('AWS::EKS::Nodegroup', Match.objectLike({ NodegroupName: Match.stringLikeRegexp('^x86-[0-9a-f]{6}$'), AmiType: 'BOTTLEROCKET_x86_64' }));
  });
});

describe('spot, labels, taints and a per-group AMI family', () => {
  test('creates exactly the configured groups', () => {
    spot.resourceCountIs('AWS::EKS::Nodegroup', 2);
    spot.hasResourceProperties('AWS::EKS::Nodegroup', {
      NodegroupName: Match.stringLikeRegexp('^graviton-spot-[0-9a-f]{6}$'), AmiType: 'AL2023_ARM_64_STANDARD', CapacityType: 'SPOT',
      InstanceTypes: ['m7g.large', 'm6g.large'], ScalingConfig: { MinSize: 0, DesiredSize: 2, MaxSize: 6 },
      Labels: { team: 'batch' }, Taints: [{ Key: 'dedicated', Value: 'batch', Effect: 'NO_SCHEDULE' }],
      ClusterName: Match.anyValue(), NodeRole: Match.anyValue(), Subnets: Match.anyValue(), LaunchTemplate: Match.anyValue(), ForceUpdateEnabled: true,
    });
    spot.hasResourceProperties('AWS::EKS::Nodegroup', Match.objectLike({ NodegroupName: Match.stringLikeRegexp('^x86-[0-9a-f]{6}$'), AmiType: 'BOTTLEROCKET_x86_64', CapacityType: 'ON_DEMAND' }));
  });
  test('gives each AZ its own NAT gateway when asked', () => {
    spot.resourceCountIs('AWS::EC2::NatGateway', 2);
  });
});

test('a node group gets a new EKS name exactly when a change makes CloudFormation replace it', () => {
  const [graviton] = al2023.config.cluster.nodeGroups;
  const name = MixedArchNodeGroups.nodegroupName(graviton);
  expect(name).toMatch(/^graviton-[0-9a-f]{6}$/);
  al2023Template.hasResourceProperties('AWS::EKS::Nodegroup', Match.objectLike({ NodegroupName: name, AmiType: 'AL2023_ARM_64_STANDARD' }));
  // Updated in place: same name.
  expect(MixedArchNodeGroups.nodegroupName({ ...graviton, minSize: 0, desiredSize: 5, maxSize: 9, labels: { a: 'b' } })).toBe(name);
  // Replaced: a new name, so the new group can exist beside the old one.
  for (const change of [{ amiFamily: 'BOTTLEROCKET' as const }, { capacityType: 'spot' as const }, { instanceTypes: ['m7g.xlarge'] }]) {
    expect(MixedArchNodeGroups.nodegroupName({ ...graviton, ...change })).not.toBe(name);
  }
});

describe('existing VPC', () => {
  test('creates no VPC and puts the cluster in the looked-up one', () => {
    existingVpc.resourceCountIs('AWS::EC2::VPC', 0);
    existingVpc.resourceCountIs('AWS::EC2::NatGateway', 0);
    existingVpc.resourceCountIs('AWS::EKS::Cluster', 1);
    existingVpc.hasResourceProperties('AWS::EKS::Cluster', Match.objectLike({
      ResourcesVpcConfig: Match.objectLike({ SubnetIds: Match.arrayWith([Match.stringLikeRegexp('^[a-z]+-')]) }),
    }));
  });
});

describe('private endpoint and listed admins', () => {
  test('turns the public endpoint off', () => {
    privateEndpoint.hasResourceProperties('AWS::EKS::Cluster', Match.objectLike({
      ResourcesVpcConfig: Match.objectLike({ EndpointPublicAccess: false, EndpointPrivateAccess: true }),
    }));
  });
  test('gives cluster admin to each listed principal and creates no admin role', () => {
    const admin = [{ AccessScope: { Type: 'cluster' }, PolicyArn: accessPolicyArn('AmazonEKSClusterAdminPolicy') }];
    expect(accessEntriesOf(privateEndpoint)).toEqual([
      { principal: 'arn:aws:iam::123456789012:role/PlatformAdmin', policies: admin },
      { principal: 'arn:aws:iam::123456789012:user/alice', policies: admin },
    ]);
    expect(Object.keys(privateEndpoint.findResources('AWS::IAM::Role')).filter((id) => id.includes('AdminRole'))).toEqual([]);
    privateEndpoint.hasOutput('KubeconfigCommand', { Value: Match.objectLike({ 'Fn::Join': ['', Match.not(Match.arrayWith([' --role-arn ']))] }) });
  });
});

test('every Kubernetes version of the support table is one this aws-cdk-lib knows', () => {
  for (const { version } of EKS_KUBERNETES_VERSIONS) {
    const key = `V${version.replace('.', '_')}` as keyof typeof eks.KubernetesVersion;
    expect(eks.KubernetesVersion[key]).toBeDefined();
  }
});

describe('-c deployWorkloads=true -c gitlabProject=acme/mixed-arch-eks', () => {
  test('applies each workload chart through a kubectl provider whose kubectl (1.33) is within one minor of Kubernetes 1.32', () => {
    const manifests = Object.values(withWorkloadsTemplate.findResources('Custom::AWSCDK-EKS-KubernetesResource'));
    expect(manifests).toHaveLength(5);
    const text = JSON.stringify(manifests);
    for (const name of ['busybox', 'print-platform-info-arm64-5d37f20191', 'print-platform-info-amd64-ad14abd6c7', 'print-platform-info-any-00b3ceff11']) {
      expect(text).toContain(`\\"name\\":\\"${name}\\"`);
    }
    // A create that finds the objects (a retry, or dist/ applied by hand) applies over them.
    expect(manifests.every((m) => (m as { Properties: { Overwrite?: boolean } }).Properties.Overwrite === true)).toBe(true);
    expect(text).toContain('\\"nodeSelector\\":{\\"kubernetes.io/arch\\":\\"arm64\\"}');
    withWorkloadsTemplate.hasResourceProperties('AWS::Lambda::LayerVersion', Match.objectLike({ Description: Match.stringLikeRegexp('kubectl 1\\.33\\.') }));
  });
  test('applies workloads only after the node groups and their namespace exist', () => {
    const manifests = withWorkloadsTemplate.findResources('Custom::AWSCDK-EKS-KubernetesResource');
    const groups = Object.keys(withWorkloadsTemplate.findResources('AWS::EKS::Nodegroup'));
    const namespaceId = Object.keys(manifests).find((id) => JSON.stringify(manifests[id]).includes('\\"kind\\":\\"Namespace\\"'));
    // The same logical id as the namespace the stack creates for the pipeline alone (pipeline-namespace.test.ts):
    // switching deployWorkloads on or off keeps the namespace instead of replacing it.
    expect(namespaceId).toBe('ClusterWorkload00namespaceF06ACE99');
    expect(manifests[namespaceId as string].DeletionPolicy).toBe('RetainExceptOnCreate');
    for (const [id, manifest] of Object.entries(manifests)) {
      if (id === namespaceId) continue;
      expect(manifest.DependsOn).toEqual(expect.arrayContaining([...groups, namespaceId]));
    }
    // A namespace needs no node: it is applied as soon as the cluster answers.
    expect(manifests[namespaceId as string].DependsOn).toEqual(expect.not.arrayContaining([groups[0]]));
  });
  test('creates the GitLab OIDC provider and a deploy role with namespace-scoped edit access, and outputs its ARN', () => {
    withWorkloadsTemplate.hasResourceProperties('AWS::IAM::OIDCProvider', { Url: 'https://gitlab.com', ClientIdList: ['sts.amazonaws.com'] });
    // Every access entry, whole: kubectl's handler and the admin role are cluster admins, the pipeline edits one namespace.
    const clusterAdmin = [{ AccessScope: { Type: 'cluster' }, PolicyArn: accessPolicyArn('AmazonEKSClusterAdminPolicy') }];
    const role = (prefix: string) => ({ 'Fn::GetAtt': [expect.stringMatching(new RegExp(`^${prefix}`)), 'Arn'] });
    expect(accessEntriesOf(withWorkloadsTemplate)).toEqual([
      { principal: role('ClusterKubectlProviderHandlerServiceRole'), policies: clusterAdmin },
      { principal: role('AdminAccessAdminRole'), policies: clusterAdmin },
      { principal: role('GitLabDeployRole'), policies: [{ AccessScope: { Type: 'namespace', Namespaces: ['platform-info'] }, PolicyArn: accessPolicyArn('AmazonEKSEditPolicy') }] },
    ]);
    withWorkloadsTemplate.hasOutput('GitLabDeployRoleArn', Match.anyValue());
    const trust = JSON.stringify(Object.values(withWorkloadsTemplate.findResources('AWS::IAM::Role')).map((r) => r.Properties.AssumeRolePolicyDocument));
    expect(trust).toContain('project_path:acme/mixed-arch-eks:ref_type:branch:ref:main');
  });
  test('passes cdk-nag, with the kubectl provider findings acknowledged with reasons', () => {
    const result = new AwsSolutionsChecks(withWorkloads.app).validateScope(withWorkloads.app);
    expect(result.violations.map((v) => v.ruleName)).toEqual([]);
    expect(result.success).toBe(true);
    expect(unreasonedAcknowledgements(withWorkloads.app)).toEqual([]);
  });
  test('the default stack has neither: no OIDC provider, no kubectl layer', () => {
    const defaults = templateFor();
    defaults.resourceCountIs('AWS::IAM::OIDCProvider', 0);
    defaults.resourceCountIs('AWS::Lambda::LayerVersion', 0);
  });
});
