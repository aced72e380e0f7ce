import { InstanceArchitecture, InstanceClass, InstanceType } from 'aws-cdk-lib/aws-ec2';
import { ARCHITECTURE_INFO, ARCHITECTURES, Architecture, isArchitecture } from './architectures';
import { ConfigIssue } from './errors';
import { compareVersions } from './kubernetes-versions';
import { resolveLabels, resolveTaints } from './node-group-config';
import { AUTOSCALERS, AmiFamily, AutoModeConfig, Autoscaler, CAPACITY_TYPES, CapacityType, KarpenterAmiFamily, KarpenterConfig, KarpenterNodePoolConfig, NodeGroupConfig } from './types';

export { AUTOSCALERS } from './types';
export type { AutoModeConfig, Autoscaler, KarpenterAmiFamily, KarpenterConfig, KarpenterNodePoolConfig } from './types';
import { ValueReader } from './value-reader';


/**
 * The Karpenter release the stack installs (controller chart and CRD chart, same version).
 * Source: aws/karpenter-provider-aws, tag v1.14.1 (2026-08-20), the newest release found on 2026-11-28; its
 * compatibility matrix (hack/docs/compatibilitymatrix_gen/compatibility.yaml) gives 1.14.x Kubernetes
 * 1.26-1.36. Moving it: change both values, read the upgrade guide of every version in between.
 */
export const KARPENTER_VERSION = '1.14.1';
export const KARPENTER_KUBERNETES_RANGE = { min: '1.26', max: '1.36' } as const;

/**
 * The pinned EKS-optimized AMI release for Karpenter's nodes, per node OS (`alias: <family>@<version>`), and the
 * UTC day it was published (the synth warns when it is more than KARPENTER_AMI_MAX_AGE_DAYS old).
 * - AL2023 v20260903: github.com/awslabs/amazon-eks-ami/releases/tag/v20260903 (AL2023 AMIs for Kubernetes
 *   1.31-1.36), the newest release whose own page was found on 2026-12-04; v20260923 is named only second-hand.
 * - Bottlerocket v1.66.0: github.com/bottlerocket-os/bottlerocket/releases/tag/v1.66.0 (adds the aws-k8s-1.37
 *   variants), published 2026-09-22 (the date of its files on the project's SourceForge mirror). 1.68.0 and 1.68.1
 *   exist (bottlerocket.dev package pages, aws/eks-anywhere v0.26.5) but their dates were not found.
 * Override with `karpenterAmiVersion`; Karpenter then replaces its nodes (drift), within the pools' disruption
 * budgets. Nothing moves these on its own: a release of this project changes them, or the user does (docs/upgrades.md).
 */
export const KARPENTER_AMI_RELEASES: Readonly<Record<KarpenterAmiFamily, { readonly version: string; readonly published: string }>> = {
  al2023: { version: 'v20260903', published: '2026-09-03' },
  bottlerocket: { version: 'v1.66.0', published: '2026-09-22' },
};
export const KARPENTER_AMI_VERSIONS: Readonly<Record<KarpenterAmiFamily, string>> = {
  al2023: KARPENTER_AMI_RELEASES.al2023.version,
  bottlerocket: KARPENTER_AMI_RELEASES.bottlerocket.version,
};

/** A pinned AMI release older than this many days gets a synth warning: EKS publishes patched AMIs every week or two. */
export const KARPENTER_AMI_MAX_AGE_DAYS = 90;

/**
 * Publication days of Bottlerocket releases this project has pinned (a Bottlerocket version carries no date):
 * v1.61.0 2026-05-18 and v1.66.0 2026-09-22, from the files of each release on the SourceForge mirror of
 * bottlerocket-os/bottlerocket.
 */
const BOTTLEROCKET_PUBLISHED: Readonly<Record<string, string>> = { 'v1.61.0': '2026-05-18', 'v1.66.0': '2026-09-22' };

/**
 * The UTC day an AMI release was published: an amazon-eks-ami tag is its date (v20260903), a Bottlerocket
 * release is looked up. Undefined when unknown (a Bottlerocket release this project never pinned).
 */
export function karpenterAmiPublished(family: KarpenterAmiFamily, version: string): string | undefined {
  if (family === 'bottlerocket') return BOTTLEROCKET_PUBLISHED[version];
  const match = /^v(\d{4})(\d{2})(\d{2})$/.exec(version);
  return match ? `${match[1]}-${match[2]}-${match[3]}` : undefined;
}


