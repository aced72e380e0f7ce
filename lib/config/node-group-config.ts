import { InstanceArchitecture, InstanceClass, InstanceSize, InstanceType } from 'aws-cdk-lib/aws-ec2';
import { Accelerator, acceleratorOf, amiTypeFor } from './ami-types';
import { ARCHITECTURE_ALIASES, ARCHITECTURE_INFO, ARCHITECTURES, Architecture, isArchitecture } from './architectures';
import { ConfigIssue } from './errors';
import { LAST_AL2_KUBERNETES_VERSION, hasAl2Amis } from './kubernetes-versions';
import { AMI_FAMILIES, AmiFamily, CAPACITY_TYPES, CapacityType, NodeGroupConfig, NodeTaint, TAINT_EFFECTS, TaintEffect } from './types';
import { ValueReader } from './value-reader';

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

/**
 * Validates the `nodeGroups` key: every group, every field, every problem reported (none hides another).
 * `clusterAmiFamily` is what groups without their own `amiFamily` run.
 */
export function resolveNodeGroups(reader: ValueReader, clusterAmiFamily: AmiFamily, kubernetesVersion: string | undefined, issues: ConfigIssue[]): NodeGroupConfig[] {
  const raw = reader.json('nodeGroups', undefined);
  if (raw === undefined) {
    if (reader.raw('nodeGroups') === undefined) {
      issues.push({ key: 'nodeGroups', value: undefined, problem: 'the cluster needs at least one node group', fix: 'define them under "context" in cdk.json (see docs/configuration.md)' });
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
  if (inheritsAl2 && kubernetesVersion && !hasAl2Amis(kubernetesVersion)) {
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
  if (groups.length === raw.length && !groups.some(canRunCoreDns)) {
    issues.push({
      key: 'nodeGroups',
      value: groups.map((g) => `${g.name}: ${g.taints.map((t) => `${t.key}=${t.value ?? ''}:${t.effect}`).join(', ')}`).join('; '),
      problem: 'every node group has a NoSchedule or NoExecute taint, and CoreDNS tolerates only CriticalAddonsOnly: it would stay Pending and the cluster would have no DNS',
      fix: 'leave at least one node group without NoSchedule/NoExecute taints (PreferNoSchedule is fine), or taint it with key CriticalAddonsOnly',
    });
  }
  return groups;
}

/** Whether CoreDNS, which tolerates `CriticalAddonsOnly` alone, can be scheduled on a group's nodes. */
function canRunCoreDns(group: NodeGroupConfig): boolean {
  return group.taints.every((t) => t.effect === 'PreferNoSchedule' || t.key === 'CriticalAddonsOnly');
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
  if (obj.amiFamily !== undefined && amiFamily === 'AL2' && kubernetesVersion && !hasAl2Amis(kubernetesVersion)) {
    issues.push({ key: `${path}.amiFamily`, value: 'AL2', problem: `EKS publishes no Amazon Linux 2 AMIs for Kubernetes ${kubernetesVersion} (${LAST_AL2_KUBERNETES_VERSION} is the last)`, fix: `set amiFamily to "AL2023" or "BOTTLEROCKET", or kubernetesVersion to "${LAST_AL2_KUBERNETES_VERSION}"` });
  }

  const instanceTypes = reader.stringArray('instanceTypes') ?? [];
  if (Array.isArray(obj.instanceTypes) && obj.instanceTypes.length === 0) {
    issues.push({ key: `${path}.instanceTypes`, value: obj.instanceTypes, problem: 'lists no instance type', fix: `list at least one, such as ["${ARCHITECTURE_INFO[arch ?? 'arm64'].exampleInstanceType}"]` });
  } else if (obj.instanceTypes === undefined) {
    issues.push({ key: `${path}.instanceTypes`, value: undefined, problem: 'every node group needs instance types', fix: `add "instanceTypes": ["${ARCHITECTURE_INFO[arch ?? 'arm64'].exampleInstanceType}"]` });
  }
  const beforeTypes = issues.length;
  instanceTypes.forEach((type, i) => checkInstanceType(type, `${path}.instanceTypes[${i}]`, arch, issues));
  if (issues.length === beforeTypes && arch && amiFamily && instanceTypes.length > 0) {
    checkAcceleratedTypes(instanceTypes, path, amiFamily, arch, issues);
  }

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

const ACCELERATOR_NAMES: Readonly<Record<Accelerator | 'none', string>> = {
  nvidia: 'NVIDIA GPU', neuron: 'Inferentia/Trainium (Neuron)', unsupported: 'unsupported accelerator', none: 'no accelerator',
};

/**
 * Accelerated instance types need the AMI type of their accelerator (NVIDIA or Neuron driver) for the group's
 * OS and architecture: one group, one AMI, so no mixing; and no group EKS has no AMI type for.
 */
function checkAcceleratedTypes(instanceTypes: readonly string[], path: string, amiFamily: AmiFamily, arch: Architecture, issues: ConfigIssue[]): void {
  const kinds = instanceTypes.map((type) => acceleratorOf(type) ?? 'none');
  const unsupported = instanceTypes.map((type, i) => [type, i] as const).filter(([, i]) => kinds[i] === 'unsupported');
  for (const [type, i] of unsupported) {
    issues.push({
      key: `${path}.instanceTypes[${i}]`, value: type,
      problem: `its accelerator is one no EKS-optimized AMI supports (they drive NVIDIA GPUs from g4dn and p3 on, Inferentia and Trainium)`,
      fix: 'use g6, g5 or g5g (NVIDIA), inf2 or trn1 (Neuron), or a type without an accelerator',
    });
  }
  if (unsupported.length > 0) return;
  if (new Set(kinds).size > 1) {
    issues.push({
      key: `${path}.instanceTypes`, value: instanceTypes,
      problem: `mixes types that need different AMIs (${instanceTypes.map((t, i) => `${t}: ${ACCELERATOR_NAMES[kinds[i]]}`).join(', ')}); a node group has one AMI type`,
      fix: 'put NVIDIA GPU, Neuron and other instance types in separate node groups',
    });
    return;
  }
  if (kinds[0] !== 'none' && amiTypeFor(amiFamily, arch, instanceTypes) === undefined) {
    const families = (['AL2023', 'BOTTLEROCKET', 'AL2'] as const).filter((f) => amiTypeFor(f, arch, instanceTypes) !== undefined);
    issues.push({
      key: `${path}.instanceTypes[0]`, value: instanceTypes[0],
      problem: `EKS has no ${amiFamily} AMI type for ${ACCELERATOR_NAMES[kinds[0]]} instances on ${arch}`,
      fix: `set the group's "amiFamily" to ${families.map((f) => `"${f}"`).join(' or ')}`,
    });
  }
}

export function resolveLabels(raw: unknown, key: string, issues: ConfigIssue[]): Record<string, string> {
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
      issues.push({ key: `${key}.${name}`, value, problem: 'a label value must be a string of at most 63 characters (letters, digits, - _ .)', fix: 'quote it and shorten it, such as "platform"' });
    } else {
      labels[name] = value;
    }
  }
  return labels;
}

export function resolveTaints(raw: unknown, key: string, issues: ConfigIssue[]): NodeTaint[] {
  if (raw === undefined) return [];
  const example = '[{"key":"dedicated","value":"batch","effect":"NoSchedule"}]';
  if (!Array.isArray(raw)) {
    issues.push({ key, value: raw, problem: 'taints must be a JSON array', fix: `write them like ${example}` });
    return [];
  }
  const taints: NodeTaint[] = [];
  raw.forEach((taint: unknown, i: number) => {
    const t = (typeof taint === 'object' && taint !== null ? taint : {}) as Record<string, unknown>;
    const before = issues.length;
    if (typeof t.key !== 'string' || !LABEL_NAME.test(t.key)) {
      issues.push({ key: `${key}[${i}].key`, value: t.key, problem: 'a taint needs a key that is a valid label name', fix: `write taints like ${example}` });
    }
    if (t.value !== undefined && (typeof t.value !== 'string' || !LABEL_VALUE.test(t.value))) {
      issues.push({ key: `${key}[${i}].value`, value: t.value, problem: 'a taint value must be a label value', fix: 'use at most 63 letters, digits, - _ .' });
    }
    if (!(TAINT_EFFECTS as readonly unknown[]).includes(t.effect)) {
      issues.push({ key: `${key}[${i}].effect`, value: t.effect, problem: 'not a taint effect', fix: `use one of ${TAINT_EFFECTS.join(', ')}` });
    }
    if (issues.length > before) return;
    taints.push({ key: t.key as string, value: t.value as string | undefined, effect: t.effect as TaintEffect });
  });
  return taints;
}

