import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { acknowledgementsOf, buildTestApp, unreasonedAcknowledgements } from '../support/cdk';
import { validateKarpenterObject } from '../support/karpenter-schema';

// `-c autoscaler=karpenter` on the cdk.json configuration (AL2 node groups, Kubernetes 1.32), synthesized once.
const { app, stack, warnings } = buildTestApp({ autoscaler: 'karpenter' });
const template = Template.fromStack(stack);
const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, any>; DependsOn?: string[] }>; // eslint-disable-line @typescript-eslint/no-explicit-any
const idOf = (type: string, predicate: (props: Record<string, any>) => boolean = () => true) => { // eslint-disable-line @typescript-eslint/no-explicit-any
  const ids = Object.keys(resources).filter((id) => resources[id].Type === type && predicate(resources[id].Properties));
  expect(ids).toHaveLength(1);
  return ids[0];
};
const clusterId = idOf('AWS::EKS::Cluster');
const crdChart = idOf('Custom::AWSCDK-EKS-HelmChart', (p) => p.Chart === 'karpenter-crd');
const chart = idOf('Custom::AWSCDK-EKS-HelmChart', (p) => p.Chart === 'karpenter');
const queueId = idOf('AWS::SQS::Queue');
const association = idOf('AWS::EKS::PodIdentityAssociation');
const controllerPolicy = idOf('AWS::IAM::Policy', (p) => JSON.stringify(p.PolicyDocument).includes('ec2:CreateFleet'));

describe('Karpenter controller', () => {
  test('comes from the karpenter chart of public ECR, version 1.14.1, in kube-system, without the chart\'s crds/ folder', () => {
    template.hasResourceProperties('Custom::AWSCDK-EKS-HelmChart', {
      Chart: 'karpenter', Release: 'karpenter', Version: '1.14.1', Namespace: 'kube-system',
      Repository: 'oci://public.ecr.aws/karpenter/karpenter', SkipCrds: true, Wait: true, Timeout: '600s', CreateNamespace: Match.absent(),
    });
    // The construct ids name the Helm releases' resources: a new id would uninstall and reinstall Karpenter.
    expect([crdChart, chart]).toEqual(['ClusterchartKarpenterCrd0B796397', 'ClusterchartKarpenterAE9676E9']);
  });

  test('gets its CRDs from the karpenter-crd chart of the same version, installed first, so Helm upgrades them', () => {
    template.hasResourceProperties('Custom::AWSCDK-EKS-HelmChart', {
      Chart: 'karpenter-crd', Release: 'karpenter-crd', Version: '1.14.1', Namespace: 'kube-system',
      Repository: 'oci://public.ecr.aws/karpenter/karpenter-crd', SkipCrds: Match.absent(), CreateNamespace: Match.absent(),
    });
    expect(resources[chart].DependsOn).toContain(crdChart);
  });

  test('runs two replicas on different managed nodes, never on its own, with this cluster and its interruption queue', () => {
    // Tokens (the cluster name, the queue name) sit inside JSON strings: written back as quoted text.
    const values = JSON.parse(resources[chart].Properties.Values['Fn::Join'][1].map((part: unknown) => (typeof part === 'string' ? part : JSON.stringify(part).replace(/"/g, "'"))).join(''));
    expect(values).toEqual({
      replicas: 2,
      serviceAccount: { name: 'karpenter' },
      settings: { clusterName: `{'Ref':'${clusterId}'}`, interruptionQueue: `{'Fn::GetAtt':['${queueId}','QueueName']}` },
      controller: { resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '1Gi' } } },
      tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }],
      affinity: {
        nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [
          { key: 'eks.amazonaws.com/nodegroup', operator: 'Exists' },
          { key: 'karpenter.sh/nodepool', operator: 'DoesNotExist' },
        ] }] } },
        podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [
          { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'karpenter' } } },
        ] },
      },
    });
  });

  test('is installed after its IAM, its queue, its Pod Identity association and the managed node groups', () => {
    const groups = Object.keys(template.findResources('AWS::EKS::Nodegroup'));
    expect(resources[chart].DependsOn).toEqual(expect.arrayContaining([association, controllerPolicy, queueId, ...groups]));
  });

  test('gets its AWS role through an EKS Pod Identity association of kube-system/karpenter, after the agent add-on', () => {
    const agent = idOf('AWS::EKS::Addon', (p) => p.AddonName === 'eks-pod-identity-agent');
    template.hasResourceProperties('AWS::EKS::PodIdentityAssociation', {
      ClusterName: { Ref: clusterId }, Namespace: 'kube-system', ServiceAccount: 'karpenter', RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^KarpenterControllerRole'), 'Arn'] },
    });
    expect(resources[association].DependsOn).toContain(agent);
    const roleId = resources[association].Properties.RoleArn['Fn::GetAtt'][0];
    expect(resources[roleId].Properties.AssumeRolePolicyDocument.Statement).toEqual([{
      Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'],
      Condition: { StringEquals: {
        'aws:RequestTag/eks-cluster-arn': { 'Fn::GetAtt': [clusterId, 'Arn'] },
        'aws:RequestTag/kubernetes-namespace': 'kube-system',
        'aws:RequestTag/kubernetes-service-account': 'karpenter',
      } },
    }]);
    expect(resources[controllerPolicy].Properties.Roles).toEqual([{ Ref: roleId }]);
  });
});