/**
 * The default pools: one per architecture, spot first and on-demand when spot has no capacity, general
 * purpose (c, m, r) of generation 6 and later. Graviton weighs more, so a pod that runs on either
 * architecture gets an arm64 node; a pod pinned to amd64 (or whose image is amd64 only, see check-image)
 * cannot use that pool and lands in the x86 one. Two pools rather than one shared pool: a shared pool lets
 * Karpenter pick the cheapest type of either architecture, which is usually but not always Graviton, and
 * gives one CPU limit for both.
 */
export const DEFAULT_KARPENTER_NODE_POOLS: readonly KarpenterNodePoolConfig[] = [
  { name: 'graviton', arch: ['arm64'], capacityTypes: ['spot', 'on-demand'], cpuLimit: 64, instanceCategories: ['c', 'm', 'r'], instanceFamilies: [], weight: 100, labels: {}, taints: [] },
  { name: 'x86', arch: ['amd64'], capacityTypes: ['spot', 'on-demand'], cpuLimit: 64, instanceCategories: ['c', 'm', 'r'], instanceFamilies: [], weight: 10, labels: {}, taints: [] },
];

const POOL_KEYS = ['name', 'arch', 'capacityTypes', 'cpuLimit', 'instanceCategories', 'instanceFamilies', 'weight', 'labels', 'taints'];
// NodePool names are Kubernetes object names (DNS subdomain); kept to a DNS label so they fit in tags and outputs.
const POOL_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
// `karpenter.k8s.aws/instance-category` values: the letters before the generation digit.
const INSTANCE_CATEGORY = /^[a-z]{1,4}$/;
const INSTANCE_FAMILIES: ReadonlySet<string> = new Set(Object.values(InstanceClass));
const AMI_VERSION_FORMAT: Readonly<Record<KarpenterAmiFamily, { pattern: RegExp; example: string }>> = {
  al2023: { pattern: /^v\d{8}$/, example: `${KARPENTER_AMI_RELEASES.al2023.version} (an amazon-eks-ami release tag)` },
  bottlerocket: { pattern: /^v\d+\.\d+\.\d+$/, example: `${KARPENTER_AMI_RELEASES.bottlerocket.version} (a Bottlerocket release)` },
};
const EXAMPLE = '[{"name":"graviton","arch":["arm64"],"capacityTypes":["spot","on-demand"],"cpuLimit":64}]';

/**
 * The names of EKS Auto Mode's built-in NodePools (EKS user guide, "Enable or Disable Built-in NodePools"): a
 * pool of ours with one of these names would collide with the built-in one.
 */
export const AUTO_MODE_BUILT_IN_POOLS = ['system', 'general-purpose'] as const;

/**
 * The `autoscaler` key, and with `karpenter` the `karpenterNodePools` and `karpenterAmiVersion` keys; with
 * `auto-mode` the `karpenterNodePools` key (the same pools, run by EKS Auto Mode). A key the chosen autoscaler does
 * not read is refused: it would do nothing.
 */
