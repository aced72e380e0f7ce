import { ConfigIssue } from './errors';
import { ImageReferenceError, parseImageReference } from './image-reference';
import { CONFIG_DEFAULTS, IMAGE_ENV_VAR, WORKLOAD_NAMES, WorkloadConfig, WorkloadName } from './types';
import { ValueReader } from './value-reader';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
// Kubernetes' own namespaces: system pods and their service accounts (with Pod Identity roles) live there.
const RESERVED_NAMESPACES = ['kube-system', 'kube-public', 'kube-node-lease'];

/** The workload keys: which workloads, images (PRINT_PLATFORM_INFO_IMAGE wins over the key), namespace and pull secret. */
export function resolveWorkloads(reader: ValueReader, env: NodeJS.ProcessEnv, issues: ConfigIssue[]): WorkloadConfig {
  const selected = resolveSelection(reader, issues);
  const fromEnv = env[IMAGE_ENV_VAR];
  const imageKey = fromEnv ? IMAGE_ENV_VAR : 'printPlatformInfoImage';
  const printPlatformInfoImage = fromEnv || (reader.string('printPlatformInfoImage') ?? CONFIG_DEFAULTS.printPlatformInfoImage);
  checkPinnedImage(imageKey, printPlatformInfoImage, issues);
  const busyboxImage = reader.string('busyboxImage') ?? CONFIG_DEFAULTS.busyboxImage;
  checkPinnedImage('busyboxImage', busyboxImage, issues);

  const namespace = reader.string('namespace') ?? CONFIG_DEFAULTS.namespace;
  if (RESERVED_NAMESPACES.includes(namespace)) {
    issues.push({ key: 'namespace', value: namespace, problem: 'a namespace of the cluster itself: the restricted Pod Security labels would stop its privileged system pods (aws-node, kube-proxy), and the GitLab role would get edit rights there', fix: 'use a namespace of your own, such as "platform-info"' });
  } else if (!DNS_LABEL.test(namespace)) {
    issues.push({ key: 'namespace', value: namespace, problem: 'not a Kubernetes namespace name', fix: 'use at most 63 lower-case letters, digits and hyphens, such as "platform-info"' });
  }
  const imagePullSecretName = reader.string('imagePullSecretName', true) ?? CONFIG_DEFAULTS.imagePullSecretName;
  if (imagePullSecretName !== '' && !/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(imagePullSecretName)) {
    issues.push({ key: 'imagePullSecretName', value: imagePullSecretName, problem: 'not a Kubernetes Secret name', fix: 'use lower-case letters, digits, - and ., such as "registry-credentials", or "" for none' });
  }
  return { selected, printPlatformInfoImage, busyboxImage, namespace, imagePullSecretName };
}

/**
 * The `workloads` key: names from WORKLOAD_NAMES, as a JSON array or a comma-separated string; every workload
 * when unset. A cluster without arm64 nodes leaves busybox (arm64-only) out with it.
 */
function resolveSelection(reader: ValueReader, issues: ConfigIssue[]): WorkloadName[] {
  const raw = reader.raw('workloads');
  if (raw === undefined) return [...WORKLOAD_NAMES];
  const names = reader.list('workloads', '');
  const all = WORKLOAD_NAMES.join(', ');
  if (names.length === 0) {
    // reader.list has already reported a value of the wrong type.
    if (typeof raw === 'string' || Array.isArray(raw)) {
      issues.push({ key: 'workloads', value: raw, problem: 'names no workload', fix: `list one or more of ${all}, or leave the key out for all of them` });
    }
    return [];
  }
  for (const name of names.filter((n) => !(WORKLOAD_NAMES as readonly string[]).includes(n))) {
    const near = WORKLOAD_NAMES.find((w) => w.replace(/-/g, '') === name.toLowerCase().replace(/[-_ ]/g, ''));
    issues.push({ key: 'workloads', value: raw, problem: `"${name}" is not a workload of this project`, fix: near ? `write "${near}"` : `use ${all}` });
  }
  return WORKLOAD_NAMES.filter((w) => names.includes(w));
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