describe('Karpenter controller policy (the reference policy, scoped to this cluster)', () => {
  const statements = resources[controllerPolicy].Properties.PolicyDocument.Statement as { Sid: string; Action: string | string[]; Resource: unknown; Condition?: Record<string, Record<string, unknown>> }[];
  const bySid = (sid: string) => {
    const statement = statements.find((s) => s.Sid === sid);
    expect(statement).toBeDefined();
    return statement!;
  };

  test('creates instances, fleets and launch templates only with this cluster\'s eks:eks-cluster-name tag and a NodePool tag', () => {
    const create = bySid('CreateOnlyTaggedForThisCluster');
    expect(create.Action).toEqual(['ec2:CreateFleet', 'ec2:CreateLaunchTemplate', 'ec2:RunInstances']);
    expect(create.Condition).toEqual({
      StringEquals: { 'aws:RequestTag/eks:eks-cluster-name': { Ref: clusterId } },
      StringLike: { 'aws:RequestTag/karpenter.sh/nodepool': '*' },
    });
  });

  test('terminates and deletes only what carries this cluster\'s tag', () => {
    const del = bySid('DeleteOwnInstancesAndLaunchTemplates');
    expect(del.Action).toEqual(['ec2:DeleteLaunchTemplate', 'ec2:TerminateInstances']);
    expect(del.Condition).toEqual({
      StringEquals: { 'aws:ResourceTag/eks:eks-cluster-name': { Ref: clusterId } },
      StringLike: { 'aws:ResourceTag/karpenter.sh/nodepool': '*' },
    });
  });

  test('passes only the Karpenter node role, only to EC2', () => {
    const pass = bySid('PassNodeRole');
    expect(JSON.stringify(pass.Resource)).toMatch(/"KarpenterNodeRole[0-9A-F]+","Arn"/);
    expect(pass.Condition).toEqual({ StringEquals: { 'iam:PassedToService': ['ec2.amazonaws.com', 'ec2.amazonaws.com.cn'] } });
  });

  test('describes this cluster only and reads its own queue only', () => {
    expect(bySid('DescribeThisCluster')).toMatchObject({ Action: 'eks:DescribeCluster', Resource: { 'Fn::GetAtt': [clusterId, 'Arn'] } });
    expect(bySid('ReadInterruptionQueue')).toMatchObject({ Action: ['sqs:DeleteMessage', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'], Resource: { 'Fn::GetAtt': [queueId, 'Arn'] } });
  });

  test('has no action wildcard, and every unscoped resource is a read', () => {
    for (const s of statements) {
      for (const action of [s.Action].flat()) expect(action).not.toMatch(/\*/);
      if (s.Resource === '*') {
        for (const action of [s.Action].flat()) expect(action).toMatch(/^(ec2:Describe|pricing:GetProducts$|iam:ListInstanceProfiles$)/);
      }
    }
    expect(bySid('DescribeRegion').Condition).toEqual({ StringEquals: { 'aws:RequestedRegion': { Ref: 'AWS::Region' } } });
  });
});

describe('Karpenter nodes', () => {
  test('have their own role with the two node policies and no CNI policy, and an EC2_LINUX access entry', () => {
    const role = Object.entries(resources).find(([id]) => id.startsWith('KarpenterNodeRole'))!;
    const names = (role[1].Properties.ManagedPolicyArns as { 'Fn::Join': [string, string[]] }[]).map((a) => a['Fn::Join'][1].at(-1));
    expect(names).toEqual([':iam::aws:policy/AmazonEKSWorkerNodePolicy', ':iam::aws:policy/AmazonEC2ContainerRegistryPullOnly']);
    expect(role[1].Properties.AssumeRolePolicyDocument.Statement).toEqual([{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' } }]);
    template.hasResourceProperties('AWS::EKS::AccessEntry', { Type: 'EC2_LINUX', PrincipalArn: { 'Fn::GetAtt': [role[0], 'Arn'] }, ClusterName: { Ref: clusterId } });
  });

  test('are discovered in the private subnets, tagged karpenter.sh/discovery=<stack name>, and use the cluster security group', () => {
    const subnets = Object.values(template.findResources('AWS::EC2::Subnet'));
    const tagged = subnets.filter((s) => s.Properties.Tags.some((t: { Key: string }) => t.Key === 'karpenter.sh/discovery'));
    expect(tagged).toHaveLength(2);
    for (const subnet of tagged) {
      expect(subnet.Properties.MapPublicIpOnLaunch).toBe(false);
      expect(subnet.Properties.Tags).toContainEqual({ Key: 'karpenter.sh/discovery', Value: { Ref: 'AWS::StackName' } });
    }
    const nodeClass = stack.resolve(stack.karpenter!.nodeClass);
    expect(nodeClass.spec.subnetSelectorTerms).toEqual([{ tags: { 'karpenter.sh/discovery': { Ref: 'AWS::StackName' } } }]);
    expect(nodeClass.spec.securityGroupSelectorTerms).toEqual([{ id: { 'Fn::GetAtt': [clusterId, 'ClusterSecurityGroupId'] } }]);
  });

  test('run AL2023 at a pinned AMI release on this AL2 cluster, IMDSv2 only with hop limit 1, on encrypted gp3', () => {
    const nodeClass = stack.resolve(stack.karpenter!.nodeClass);
    expect(nodeClass.spec.amiSelectorTerms).toEqual([{ alias: 'al2023@v20260903' }]);
    expect(nodeClass.spec.metadataOptions).toEqual({ httpEndpoint: 'enabled', httpProtocolIPv6: 'disabled', httpPutResponseHopLimit: 1, httpTokens: 'required' });
    expect(nodeClass.spec.blockDeviceMappings).toEqual([
      { deviceName: '/dev/xvda', rootVolume: true, ebs: { volumeSize: '20Gi', volumeType: 'gp3', encrypted: true, deleteOnTermination: true } },
    ]);
    expect(nodeClass.spec.role).toEqual({ Ref: Object.keys(resources).find((id) => id.startsWith('KarpenterNodeRole')) });
  });
});

describe('NodePools', () => {
  test('default to a Graviton pool (weight 100) and an x86 pool (weight 10), each pinned to its architecture, spot then on-demand', () => {
    const pools = stack.karpenter!.nodePools;
    expect(pools.map((p) => [p.metadata.name, p.spec.weight, p.spec.limits])).toEqual([['graviton', 100, { cpu: '64' }], ['x86', 10, { cpu: '64' }]]);
    expect(pools[0].spec.template.spec.requirements).toEqual([
      { key: 'kubernetes.io/arch', operator: 'In', values: ['arm64'] },
      { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot', 'on-demand'] },
      { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] },
      { key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: ['c', 'm', 'r'] },
      { key: 'karpenter.k8s.aws/instance-generation', operator: 'Gt', values: ['5'] },
    ]);
    expect(pools[1].spec.template.spec.requirements[0]).toEqual({ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] });
  });

  test('consolidate empty and underutilized nodes within disruption budgets, and expire nodes after 30 days', () => {
    for (const pool of stack.karpenter!.nodePools) {
      expect(pool.spec.disruption).toEqual({
        consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: '1m',
        budgets: [{ nodes: '10%' }, { nodes: '1', reasons: ['Drifted'] }],
      });
      expect(pool.spec.template.spec.expireAfter).toBe('720h');
      expect(pool.spec.template.spec.nodeClassRef).toEqual({ group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' });
    }
  });

  test('drain for at most 10 minutes, inside the 15 minutes of the kubectl handler that deletes them on teardown', () => {
    for (const pool of stack.karpenter!.nodePools) expect(pool.spec.template.spec.terminationGracePeriod).toBe('10m');
    const handler = Object.values(resources).find((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Description === 'onEvent handler for EKS kubectl resource provider');
    expect(handler?.Properties.Timeout).toBe(900);
    // The manifests as applied, not only the objects built.
    const applied = Object.entries(resources).filter(([id]) => id.startsWith('ClusterKarpenterNodePool')).map(([, r]) => JSON.stringify(r.Properties.Manifest));
    expect(applied).toHaveLength(2);
    for (const manifest of applied) expect(manifest).toContain('terminationGracePeriod\\":\\"10m');
  });

  test('and the EC2NodeClass pass the v1 schemas of the Karpenter 1.14.1 CRDs', () => {
    // The role name, the security group id and the stack name are tokens until deploy: values of their shape.
    const deployed = JSON.parse(JSON.stringify(stack.karpenter!.nodeClass)
      .replace(/"id":"\$\{Token\[[^\]]+\]\}"/, '"id":"sg-0123456789abcdef0"')
      .replace(/\$\{Token\[[^\]]+\]\}/g, 'MixedArchEks-KarpenterNodeRole-1A2B3C4D5E6F'));
    expect(JSON.stringify(deployed)).not.toMatch(/\$\{Token/);
    expect(validateKarpenterObject(deployed)).toEqual([]);
    for (const pool of stack.karpenter!.nodePools) expect(validateKarpenterObject(pool)).toEqual([]);
  });

  test('are applied one object per manifest: the node class after the controller chart (so after the CRDs), each pool after the node class', () => {
    const kindsOf = (id: string) => [...JSON.stringify(resources[id].Properties.Manifest).matchAll(/\\"apiVersion\\":\\"[\w./]+\\",\\"kind\\":\\"(\w+)\\"/g)].map((m) => m[1]);
    const manifests = Object.keys(resources).filter((id) => resources[id].Type === 'Custom::AWSCDK-EKS-KubernetesResource');
    const [nodeClass, ...others] = manifests.filter((id) => kindsOf(id).includes('EC2NodeClass'));
    expect(others).toEqual([]);
    expect(kindsOf(nodeClass)).toEqual(['EC2NodeClass']);
    expect(resources[nodeClass].DependsOn).toContain(chart);
    const pools = manifests.filter((id) => kindsOf(id).includes('NodePool'));
    // Ids from the pool names: removing or renaming a pool deletes its resource, and kubectl deletes the pool.
    expect(pools.map((id) => id.replace(/[0-9A-F]{8}$/, ''))).toEqual(['ClusterKarpenterNodePoolgraviton', 'ClusterKarpenterNodePoolx86']);
    for (const id of pools) {
      expect(kindsOf(id)).toEqual(['NodePool']);
      expect(resources[id].DependsOn).toContain(nodeClass);
      expect(resources[id].Properties.Overwrite).toBe(true);
    }
  });
});

test('the schema validator is real: it refuses a hop limit as text, a missing node class reference and an unknown consolidation policy', () => {
  const pool = JSON.parse(JSON.stringify(stack.karpenter!.nodePools[0]));
  delete pool.spec.template.spec.nodeClassRef;
  pool.spec.disruption.consolidationPolicy = 'Always';
  expect(validateKarpenterObject(pool)).toEqual(expect.arrayContaining([
    '/spec/template/spec: must have required property \'nodeClassRef\'',
    '/spec/disruption/consolidationPolicy: must be equal to one of the allowed values',
  ]));
  const nodeClass = JSON.parse(JSON.stringify(stack.karpenter!.nodeClass));
  nodeClass.spec.metadataOptions.httpPutResponseHopLimit = 'one';
  expect(validateKarpenterObject(nodeClass)).toContain('/spec/metadataOptions/httpPutResponseHopLimit: must be integer');
  const typo = JSON.parse(JSON.stringify(stack.karpenter!.nodePools[0]));
  typo.spec.disruption.consolidationpolicy = typo.spec.disruption.consolidationPolicy;
  typo.spec.template.spec.expireAfter = '30d';
  expect(validateKarpenterObject(typo)).toEqual(expect.arrayContaining([
    '/spec/disruption: must NOT have additional properties',
    '/spec/template/spec/expireAfter: must match pattern "^(([0-9]+(s|m|h))+|Never)$"',
  ]));
});

describe('interruption handling', () => {
  test('uses an SQS queue with SQS-managed encryption, TLS only, that keeps events for 5 minutes', () => {
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 300 });
    // The whole policy: TLS only, and EventBridge may send only from this stack's own rules (one statement each).
    const queue = { 'Fn::GetAtt': [queueId, 'Arn'] };
    const ruleIds = Object.keys(resources).filter((id) => resources[id].Type === 'AWS::Events::Rule');
    expect(ruleIds).toHaveLength(5);
    const policies = Object.values(resources).filter((r) => r.Type === 'AWS::SQS::QueuePolicy').map((r) => r.Properties);
    expect(policies).toEqual([{
      Queues: [{ Ref: queueId }],
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Deny', Action: 'sqs:*', Principal: { AWS: '*' }, Resource: queue, Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
          ...ruleIds.map((rule) => ({
            Effect: 'Allow', Action: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'], Principal: { Service: 'events.amazonaws.com' },
            Resource: queue, Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [rule, 'Arn'] } } },
          })),
        ],
      },
    }]);
  });

  test('is fed by EventBridge rules for spot and capacity-reservation interruptions, rebalance recommendations, state changes and health events', () => {
    const rules = Object.values(template.findResources('AWS::Events::Rule'));
    expect(rules.map((r) => [r.Properties.EventPattern.source, r.Properties.EventPattern['detail-type']]).sort()).toEqual([
      [['aws.ec2'], ['EC2 Capacity Reservation Instance Interruption Warning']],
      [['aws.ec2'], ['EC2 Instance Rebalance Recommendation']],
      [['aws.ec2'], ['EC2 Instance State-change Notification']],
      [['aws.ec2'], ['EC2 Spot Instance Interruption Warning']],
      [['aws.health'], ['AWS Health Event']],
    ]);
    for (const rule of rules) expect(rule.Properties.Targets).toEqual([expect.objectContaining({ Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } })]);
  });
});