export function resolveAutoscaling(reader: ValueReader, amiFamily: AmiFamily | undefined, kubernetesVersion: string | undefined, nodeGroups: readonly NodeGroupConfig[], issues: ConfigIssue[]): { autoscaler: Autoscaler; karpenter?: KarpenterConfig; autoMode?: AutoModeConfig } {
  const autoscaler = reader.oneOf('autoscaler', AUTOSCALERS, 'none', 'lower');
  if (autoscaler === 'auto-mode') return { autoscaler, autoMode: resolveAutoMode(reader, issues) };
  if (autoscaler !== 'karpenter') {
    if (autoscaler === 'none') {
      if (reader.raw('karpenterNodePools') !== undefined) {
        issues.push({ key: 'karpenterNodePools', value: reader.raw('karpenterNodePools'), problem: 'only used with autoscaler=karpenter or autoscaler=auto-mode, so it would do nothing', fix: 'set autoscaler to "karpenter" or "auto-mode", or remove the key' });
      }
      if (reader.raw('karpenterAmiVersion') !== undefined) {
        issues.push({ key: 'karpenterAmiVersion', value: reader.raw('karpenterAmiVersion'), problem: 'only used with autoscaler=karpenter, so it would do nothing', fix: 'set autoscaler to "karpenter", or remove the key' });
      }
    }
    return { autoscaler: autoscaler ?? 'none' };
  }
  if (kubernetesVersion && compareVersions(kubernetesVersion, KARPENTER_KUBERNETES_RANGE.max) > 0) {
    issues.push({
      key: 'kubernetesVersion',
      value: kubernetesVersion,
      problem: `Karpenter ${KARPENTER_VERSION} supports Kubernetes ${KARPENTER_KUBERNETES_RANGE.min}-${KARPENTER_KUBERNETES_RANGE.max} (its compatibility matrix); the controller would refuse to start`,
      fix: `use kubernetesVersion ${KARPENTER_KUBERNETES_RANGE.max} or older with autoscaler=karpenter, or autoscaler=none`,
    });
  }
  const systemNodes = nodeGroups.reduce((sum, g) => sum + g.minSize, 0);
  if (nodeGroups.length > 0 && systemNodes < 2) {
    issues.push({
      key: 'nodeGroups',
      value: `minSize ${nodeGroups.map((g) => `${g.name}=${g.minSize}`).join(', ')}`,
      problem: 'Karpenter runs two controller replicas on different managed nodes, and the node groups may shrink to fewer than two',
      fix: 'give the node groups a minSize of 2 or more in total (the default graviton and x86 groups have 1 each)',
    });
  }
  const karpenterAmiFamily: KarpenterAmiFamily = amiFamily === 'BOTTLEROCKET' ? 'bottlerocket' : 'al2023';
  const amiVersion = reader.string('karpenterAmiVersion') ?? KARPENTER_AMI_VERSIONS[karpenterAmiFamily];
  const format = AMI_VERSION_FORMAT[karpenterAmiFamily];
  if (amiVersion === 'latest') {
    issues.push({ key: 'karpenterAmiVersion', value: amiVersion, problem: '"latest" replaces every Karpenter node whenever EKS publishes an AMI, untested', fix: `pin a release such as ${format.example}` });
  } else if (!format.pattern.test(amiVersion)) {
    issues.push({ key: 'karpenterAmiVersion', value: amiVersion, problem: `not a ${karpenterAmiFamily} AMI release (Karpenter's nodes run ${karpenterAmiFamily} because amiFamily is ${amiFamily ?? 'AL2'})`, fix: `use a release such as ${format.example}` });
  }
  const nodePools = resolveNodePools(reader, issues);
  return { autoscaler, karpenter: { version: KARPENTER_VERSION, nodePools, amiFamily: karpenterAmiFamily, amiVersion } };
}

/**
 * Auto Mode reads the same pools. What differs: EKS picks the nodes' AMI (so `karpenterAmiVersion` does nothing),
 * the built-in pools' names are taken, and `eks.amazonaws.com/` node labels are EKS's own. No controller runs on
 * the node groups, so they need no minimum size for it.
 */
function resolveAutoMode(reader: ValueReader, issues: ConfigIssue[]): AutoModeConfig {
  if (reader.raw('karpenterAmiVersion') !== undefined) {
    issues.push({ key: 'karpenterAmiVersion', value: reader.raw('karpenterAmiVersion'), problem: 'EKS Auto Mode runs the node image AWS chooses and patches, so it would do nothing', fix: 'remove the key, or use autoscaler=karpenter to pin the AMI' });
  }
  const nodePools = resolveNodePools(reader, issues);
  nodePools.forEach((pool, index) => {
    if ((AUTO_MODE_BUILT_IN_POOLS as readonly string[]).includes(pool.name)) {
      issues.push({ key: `karpenterNodePools[${index}].name`, value: pool.name, problem: `EKS Auto Mode has a built-in NodePool of that name`, fix: 'rename the pool, such as "graviton" or "x86"' });
    }
    for (const label of Object.keys(pool.labels)) {
      if (/(^|\.)eks\.amazonaws\.com\//.test(label)) {
        issues.push({ key: `karpenterNodePools[${index}].labels.${label}`, value: pool.labels[label], problem: 'eks.amazonaws.com/ labels are set by EKS Auto Mode itself', fix: 'use a name such as "team" or "example.com/team"' });
      }
    }
  });
  return { nodePools };
}

