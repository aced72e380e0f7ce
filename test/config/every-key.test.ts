import { Match, Template } from 'aws-cdk-lib/assertions';
import { KNOWN_CONTEXT_KEYS } from '../../lib/config/context-keys';
import { buildTestApp } from '../support/cdk';

/* eslint-disable @typescript-eslint/no-explicit-any */
// Every context key, set to a value other than its default, and the effect that value must have. The rule:
// a key that no test sets to a non-default value can be ignored by the code and no test would notice.

const GITLAB_PROVIDER = 'arn:aws:iam::123456789012:oidc-provider/gitlab.example.com';
const changed = buildTestApp({
  clusterName: 'platform-prod',
  controlPlaneLogRetentionDays: '365',
  amiFamily: 'AL2023',
  kubernetesVersion: '1.35',
  supportType: 'STANDARD',
  nodeGroups: JSON.stringify([
    { name: 'arm-spot', arch: 'arm64', instanceTypes: ['c7g.xlarge'], minSize: 1, desiredSize: 2, maxSize: 4, capacityType: 'spot', labels: { team: 'batch' }, taints: [{ key: 'dedicated', value: 'batch', effect: 'NoSchedule' }] },
    { name: 'amd', arch: 'amd64', instanceTypes: ['c7i.xlarge'], minSize: 1, desiredSize: 1, maxSize: 2, amiFamily: 'BOTTLEROCKET' },
  ]),
  availabilityZones: 'eu-west-1a,eu-west-1c',
  natGateways: '2',
  publicAccessCidrs: '203.0.113.0/24',
  adminPrincipalArns: 'arn:aws:iam::123456789012:role/PlatformAdmin',
  ecrRepositoryName: 'team/ppi',
  deployWorkloads: 'true',
  gitlabProject: 'acme/eks',
  gitlabUrl: 'https://gitlab.example.com',
  gitlabBranches: 'main,release/*',
  gitlabOidcProviderArn: GITLAB_PROVIDER,
  printPlatformInfoImage: 'registry.gitlab.com/acme/eks/print-platform-info:4b1c0de',
  busyboxImage: 'arm64v8/busybox:1.36.1',
  namespace: 'platform-info',
  imagePullSecretName: '',
  autoscaler: 'karpenter',
  karpenterNodePools: JSON.stringify([{ name: 'arm-batch', arch: ['arm64'], capacityTypes: ['spot'], cpuLimit: 32 }]),
  karpenterAmiVersion: 'v20260801',
  archGuard: 'true',
  archGuardImage: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/arch-guard:4b1c0de',
  archGuardArm64Weight: '80',
  archGuardRegistrySecret: 'registries',
  archGuardRepositoryName: 'team/arch-guard',
});
const template = Template.fromStack(changed.stack);
const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: any }>;
const ofType = (type: string) => Object.values(resources).filter((r) => r.Type === type).map((r) => r.Properties);
const kubernetesObjects: any[] = ofType('Custom::AWSCDK-EKS-KubernetesResource').flatMap((p) => (typeof p.Manifest === 'string' ? JSON.parse(p.Manifest) : []));
const objectNamed = (kind: string, name: RegExp) => kubernetesObjects.find((o) => o.kind === kind && name.test(o.metadata?.name ?? ''));
// Manifests that reference other resources (Karpenter's) are Fn::Join tokens: their text is searched instead.
const manifestText = JSON.stringify(ofType('Custom::AWSCDK-EKS-KubernetesResource').map((p) => p.Manifest));
const archGuardServer = () => objectNamed('Deployment', /^arch-guard$/).spec.template.spec;
const accessEntries = ofType('AWS::EKS::AccessEntry').map((p) => ({ principal: p.PrincipalArn, policies: JSON.stringify(p.AccessPolicies) }));

