import { InstanceArchitecture, InstanceClass, InstanceSize, InstanceType } from 'aws-cdk-lib/aws-ec2';
import {
  ARCHITECTURE_ALIASES,
  ARCHITECTURE_INFO,
  ARCHITECTURES,
  Architecture,
  isArchitecture,
} from './architectures';
import { ConfigError, ConfigIssue } from './errors';
import { ImageReferenceError, parseImageReference } from './image-reference';
import {
  EKS_KUBERNETES_VERSIONS,
  LAST_AL2_KUBERNETES_VERSION,
  findKubernetesVersion,
  newestStandardSupportVersion,
} from './kubernetes-versions';

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
  /** GitLab instance URL, the OIDC issuer. */
  readonly url: string;
  /** Protected branches whose pipelines may assume the deploy role (the project's default branch). */
  readonly branches: readonly string[];
}

export interface ClusterConfig {
  readonly amiFamily: AmiFamily;
  readonly kubernetesVersion: string;
  readonly nodeGroups: readonly NodeGroupConfig[];
  /** Existing VPC to use; a new one is created when undefined. */
  readonly vpcId?: string;
  readonly natGateways: number;
  readonly endpointAccess: EndpointAccessMode;
  /** CIDRs allowed to reach the public endpoint; empty for a private endpoint. */
  readonly publicAccessCidrs: readonly string[];
  /** Principals given cluster admin; empty means the stack creates an admin role. */
  readonly adminPrincipalArns: readonly string[];
  readonly ecrRepositoryName: string;
  readonly deployWorkloads: boolean;
  readonly gitlab?: GitLabConfig;
}