function resolveNodePools(reader: ValueReader, issues: ConfigIssue[]): KarpenterNodePoolConfig[] {
  const raw = reader.json('karpenterNodePools', undefined);
  if (raw === undefined) return reader.raw('karpenterNodePools') === undefined ? [...DEFAULT_KARPENTER_NODE_POOLS] : [];
  if (!Array.isArray(raw) || raw.length === 0) {
    issues.push({ key: 'karpenterNodePools', value: raw, problem: Array.isArray(raw) ? 'lists no pool, so Karpenter would never add a node' : 'must be a JSON array of pools', fix: `write it like ${EXAMPLE}, or leave it out for one Graviton and one x86 pool` });
    return [];
  }
  const pools: KarpenterNodePoolConfig[] = [];
  const names = new Map<string, number>();
  raw.forEach((entry: unknown, index: number) => {
    const pool = resolveNodePool(entry, `karpenterNodePools[${index}]`, issues);
    // Duplicates are reported even when the pools have other problems.
    const name = (entry as { name?: unknown } | null)?.name;
    const previous = typeof name === 'string' ? names.get(name) : undefined;
    if (typeof name === 'string' && previous !== undefined) {
      issues.push({ key: `karpenterNodePools[${index}].name`, value: name, problem: `karpenterNodePools[${previous}] already has this name`, fix: 'give every pool its own name' });
    } else if (typeof name === 'string') {
      names.set(name, index);
    }
    if (pool) pools.push(pool);
  });
  return pools;
}

function resolveNodePool(entry: unknown, path: string, issues: ConfigIssue[]): KarpenterNodePoolConfig | undefined {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    issues.push({ key: path, value: entry, problem: 'a pool must be a JSON object', fix: `give it name, arch, capacityTypes and cpuLimit, like ${EXAMPLE}` });
    return undefined;
  }
  const obj = entry as Record<string, unknown>;
  const before = issues.length;
  for (const key of Object.keys(obj)) {
    if (!POOL_KEYS.includes(key)) issues.push({ key: `${path}.${key}`, value: obj[key], problem: 'not a NodePool key', fix: `use only ${POOL_KEYS.join(', ')}` });
  }
  const reader = new ValueReader((key) => obj[key], issues, `${path}.`);

  const name = reader.string('name');
  if (name === undefined) {
    issues.push({ key: `${path}.name`, value: undefined, problem: 'every pool needs a name', fix: 'add "name", such as "graviton"' });
  } else if (!POOL_NAME.test(name)) {
    issues.push({ key: `${path}.name`, value: name, problem: 'a NodePool name is 1-63 lower-case letters, digits and hyphens, starting and ending with a letter or digit', fix: 'rename it, such as "graviton-spot"' });
  }

  const arch = requiredList(obj, 'arch', path, issues, isArchitecture, `"arch": ["arm64"] or ["arm64","amd64"]`, `one or both of ${ARCHITECTURES.join(', ')}`);
  const capacityTypes = requiredList(obj, 'capacityTypes', path, issues, (v): v is CapacityType => (CAPACITY_TYPES as readonly unknown[]).includes(v),
    '"capacityTypes": ["spot","on-demand"]', `one or both of ${CAPACITY_TYPES.join(', ')} (with both, Karpenter takes spot first)`);

  const cpuLimit = reader.integer('cpuLimit');
  if (obj.cpuLimit === undefined) {
    issues.push({ key: `${path}.cpuLimit`, value: undefined, problem: 'every pool needs a CPU limit, or it may grow without bound', fix: 'add "cpuLimit", the total vCPUs the pool may run, such as 64' });
  } else if (cpuLimit !== undefined && (cpuLimit < 1 || cpuLimit > 10000)) {
    issues.push({ key: `${path}.cpuLimit`, value: cpuLimit, problem: 'must be between 1 and 10000 vCPUs', fix: 'use the total vCPUs the pool may run, such as 64' });
  }

  const weight = reader.integer('weight', 50);
  if (weight !== undefined && (weight < 0 || weight > 100)) {
    issues.push({ key: `${path}.weight`, value: weight, problem: 'a NodePool weight is 0-100', fix: 'use a higher weight for the pool to try first, such as 100 for Graviton and 10 for x86' });
  }

  const instanceFamilies = reader.stringArray('instanceFamilies') ?? [];
  instanceFamilies.forEach((family, i) => checkFamily(family, `${path}.instanceFamilies[${i}]`, arch, issues));
  const categoriesGiven = obj.instanceCategories !== undefined;
  const instanceCategories = categoriesGiven ? reader.stringArray('instanceCategories') ?? [] : instanceFamilies.length > 0 ? [] : ['c', 'm', 'r'];
  instanceCategories.forEach((category, i) => {
    if (!INSTANCE_CATEGORY.test(category)) {
      issues.push({ key: `${path}.instanceCategories[${i}]`, value: category, problem: 'not an EC2 instance category (the letters before the generation, as in m7g)', fix: 'use categories such as "c", "m" and "r"' });
    }
  });
  if (categoriesGiven && instanceCategories.length === 0 && issues.length === before) {
    issues.push({ key: `${path}.instanceCategories`, value: obj.instanceCategories, problem: 'lists no category, so the pool could launch nothing', fix: 'list some, such as ["c","m","r"], or leave it out' });
  }

  const labels = resolveLabels(obj.labels, `${path}.labels`, issues);
  for (const label of Object.keys(labels)) {
    if (/(^|\.)(karpenter\.sh|karpenter\.k8s\.aws)\//.test(label)) {
      issues.push({ key: `${path}.labels.${label}`, value: labels[label], problem: 'karpenter.sh/ and karpenter.k8s.aws/ labels are set by Karpenter itself', fix: 'use a name such as "team" or "example.com/team"' });
    }
  }
  const taints = resolveTaints(obj.taints, `${path}.taints`, issues);

  if (issues.length > before) return undefined;
  return {
    name: name as string,
    arch: ARCHITECTURES.filter((a) => arch.includes(a)),
    capacityTypes: (['spot', 'on-demand'] as const).filter((c) => capacityTypes.includes(c)),
    cpuLimit: cpuLimit as number,
    instanceCategories,
    instanceFamilies,
    weight: weight as number,
    labels,
    taints,
  };
}

