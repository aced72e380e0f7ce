import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Annotations, Aws, CfnOutput, CfnResource, RemovalPolicy, Stack, StackProps, Token, Validations } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ARCHITECTURES, ARCHITECTURE_INFO } from './config/architectures';
import {
  AL2_END_OF_SUPPORT,
  AMAZON_LINUX_2_END_OF_SUPPORT,
  LAST_AL2_KUBERNETES_VERSION,
  findKubernetesVersion,
  isoDay,
  supportPhase,
  versionAboveTable,
} from './config/kubernetes-versions';
import { KARPENTER_AMI_MAX_AGE_DAYS, KarpenterConfig, karpenterAmiPublished } from './config/karpenter-config';
import { clusterArchitectures } from './config/project-config';
import { ClusterConfig, GitLabConfig } from './config/types';
import { minorAbove } from './config/version-step';
import { priceTableFor } from './cost/prices';
import { ArchGuard } from './constructs/arch-guard/arch-guard';
import { ClusterAdminAccess } from './constructs/cluster-admin-access';
import { GitLabDeployRole } from './constructs/gitlab-deploy-role';
import { ImageRepository } from './constructs/image-repository';
import { AutoModeNodePools, AutoModeNodeRole } from './constructs/auto-mode/auto-mode';
import { Karpenter } from './constructs/karpenter/karpenter';
import { ManagedAddons } from './constructs/managed-addons';
import { applyPermissionsBoundary } from './security/permissions-boundary';
import { MixedArchNodeGroups, nodeGroupAmiType } from './constructs/node-groups';

export interface MixedArchEksStackProps extends StackProps {
  /** The validated cluster configuration (see resolveProjectConfig). */
  readonly config: ClusterConfig;
  /**
   * The namespace the workloads run in: the GitLab deploy role may edit it, and nothing else.
   * @default 'default'
   */
  readonly workloadNamespace?: string;
  /**
   * The Kubernetes objects of the workloads (the charts `cdk8s synth` writes to dist/), built by the caller so
   * that lib/ never loads k8s/. Called only when the stack applies some: every chart with `deployWorkloads`,
   * the namespace alone when the GitLab pipeline deploys into a namespace of its own.
   * @default - none; `deployWorkloads` then fails
   */
  readonly workloadManifests?: () => WorkloadManifests;
  /**
   * The date of the synth: it decides the support phase the warnings name.
   * @default - today
   */
  readonly date?: Date;
}

/** A version whose standard support ends within this many days gets a synth warning. */
const SUPPORT_ENDING_WARNING_DAYS = 30;

const ALL_LOG_TYPES = [
  eks.ClusterLoggingTypes.API,
  eks.ClusterLoggingTypes.AUDIT,
  eks.ClusterLoggingTypes.AUTHENTICATOR,
  eks.ClusterLoggingTypes.CONTROLLER_MANAGER,
  eks.ClusterLoggingTypes.SCHEDULER,
];

/** One EKS cluster with Graviton and x86_64 managed node groups, and the ECR repository for its images. */
/** One chart's Kubernetes objects, as `Chart.toJson()` returns them. */
export interface KubernetesObjects {
  /** The chart's id: the manifest is `Workload-<id>` in the stack. */
  readonly id: string;
  readonly objects: readonly Record<string, unknown>[];
}

/** What the stack may apply to the cluster. */
export interface WorkloadManifests {
  /** The workloads' namespace: applied first and kept on delete. Undefined for `default`. */
  readonly namespace?: KubernetesObjects;
  /** The workloads themselves. */
  readonly workloads: readonly KubernetesObjects[];
}

export class MixedArchEksStack extends Stack {
  readonly cluster: eks.Cluster;
  readonly nodeGroups: MixedArchNodeGroups;
  readonly addons: ManagedAddons;
  readonly imageRepository: ImageRepository;
  /** The arch-guard image's repository: present whether the webhook is on or not, so its image can be pushed first. */
  readonly archGuardRepository: ImageRepository;
  readonly adminAccess: ClusterAdminAccess;
  /** Present when `gitlabProject` is configured. */
  readonly gitlabDeployRole?: GitLabDeployRole;
  /** Present with `autoscaler=karpenter`. */
  readonly karpenter?: Karpenter;
  /** The role of Auto Mode's nodes, present with `autoscaler=auto-mode`. */
  readonly autoModeNodeRole?: AutoModeNodeRole;
  /** Auto Mode's NodePools, present with `autoscaler=auto-mode`. */
  readonly autoModeNodePools?: AutoModeNodePools;
  /** Present with `archGuard=true`. */
  readonly archGuard?: ArchGuard;