export interface WorkloadConfig {
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

/** Reads one context value: `app.node.tryGetContext` in the CDK app, cdk.json in the cdk8s app. */
export type ContextReader = (key: string) => unknown;

/**
 * The default of every key but `nodeGroups`, whose only definition is cdk.json (read by every app and tool).
 */
export const CONFIG_DEFAULTS = {
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

const NODE_GROUP_KEYS = [
  'name', 'arch', 'instanceTypes', 'minSize', 'desiredSize', 'maxSize', 'amiFamily', 'capacityType', 'labels', 'taints',
];
const INSTANCE_FAMILIES: ReadonlySet<string> = new Set(Object.values(InstanceClass));
const INSTANCE_SIZES: ReadonlySet<string> = new Set(Object.values(InstanceSize));
// EKS node group names are 1-63 letters, digits, hyphens and underscores, starting with a letter or digit;
// the stack appends `-` and a 6-character hash (see MixedArchNodeGroups), so a name has 56 at most.
const NODE_GROUP_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,55}$/;
// Kubernetes qualified names (labels and taint keys): optional DNS prefix, then a 63-character name.
const LABEL_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
// Access entries take IAM roles and users, not STS sessions (assumed-role ARNs).
const IAM_PRINCIPAL_ARN = /^arn:aws(-cn|-us-gov)?:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/;
/**
 * GitLab project paths: segments of letters, digits, `_`, `-` and `.`, at least group/project. No `*` or `?`,
 * which the deploy role's StringLike condition would read as wildcards.
 */
export const GITLAB_PROJECT_PATH = /^[A-Za-z0-9_.][A-Za-z0-9_.-]*(\/[A-Za-z0-9_.][A-Za-z0-9_.-]*)+$/;
const ECR_REPOSITORY_NAME = /^(?=.{2,256}$)[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;

/**
 * Reads and validates the whole configuration before any construct is built.
 * Collects every problem and throws one ConfigError that lists them all.
 */
export function resolveProjectConfig(context: ContextReader, env: NodeJS.ProcessEnv = process.env): ProjectConfig {
  const issues: ConfigIssue[] = [];
  const reader = new ValueReader(context, issues);

  const amiFamily = reader.oneOf('amiFamily', AMI_FAMILIES, CONFIG_DEFAULTS.amiFamily, 'upper');
  const kubernetesVersion = resolveKubernetesVersion(reader, amiFamily, issues);
  const nodeGroups = resolveNodeGroups(reader, amiFamily ?? 'AL2', kubernetesVersion, issues);

  const vpcId = reader.string('vpcId');
  if (vpcId !== undefined && !/^vpc-([0-9a-f]{8}|[0-9a-f]{17})$/.test(vpcId)) {
    issues.push({ key: 'vpcId', value: vpcId, problem: 'not a VPC id', fix: 'use the id of an existing VPC, such as vpc-0a1b2c3d4e5f67890, or leave it out to create a VPC' });
  }
  const natGateways = reader.integer('natGateways', CONFIG_DEFAULTS.natGateways);
  if (natGateways !== undefined && (natGateways < 1 || natGateways > 2)) {
    issues.push({ key: 'natGateways', value: natGateways, problem: 'the new VPC has 2 availability zones and its private subnets need a NAT gateway to reach ECR and EKS', fix: 'use 1 (cheapest) or 2 (one per zone, survives a zone outage)' });
  }

  const endpointAccess = reader.oneOf('endpointAccess', ENDPOINT_ACCESS_MODES, CONFIG_DEFAULTS.endpointAccess);
  const cidrsGiven = context('publicAccessCidrs') !== undefined;
  let publicAccessCidrs = reader.list('publicAccessCidrs', CONFIG_DEFAULTS.publicAccessCidrs);
  publicAccessCidrs.forEach((cidr, i) => {
    const problem = cidrProblem(cidr);
    if (problem) issues.push({ key: `publicAccessCidrs[${i}]`, value: cidr, problem, fix: 'write an IPv4 network as a.b.c.d/n, such as 203.0.113.0/24, and separate several with commas' });
  });
  if (endpointAccess === 'private') {
    if (cidrsGiven && publicAccessCidrs.length > 0) {
      issues.push({ key: 'publicAccessCidrs', value: context('publicAccessCidrs'), problem: 'a private endpoint has no public access to restrict', fix: 'leave publicAccessCidrs out, or set endpointAccess to "public-and-private"' });
    }
    publicAccessCidrs = [];
  } else if (publicAccessCidrs.length === 0) {
    issues.push({ key: 'publicAccessCidrs', value: context('publicAccessCidrs'), problem: 'a public endpoint needs at least one allowed CIDR', fix: 'list the networks your operators and CI reach the API from, or set endpointAccess to "private"' });
  }

  const adminPrincipalArns = reader.list('adminPrincipalArns', '');
  adminPrincipalArns.forEach((arn, i) => {
    if (!IAM_PRINCIPAL_ARN.test(arn)) {
      issues.push({ key: `adminPrincipalArns[${i}]`, value: arn, problem: 'not an IAM role or user ARN', fix: 'use ARNs such as arn:aws:iam::123456789012:role/Admin, separated by commas' });
    }
  });

  const ecrRepositoryName = reader.string('ecrRepositoryName') ?? CONFIG_DEFAULTS.ecrRepositoryName;
  if (!ECR_REPOSITORY_NAME.test(ecrRepositoryName)) {
    issues.push({ key: 'ecrRepositoryName', value: ecrRepositoryName, problem: 'not a valid ECR repository name', fix: 'use lower-case letters, digits and . _ - / such as "print-platform-info"' });
  }
  const deployWorkloads = reader.boolean('deployWorkloads', false);
  const gitlab = resolveGitLab(reader, issues);
  const workloads = resolveWorkloads(reader, env, issues);

  if (issues.length > 0) throw new ConfigError(issues);
  return {
    cluster: {
      amiFamily: amiFamily as AmiFamily,
      kubernetesVersion: kubernetesVersion as string,
      nodeGroups,
      vpcId,
      natGateways: natGateways as number,
      endpointAccess: endpointAccess as EndpointAccessMode,
      publicAccessCidrs,
      adminPrincipalArns,
      ecrRepositoryName,
      deployWorkloads: deployWorkloads as boolean,
      gitlab,
    },
    workloads,
  };
}

/** The architectures the configured node groups run, in a stable order. */
export function clusterArchitectures(cluster: Pick<ClusterConfig, 'nodeGroups'>): Architecture[] {
  return ARCHITECTURES.filter((arch) => cluster.nodeGroups.some((g) => g.arch === arch));
}

function resolveKubernetesVersion(reader: ValueReader, amiFamily: AmiFamily | undefined, issues: ConfigIssue[]): string | undefined {
  const raw = reader.raw('kubernetesVersion');
  const fallback = amiFamily === 'AL2' ? LAST_AL2_KUBERNETES_VERSION : newestStandardSupportVersion();
  // With an invalid amiFamily the default is unknown; one error for the family is enough.
  if (raw === undefined) return amiFamily ? fallback : undefined;
  const known = EKS_KUBERNETES_VERSIONS.map((v) => v.version).join(', ');
  if (typeof raw !== 'string') {
    issues.push({ key: 'kubernetesVersion', value: raw, problem: 'must be a string (a JSON number turns "1.30" into 1.3)', fix: `quote it, for example "${fallback}"` });
    return undefined;
  }
  if (!findKubernetesVersion(raw)) {
    issues.push({ key: 'kubernetesVersion', value: raw, problem: 'not a Kubernetes version that Amazon EKS supports', fix: `use one of ${known}, or leave it out for ${fallback}` });
    return undefined;
  }
  return raw;
}

function resolveNodeGroups(reader: ValueReader, clusterAmiFamily: AmiFamily, kubernetesVersion: string | undefined, issues: ConfigIssue[]): NodeGroupConfig[] {
  const raw = reader.json('nodeGroups', undefined);
  if (raw === undefined) {
    if (reader.raw('nodeGroups') === undefined) {
      issues.push({ key: 'nodeGroups', value: undefined, problem: 'the cluster needs at least one node group', fix: 'define them under "context" in cdk.json (see README, Configuration)' });
    }
    return [];
  }
  const example = '[{"name":"graviton","arch":"arm64","instanceTypes":["m7g.large"],"minSize":1,"desiredSize":1,"maxSize":3}]';
  if (!Array.isArray(raw)) {
    issues.push({ key: 'nodeGroups', value: raw, problem: 'must be a JSON array of node groups', fix: `write it like ${example}` });
    return [];
  }
  if (raw.length === 0) {
    issues.push({ key: 'nodeGroups', value: raw, problem: 'the cluster needs at least one node group', fix: `add one, such as ${example}` });
    return [];
  }
  const inheritsAl2 = clusterAmiFamily === 'AL2' && raw.some((e: unknown) => typeof e === 'object' && e !== null && !('amiFamily' in e));
  if (inheritsAl2 && kubernetesVersion && findKubernetesVersion(kubernetesVersion)?.al2Amis === false) {
    // Reported once, on the key the user set, rather than on every group that inherits AL2.
    const key = reader.raw('kubernetesVersion') !== undefined ? 'kubernetesVersion' : 'amiFamily';
    issues.push({ key, value: key === 'amiFamily' ? 'AL2' : kubernetesVersion, problem: `EKS publishes no Amazon Linux 2 AMIs for Kubernetes ${kubernetesVersion} (${LAST_AL2_KUBERNETES_VERSION} is the last)`, fix: `set amiFamily to "AL2023" or "BOTTLEROCKET", or kubernetesVersion to "${LAST_AL2_KUBERNETES_VERSION}"` });
  }
  const groups: NodeGroupConfig[] = [];
  const seen = new Map<string, { index: number; name: string }>();
  raw.forEach((entry: unknown, index: number) => {
    const group = resolveNodeGroup(entry, `nodeGroups[${index}]`, clusterAmiFamily, kubernetesVersion, issues);
    if (!group) return;
    // CloudFormation ids keep letters and digits only, and outputs are named after the group: "x86-a" and
    // "X86_a" would collide there.
    const normalized = group.name.toLowerCase().replace(/[-_]/g, '');
    const previous = seen.get(normalized);
    if (previous !== undefined) {
      const problem = previous.name === group.name
        ? `nodeGroups[${previous.index}] already has this name`
        : `differs from nodeGroups[${previous.index}] ("${previous.name}") only in case, - or _`;
      issues.push({ key: `nodeGroups[${index}].name`, value: group.name, problem, fix: 'give every node group its own name' });
    }
    seen.set(normalized, { index, name: group.name });
    groups.push(group);
  });
  return groups;
}

function resolveNodeGroup(entry: unknown, path: string, clusterAmiFamily: AmiFamily, kubernetesVersion: string | undefined, issues: ConfigIssue[]): NodeGroupConfig | undefined {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    issues.push({ key: path, value: entry, problem: 'a node group must be a JSON object', fix: 'give it the keys name, arch, instanceTypes, minSize, desiredSize and maxSize' });
    return undefined;
  }
  const obj = entry as Record<string, unknown>;
  const before = issues.length;
  for (const key of Object.keys(obj)) {
    if (!NODE_GROUP_KEYS.includes(key)) {
      issues.push({ key: `${path}.${key}`, value: obj[key], problem: 'not a node group key', fix: `use only ${NODE_GROUP_KEYS.join(', ')}` });
    }
  }
  const reader = new ValueReader((key) => obj[key], issues, `${path}.`);

  const name = reader.string('name');
  if (name === undefined) {
    issues.push({ key: `${path}.name`, value: undefined, problem: 'every node group needs a name', fix: 'add "name", such as "graviton"' });
  } else if (!NODE_GROUP_NAME.test(name)) {
    issues.push({ key: `${path}.name`, value: name, problem: 'a node group name is 1-56 letters, digits, hyphens and underscores, starting with a letter or digit', fix: 'rename it, such as "graviton" or "x86-spot"' });
  }

  const archRaw = obj.arch;
  let arch: Architecture | undefined;
  if (isArchitecture(archRaw)) {
    arch = archRaw;
  } else {
    const alias = typeof archRaw === 'string' ? ARCHITECTURE_ALIASES[archRaw.toLowerCase()] : undefined;
    issues.push({ key: `${path}.arch`, value: archRaw, problem: `not an architecture; Kubernetes knows ${ARCHITECTURES.map((a) => `"${a}"`).join(' and ')}`, fix: alias ? `write "${alias}"` : `set "arch" to ${ARCHITECTURES.map((a) => `"${a}"`).join(' or ')}` });
  }

  const amiFamily = reader.oneOf('amiFamily', AMI_FAMILIES, clusterAmiFamily, 'upper');
  if (obj.amiFamily !== undefined && amiFamily === 'AL2' && kubernetesVersion && findKubernetesVersion(kubernetesVersion)?.al2Amis === false) {
    issues.push({ key: `${path}.amiFamily`, value: 'AL2', problem: `EKS publishes no Amazon Linux 2 AMIs for Kubernetes ${kubernetesVersion} (${LAST_AL2_KUBERNETES_VERSION} is the last)`, fix: `set amiFamily to "AL2023" or "BOTTLEROCKET", or kubernetesVersion to "${LAST_AL2_KUBERNETES_VERSION}"` });
  }

  const instanceTypes = reader.stringArray('instanceTypes') ?? [];
  if (obj.instanceTypes !== undefined && instanceTypes.length === 0 && issues.length === before) {
    issues.push({ key: `${path}.instanceTypes`, value: obj.instanceTypes, problem: 'lists no instance type', fix: `list at least one, such as ["${ARCHITECTURE_INFO[arch ?? 'arm64'].exampleInstanceType}"]` });
  } else if (obj.instanceTypes === undefined) {
    issues.push({ key: `${path}.instanceTypes`, value: undefined, problem: 'every node group needs instance types', fix: `add "instanceTypes": ["${ARCHITECTURE_INFO[arch ?? 'arm64'].exampleInstanceType}"]` });
  }
  instanceTypes.forEach((type, i) => checkInstanceType(type, `${path}.instanceTypes[${i}]`, arch, issues));

  const minSize = reader.integer('minSize');
  const desiredSize = reader.integer('desiredSize');
  const maxSize = reader.integer('maxSize');
  for (const [key, value] of [['minSize', minSize], ['desiredSize', desiredSize], ['maxSize', maxSize]] as const) {
    if (obj[key] === undefined) {
      issues.push({ key: `${path}.${key}`, value: undefined, problem: 'every node group needs minSize, desiredSize and maxSize', fix: `add "${key}", for example 1` });
    } else if (value !== undefined && value < 0) {
      issues.push({ key: `${path}.${key}`, value, problem: 'a size cannot be negative', fix: 'use 0 or more' });
    }
  }
  if (maxSize === 0) {
    issues.push({ key: `${path}.maxSize`, value: 0, problem: 'EKS needs a maximum of at least 1 node', fix: 'set maxSize to 1 or more, or remove the group' });
  }
  if (minSize !== undefined && desiredSize !== undefined && minSize >= 0 && minSize > desiredSize) {
    issues.push({ key: `${path}.minSize`, value: minSize, problem: `greater than desiredSize (${desiredSize})`, fix: 'keep minSize <= desiredSize <= maxSize' });
  }
  if (desiredSize !== undefined && maxSize !== undefined && maxSize > 0 && desiredSize > maxSize) {
    issues.push({ key: `${path}.desiredSize`, value: desiredSize, problem: `greater than maxSize (${maxSize})`, fix: 'keep minSize <= desiredSize <= maxSize' });
  }

  const capacityType = reader.oneOf('capacityType', CAPACITY_TYPES, 'on-demand', 'lower');
  const labels = resolveLabels(obj.labels, `${path}.labels`, issues);
  const taints = resolveTaints(obj.taints, `${path}.taints`, issues);

  if (issues.length > before) return undefined;
  return {
    name: name as string,
    arch: arch as Architecture,
    instanceTypes,
    amiFamily: amiFamily as AmiFamily,
    capacityType: capacityType as CapacityType,
    minSize: minSize as number,
    desiredSize: desiredSize as number,
    maxSize: maxSize as number,
    labels,
    taints,
  };
}

function checkInstanceType(type: string, key: string, arch: Architecture | undefined, issues: ConfigIssue[]): void {
  const match = /^([a-z0-9-]+)\.([a-z0-9-]+)$/.exec(type);
  const example = ARCHITECTURE_INFO[arch ?? 'arm64'].exampleInstanceType;
  if (!match || !INSTANCE_FAMILIES.has(match[1]) || !INSTANCE_SIZES.has(match[2])) {
    const what = !match ? 'not of the form family.size' : !INSTANCE_FAMILIES.has(match[1]) ? `no EC2 instance family is called "${match[1]}"` : `no EC2 instance size is called "${match[2]}"`;
    issues.push({ key, value: type, problem: `not an EC2 instance type (${what})`, fix: `use an existing type such as ${example}` });
    return;
  }
  let typeArch: Architecture;
  try {
    typeArch = new InstanceType(type).architecture === InstanceArchitecture.ARM_64 ? 'arm64' : 'amd64';
  } catch {
    issues.push({ key, value: type, problem: 'EKS managed node groups cannot run this instance type', fix: `use a type such as ${example}` });
    return;
  }
  if (arch && typeArch !== arch) {
    issues.push({
      key,
      value: type,
      problem: `an ${ARCHITECTURE_INFO[typeArch].displayName} instance type in a group whose arch is "${arch}"`,
      fix: `use an ${ARCHITECTURE_INFO[arch].displayName} type such as ${ARCHITECTURE_INFO[arch].exampleInstanceType}, or set the group's "arch" to "${typeArch}"`,
    });
  }
}

function resolveLabels(raw: unknown, key: string, issues: ConfigIssue[]): Record<string, string> {
  if (raw === undefined) return {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    issues.push({ key, value: raw, problem: 'labels must be a JSON object of strings', fix: 'write them like {"team":"platform"}' });
    return {};
  }
  const labels: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (!LABEL_NAME.test(name) || /(^|\.)(kubernetes\.io|k8s\.io)\//.test(name)) {
      issues.push({ key: `${key}.${name}`, value, problem: 'not a label name EKS accepts (kubernetes.io/ and k8s.io/ prefixes are reserved)', fix: 'use a name such as "team" or "example.com/team"' });
    } else if (typeof value !== 'string' || !LABEL_VALUE.test(value)) {
      issues.push({ key: `${key}.${name}`, value, problem: 'a label value must be a string of at most 63 letters, digits, - _ .', fix: 'quote it and shorten it, such as "platform"' });
    } else {
      labels[name] = value;
    }
  }
  return labels;
}