/** A non-empty JSON array (or comma-separated string) of allowed values, without repeats. */
function requiredList<T extends string>(obj: Record<string, unknown>, key: string, path: string, issues: ConfigIssue[], isValid: (v: unknown) => v is T, example: string, allowed: string): T[] {
  const raw = obj[key];
  const values = typeof raw === 'string' ? raw.split(',').map((v) => v.trim()) : raw;
  if (raw === undefined) {
    issues.push({ key: `${path}.${key}`, value: undefined, problem: `every pool needs ${key}`, fix: `add ${example}` });
    return [];
  }
  if (!Array.isArray(values) || values.length === 0) {
    issues.push({ key: `${path}.${key}`, value: raw, problem: 'must be a non-empty JSON array', fix: `write ${example}` });
    return [];
  }
  const result: T[] = [];
  values.forEach((value: unknown, i: number) => {
    if (!isValid(value)) issues.push({ key: `${path}.${key}[${i}]`, value, problem: 'not an allowed value', fix: `use ${allowed}` });
    else if (result.includes(value)) issues.push({ key: `${path}.${key}[${i}]`, value, problem: 'listed twice', fix: 'list each value once' });
    else result.push(value);
  });
  return result;
}

function checkFamily(family: string, key: string, arch: readonly Architecture[], issues: ConfigIssue[]): void {
  if (!INSTANCE_FAMILIES.has(family)) {
    issues.push({ key, value: family, problem: 'not an EC2 instance family', fix: `use a family such as ${ARCHITECTURE_INFO.arm64.exampleInstanceType.split('.')[0]} or ${ARCHITECTURE_INFO.amd64.exampleInstanceType.split('.')[0]}` });
    return;
  }
  let familyArch: Architecture;
  try {
    familyArch = new InstanceType(`${family}.large`).architecture === InstanceArchitecture.ARM_64 ? 'arm64' : 'amd64';
  } catch {
    return;
  }
  if (arch.length > 0 && !arch.includes(familyArch)) {
    issues.push({
      key,
      value: family,
      problem: `an ${ARCHITECTURE_INFO[familyArch].displayName} family in a pool whose arch is ${JSON.stringify(arch)}, so the pool could never launch it`,
      fix: `add "${familyArch}" to the pool's arch, or use an ${ARCHITECTURE_INFO[arch[0]].displayName} family such as ${ARCHITECTURE_INFO[arch[0]].exampleInstanceType.split('.')[0]}`,
    });
  }
}
