import { Architecture } from './architectures';

export const AMI_FAMILIES = ['AL2', 'AL2023', 'BOTTLEROCKET'] as const;
/** The node operating system: EKS-optimized Amazon Linux 2, Amazon Linux 2023, or Bottlerocket. */
export type AmiFamily = (typeof AMI_FAMILIES)[number];

export const CAPACITY_TYPES = ['on-demand', 'spot'] as const;
export type CapacityType = (typeof CAPACITY_TYPES)[number];

export const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;
export type TaintEffect = (typeof TAINT_EFFECTS)[number];

export const ENDPOINT_ACCESS_MODES = ['public-and-private', 'private'] as const;
export type EndpointAccessMode = (typeof ENDPOINT_ACCESS_MODES)[number];

export interface NodeTaint {
  readonly key: string;
  readonly value?: string;
  readonly effect: TaintEffect;
}

/** One managed node group, validated, with every default resolved. */
export interface NodeGroupConfig {
  readonly name: string;
  readonly arch: Architecture;
  readonly instanceTypes: readonly string[];
  readonly amiFamily: AmiFamily;
  readonly capacityType: CapacityType;
  readonly minSize: number;
  readonly desiredSize: number;
  readonly maxSize: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly NodeTaint[];
}

export interface GitLabConfig {
  /** `group/project` path of the GitLab project whose pipelines may deploy. */
  readonly project: string;
  /** An IAM OIDC provider for `url` that already exists in the account (IAM allows one per URL); else one is created. */
  readonly oidcProviderArn?: string;
  /** GitLab instance URL, the OIDC issuer, without a trailing slash. */
  readonly url: string;
  /** Protected branches whose pipelines may assume the deploy role; `*` is a wildcard as in GitLab. */
  readonly branches: readonly string[];
}

/** The arch-guard admission webhook in the stack (`archGuard` and its keys; docs/arch-guard.md, "Deploying arch-guard"). */
export interface ArchGuardConfig {
  /** `archGuard`: apply the webhook, its server and its TLS to the cluster. Off until its image is pushed and checked. */
  readonly enabled: boolean;
  /** The server's image, pinned (a tag other than latest, or a digest): `ARCH_GUARD_IMAGE` wins over `archGuardImage`. */
  readonly image?: string;
  /** Weight (1-100) of the preferred arm64 node affinity the webhook adds when a pod's images allow arm64. */
  readonly arm64Weight: number;
  /** A docker-registry Secret in the arch-guard namespace with credentials for private registries other than ECR. */
  readonly registrySecret?: string;
  /** The ECR repository the pipeline pushes the arch-guard image to; it exists whether the webhook is on or not. */
  readonly repositoryName: string;
}

/** EKS upgrade policies (AWS::EKS::Cluster UpgradePolicy.SupportType, CloudFormation reference). */
export const SUPPORT_TYPES = ['STANDARD', 'EXTENDED'] as const;
export type SupportType = (typeof SUPPORT_TYPES)[number];

export interface ClusterConfig {
  /**
   * The EKS cluster name. Fixed, so that the stack can create its control-plane log group (with a retention)
   * before the cluster; undefined for a cluster created before this key existed, whose generated name must stay
   * (CloudFormation replaces a cluster whose Name changes), and whose log group EKS made.
   */
  readonly clusterName?: string;
  /** Days CloudWatch keeps the control-plane logs (`/aws/eks/<clusterName>/cluster`); only with `clusterName`. */
  readonly controlPlaneLogRetentionDays: number;
  readonly amiFamily: AmiFamily;
  readonly kubernetesVersion: string;
  /**
   * The cluster's upgrade policy at the end of standard support (`supportType`): EXTENDED stays on the version
   * in paid extended support, STANDARD lets EKS upgrade the control plane to the next minor version.
   * @default undefined: the template sets none, and EKS applies its own default (EXTENDED)
   */
  readonly supportType?: SupportType;
  readonly nodeGroups: readonly NodeGroupConfig[];
  /** Existing VPC to use; a new one is created when undefined. */
  readonly vpcId?: string;
  readonly natGateways: number;
  /** Zones of the new VPC; undefined for the first two of the region. Pins the stack to their region. */
  readonly availabilityZones?: readonly string[];
  readonly endpointAccess: EndpointAccessMode;
  /** CIDRs allowed to reach the public endpoint; empty for a private endpoint. */
  readonly publicAccessCidrs: readonly string[];
  /** Principals given cluster admin; empty means the stack creates an admin role. */
  readonly adminPrincipalArns: readonly string[];
  readonly ecrRepositoryName: string;
  readonly deployWorkloads: boolean;
  readonly gitlab?: GitLabConfig;
  /** What scales the cluster (`autoscaler`); `none` leaves the node groups at their desired size. */
  readonly autoscaler: Autoscaler;
  /** Present when `autoscaler` is `karpenter`. */
  readonly karpenter?: KarpenterConfig;
  /** Present when `autoscaler` is `auto-mode`. */
  readonly autoMode?: AutoModeConfig;
  /** The arch-guard admission webhook (`archGuard` and its keys) and its image repository. */
  readonly archGuard: ArchGuardConfig;
}

