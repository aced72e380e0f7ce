import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Aws, Duration, Tags, Validations } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { KarpenterConfig } from '../../config/karpenter-config';
import { NodeTaint } from '../../config/types';
import { PodIdentityRole } from '../pod-identity-role';
import { karpenterControllerPolicy } from './controller-policy';
import { InterruptionQueue } from './interruption-queue';
import { EC2NodeClass, NodePool, SelectorTerm } from './karpenter-api';
import { DISCOVERY_TAG, buildNodeClass, buildNodePool } from './node-pool-manifests';

/** Where the controller runs, and the service account its Pod Identity association names. */
export const KARPENTER_NAMESPACE = 'kube-system';
export const KARPENTER_SERVICE_ACCOUNT = 'karpenter';
/** The charts, from Karpenter's public ECR registry (karpenter.sh, "Getting Started"). */
export const KARPENTER_CHART_REPOSITORY = 'oci://public.ecr.aws/karpenter/karpenter';
export const KARPENTER_CRD_CHART_REPOSITORY = 'oci://public.ecr.aws/karpenter/karpenter-crd';

export interface KarpenterProps {
  readonly cluster: eks.Cluster;
  readonly config: KarpenterConfig;
  /** The cluster's private subnets: Karpenter launches nodes there. */
  readonly privateSubnets: readonly ec2.ISubnet[];
  /**
   * Whether this stack created the subnets and may tag them with `karpenter.sh/discovery`. An imported VPC's
   * subnets cannot be tagged from here: the EC2NodeClass then selects them by id.
   */
  readonly tagSubnets: boolean;
  /** The EKS Pod Identity agent add-on: the controller's credentials come through it. */
  readonly podIdentityAgent: IConstruct;
  /** The managed node groups the controller runs on: the chart waits for them. */
  readonly systemNodes: readonly IConstruct[];
  /**
   * The taints of those node groups: the controller tolerates them, or a cluster whose groups are all tainted
   * would leave it Pending (and Karpenter cannot launch a node for its own controller).
   * @default - none
   */
  readonly systemNodeTaints?: readonly NodeTaint[];
}

/**
 * Karpenter on the cluster: the controller from its Helm chart (CRDs from the separate CRD chart, so that a
 * version change upgrades them), its IAM role through EKS Pod Identity, a node role with an EC2_LINUX access
 * entry, the interruption queue and its rules, the discovery tags, and the EC2NodeClass and NodePools.
 *
 * Order on create: IAM, queue, association and node groups, then the CRD chart, the controller chart, then the
 * node class and pools. CloudFormation deletes in reverse, so removing Karpenter deletes the pools first,
 * while the controller still runs to drain and terminate its nodes (see docs/autoscaling.md, removal).
 */
export class Karpenter extends Construct {
  readonly nodeRole: iam.Role;
  readonly controllerRole: iam.Role;
  readonly interruptionQueue: InterruptionQueue;
  readonly crdChart: eks.HelmChart;
  readonly chart: eks.HelmChart;
  readonly nodeClass: EC2NodeClass;
  readonly nodePools: readonly NodePool[];
  /** The EC2NodeClass, applied after the controller chart (so after the CRDs). */
  readonly nodeClassManifest: eks.KubernetesManifest;
  /** One manifest per NodePool, named after the pool. */
  readonly nodePoolManifests: ReadonlyMap<string, eks.KubernetesManifest>;

