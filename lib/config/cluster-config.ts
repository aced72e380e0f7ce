import { ConfigIssue } from './errors';
import {
  LAST_AL2_KUBERNETES_VERSION,
  availableKubernetesVersions,
  findKubernetesVersion,
  isoDay,
  newestStandardSupportVersion,
  supportPhase,
  versionAboveTable,
} from './kubernetes-versions';
import { resolveArchGuard } from './arch-guard-config';
import { resolveGitLab } from './gitlab-config';
import { resolveAutoscaling } from './karpenter-config';
import { resolveNodeGroups } from './node-group-config';
import { AMI_FAMILIES, AmiFamily, CONFIG_DEFAULTS, ClusterConfig, ENDPOINT_ACCESS_MODES, EndpointAccessMode, SUPPORT_TYPES, SupportType } from './types';
import { ValueReader } from './value-reader';

// Access entries take IAM roles and users, not STS sessions (assumed-role ARNs).
const IAM_PRINCIPAL_ARN = /^arn:aws(-cn|-us-gov)?:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/;
const ECR_REPOSITORY_NAME = /^(?=.{2,256}$)[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;
const VPC_ID = /^vpc-([0-9a-f]{8}|[0-9a-f]{17})$/;
// EKS cluster names: 1-100 characters, letters, digits, - and _, starting with a letter or digit.
const CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/;
// Zone names such as eu-west-1a or us-gov-west-1b: the region, then one letter.
const AVAILABILITY_ZONE = /^([a-z]{2}(-[a-z]+)+-\d+)[a-z]$/;
// The retention periods CloudWatch Logs accepts (PutRetentionPolicy).
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/**
 * The cluster keys: node OS and Kubernetes version, node groups, network, endpoint, admins, ECR, GitLab.
 * Pushes every problem to `issues`; the result is complete only when none was pushed.
 */
export function resolveCluster(reader: ValueReader, env: NodeJS.ProcessEnv, issues: ConfigIssue[], date: Date): ClusterConfig {
  // No default in code: a cluster created before this key existed has a generated name, and naming it now
  // would replace it. cdk.json names new clusters.
  const clusterName = reader.string('clusterName');
  if (clusterName !== undefined && !CLUSTER_NAME.test(clusterName)) {
    issues.push({ key: 'clusterName', value: clusterName, problem: 'not an EKS cluster name', fix: 'use 1-100 letters, digits, - and _, starting with a letter or digit, such as "mixed-arch-eks"' });
  }
  const controlPlaneLogRetentionDays = reader.integer('controlPlaneLogRetentionDays', CONFIG_DEFAULTS.controlPlaneLogRetentionDays);
  if (controlPlaneLogRetentionDays !== undefined && !LOG_RETENTION_DAYS.includes(controlPlaneLogRetentionDays)) {
    const nearest = LOG_RETENTION_DAYS.reduce((a, b) => (Math.abs(b - controlPlaneLogRetentionDays) < Math.abs(a - controlPlaneLogRetentionDays) ? b : a));
    issues.push({ key: 'controlPlaneLogRetentionDays', value: controlPlaneLogRetentionDays, problem: 'not a retention period CloudWatch Logs offers', fix: `use one of ${LOG_RETENTION_DAYS.join(', ')} (nearest: ${nearest})` });
  } else if (clusterName === undefined && reader.raw('controlPlaneLogRetentionDays') !== undefined) {
    issues.push({ key: 'controlPlaneLogRetentionDays', value: reader.raw('controlPlaneLogRetentionDays'), problem: 'the stack creates the control-plane log group only for a cluster with a clusterName', fix: 'set clusterName for a new cluster; for an existing one without it, run aws logs put-retention-policy on /aws/eks/<ClusterName>/cluster (docs/upgrades.md)' });
  }
  const amiFamily = reader.oneOf('amiFamily', AMI_FAMILIES, CONFIG_DEFAULTS.amiFamily, 'upper');
  const kubernetesVersion = resolveKubernetesVersion(reader, amiFamily, issues, date);
  const nodeGroups = resolveNodeGroups(reader, amiFamily ?? 'AL2', kubernetesVersion, issues);
  const supportType = resolveSupportType(reader, kubernetesVersion, issues, date);

  const vpcId = reader.string('vpcId');
  if (vpcId !== undefined && !VPC_ID.test(vpcId)) {
    issues.push({ key: 'vpcId', value: vpcId, problem: 'not a VPC id', fix: 'use the id of an existing VPC, such as vpc-0a1b2c3d4e5f67890, or leave it out to create a VPC' });
  } else if (vpcId !== undefined && !(env.CDK_DEFAULT_ACCOUNT && env.CDK_DEFAULT_REGION)) {
    issues.push({ key: 'vpcId', value: vpcId, problem: 'using an existing VPC needs a lookup in your AWS account, and no account or region is known', fix: 'run with AWS credentials and a region (AWS_PROFILE/AWS_REGION), or leave vpcId out to create a VPC' });
  }
  const availabilityZones = resolveAvailabilityZones(reader, vpcId, env, issues);
  const zoneCount = availabilityZones?.length ?? 2;
  const natGateways = reader.integer('natGateways', CONFIG_DEFAULTS.natGateways);
  if (natGateways !== undefined && (natGateways < 1 || natGateways > zoneCount)) {
    issues.push({ key: 'natGateways', value: natGateways, problem: `the new VPC has ${zoneCount} availability zones and its private subnets need a NAT gateway to reach ECR and EKS`, fix: `use 1 (cheapest) up to ${zoneCount} (one per zone, survives a zone outage)` });
  }

  const endpointAccess = reader.oneOf('endpointAccess', ENDPOINT_ACCESS_MODES, CONFIG_DEFAULTS.endpointAccess);
  const cidrsGiven = reader.raw('publicAccessCidrs') !== undefined;
  let publicAccessCidrs = reader.list('publicAccessCidrs', CONFIG_DEFAULTS.publicAccessCidrs);
  publicAccessCidrs.forEach((cidr, i) => {
    const problem = cidrProblem(cidr);
    if (problem) issues.push({ key: `publicAccessCidrs[${i}]`, value: cidr, problem, fix: 'write an IPv4 network as a.b.c.d/n, such as 203.0.113.0/24, and separate several with commas' });
  });
  if (endpointAccess === 'private') {
    if (cidrsGiven && publicAccessCidrs.length > 0) {
      issues.push({ key: 'publicAccessCidrs', value: reader.raw('publicAccessCidrs'), problem: 'a private endpoint has no public access to restrict', fix: 'leave publicAccessCidrs out, or set endpointAccess to "public-and-private"' });
    }
    publicAccessCidrs = [];
  } else if (publicAccessCidrs.length === 0) {
    issues.push({ key: 'publicAccessCidrs', value: reader.raw('publicAccessCidrs'), problem: 'a public endpoint needs at least one allowed CIDR', fix: 'list the networks your operators and CI reach the API from, or set endpointAccess to "private"' });
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
  const { autoscaler, karpenter, autoMode } = resolveAutoscaling(reader, amiFamily, kubernetesVersion, nodeGroups, issues);
  const archGuard = resolveArchGuard(reader, env, issues);
  if (archGuard.repositoryName === ecrRepositoryName) {
    issues.push({ key: 'archGuardRepositoryName', value: archGuard.repositoryName, problem: 'the same ECR repository as ecrRepositoryName, so the two images would overwrite each other\'s tags', fix: 'give arch-guard a repository of its own, such as "arch-guard"' });
  }

  return {
    clusterName,
    controlPlaneLogRetentionDays: controlPlaneLogRetentionDays as number,
    amiFamily: amiFamily as AmiFamily,
    kubernetesVersion: kubernetesVersion as string,
    supportType,
    nodeGroups,
    vpcId,
    natGateways: natGateways as number,
    availabilityZones,
    endpointAccess: endpointAccess as EndpointAccessMode,
    publicAccessCidrs,
    adminPrincipalArns,
    ecrRepositoryName,
    deployWorkloads: deployWorkloads as boolean,
    gitlab,
    autoscaler,
    karpenter,
    autoMode,
    archGuard,
  };
}

/**
 * The cluster's upgrade policy (`supportType`): unset leaves it to EKS (EXTENDED for clusters not created in the
 * console). STANDARD is refused for a version already in extended support, which EKS does not allow (EKS user
 * guide, "Prevent increased cluster costs by disabling EKS extended support": extended support cannot be turned
 * off once a cluster has entered it).
 */
function resolveSupportType(reader: ValueReader, kubernetesVersion: string | undefined, issues: ConfigIssue[], date: Date): SupportType | undefined {
  if (reader.raw('supportType') === undefined) return undefined;
  const supportType = reader.oneOf('supportType', SUPPORT_TYPES, 'EXTENDED', 'upper');
  const support = kubernetesVersion === undefined ? undefined : findKubernetesVersion(kubernetesVersion);
  if (supportType === 'STANDARD' && support && supportPhase(support, date) === 'extended') {
    issues.push({
      key: 'supportType', value: 'STANDARD',
      problem: `Kubernetes ${support.version} is in extended support on ${isoDay(date)} (standard support ended ${support.endOfStandardSupport}), and EKS cannot turn extended support off for a cluster already in it`,
      fix: 'upgrade to a version in standard support first (one minor version per deploy), or leave supportType out',
    });
  }
  return supportType;
}

/**
 * The Kubernetes version: given, or the default of the AMI family on `date`. A version EKS does not offer on
 * that day (unknown, not yet released, or past extended support) is refused.
 */
function resolveKubernetesVersion(reader: ValueReader, amiFamily: AmiFamily | undefined, issues: ConfigIssue[], date: Date): string | undefined {
  const raw = reader.raw('kubernetesVersion');
  const available = availableKubernetesVersions(date).map((v) => v.version);
  const offered = available.length > 0 ? `one of ${available.join(', ')}` : 'a version EKS offers (update lib/config/kubernetes-versions.ts)';
  const fallback = amiFamily === 'AL2' ? LAST_AL2_KUBERNETES_VERSION : newestStandardSupportVersion(date);
  if (raw === undefined) {
    // With an invalid amiFamily the default is unknown; one error for the family is enough.
    if (!amiFamily) return undefined;
    if (fallback === undefined) {
      issues.push({ key: 'kubernetesVersion', value: undefined, problem: `no Kubernetes version of this project's table is in standard support on ${isoDay(date)}`, fix: `set ${offered}, and update mixed-arch-eks for the newer versions` });
      return undefined;
    }
    const support = findKubernetesVersion(fallback);
    if (amiFamily === 'AL2' && support && supportPhase(support, date) === 'ended') {
      issues.push({
        key: 'amiFamily', value: 'AL2',
        problem: `Kubernetes ${fallback}, the last version with EKS Amazon Linux 2 AMIs, left extended support after ${support.endOfExtendedSupport}: EKS no longer runs it`,
        fix: 'set amiFamily to "AL2023" or "BOTTLEROCKET" (an existing cluster: EKS has already upgraded its control plane)',
      });
      return undefined;
    }
    return fallback;
  }
  if (typeof raw !== 'string') {
    issues.push({ key: 'kubernetesVersion', value: raw, problem: 'must be a string (a JSON number turns "1.30" into 1.3)', fix: `quote it, for example "${fallback ?? available[available.length - 1]}"` });
    return undefined;
  }
  const orDefault = fallback ? `, or leave it out for ${fallback}` : '';
  const support = findKubernetesVersion(raw);
  // One minor above the table: allowed, with a synth warning that its dates are unknown (kubernetes-versions.ts).
  if (!support && raw === versionAboveTable()) return raw;
  if (!support) {
    issues.push({ key: 'kubernetesVersion', value: raw, problem: 'not a Kubernetes version that Amazon EKS supports', fix: `use ${offered}${orDefault}` });
    return undefined;
  }
  const phase = supportPhase(support, date);
  if (phase === 'ended') {
    issues.push({
      key: 'kubernetesVersion', value: raw,
      problem: `Amazon EKS ended extended support for Kubernetes ${raw} after ${support.endOfExtendedSupport}: it creates no clusters on it and upgrades existing control planes itself`,
      fix: `use ${offered} (an existing cluster moves one minor version per deploy)${orDefault}`,
    });
    return undefined;
  }
  if (phase === 'unreleased') {
    issues.push({ key: 'kubernetesVersion', value: raw, problem: `Amazon EKS releases Kubernetes ${raw} on ${support.eksRelease}`, fix: `use ${offered}${orDefault}` });
    return undefined;
  }
  return raw;
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


/**
 * `availabilityZones`: the zones of the new VPC, for regions where one of the first two zones cannot host an
 * EKS control plane (EKS names such zones in its UnsupportedAvailabilityZoneException). All in one region,
 * which the stack is then pinned to.
 */
function resolveAvailabilityZones(reader: ValueReader, vpcId: string | undefined, env: NodeJS.ProcessEnv, issues: ConfigIssue[]): string[] | undefined {
  if (reader.raw('availabilityZones') === undefined) return undefined;
  const zones = reader.list('availabilityZones', '');
  const raw = reader.raw('availabilityZones');
  const fix = 'list 2 or 3 zones of one region, such as us-east-1a,us-east-1b';
  if (vpcId !== undefined) {
    issues.push({ key: 'availabilityZones', value: raw, problem: 'an existing VPC (vpcId) brings its own zones', fix: 'leave availabilityZones out, or leave vpcId out to create a VPC in these zones' });
    return undefined;
  }
  const regions = new Set<string>();
  zones.forEach((zone, i) => {
    const match = AVAILABILITY_ZONE.exec(zone);
    if (!match) issues.push({ key: `availabilityZones[${i}]`, value: zone, problem: 'not an availability zone name', fix });
    else regions.add(match[1]);
  });
  if (zones.length < 2 || zones.length > 3 || new Set(zones).size !== zones.length) {
    issues.push({ key: 'availabilityZones', value: raw, problem: 'EKS needs subnets in at least 2 different zones, and the VPC layout has room for 3', fix });
  }
  if (regions.size > 1) {
    issues.push({ key: 'availabilityZones', value: raw, problem: `the zones are in several regions (${[...regions].join(', ')})`, fix });
  }
  const region = [...regions][0];
  const deployRegion = env.CDK_DEFAULT_REGION;
  if (regions.size === 1 && deployRegion && deployRegion !== region) {
    issues.push({ key: 'availabilityZones', value: raw, problem: `the zones are in ${region}, but you deploy to ${deployRegion}`, fix: `use zones of ${deployRegion}, or deploy with AWS_REGION=${region}` });
  }
  return zones;
}

/** The region of a validated zone name: `eu-west-1a` -> `eu-west-1`. */
export function regionOfZone(zone: string): string {
  return zone.slice(0, -1);
}