function resolveTaints(raw: unknown, key: string, issues: ConfigIssue[]): NodeTaint[] {
  if (raw === undefined) return [];
  const example = '[{"key":"dedicated","value":"batch","effect":"NoSchedule"}]';
  if (!Array.isArray(raw)) {
    issues.push({ key, value: raw, problem: 'taints must be a JSON array', fix: `write them like ${example}` });
    return [];
  }
  const taints: NodeTaint[] = [];
  raw.forEach((taint: unknown, i: number) => {
    const t = (typeof taint === 'object' && taint !== null ? taint : {}) as Record<string, unknown>;
    if (typeof t.key !== 'string' || !LABEL_NAME.test(t.key)) {
      issues.push({ key: `${key}[${i}].key`, value: t.key, problem: 'a taint needs a key that is a valid label name', fix: `write taints like ${example}` });
      return;
    }
    if (t.value !== undefined && (typeof t.value !== 'string' || !LABEL_VALUE.test(t.value))) {
      issues.push({ key: `${key}[${i}].value`, value: t.value, problem: 'a taint value must be a label value', fix: 'use at most 63 letters, digits, - _ .' });
      return;
    }
    if (!(TAINT_EFFECTS as readonly unknown[]).includes(t.effect)) {
      issues.push({ key: `${key}[${i}].effect`, value: t.effect, problem: 'not a taint effect', fix: `use one of ${TAINT_EFFECTS.join(', ')}` });
      return;
    }
    taints.push({ key: t.key, value: t.value as string | undefined, effect: t.effect as TaintEffect });
  });
  return taints;
}