const existingVpc = Template.fromStack(buildTestApp({ vpcId: 'vpc-0a1b2c3d4e5f67890' }, { CDK_DEFAULT_ACCOUNT: '123456789012', CDK_DEFAULT_REGION: 'eu-west-1' }).stack);
const privateEndpoint = Template.fromStack(buildTestApp({ endpointAccess: 'private' }).stack);
// `workloads` leaves busybox out, which the busyboxImage and namespace cases above need: its own synth.
const jobsOnly = Template.fromStack(buildTestApp({ deployWorkloads: 'true', workloads: 'print-platform-info' }).stack);
const kindsApplied = (t: Template) => Object.values(t.findResources('Custom::AWSCDK-EKS-KubernetesResource'))
  .flatMap((r) => (typeof r.Properties.Manifest === 'string' ? JSON.parse(r.Properties.Manifest) : []))
  .map((o: any) => `${o.kind}/${String(o.metadata?.name).replace(/-[0-9a-f]{10}$/, '')}`).sort();

const gitlabTrust = () => Object.entries(resources).find(([id, r]) => r.Type === 'AWS::IAM::Role' && id.startsWith('GitLabDeployRole'))?.[1].Properties.AssumeRolePolicyDocument;

const EFFECTS: Record<string, () => void> = {
  clusterName: () => template.hasResourceProperties('AWS::EKS::Cluster', Match.objectLike({ Name: 'platform-prod' })),
  controlPlaneLogRetentionDays: () => template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/eks/platform-prod/cluster', RetentionInDays: 365 }),
  amiFamily: () => template.hasResourceProperties('AWS::EKS::Nodegroup', Match.objectLike({ NodegroupName: Match.stringLikeRegexp('^arm-spot-'), AmiType: 'AL2023_ARM_64_STANDARD' })),
  kubernetesVersion: () => {
    template.hasResourceProperties('AWS::EKS::Cluster', Match.objectLike({ Version: '1.35' }));
    expect(ofType('AWS::EKS::Nodegroup').map((g) => g.Version)).toEqual(['1.35', '1.35']);
  },
  supportType: () => template.hasResourceProperties('AWS::EKS::Cluster', Match.objectLike({ UpgradePolicy: { SupportType: 'STANDARD' } })),
  nodeGroups: () => {
    template.hasResourceProperties('AWS::EKS::Nodegroup', Match.objectLike({
      NodegroupName: Match.stringLikeRegexp('^arm-spot-[0-9a-f]{6}$'), InstanceTypes: ['c7g.xlarge'], CapacityType: 'SPOT',
      ScalingConfig: { MinSize: 1, DesiredSize: 2, MaxSize: 4 }, Labels: { team: 'batch' },
      Taints: [{ Key: 'dedicated', Value: 'batch', Effect: 'NO_SCHEDULE' }],
    }));
    template.hasResourceProperties('AWS::EKS::Nodegroup', Match.objectLike({ NodegroupName: Match.stringLikeRegexp('^amd-'), AmiType: 'BOTTLEROCKET_x86_64' }));
  },
  availabilityZones: () => {
    expect(changed.stack.region).toBe('eu-west-1');
    expect([...new Set(ofType('AWS::EC2::Subnet').map((s) => s.AvailabilityZone))].sort()).toEqual(['eu-west-1a', 'eu-west-1c']);
  },
  natGateways: () => template.resourceCountIs('AWS::EC2::NatGateway', 2),
  vpcId: () => {
    existingVpc.resourceCountIs('AWS::EC2::VPC', 0);
    existingVpc.resourceCountIs('AWS::EC2::NatGateway', 0);
  },
  endpointAccess: () => privateEndpoint.hasResourceProperties('AWS::EKS::Cluster', Match.objectLike({
    ResourcesVpcConfig: Match.objectLike({ EndpointPublicAccess: false, EndpointPrivateAccess: true }),
  })),
  publicAccessCidrs: () => template.hasResourceProperties('AWS::EKS::Cluster', Match.objectLike({
    ResourcesVpcConfig: Match.objectLike({ EndpointPublicAccess: true, PublicAccessCidrs: ['203.0.113.0/24'] }),
  })),
  adminPrincipalArns: () => {
    const admin = accessEntries.find((e) => e.principal === 'arn:aws:iam::123456789012:role/PlatformAdmin');
    expect(admin?.policies).toBe('[{"AccessScope":{"Type":"cluster"},"PolicyArn":{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"]]}}]');
    expect(changed.stack.adminAccess.adminRole).toBeUndefined();
  },
  ecrRepositoryName: () => template.hasResourceProperties('AWS::ECR::Repository', Match.objectLike({ RepositoryName: 'team/ppi' })),
  deployWorkloads: () => expect(objectNamed('Pod', /^busybox$/)).toBeDefined(),
  // The GitLab role's whole trust policy: the given provider, this project's listed branches, nothing else.
  gitlabProject: () => expect(gitlabTrust()).toEqual({
    Version: '2012-10-17',
    Statement: [{
      Action: 'sts:AssumeRoleWithWebIdentity', Effect: 'Allow', Principal: { Federated: GITLAB_PROVIDER },
      Condition: { StringEquals: { 'gitlab.example.com:aud': 'sts.amazonaws.com' }, StringLike: { 'gitlab.example.com:sub': [
        'project_path:acme/eks:ref_type:branch:ref:main', 'project_path:acme/eks:ref_type:branch:ref:release/*',
      ] } },
    }],
  }),
  gitlabUrl: () => EFFECTS.gitlabProject(),
  gitlabBranches: () => EFFECTS.gitlabProject(),
  gitlabOidcProviderArn: () => {
    template.resourceCountIs('AWS::IAM::OIDCProvider', 0);
    EFFECTS.gitlabProject();
  },
  printPlatformInfoImage: () => {
    const job = objectNamed('Job', /^print-platform-info-arm64-/);
    expect(job.spec.template.spec.containers[0].image).toBe('registry.gitlab.com/acme/eks/print-platform-info:4b1c0de');
  },
  busyboxImage: () => expect(objectNamed('Pod', /^busybox$/).spec.containers[0].image).toBe('arm64v8/busybox:1.36.1'),
  namespace: () => {
    expect(objectNamed('Namespace', /^platform-info$/)).toBeDefined();
    expect(objectNamed('Pod', /^busybox$/).metadata.namespace).toBe('platform-info');
    const edit = accessEntries.find((e) => e.policies.includes('AmazonEKSEditPolicy'));
    expect(edit?.policies).toContain('"AccessScope":{"Namespaces":["platform-info"],"Type":"namespace"}');
  },
  // The image is in a private registry, so only the empty name keeps the pull secret out.
  imagePullSecretName: () => expect(objectNamed('Job', /^print-platform-info-arm64-/).spec.template.spec.imagePullSecrets).toBeUndefined(),
  workloads: () => expect(kindsApplied(jobsOnly)).toEqual(['Job/print-platform-info-amd64', 'Job/print-platform-info-any', 'Job/print-platform-info-arm64']),
  autoscaler: () => template.resourceCountIs('AWS::SQS::Queue', 1),
  karpenterNodePools: () => {
    expect(manifestText).toMatch(/\\"kind\\":\\"NodePool\\",\\"metadata\\":\{\\"name\\":\\"arm-batch\\"/);
    expect(manifestText).toContain('\\"limits\\":{\\"cpu\\":\\"32\\"}');
    // Only the configured pool: the default graviton and x86 pools are gone.
    expect(manifestText.match(/\\"kind\\":\\"NodePool\\"/g)).toHaveLength(1);
  },
  karpenterAmiVersion: () => expect(manifestText).toContain('\\"amiSelectorTerms\\":[{\\"alias\\":\\"al2023@v20260801\\"}]'),
  archGuard: () => expect(objectNamed('MutatingWebhookConfiguration', /^arch-guard$/).webhooks[0].failurePolicy).toBe('Ignore'),
  archGuardImage: () => expect(archGuardServer().containers[0].image).toBe('123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/arch-guard:4b1c0de'),
  archGuardArm64Weight: () => expect(archGuardServer().containers[0].args.join(' ')).toContain('--arm64-weight 80 '),
  archGuardRegistrySecret: () => expect(archGuardServer().volumes).toContainEqual({ name: 'registry', secret: { secretName: 'registries', items: [{ key: '.dockerconfigjson', path: 'config.json' }] } }),
  archGuardRepositoryName: () => template.hasResourceProperties('AWS::ECR::Repository', Match.objectLike({ RepositoryName: 'team/arch-guard' })),
};

test('every context key has a non-default case here (add one when you add a key)', () => {
  expect(Object.keys(EFFECTS).sort()).toEqual([...KNOWN_CONTEXT_KEYS].sort());
});

test.each(Object.keys(EFFECTS))('%s at a non-default value changes what it should', (key) => {
  EFFECTS[key]();
});