  constructor(scope: Construct, id: string, props: KarpenterProps) {
    super(scope, id);
    const { cluster, config } = props;

    // Its own node role rather than the node groups': its access entry and instance profile belong to
    // Karpenter, and removing Karpenter cannot touch the managed nodes' permissions. Same two policies; the
    // VPC CNI's permissions come through Pod Identity, not the node role.
    this.nodeRole = new iam.Role(this, 'NodeRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: 'Nodes launched by Karpenter',
      managedPolicies: ['AmazonEKSWorkerNodePolicy', 'AmazonEC2ContainerRegistryPullOnly'].map((n) => iam.ManagedPolicy.fromAwsManagedPolicyName(n)),
    });
    for (const name of ['AmazonEKSWorkerNodePolicy', 'AmazonEC2ContainerRegistryPullOnly']) {
      Validations.of(this.nodeRole).acknowledge({
        id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${name}]`,
        reason: `Karpenter's nodes need the AWS managed ${name} policy, as the managed node groups do.`,
      });
    }
    const nodeAccess = new eks.AccessEntry(this, 'NodeAccess', {
      cluster,
      principal: this.nodeRole.roleArn,
      accessEntryType: eks.AccessEntryType.EC2_LINUX,
      accessPolicies: [],
    });

    this.interruptionQueue = new InterruptionQueue(this, 'Interruption');

    const controller = new PodIdentityRole(this, 'ControllerRole', {
      cluster,
      namespace: KARPENTER_NAMESPACE,
      serviceAccount: KARPENTER_SERVICE_ACCOUNT,
      description: 'Karpenter controller through EKS Pod Identity',
    });
    this.controllerRole = controller.role;
    const policy = new iam.Policy(this, 'ControllerPolicy', {
      document: karpenterControllerPolicy({
        clusterName: cluster.clusterName,
        clusterArn: cluster.clusterArn,
        nodeRoleArn: this.nodeRole.roleArn,
        queueArn: this.interruptionQueue.queue.queueArn,
      }),
      roles: [this.controllerRole],
    });
    acknowledgeControllerWildcards(policy);
    const association = new eks.CfnPodIdentityAssociation(this, 'ControllerIdentity', {
      clusterName: cluster.clusterName,
      namespace: KARPENTER_NAMESPACE,
      serviceAccount: KARPENTER_SERVICE_ACCOUNT,
      roleArn: this.controllerRole.roleArn,
    });
    association.node.addDependency(props.podIdentityAgent);

    // Discovery: the private subnets carry karpenter.sh/discovery=<stack name>. The value is the stack name,
    // not the cluster name: the cluster depends on its subnets, so a tag naming the cluster would be a cycle.
    let subnetSelectorTerms: SelectorTerm[];
    if (props.tagSubnets) {
      // On the subnet resource only (Tags.of(subnet) would also tag its route table).
      for (const subnet of props.privateSubnets) Tags.of(subnet.node.defaultChild ?? subnet).add(DISCOVERY_TAG, Aws.STACK_NAME);
      subnetSelectorTerms = [{ tags: { [DISCOVERY_TAG]: Aws.STACK_NAME } }];
    } else {
      subnetSelectorTerms = props.privateSubnets.map((s) => ({ id: s.subnetId }));
    }
    // The node security group is the cluster security group EKS creates (the managed nodes use it too): it is
    // not in the template, so it cannot carry a tag without a custom resource; the node class names its id.
    const securityGroupSelectorTerms: SelectorTerm[] = [{ id: cluster.clusterSecurityGroupId }];

    const helm = { namespace: KARPENTER_NAMESPACE, createNamespace: false, version: config.version, wait: true, timeout: Duration.minutes(10) };
    // CRDs: Helm installs a chart's crds/ folder once and never upgrades it. The karpenter-crd chart holds the
    // same CRDs as templates, so Helm upgrades them with each version; the controller chart skips its copy.
    this.crdChart = cluster.addHelmChart('KarpenterCrd', { ...helm, chart: 'karpenter-crd', release: 'karpenter-crd', repository: KARPENTER_CRD_CHART_REPOSITORY });
    this.chart = cluster.addHelmChart('Karpenter', {
      ...helm,
      chart: 'karpenter',
      release: 'karpenter',
      repository: KARPENTER_CHART_REPOSITORY,
      skipCrds: true,
      values: controllerValues(cluster.clusterName, this.interruptionQueue.queue.queueName, props.systemNodeTaints ?? []),
    });
    this.chart.node.addDependency(this.crdChart, association, policy, nodeAccess, this.interruptionQueue, ...props.systemNodes);

    this.nodeClass = buildNodeClass({
      amiFamily: config.amiFamily,
      amiVersion: config.amiVersion,
      nodeRoleName: this.nodeRole.roleName,
      subnetSelectorTerms,
      securityGroupSelectorTerms,
    });
    this.nodePools = config.nodePools.map(buildNodePool);
    const apply = (id: string, object: EC2NodeClass | NodePool) =>
      new eks.KubernetesManifest(cluster, id, { cluster, manifest: [object as unknown as Record<string, unknown>], overwrite: true });
    this.nodeClassManifest = apply('KarpenterNodeClass', this.nodeClass);
    this.nodeClassManifest.node.addDependency(this.chart);
    // One manifest per pool, its id from the pool's name: a pool removed from karpenterNodePools (or renamed) is
    // a resource CloudFormation deletes, so `kubectl delete` removes it and Karpenter drains its nodes. In one
    // shared manifest it would stay: `kubectl apply --prune` does not prune custom resources by default.
    const poolManifests = new Map<string, eks.KubernetesManifest>();
    for (const pool of this.nodePools) {
      const manifest = apply(`KarpenterNodePool-${pool.metadata.name}`, pool);
      manifest.node.addDependency(this.nodeClassManifest);
      poolManifests.set(pool.metadata.name, manifest);
    }
    this.nodePoolManifests = poolManifests;
  }
}