function resolveGitLab(reader: ValueReader, issues: ConfigIssue[]): GitLabConfig | undefined {
  const project = reader.string('gitlabProject');
  const url = (reader.string('gitlabUrl') ?? CONFIG_DEFAULTS.gitlabUrl).replace(/\/+$/, '');
  // IAM OIDC issuers: https, no port; a GitLab served under a path keeps it.
  if (!/^https:\/\/[a-zA-Z0-9.-]+(\/[\w.-]+)*$/.test(url)) {
    issues.push({ key: 'gitlabUrl', value: url, problem: 'not an https URL without a port (IAM accepts no other OIDC issuer)', fix: 'use the instance URL, such as https://gitlab.example.com' });
  }
  const branches = reader.list('gitlabBranches', CONFIG_DEFAULTS.gitlabBranches);
  branches.forEach((branch, i) => {
    // Git ref names hold no spaces, `?`, `~`, `^`, `:`, `\` or `[`; `*` would be a wildcard in the trust policy.
    if (!/^[^\s?~^:\\[*]+$/.test(branch)) {
      issues.push({ key: `gitlabBranches[${i}]`, value: branch, problem: 'not a branch name', fix: 'list protected branch names, such as main' });
    }
  });
  if (project === undefined) return undefined;
  if (!GITLAB_PROJECT_PATH.test(project)) {
    issues.push({ key: 'gitlabProject', value: project, problem: 'not a GitLab project path', fix: 'use group/project, such as platform/mixed-arch-eks' });
    return undefined;
  }
  return { project, url, branches };
}

function resolveWorkloads(reader: ValueReader, env: NodeJS.ProcessEnv, issues: ConfigIssue[]): WorkloadConfig {
  const fromEnv = env[IMAGE_ENV_VAR];
  const imageKey = fromEnv ? IMAGE_ENV_VAR : 'printPlatformInfoImage';
  const printPlatformInfoImage = fromEnv || (reader.string('printPlatformInfoImage') ?? CONFIG_DEFAULTS.printPlatformInfoImage);
  checkPinnedImage(imageKey, printPlatformInfoImage, issues);
  const busyboxImage = reader.string('busyboxImage') ?? CONFIG_DEFAULTS.busyboxImage;
  checkPinnedImage('busyboxImage', busyboxImage, issues);

  const namespace = reader.string('namespace') ?? CONFIG_DEFAULTS.namespace;
  if (!DNS_LABEL.test(namespace)) {
    issues.push({ key: 'namespace', value: namespace, problem: 'not a Kubernetes namespace name', fix: 'use at most 63 lower-case letters, digits and hyphens, such as "platform-info"' });
  }
  const imagePullSecretName = reader.string('imagePullSecretName', true) ?? CONFIG_DEFAULTS.imagePullSecretName;
  if (imagePullSecretName !== '' && !/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(imagePullSecretName)) {
    issues.push({ key: 'imagePullSecretName', value: imagePullSecretName, problem: 'not a Kubernetes Secret name', fix: 'use lower-case letters, digits, - and ., such as "registry-credentials", or "" for none' });
  }
  return { printPlatformInfoImage, busyboxImage, namespace, imagePullSecretName };
}

/** Workload images must say exactly what runs: a tag other than `latest`, or a digest. */
export function checkPinnedImage(key: string, image: string, issues: ConfigIssue[]): void {
  try {
    const ref = parseImageReference(image);
    if (!ref.tag && !ref.digest) {
      issues.push({ key, value: image, problem: 'the image has no tag, so every pull may run something else', fix: `pin it, such as ${image}:1.0.0 or ${image}@sha256:<digest>` });
    } else if (ref.tag === 'latest' && !ref.digest) {
      issues.push({ key, value: image, problem: '"latest" moves, so nodes may run different code', fix: 'use a version or commit tag, or a digest (@sha256:...)' });
    }
  } catch (error) {
    if (!(error instanceof ImageReferenceError)) throw error;
    issues.push({ key, value: image, problem: `malformed image reference (${error.reason})`, fix: 'write it as [registry/]repository:tag or [registry/]repository@sha256:<digest>' });
  }
}

function cidrProblem(cidr: string): string | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!match) return 'not an IPv4 CIDR';
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return 'not an IPv4 CIDR (octets go to 255, prefixes to 32)';
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const hostBits = 2 ** (32 - prefix);
  if (address % hostBits !== 0) return 'host bits are set, so EKS rejects it';
  return undefined;
}