test('the kubectl provider (a Lambda) is there for Helm, with a kubectl layer within one version of the cluster (1.32)', () => {
  template.hasResourceProperties('AWS::Lambda::LayerVersion', { Description: Match.stringLikeRegexp('^/opt/kubectl/kubectl 1\\.33\\.') });
  expect(Object.values(resources).some((r) => r.Type === 'AWS::Lambda::Function')).toBe(true);
});

test('warns as the default stack does (extended support, AL2, open endpoint), and about nothing of its own', () => {
  expect(warnings).toEqual([
    'Annotation::mixed-arch-eks:extended-support', 'Annotation::mixed-arch-eks:al2-end-of-support', 'Annotation::mixed-arch-eks:open-endpoint',
    'Annotation::mixed-arch-eks:account-wide-admin',
  ]);
});

test('passes the cdk-nag AwsSolutions pack, every acknowledgement with a reason', () => {
  const result = new AwsSolutionsChecks(app).validateScope(app);
  expect(result.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.resourceLogicalId).join(',')}`)).toEqual([]);
  expect(unreasonedAcknowledgements(app)).toEqual([]);
  // Karpenter's own: its node role's two managed policies, its queue without a dead-letter queue, and each
  // wildcard resource of its controller policy with what scopes it instead.
  const karpenter = acknowledgementsOf(app).filter((a) => a.path.startsWith('MixedArchEks/Karpenter/'));
  expect(karpenter.map((a) => `${a.path.slice('MixedArchEks/Karpenter/'.length)} ${a.rule.replace(/^Annotation::/, '')}`)).toEqual([
    'NodeRole AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonEKSWorkerNodePolicy]',
    'NodeRole AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly]',
    'Interruption/Queue AwsSolutions-SQS3',
    ...['fleet', 'instance', 'volume', 'network-interface', 'launch-template', 'spot-instances-request'].map((r) => `ControllerPolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:*:${r}/*]`),
    'ControllerPolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>::image/*]',
    'ControllerPolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>::snapshot/*]',
    ...['security-group', 'subnet', 'capacity-reservation', 'placement-group'].map((r) => `ControllerPolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:*:${r}/*]`),
    'ControllerPolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:instance-profile/*]',
    'ControllerPolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:<AWS::Region>::parameter/aws/service/*]',
    'ControllerPolicy AwsSolutions-IAM5[Resource::*]',
  ]);
});

test('names what each role and rule is for', () => {
  const description = (type: string, prefix: string) => Object.entries(resources).find(([id, r]) => r.Type === type && id.startsWith(prefix))?.[1].Properties.Description;
  expect(description('AWS::IAM::Role', 'KarpenterNodeRole')).toBe('Nodes launched by Karpenter');
  expect(description('AWS::IAM::Role', 'KarpenterControllerRole')).toBe('Karpenter controller through EKS Pod Identity');
  expect(description('AWS::Events::Rule', 'KarpenterInterruptionSpotInterruptionRule')).toBe('Karpenter interruption handling: EC2 Spot Instance Interruption Warning');
});