/**
 * Chart values (charts/karpenter/values.yaml of the version installed): two replicas on different managed
 * nodes, never on a node Karpenter launched (it would manage its own host), interruption handling on.
 */
function controllerValues(clusterName: string, queueName: string, taints: readonly NodeTaint[]): Record<string, unknown> {
  const tolerations = new Map<string, Record<string, string>>([['CriticalAddonsOnly', { key: 'CriticalAddonsOnly', operator: 'Exists' }]]);
  for (const t of taints) {
    tolerations.set(`${t.key}=${t.value ?? ''}:${t.effect}`, t.value === undefined
      ? { key: t.key, operator: 'Exists', effect: t.effect }
      : { key: t.key, operator: 'Equal', value: t.value, effect: t.effect });
  }
  return {
    replicas: 2,
    serviceAccount: { name: KARPENTER_SERVICE_ACCOUNT },
    settings: { clusterName, interruptionQueue: queueName },
    controller: { resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '1Gi' } } },
    // The chart's default (CriticalAddonsOnly), and the node groups' own taints.
    tolerations: [...tolerations.values()],
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{
            matchExpressions: [
              { key: 'eks.amazonaws.com/nodegroup', operator: 'Exists' },
              { key: 'karpenter.sh/nodepool', operator: 'DoesNotExist' },
            ],
          }],
        },
      },
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [{
          topologyKey: 'kubernetes.io/hostname',
          labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'karpenter' } },
        }],
      },
    },
  };
}

/** The reference policy's wildcards, each acknowledged with why it cannot be narrower. */
function acknowledgeControllerWildcards(policy: iam.Policy): void {
  const ack = (resource: string, reason: string) => Validations.of(policy).acknowledge({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason });
  const regional = (r: string) => `arn:<AWS::Partition>:ec2:<AWS::Region>:*:${r}/*`;
  const created = 'Instances, fleets, volumes, ENIs, launch templates and spot requests get their ids at creation; the statement requires this cluster\'s eks:eks-cluster-name tag on the request or on the resource.';
  for (const r of ['fleet', 'instance', 'volume', 'network-interface', 'launch-template', 'spot-instances-request']) ack(regional(r), created);
  ack('arn:<AWS::Partition>:ec2:<AWS::Region>::image/*', 'Karpenter launches the EKS-optimized AMI its node class resolves; AMI ids change with every release.');
  ack('arn:<AWS::Partition>:ec2:<AWS::Region>::snapshot/*', 'The snapshots behind those AMIs, likewise not known in advance.');
  ack(regional('security-group'), 'RunInstances names the security groups the node class selects; launching is still limited to tagged instances.');
  ack(regional('subnet'), 'RunInstances names the subnets the node class selects; launching is still limited to tagged instances.');
  ack(regional('capacity-reservation'), 'Karpenter may launch into capacity reservations its node class selects.');
  ack(regional('placement-group'), 'Karpenter may launch into placement groups its node class selects.');
  ack('arn:<AWS::Partition>:iam::<AWS::AccountId>:instance-profile/*', 'Karpenter creates one instance profile per node class with a generated name; creation and changes require this cluster\'s tags.');
  ack('arn:<AWS::Partition>:ssm:<AWS::Region>::parameter/aws/service/*', 'Public AWS parameters only (EKS-optimized AMI ids), read-only.');
  ack('*', 'Describe calls (region-restricted by condition), pricing:GetProducts and iam:ListInstanceProfiles have no resource-level permissions.');
}