/** The workloads the cdk8s app can synthesize, in the order of their files; the `workloads` key chooses among them. */
export const WORKLOAD_NAMES = ['busybox', 'print-platform-info'] as const;
export type WorkloadName = (typeof WORKLOAD_NAMES)[number];

export interface WorkloadConfig {
  /** The workloads to synthesize (and, with deployWorkloads, to apply), in WORKLOAD_NAMES order. */
  readonly selected: readonly WorkloadName[];
  readonly printPlatformInfoImage: string;
  readonly busyboxImage: string;
  readonly namespace: string;
  /** Name of the docker-registry Secret for private registries; empty to never reference one. */
  readonly imagePullSecretName: string;
}

export interface ProjectConfig {
  readonly cluster: ClusterConfig;
  readonly workloads: WorkloadConfig;
}

/**
 * The default of every key but `nodeGroups`, whose only definition is cdk.json (read by every app and tool).
 */
export const CONFIG_DEFAULTS = {
  controlPlaneLogRetentionDays: 90,
  amiFamily: 'AL2' as AmiFamily,
  natGateways: 1,
  endpointAccess: 'public-and-private' as EndpointAccessMode,
  publicAccessCidrs: '0.0.0.0/0',
  ecrRepositoryName: 'print-platform-info',
  gitlabUrl: 'https://gitlab.com',
  gitlabBranches: 'main',
  busyboxImage: 'arm64v8/busybox:1.37.0',
  printPlatformInfoImage: 'registry.gitlab.com/example-group/mixed-arch-eks/print-platform-info:0.1.0',
  namespace: 'default',
  imagePullSecretName: 'registry-credentials',
} as const;

/** The environment variable that overrides the `printPlatformInfoImage` context key. */
export const IMAGE_ENV_VAR = 'PRINT_PLATFORM_INFO_IMAGE';

export const AUTOSCALERS = ['none', 'karpenter', 'auto-mode'] as const;
/**
 * What scales the cluster: nothing (the node groups keep their desired size), Karpenter run by the stack, or EKS
 * Auto Mode (Karpenter and the node agents run by AWS).
 */
export type Autoscaler = (typeof AUTOSCALERS)[number];

/** The node OS of Karpenter's nodes, as its AMI alias names it. */
export type KarpenterAmiFamily = 'al2023' | 'bottlerocket';

/**
 * One NodePool, validated, with every default resolved: an entry of `karpenterNodePools`, which serves Karpenter
 * and EKS Auto Mode alike (both read the `karpenter.sh/v1` NodePool API), so a cluster moves between the two
 * without rewriting its pools.
 */
export interface KarpenterNodePoolConfig {
  readonly name: string;
  /** The architectures its nodes may have (`kubernetes.io/arch In [...]`). */
  readonly arch: readonly Architecture[];
  readonly capacityTypes: readonly CapacityType[];
  /** Total vCPUs the pool may run at once (NodePool `limits.cpu`). */
  readonly cpuLimit: number;
  /** EC2 instance categories (`c`, `m`, `r`...); empty when `instanceFamilies` is given. */
  readonly instanceCategories: readonly string[];
  /** EC2 instance families (`m7g`, `c7i`...); empty to allow every family of the categories. */
  readonly instanceFamilies: readonly string[];
  /** Higher weights are tried first (0-100). */
  readonly weight: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly NodeTaint[];
}

export interface KarpenterConfig {
  readonly version: string;
  readonly nodePools: readonly KarpenterNodePoolConfig[];
  /** The node OS of Karpenter's nodes: AL2023 unless the cluster's `amiFamily` is BOTTLEROCKET (never AL2). */
  readonly amiFamily: KarpenterAmiFamily;
  /** The pinned AMI release: `karpenterAmiVersion`, or the default of `amiFamily`. */
  readonly amiVersion: string;
}

/** EKS Auto Mode: the built-in `system` pool plus one NodePool per `karpenterNodePools` entry. */
export interface AutoModeConfig {
  readonly nodePools: readonly KarpenterNodePoolConfig[];
}