/** Typed access to context values that arrive as JSON (cdk.json) or as strings (`-c key=value`). */
class ValueReader {
  constructor(
    private readonly read: ContextReader,
    private readonly issues: ConfigIssue[],
    private readonly prefix = '',
  ) {}

  raw(key: string): unknown {
    return this.read(key);
  }

  string(key: string, allowEmpty = false): string | undefined {
    const value = this.read(key);
    if (value === undefined || value === null || (value === '' && !allowEmpty)) return undefined;
    if (typeof value !== 'string') {
      this.fail(key, value, 'must be a string', 'quote the value');
      return undefined;
    }
    return value.trim();
  }

  integer(key: string, fallback?: number): number | undefined {
    const value = this.read(key);
    if (value === undefined) return fallback;
    const n = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isInteger(n)) {
      this.fail(key, value, 'must be a whole number', 'write digits only, such as 1');
      return undefined;
    }
    return n;
  }

  boolean(key: string, fallback: boolean): boolean | undefined {
    const value = this.read(key);
    if (value === undefined) return fallback;
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    this.fail(key, value, 'must be true or false', 'write true or false');
    return undefined;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[], fallback: T, normalize?: 'upper' | 'lower'): T | undefined {
    const value = this.read(key);
    if (value === undefined) return fallback;
    if ((allowed as readonly unknown[]).includes(value)) return value as T;
    const hint = typeof value === 'string' && normalize ? allowed.find((a) => a === (normalize === 'upper' ? value.toUpperCase() : value.toLowerCase())) : undefined;
    this.fail(key, value, `not one of ${allowed.map((a) => `"${a}"`).join(', ')}`, hint ? `write "${hint}"` : `use one of ${allowed.join(', ')}`);
    return undefined;
  }

  /** A list given as a JSON array or as a comma-separated string. */
  list(key: string, fallback: string): string[] {
    const value = this.read(key) ?? fallback;
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.map((v) => v.trim()).filter(Boolean);
    if (typeof value === 'string') return value.split(',').map((v) => v.trim()).filter(Boolean);
    this.fail(key, value, 'must be a comma-separated string or a JSON array of strings', 'write it like "a,b"');
    return [];
  }

  stringArray(key: string): string[] | undefined {
    const value = this.read(key);
    if (value === undefined) return undefined;
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
    this.fail(key, value, 'must be a JSON array of strings', 'write it like ["m7g.large"]');
    return undefined;
  }

  /** A JSON value from cdk.json, or a JSON string from `-c key='...'`. */
  json(key: string, fallback: unknown): unknown {
    const value = this.read(key);
    if (value === undefined) return fallback;
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value);
    } catch (error) {
      this.fail(key, value, `not valid JSON (${(error as Error).message})`, `quote the whole value for the shell: -c ${key}='[{"name":...}]'`);
      return undefined;
    }
  }

  private fail(key: string, value: unknown, problem: string, fix: string): void {
    this.issues.push({ key: `${this.prefix}${key}`, value, problem, fix });
  }
}
