import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildApp } from '../bin/app';
import { TEST_DAY, annotationsOf, contextWith, synthQuietly, unreasonedAcknowledgements } from './support/cdk';

// The default stack, synthesized once for the whole file; its warnings are asserted below, not printed.
const { app, stack } = buildApp(new App({ context: contextWith() }), {}, { nag: false, clock: () => TEST_DAY });
const warnings = synthQuietly(app);
const template = Template.fromStack(stack);

describe('default stack', () => {
  test('is a native AWS::EKS::Cluster on Kubernetes 1.32 (the last version with AL2 AMIs)', () => {
    template.resourceCountIs('AWS::EKS::Cluster', 1);
    template.hasResourceProperties('AWS::EKS::Cluster', Match.objectLike({ Version: '1.32' }));
  });

  test('logs all five control-plane log types', () => {
    template.hasResourceProperties('AWS::EKS::Cluster', {
      Logging: { ClusterLogging: { EnabledTypes: [
        { Type: 'api' }, { Type: 'audit' }, { Type: 'authenticator' }, { Type: 'controllerManager' }, { Type: 'scheduler' },
      ] } },
    });
  });

  test('encrypts secrets with a rotating KMS key', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    const [keyId] = Object.keys(template.findResources('AWS::KMS::Key'));
    template.hasResourceProperties('AWS::EKS::Cluster', Match.objectLike({
      EncryptionConfig: [{ Provider: { KeyArn: { 'Fn::GetAtt': [keyId, 'Arn'] } }, Resources: ['secrets'] }],
    }));
  });

  test('uses access entries with no implicit creator admin, and a created admin role', () => {
    template.hasResourceProperties('AWS::EKS::Cluster', Match.objectLike({
      AccessConfig: { AuthenticationMode: 'API', BootstrapClusterCreatorAdminPermissions: false },
    }));
    template.resourceCountIs('AWS::EKS::AccessEntry', 1);
    const [entry] = Object.values(template.findResources('AWS::EKS::AccessEntry'));
    expect(entry.Properties.AccessPolicies).toHaveLength(1);
    expect(entry.Properties.AccessPolicies[0].AccessScope).toEqual({ Type: 'cluster' });
    expect(JSON.stringify(entry.Properties.AccessPolicies[0].PolicyArn)).toContain('cluster-access-policy/AmazonEKSClusterAdminPolicy');
    expect(entry.Properties.PrincipalArn['Fn::GetAtt'][0]).toMatch(/^AdminAccessAdminRole/);
    const roleId = entry.Properties.PrincipalArn['Fn::GetAtt'][0] as string;
    const resources = template.toJSON().Resources;
    // Whole documents: an added statement or a wider principal fails here.
    expect(resources[roleId].Properties.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [{
        Action: 'sts:AssumeRole', Effect: 'Allow',
        Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] } },
      }],
    });
    expect(resources[roleId].Properties.Description).toBe('Cluster admin of MixedArchEks/Cluster; assume it for kubectl');
    const [clusterId] = Object.keys(template.findResources('AWS::EKS::Cluster'));
    const policies = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]));
    expect(policies.map((p) => p.Properties.PolicyDocument)).toEqual([{
      Version: '2012-10-17',
      Statement: [{ Action: 'eks:DescribeCluster', Effect: 'Allow', Resource: { 'Fn::GetAtt': [clusterId, 'Arn'] } }],
    }]);
  });

  test('warns as loudly as for an open endpoint that the admin role is anyone in the account, and how to narrow it', () => {
    annotationsOf(stack).hasWarning('/MixedArchEks', 'No adminPrincipalArns: the stack creates AdminRole, and every principal of this account ' +
      'allowed sts:AssumeRole on it (any policy with sts:AssumeRole on *) becomes cluster admin. Name your admins with ' +
      '-c adminPrincipalArns=arn:aws:iam::123456789012:role/PlatformAdmin,... (on a running cluster include the role you use now: ' +
      'that deploy adds their access entries and removes AdminRole and its entry). [ack: mixed-arch-eks:account-wide-admin]');
  });

  test('has a public and private endpoint restricted to the configured CIDRs', () => {
    template.hasResourceProperties('AWS::EKS::Cluster', Match.objectLike({
      ResourcesVpcConfig: Match.objectLike({ EndpointPublicAccess: true, EndpointPrivateAccess: true, PublicAccessCidrs: ['0.0.0.0/0'] }),
    }));
  });

  test('has exactly the configured managed node groups, with AMI type, instance types and scaling', () => {
    template.resourceCountIs('AWS::EKS::Nodegroup', 2);
    template.hasResourceProperties('AWS::EKS::Nodegroup', Match.objectLike({
      NodegroupName: Match.stringLikeRegexp('^graviton-[0-9a-f]{6}$'), AmiType: 'AL2_ARM_64', InstanceTypes: ['m7g.large'], CapacityType: 'ON_DEMAND',
      ScalingConfig: { MinSize: 1, DesiredSize: 1, MaxSize: 3 },
    }));
    template.hasResourceProperties('AWS::EKS::Nodegroup', Match.objectLike({
      NodegroupName: Match.stringLikeRegexp('^x86-[0-9a-f]{6}$'), AmiType: 'AL2_x86_64', InstanceTypes: ['m7i.large'], CapacityType: 'ON_DEMAND',
      ScalingConfig: { MinSize: 1, DesiredSize: 1, MaxSize: 3 },
    }));
  });

  test('has no Auto Mode and no default capacity', () => {
    const cluster = Object.values(template.findResources('AWS::EKS::Cluster'))[0];
    expect(cluster.Properties.ComputeConfig?.Enabled ?? false).toBe(false);
    template.resourceCountIs('AWS::AutoScaling::AutoScalingGroup', 0);
  });

  test('requires IMDSv2 with hop limit 1 on every node', () => {
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({ MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1 } }),
    });
    const [ltId] = Object.keys(template.findResources('AWS::EC2::LaunchTemplate'));
    for (const group of Object.values(template.findResources('AWS::EKS::Nodegroup'))) {
      expect(group.Properties.LaunchTemplate.Id).toEqual({ Ref: ltId });
    }
  });

  test('gives the node role only the managed policies nodes need, and no CNI policy', () => {
    const nodeRole = Object.entries(template.findResources('AWS::IAM::Role')).find(([id]) => id.startsWith('NodeGroupsNodeRole'));
    expect(nodeRole).toBeDefined();
    const names = (nodeRole![1].Properties.ManagedPolicyArns as { 'Fn::Join': [string, unknown[]] }[])
      .map((arn) => String(arn['Fn::Join'][1].at(-1)).replace(':iam::aws:policy/', ''));
    expect(names).toEqual(['AmazonEKSWorkerNodePolicy', 'AmazonEC2ContainerRegistryPullOnly']);
    expect(nodeRole![1].Properties.Policies).toBeUndefined();
  });

  test('attaches no AWS managed policy beyond the ones each role needs (no AdministratorAccess or PowerUser anywhere)', () => {
    const attached = Object.values(template.findResources('AWS::IAM::Role'))
      .flatMap((role) => (role.Properties.ManagedPolicyArns ?? []) as { 'Fn::Join': [string, unknown[]] }[])
      .map((arn) => String(arn['Fn::Join'][1].at(-1)).replace(':iam::aws:policy/', ''))
      .sort();
    expect(attached).toEqual(['AmazonEC2ContainerRegistryPullOnly', 'AmazonEKSClusterPolicy', 'AmazonEKSWorkerNodePolicy', 'AmazonEKS_CNI_Policy']);
    for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
      expect(JSON.stringify(policy.Properties.PolicyDocument)).not.toMatch(/"Action":"\*"|"Action":\["\*"\]/);
    }
  });

  test('creates a new VPC in two AZs with one NAT gateway and a rejected-traffic flow log', () => {
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    template.resourcePropertiesCountIs('AWS::EC2::Subnet', { MapPublicIpOnLaunch: false }, 2);
    template.hasResourceProperties('AWS::EC2::FlowLog', Match.objectLike({ TrafficType: 'REJECT' }));
  });

  test('routes S3 (ECR image layers) from the private subnets through a gateway endpoint, not the NAT gateway', () => {
    const endpoints = Object.values(template.findResources('AWS::EC2::VPCEndpoint'));
    expect(endpoints).toHaveLength(1);
    const { Properties: endpoint } = endpoints[0];
    expect(endpoint.VpcEndpointType).toBe('Gateway');
    expect(JSON.stringify(endpoint.ServiceName)).toMatch(/"com\.amazonaws\.",\{"Ref":"AWS::Region"\},"\.s3"/);
    // The private subnets' route tables, one per zone; not the public ones (their traffic needs no NAT).
    const privateTables = Object.entries(template.findResources('AWS::EC2::RouteTable'))
      .filter(([id]) => /privateSubnet/.test(id)).map(([id]) => ({ Ref: id }));
    expect(privateTables).toHaveLength(2);
    expect(endpoint.RouteTableIds).toEqual(privateTables);
  });

  test('makes every ECR tag immutable but latest and the per-architecture build tags, and still scans on push', () => {
    const [repository] = Object.values(template.findResources('AWS::ECR::Repository'));
    expect(repository.Properties.ImageTagMutability).toBe('IMMUTABLE_WITH_EXCLUSION');
    expect(repository.Properties.ImageTagMutabilityExclusionFilters).toEqual(['latest', '*-arm64', '*-amd64'].map((value) => ({
      ImageTagMutabilityExclusionFilterType: 'WILDCARD', ImageTagMutabilityExclusionFilterValue: value,
    })));
    expect(repository.Properties.ImageScanningConfiguration).toEqual({ ScanOnPush: true });
  });

  test('has an ECR repository that scans on push, expires old images and is kept on delete (not on a failed create)', () => {
    template.hasResource('AWS::ECR::Repository', Match.objectLike({
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        RepositoryName: 'print-platform-info',
        ImageScanningConfiguration: { ScanOnPush: true },
        LifecyclePolicy: Match.objectLike({ LifecyclePolicyText: Match.stringLikeRegexp('untagged') }),
      }),
    }));
    const [repository] = Object.values(template.findResources('AWS::ECR::Repository'));
    expect(JSON.parse(repository.Properties.LifecyclePolicy.LifecyclePolicyText).rules).toEqual([
      { rulePriority: 1, description: 'Drop untagged images', selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countNumber: 7, countUnit: 'days' }, action: { type: 'expire' } },
      { rulePriority: 2, description: 'Keep the newest tagged images', selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 50 }, action: { type: 'expire' } },
    ]);
  });

  test('the node role trusts EC2 only, and each role says what it is for', () => {
    const role = (prefix: string) => Object.entries(template.findResources('AWS::IAM::Role')).find(([id]) => id.startsWith(prefix))?.[1].Properties;
    expect(role('NodeGroupsNodeRole').AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17', Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' } }],
    });
    expect(role('NodeGroupsNodeRole').Description).toBe('EKS managed node groups of the mixed-architecture cluster');
    expect(role('AddonsVpcCniRole').Description).toBe('VPC CNI (aws-node) through EKS Pod Identity');
  });

  test('runs vpc-cni, kube-proxy, eks-pod-identity-agent and coredns as EKS managed add-ons that take over the self-managed copies', () => {
    const addons = Object.values(template.findResources('AWS::EKS::Addon')).map((r) => r.Properties.AddonName).sort();
    expect(addons).toEqual(['coredns', 'eks-pod-identity-agent', 'kube-proxy', 'vpc-cni']);
    const [clusterId] = Object.keys(template.findResources('AWS::EKS::Cluster'));
    for (const name of addons) {
      template.hasResourceProperties('AWS::EKS::Addon', {
        AddonName: name,
        ClusterName: { Ref: clusterId },
        ResolveConflicts: 'OVERWRITE',
        PreserveOnDelete: true,
        // EKS picks its default version for the cluster's Kubernetes version (see ManagedAddons).
        AddonVersion: Match.absent(),
      });
    }
  });

  test('leaves bootstrapSelfManagedAddons out: changing it would replace every existing cluster', () => {
    template.hasResourceProperties('AWS::EKS::Cluster', { BootstrapSelfManagedAddons: Match.absent() });
  });

  test('gives the VPC CNI AmazonEKS_CNI_Policy through a Pod Identity association of aws-node only', () => {
    const [clusterId] = Object.keys(template.findResources('AWS::EKS::Cluster'));
    const cni = Object.values(template.findResources('AWS::EKS::Addon', { Properties: { AddonName: 'vpc-cni' } }))[0];
    expect(cni.Properties.PodIdentityAssociations).toHaveLength(1);
    expect(cni.Properties.PodIdentityAssociations[0].ServiceAccount).toBe('aws-node');
    const roleId = cni.Properties.PodIdentityAssociations[0].RoleArn['Fn::GetAtt'][0];
    const role = template.toJSON().Resources[roleId];
    expect(role.Type).toBe('AWS::IAM::Role');
    expect(JSON.stringify(role.Properties.ManagedPolicyArns)).toMatch(/:iam::aws:policy\/AmazonEKS_CNI_Policy"/);
    expect(role.Properties.ManagedPolicyArns).toHaveLength(1);
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([{
      Effect: 'Allow',
      Principal: { Service: 'pods.eks.amazonaws.com' },
      Action: ['sts:AssumeRole', 'sts:TagSession'],
      Condition: { StringEquals: {
        'aws:RequestTag/eks-cluster-arn': { 'Fn::GetAtt': [clusterId, 'Arn'] },
        'aws:RequestTag/kubernetes-namespace': 'kube-system',
        'aws:RequestTag/kubernetes-service-account': 'aws-node',
      } },
    }]);
  });

  test('orders the add-ons as EKS needs: agent before CNI, CNI/kube-proxy/agent before nodes, CoreDNS after nodes', () => {
    const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: { AddonName?: string }; DependsOn?: string[] }>;
    const addonId = (name: string) => Object.keys(resources).find((id) => resources[id].Type === 'AWS::EKS::Addon' && resources[id].Properties.AddonName === name)!;
    const groups = Object.keys(template.findResources('AWS::EKS::Nodegroup'));
    expect(groups).toHaveLength(2);
    expect(resources[addonId('vpc-cni')].DependsOn).toEqual([addonId('eks-pod-identity-agent')]);
    for (const group of groups) {
      expect(resources[group].DependsOn).toEqual(expect.arrayContaining([addonId('vpc-cni'), addonId('kube-proxy'), addonId('eks-pod-identity-agent')]));
    }
    expect([...resources[addonId('coredns')].DependsOn!].sort()).toEqual([...groups].sort());
    // Upgrading a cluster deployed before: the node role drops the CNI policy only after the add-on has its role.
    const nodeRole = Object.keys(resources).find((id) => id.startsWith('NodeGroupsNodeRole'))!;
    expect(resources[nodeRole].DependsOn).toEqual([addonId('vpc-cni')]);
  });

  test('has no custom resource and no Lambda function', () => {
    const types = Object.values(template.toJSON().Resources as Record<string, { Type: string }>).map((r) => r.Type);
    expect(types.filter((t) => t.startsWith('Custom::') || t === 'AWS::CloudFormation::CustomResource')).toEqual([]);
    expect(types).not.toContain('AWS::Lambda::Function');
  });

  test('outputs the cluster name, kubeconfig command, node groups with their architecture and the ECR URI', () => {
    template.hasOutput('ClusterName', Match.anyValue());
    template.hasOutput('KubeconfigCommand', { Value: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith(['aws eks update-kubeconfig --name ', ' --role-arn '])] }) });
    template.hasOutput('NodeGroupGraviton', { Value: Match.stringLikeRegexp('^graviton: arm64 \\(Graviton\\), AL2_ARM_64, m7g.large') });
    template.hasOutput('NodeGroupX86', { Value: Match.stringLikeRegexp('^x86: amd64 \\(x86_64\\), AL2_x86_64, m7i.large') });
    template.hasOutput('EcrRepositoryUri', Match.anyValue());
  });

  test('warns about extended support, AL2, the open endpoint and the account-wide admin role, and nothing else', () => {
    expect(warnings).toEqual([
      'Annotation::mixed-arch-eks:extended-support', 'Annotation::mixed-arch-eks:al2-end-of-support', 'Annotation::mixed-arch-eks:open-endpoint',
    'Annotation::mixed-arch-eks:account-wide-admin',
    ]);
  });

  test('warns that AL2 is past end of support: its EKS AMIs, Amazon Linux 2 itself, the forced upgrade, the switch', () => {
    annotationsOf(stack).hasWarning('/MixedArchEks', Match.stringLikeRegexp(
      'Node groups graviton, x86 run Amazon Linux 2, whose EKS AMIs reached end of support on 2025-11-26 ' +
      'and which itself reached end of support on 2026-06-30.*extended support ends on 2027-03-23, after which EKS upgrades ' +
      'the control plane itself to a version for which no AL2 node AMIs exist.*Switch by setting two keys'));
  });

  test('the AL2 warning\'s switch sets both keys, the version one minor above the running 1.32, never the AL2023 default (1.36)', () => {
    annotationsOf(stack).hasWarning('/MixedArchEks', Match.stringLikeRegexp(
      'Switch by setting two keys in cdk\\.json and deploying: "amiFamily": "AL2023" and "kubernetesVersion": "1\\.33" ' +
      '\\(one minor version above the 1\\.32 the cluster runs: EKS upgrades one minor version per deploy\\), then one minor version per deploy \\(docs/upgrades\\.md\\)\\.'));
    annotationsOf(stack).hasNoWarning('/MixedArchEks', Match.stringLikeRegexp('amiFamily=AL2023'));
  });

  test('warns, in so many words, that the API endpoint is open to the internet, and how to close it', () => {
    annotationsOf(stack).hasWarning('/MixedArchEks', 'The Kubernetes API endpoint accepts connections from anywhere (publicAccessCidrs 0.0.0.0/0). ' +
      'Restrict it with -c publicAccessCidrs=203.0.113.0/24,... or use -c endpointAccess=private. [ack: mixed-arch-eks:open-endpoint]');
  });

  test('passes the cdk-nag AwsSolutions pack, every acknowledgement with a reason', () => {
    const result = new AwsSolutionsChecks(app).validateScope(app);
    // Neither errors nor warnings: every finding is fixed or acknowledged (with its reason) in lib/.
    expect(result.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.resourceLogicalId).join(',')}`)).toEqual([]);
    expect(result.success).toBe(true);
    expect(unreasonedAcknowledgements(app)).toEqual([]);
  });
});