  constructor(scope: Construct, id: string, props: MixedArchEksStackProps) {
    super(scope, id, props);
    // Every IAM role below, aws-eks-v2's own included, carries the boundary the execution policy requires.
    applyPermissionsBoundary(this);
    const config = props.config;
    this.warnAboutCostAndExposure(config, props.date ?? new Date());

    const vpc = config.vpcId
      ? ec2.Vpc.fromLookup(this, 'Vpc', { vpcId: config.vpcId })
      : this.createVpc(config);

    const secretsKey = new kms.Key(this, 'SecretsKey', {
      description: 'Envelope encryption of Kubernetes secrets',
      enableKeyRotation: true,
      // Kept when the stack is deleted (secrets in backups stay readable), but not after a failed first create.
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });

    // EKS writes control-plane logs to this group and would create it without a retention if it did not
    // exist first: with a fixed cluster name the group is made before the cluster. A cluster without one (created
    // before clusterName existed) keeps the group EKS made; docs/upgrades.md sets its retention.
    const controlPlaneLogs = config.clusterName === undefined ? undefined : new logs.LogGroup(this, 'ControlPlaneLogs', {
      logGroupName: `/aws/eks/${config.clusterName}/cluster`,
      retention: config.controlPlaneLogRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });

    // The pipeline's access entry is namespace-scoped edit, which cannot create a namespace (only cluster
    // admin can; EKS user guide, "Associate access policies with access entries": the namespaces must exist).
    // So when the pipeline deploys into a namespace of its own, the stack creates it.
    const workloadNamespace = props.workloadNamespace ?? 'default';
    const pipelineNamespace = config.gitlab !== undefined && !config.deployWorkloads && workloadNamespace !== 'default';
    this.autoModeNodeRole = config.autoMode ? new AutoModeNodeRole(this, 'AutoModeNodeRole') : undefined;

    this.cluster = new eks.Cluster(this, 'Cluster', {
      clusterName: config.clusterName,
      version: eks.KubernetesVersion.of(config.kubernetesVersion),
      vpc,
      vpcSubnets: [{ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }],
      // The managed node groups always. With autoscaler=auto-mode, EKS Auto Mode beside them: only its built-in
      // `system` pool (arm64 and amd64, tainted CriticalAddonsOnly) and our NodePools; never `general-purpose`,
      // which is amd64 only and would take unpinned pods away from Graviton. Switching on or off updates the
      // cluster in place: ComputeConfig, KubernetesNetworkConfig.ElasticLoadBalancing and
      // StorageConfig.BlockStorage are "Update requires: No interruption" (CloudFormation AWS::EKS::Cluster
      // reference), and aws-eks-v2 flips all three together, as EKS requires.
      ...(this.autoModeNodeRole
        ? { defaultCapacityType: eks.DefaultCapacityType.AUTOMODE, compute: { nodePools: ['system'], nodeRole: this.autoModeNodeRole.role } }
        : { defaultCapacityType: eks.DefaultCapacityType.NODEGROUP, defaultCapacity: 0 }),
      endpointAccess: config.endpointAccess === 'private'
        ? eks.EndpointAccess.PRIVATE
        : eks.EndpointAccess.PUBLIC_AND_PRIVATE.onlyFrom(...config.publicAccessCidrs),
      secretsEncryptionKey: secretsKey,
      clusterLogging: ALL_LOG_TYPES,
      bootstrapClusterCreatorAdminPermissions: false,
      outputConfigCommand: false,
      // bootstrapSelfManagedAddons is left out, so EKS keeps its default (true): it installs self-managed
      // vpc-cni, kube-proxy and CoreDNS at creation, and ManagedAddons takes them over (ResolveConflicts
      // OVERWRITE) in the same deploy. Setting it to false would skip that short-lived copy, but the property
      // only acts at creation and CloudFormation replaces the cluster when it changes (CloudFormation
      // AWS::EKS::Cluster reference; aws-eks-v2 TSDoc: "will result in the cluster being replaced"): every
      // cluster deployed from this stack so far would be deleted and recreated, with its workloads, endpoint
      // and certificate. Even writing the default (true) explicitly is a property change CloudFormation may
      // treat as a replacement, so the property stays absent (a test checks it).
      // kubectl runs in a Lambda function, so it exists only when the stack applies manifests or Helm charts.
      kubectlProviderOptions: config.deployWorkloads || pipelineNamespace || config.autoscaler !== 'none' || config.archGuard.enabled
        ? { kubectlLayer: loadKubectlLayerFor()(this, config.kubernetesVersion) }
        : undefined,
    });
    if (controlPlaneLogs) this.cluster.node.addDependency(controlPlaneLogs);
    // aws-eks-v2 has no prop for the upgrade policy. Setting, changing or removing it is "Update requires: No
    // interruption" (CloudFormation AWS::EKS::Cluster UpgradePolicy reference): an existing cluster takes it in place.
    if (config.supportType) {
      (this.cluster.node.defaultChild as CfnResource).addPropertyOverride('UpgradePolicy', { SupportType: config.supportType });
    }
    Validations.of(this.cluster.role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonEKSClusterPolicy]',
      reason: 'The EKS service role needs AmazonEKSClusterPolicy; AWS maintains it with what the control plane calls.',
    });
    if (this.autoModeNodeRole) AutoModeNodeRole.acknowledgeClusterPolicies(this.cluster.role);
    Validations.of(this.cluster).acknowledge({
      id: 'CloudFormation-Validate::W9009',
      reason: 'aws-eks-v2 writes EncryptionConfig Resources ["secrets"]; EKS still accepts it and secrets are encrypted with our key.',
    });

    this.adminAccess = new ClusterAdminAccess(this, 'AdminAccess', {
      cluster: this.cluster,
      adminPrincipalArns: config.adminPrincipalArns,
    });
    this.addons = new ManagedAddons(this, 'Addons', { cluster: this.cluster });
    this.nodeGroups = new MixedArchNodeGroups(this, 'NodeGroups', {
      cluster: this.cluster,
      kubernetesVersion: config.kubernetesVersion,
      nodeGroups: config.nodeGroups,
    });
    this.addons.nodesNeedAddons(...this.nodeGroups.nodegroups.values());
    // On a cluster deployed before the CNI moved to Pod Identity, the node role loses AmazonEKS_CNI_Policy only
    // after the vpc-cni add-on holds its Pod Identity association (see docs/upgrades.md, "Upgrading a cluster deployed before the managed add-ons").
    this.nodeGroups.role.node.addDependency(this.addons.vpcCni);
    if (config.karpenter) {
      this.karpenter = this.addKarpenter(config.karpenter, vpc, !config.vpcId, config);
      this.warnAboutStaleAmi(config.karpenter, props.date ?? new Date());
    }
    if (config.autoMode) this.autoModeNodePools = new AutoModeNodePools(this, 'AutoMode', { cluster: this.cluster, config: config.autoMode });
    // The pipeline deploys the commit tag, immutable here. `latest` moves with the default branch; the per-architecture
    // tags the native builds push (`<commit>-amd64`) move when a build job is retried: the index under the commit
    // tag pins their digests, so moving them changes nothing that runs (.gitlab-ci.yml). arch-guard's repository alike.
    const mutableTags = ['latest', ...ARCHITECTURES.map((arch) => `*-${arch}`)];
    this.imageRepository = new ImageRepository(this, 'PrintPlatformInfoImages', { repositoryName: config.ecrRepositoryName, mutableTags });
    this.archGuardRepository = new ImageRepository(this, 'ArchGuardImages', { repositoryName: config.archGuard.repositoryName, mutableTags });
    if (config.archGuard.enabled) this.archGuard = this.addArchGuard(config);
    if (config.deployWorkloads || pipelineNamespace) {
      if (!props.workloadManifests) throw new Error('MixedArchEksStack: deployWorkloads and a GitLab namespace need props.workloadManifests');
      this.applyManifests(props.workloadManifests(), config.deployWorkloads);
    }
    if (this.cluster.kubectlProvider) {
      this.acknowledgeKubectlProvider();
      this.keepKubectlLogsLikeOurs();
    }
    if (config.gitlab) this.gitlabDeployRole = this.createGitLabDeployRole(config.gitlab, workloadNamespace);

    this.addOutputs(config);
  }

  /**
   * Applies the namespace and, with `workloads`, every
   * chart, after the node groups (pods applied before any node exists would only wait) and the namespace.
   * `overwrite`: a create that finds the objects (a retry, or dist/ applied by hand) applies over them instead of
   * failing on `kubectl create`. Same scope and ids as `addCdk8sChart`, which takes no `overwrite`.
   */
  private applyManifests(manifests: WorkloadManifests, workloads: boolean): void {
    const apply = ({ id, objects }: KubernetesObjects, prune = true) =>
      new eks.KubernetesManifest(this.cluster, `Workload-${id}`, { cluster: this.cluster, manifest: [...objects], overwrite: true, prune });
    // Deleting a namespace deletes everything in it, so one the stack stops managing is left in the cluster:
    // not pruned when `namespace` changes (an update of this manifest would otherwise `kubectl apply --prune` the
    // old one away), and kept on `cdk destroy`; a failed first create still removes it (RetainExceptOnCreate).
    const namespace = manifests.namespace ? apply(manifests.namespace, false) : undefined;
    if (namespace) (namespace.node.defaultChild as CfnResource).applyRemovalPolicy(RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE);
    if (!workloads) return;
    for (const chart of manifests.workloads) {
      const manifest = apply(chart);
      for (const group of this.nodeGroups.nodegroups.values()) manifest.node.addDependency(group);
      if (namespace) manifest.node.addDependency(namespace);
    }
  }

  private addKarpenter(karpenter: KarpenterConfig, vpc: ec2.IVpc, ownVpc: boolean, config: ClusterConfig): Karpenter {
    return new Karpenter(this, 'Karpenter', {
      cluster: this.cluster,
      config: karpenter,
      privateSubnets: vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }).subnets,
      tagSubnets: ownVpc,
      podIdentityAgent: this.addons.podIdentityAgent,
      systemNodes: [...this.nodeGroups.nodegroups.values()],
      systemNodeTaints: config.nodeGroups.flatMap((g) => g.taints),
    });
  }

  private addArchGuard(config: ClusterConfig): ArchGuard {
    const { image } = config.archGuard;
    if (image === undefined) throw new Error('MixedArchEksStack: archGuard needs an image (the config refuses archGuard=true without archGuardImage)');
    return new ArchGuard(this, 'ArchGuard', {
      cluster: this.cluster,
      config: { ...config.archGuard, image },
      architectures: clusterArchitectures(config),
      podIdentityAgent: this.addons.podIdentityAgent,
      nodes: [...this.nodeGroups.nodegroups.values()],
    });
  }

  /**
   * A warning, never an error, when the pinned AMI release of Karpenter's nodes is old: the synth still succeeds
   * (a deploy may be urgent), and the date decides only whether the line is printed.
   */
  private warnAboutStaleAmi(karpenter: KarpenterConfig, date: Date): void {
    const published = karpenterAmiPublished(karpenter.amiFamily, karpenter.amiVersion);
    if (published === undefined) return;
    const age = Math.round((Date.parse(isoDay(date)) - Date.parse(published)) / 86_400_000);
    if (age <= KARPENTER_AMI_MAX_AGE_DAYS) return;
    Annotations.of(this).addWarningV2('mixed-arch-eks:karpenter-ami-age',
      `Karpenter's nodes run ${karpenter.amiFamily}@${karpenter.amiVersion}, published ${published} (${age} days before ${isoDay(date)}, more than ${KARPENTER_AMI_MAX_AGE_DAYS}): ` +
      'they miss every later security patch, and node expiry replaces them onto the same image. ' +
      'Set karpenterAmiVersion to the newest release and deploy; Karpenter replaces its nodes one at a time (docs/upgrades.md, "Monthly node patching").');
  }

  /**
   * aws-eks-v2's kubectl provider makes two log groups (its handler's and the provider framework's) with
   * DeletionPolicy Retain and two years' retention: a rolled-back first create and every destroy leave them
   * behind (the functions' generated names differ on the next create, so nothing ever reuses them). Give them what the
   * stack's own log groups have: RetainExceptOnCreate (kept on delete for the post-mortem of a failed teardown,
   * removed with a rolled-back first create) and a month's retention. Both properties update in place.
   */
  private keepKubectlLogsLikeOurs(): void {
    const provider = this.cluster.kubectlProvider as unknown as Construct;
    for (const group of provider.node.findAll().filter((c): c is logs.CfnLogGroup => c instanceof logs.CfnLogGroup)) {
      group.applyRemovalPolicy(RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE);
      group.retentionInDays = logs.RetentionDays.ONE_MONTH;
    }
  }

  private acknowledgeKubectlProvider(): void {
    // The kubectl provider is aws-eks-v2's own construct: its roles use AWS managed Lambda policies.
    const provider = this.cluster.kubectlProvider as unknown as Construct;
    const managed = (path: string) => `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${path}]`;
    Validations.of(provider).acknowledge(
      { id: managed('service-role/AWSLambdaBasicExecutionRole'), reason: 'The kubectl provider Lambdas of aws-eks-v2 write their logs with the AWS managed basic execution policy.' },
      { id: managed('service-role/AWSLambdaVPCAccessExecutionRole'), reason: 'The kubectl handler of aws-eks-v2 runs in the VPC to reach a private endpoint and needs ENI permissions.' },
      { id: managed('AmazonEC2ContainerRegistryReadOnly'), reason: 'aws-eks-v2 lets the kubectl handler read ECR for Helm charts stored there.' },
      { id: 'AwsSolutions-IAM4[Policy::{"Fn::If":["ClusterKubectlProviderHandlerHasEcrPublic69E09706",{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":iam::aws:policy/AmazonElasticContainerRegistryPublicReadOnly"]]},{"Ref":"AWS::NoValue"}]}]', reason: 'aws-eks-v2 grants ECR Public read in regions that have it, for public Helm charts.' },
      { id: 'AwsSolutions-IAM5[Resource::<ClusterKubectlProviderHandler2E05C68A.Arn>:*]', reason: 'The provider framework invokes every version of its own handler function, and nothing else.' },
      { id: 'AwsSolutions-L1', reason: 'aws-eks-v2 pins the kubectl handler runtime to what its kubectl layer is built for; it moves with aws-cdk-lib.' },
    );
  }

  private createGitLabDeployRole(gitlab: GitLabConfig, namespace: string): GitLabDeployRole {
    const wildcards = gitlab.branches.filter((b) => b.includes('*'));
    if (wildcards.length > 0) {
      Annotations.of(this).addWarningV2('mixed-arch-eks:gitlab-branch-wildcard',
        `gitlabBranches ${wildcards.join(', ')} match branches by pattern: every branch they match can deploy, so protect ` +
        'the same pattern in GitLab (Settings > Repository > Protected branches), or anyone who can push a matching branch can deploy.');
    }
    const deployRole = new GitLabDeployRole(this, 'GitLabDeployRole', {
      gitlabUrl: gitlab.url,
      project: gitlab.project,
      branches: gitlab.branches,
      repository: this.imageRepository.repository,
      additionalRepositories: [this.archGuardRepository.repository],
      clusterArn: this.cluster.clusterArn,
      provider: gitlab.oidcProviderArn
        ? iam.OidcProviderNative.fromOidcProviderArn(this, 'GitLabOidcProvider', gitlab.oidcProviderArn)
        : undefined,
    });
    // The pipeline applies dist/ with kubectl: edit rights in the workloads' namespace, nothing cluster-wide.
    this.cluster.grantAccess('GitLabDeployAccess', deployRole.role.roleArn, [
      eks.AccessPolicy.fromAccessPolicyName('AmazonEKSEditPolicy', { accessScopeType: eks.AccessScopeType.NAMESPACE, namespaces: [namespace] }),
    ]);
    new CfnOutput(this, 'GitLabDeployRoleArn', {
      value: deployRole.role.roleArn,
      description: `Set as AWS_DEPLOY_ROLE_ARN in GitLab (${gitlab.project})`,
    });
    return deployRole;
  }

  private createVpc(config: ClusterConfig): ec2.Vpc {
    const vpc = new ec2.Vpc(this, 'Vpc', {
      ...(config.availabilityZones ? { availabilityZones: [...config.availabilityZones] } : { maxAzs: 2 }),
      natGateways: config.natGateways,
      // Restricting the default security group takes a custom-resource Lambda; nothing here uses that group.
      restrictDefaultSecurityGroup: false,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        // Large private subnets: the VPC CNI gives every pod a VPC address.
        { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 19 },
      ],
    });
    // ECR serves image layers from S3: through a gateway endpoint (free) the nodes' pulls skip the NAT gateway and
    // its per-GB data processing charge. Routes in the private subnets' route tables only; a new resource, so an
    // existing VPC takes it in place.
    vpc.addGatewayEndpoint('S3', {
      service: ec2.GatewayVpcEndpointAwsService.S3,
      subnets: [{ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }],
    });
    // Rejected traffic only: what a security review needs, at a fraction of the cost of logging all of it.
    vpc.addFlowLog('RejectedTraffic', {
      trafficType: ec2.FlowLogTrafficType.REJECT,
      destination: ec2.FlowLogDestination.toCloudWatchLogs(new logs.LogGroup(this, 'FlowLogs', {
        retention: logs.RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      })),
    });
    return vpc;
  }

  private warnAboutCostAndExposure(config: ClusterConfig, date: Date): void {
    const support = findKubernetesVersion(config.kubernetesVersion);
    const phase = support ? supportPhase(support, date) : undefined;
    // Prices only from the table of the stack's own region; an environment-agnostic stack has none at synth.
    const prices = priceTableFor(Token.isUnresolved(this.region) ? undefined : this.region);
    if (support && phase === 'extended') {
      const cost = prices
        ? `$${prices.eksExtendedSupportHourly.toFixed(2)} instead of $${prices.eksStandardSupportHourly.toFixed(2)} per cluster-hour ` +
          `(+$${((prices.eksExtendedSupportHourly - prices.eksStandardSupportHourly) * prices.hoursPerMonth).toFixed(2)}/month; ${prices.region} prices of ${prices.date})`
        : 'the extended-support rate per cluster-hour, several times the standard rate (`npm run cost -- --region <region>` prints it)';
      Annotations.of(this).addWarningV2('mixed-arch-eks:extended-support',
        `Kubernetes ${config.kubernetesVersion} is in extended support until ${support.endOfExtendedSupport}: the control plane bills ${cost}. ` +
        'After that date EKS upgrades the control plane itself. Upgrade one minor version per deploy: ' +
        `set "kubernetesVersion": "${minorAbove(config.kubernetesVersion)}" in cdk.json and deploy.`);
    } else if (support && phase === 'standard') {
      const daysLeft = Math.round((Date.parse(support.endOfStandardSupport) - Date.parse(isoDay(date))) / 86_400_000);
      if (daysLeft <= SUPPORT_ENDING_WARNING_DAYS) {
        Annotations.of(this).addWarningV2('mixed-arch-eks:standard-support-ending',
          `Kubernetes ${config.kubernetesVersion} leaves standard support after ${support.endOfStandardSupport} (${daysLeft} days): ` +
          'from the next day the control plane bills at the extended-support rate. Upgrade one minor version per deploy: ' +
          `set "kubernetesVersion": "${minorAbove(config.kubernetesVersion)}" in cdk.json and deploy.`);
      }
    }
    if (!support && config.kubernetesVersion === versionAboveTable()) {
      Annotations.of(this).addWarningV2('mixed-arch-eks:kubernetes-version-dates-unknown',
        `Kubernetes ${config.kubernetesVersion} is one minor version above the newest in this project's table (lib/config/kubernetes-versions.ts): ` +
        'its EKS release and end-of-support dates are not known here, so synth cannot warn when it leaves standard support or what extended support costs. ' +
        'Check the EKS user guide\'s Kubernetes release calendar, and that EKS offers it in your region, before you deploy.');
    }
    const al2Groups = config.nodeGroups.filter((g) => g.amiFamily === 'AL2').map((g) => g.name);
    if (al2Groups.length > 0) {
      const lastAl2 = findKubernetesVersion(LAST_AL2_KUBERNETES_VERSION);
      Annotations.of(this).addWarningV2('mixed-arch-eks:al2-end-of-support',
        `Node groups ${al2Groups.join(', ')} run Amazon Linux 2, whose EKS AMIs reached end of support on ${AL2_END_OF_SUPPORT} ` +
        `and which itself reached end of support on ${AMAZON_LINUX_2_END_OF_SUPPORT}: no more security patches. ` +
        `Kubernetes ${LAST_AL2_KUBERNETES_VERSION} is the last version with AL2 AMIs; its extended support ends on ${lastAl2?.endOfExtendedSupport}, ` +
        'after which EKS upgrades the control plane itself to a version for which no AL2 node AMIs exist. ' +
        `Switch by setting two keys in cdk.json and deploying: "amiFamily": "AL2023" and "kubernetesVersion": "${minorAbove(config.kubernetesVersion)}" ` +
        `(one minor version above the ${config.kubernetesVersion} the cluster runs: EKS upgrades one minor version per deploy), then one minor version per deploy (docs/upgrades.md).`);
    }
    if (config.endpointAccess !== 'private' && config.publicAccessCidrs.includes('0.0.0.0/0')) {
      Annotations.of(this).addWarningV2('mixed-arch-eks:open-endpoint',
        'The Kubernetes API endpoint accepts connections from anywhere (publicAccessCidrs 0.0.0.0/0). ' +
        'Restrict it with -c publicAccessCidrs=203.0.113.0/24,... or use -c endpointAccess=private.');
    }
    if (config.adminPrincipalArns.length === 0) {
      // The created role trusts the account root: in IAM that delegates the decision to the account's own policies,
      // so any principal whose policy allows sts:AssumeRole on it (or on *) is cluster admin (IAM user guide,
      // "Specifying a principal": AWS account principals). Kept for clusters deployed that way; new ones name theirs.
      Annotations.of(this).addWarningV2('mixed-arch-eks:account-wide-admin',
        'No adminPrincipalArns: the stack creates AdminRole, and every principal of this account allowed sts:AssumeRole on it ' +
        '(any policy with sts:AssumeRole on *) becomes cluster admin. Name your admins with ' +
        '-c adminPrincipalArns=arn:aws:iam::123456789012:role/PlatformAdmin,... (on a running cluster include the role you use now: ' +
        'that deploy adds their access entries and removes AdminRole and its entry).');
    }
  }

  private addOutputs(config: ClusterConfig): void {
    new CfnOutput(this, 'ClusterName', { value: this.cluster.clusterName, description: 'EKS cluster name' });
    const roleArg = this.adminAccess.adminRole ? ` --role-arn ${this.adminAccess.adminRole.roleArn}` : '';
    new CfnOutput(this, 'KubeconfigCommand', {
      value: `aws eks update-kubeconfig --name ${this.cluster.clusterName} --region ${Aws.REGION}${roleArg}`,
      description: 'Writes a kubeconfig entry for this cluster',
    });
    if (this.adminAccess.adminRole) {
      new CfnOutput(this, 'AdminRoleArn', { value: this.adminAccess.adminRole.roleArn, description: 'Assume this role for cluster admin' });
    }
    for (const group of config.nodeGroups) {
      new CfnOutput(this, `NodeGroup${pascal(group.name)}`, {
        value: `${group.name}: ${ARCHITECTURE_INFO[group.arch].displayName}, ${nodeGroupAmiType(group)}, ` +
          `${group.instanceTypes.join('/')} ${group.capacityType}, ${group.minSize}-${group.maxSize} nodes`,
        description: `Node group ${group.name} and its architecture`,
      });
    }
    new CfnOutput(this, 'EcrRepositoryUri', {
      value: this.imageRepository.repository.repositoryUri,
      description: 'Push the print-platform-info image here',
    });
    new CfnOutput(this, 'ArchGuardRepositoryUri', {
      value: this.archGuardRepository.repository.repositoryUri,
      description: 'Push the arch-guard image here (CI/CD variable ARCH_GUARD_REPOSITORY_URI)',
    });
  }
}

/** The kubectl layers, loaded only when the stack needs kubectl (each layer package is large). */
function loadKubectlLayerFor() {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('./constructs/kubectl-layer') as typeof import('./constructs/kubectl-layer')).kubectlLayerFor;
}

function pascal(name: string): string {
  return name.split(/[-_]/).map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join('');
}
