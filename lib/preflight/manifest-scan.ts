import { readFileSync, statSync } from 'node:fs';
import { relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ARCH_NODE_LABEL, ARCHITECTURES } from '../config/architectures';
import { TEMPLATE_POD_SPEC_PATH, isRecord, podSpecPath, yamlFilesUnder } from '../manifests/pod-spec';
import { PreflightError } from './errors';

/** One container image as a Kubernetes workload uses it, with where the scheduler may place it. */
export interface WorkloadImageUse {
  readonly image: string;
  /** `Job default/print-platform-info-arm64`, or `Pod web` without a namespace. */
  readonly workload: string;
  readonly container: string;
  /** The file, relative to the folder given (or its name when a file was given). */
  readonly file: string;
  /**
   * The `kubernetes.io/arch` values the pod is restricted to, as written (may hold values no node has);
   * undefined when nodeSelector and required nodeAffinity leave the architecture open.
   */
  readonly pinnedTo?: readonly string[];
}

/** A workload's pod spec as a manifest file holds it. */
export interface WorkloadPodSpec {
  /** `Job default/print-platform-info-arm64`, or `Pod web` without a namespace. */
  readonly workload: string;
  /** The file, relative to the folder given (or its name when a file was given). */
  readonly file: string;
  readonly podSpec: Record<string, unknown>;
}

/**
 * Reads every `.yaml`/`.yml` file under a folder (or one file), all documents in each, and lists the images
 * of containers and init containers with the architectures their pods are pinned to.
 */
export function scanManifests(path: string): WorkloadImageUse[] {
  const uses: WorkloadImageUse[] = [];
  for (const { workload, file, podSpec } of readWorkloads(path)) {
    const pinnedTo = pinnedArchitectures(podSpec);
    for (const list of [podSpec.initContainers, podSpec.containers]) {
      if (!Array.isArray(list)) continue;
      for (const container of list) {
        if (!isRecord(container) || typeof container.image !== 'string') continue;
        uses.push({ image: container.image, workload, container: String(container.name ?? ''), file, pinnedTo });
      }
    }
  }
  if (uses.length === 0) {
    throw new PreflightError(`found no workload with containers in ${path}`, 'Pass the folder with the Pod, Job, Deployment or CronJob manifests');
  }
  return uses;
}

/** Every workload with a pod spec in the manifests under a folder (or one file), in file and document order. */
export function readWorkloads(path: string): WorkloadPodSpec[] {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch {
    throw new PreflightError(`there is no folder ${path}`, 'Run npm run synth first (cdk8s writes the manifests to dist/), or pass the folder that holds them');
  }
  const files = yamlFilesUnder(path);
  if (files.length === 0) throw new PreflightError(`${path} holds no .yaml or .yml files`, 'Run npm run synth first, or pass the folder that holds the manifests');

  const workloads: WorkloadPodSpec[] = [];
  for (const file of files) {
    const name = isDirectory ? relative(path, file) : file;
    for (const document of readDocuments(file, name)) collect(document, name, workloads);
  }
  return workloads;
}

function readDocuments(file: string, name: string): unknown[] {
  const documents = parseAllDocuments(readFileSync(file, 'utf8'));
  const list = Array.isArray(documents) ? documents : [];
  for (const document of list) {
    const error = document.errors[0];
    if (error) {
      const line = error.linePos?.[0].line;
      throw new PreflightError(`${name}${line ? ` line ${line}` : ''} is not valid YAML (${error.message.split('\n')[0]})`, 'Fix the file or regenerate it with npm run synth');
    }
  }
  return list.map((d) => d.toJS() as unknown);
}

function collect(document: unknown, file: string, workloads: WorkloadPodSpec[]): void {
  if (!isRecord(document)) return;
  const kind = typeof document.kind === 'string' ? document.kind : '';
  if (kind.endsWith('List') && Array.isArray(document.items)) {
    document.items.forEach((item) => collect(item, file, workloads));
    return;
  }
  const podSpec = at(document, podSpecPath(kind) ?? TEMPLATE_POD_SPEC_PATH);
  if (!isRecord(podSpec)) return;
  const metadata = isRecord(document.metadata) ? document.metadata : {};
  const name = typeof metadata.name === 'string' ? metadata.name : '(unnamed)';
  workloads.push({ workload: `${kind || 'object'} ${typeof metadata.namespace === 'string' ? `${metadata.namespace}/` : ''}${name}`, file, podSpec });
}

/** Combines `nodeSelector` and required nodeAffinity on the arch label into the set of allowed values. */
export function pinnedArchitectures(podSpec: Record<string, unknown>): string[] | undefined {
  const selector = at(podSpec, ['nodeSelector', ARCH_NODE_LABEL]);
  const fromSelector = typeof selector === 'string' ? [selector] : undefined;
  const fromAffinity = affinityArchitectures(podSpec);
  if (!fromSelector) return fromAffinity;
  if (!fromAffinity) return fromSelector;
  return fromSelector.filter((arch) => fromAffinity.includes(arch));
}

function affinityArchitectures(podSpec: Record<string, unknown>): string[] | undefined {
  const terms = at(podSpec, ['affinity', 'nodeAffinity', 'requiredDuringSchedulingIgnoredDuringExecution', 'nodeSelectorTerms']);
  if (!Array.isArray(terms) || terms.length === 0) return undefined;
  const mentioned = new Set<string>(ARCHITECTURES);
  const expressions = terms.map((term) => (isRecord(term) && Array.isArray(term.matchExpressions) ? term.matchExpressions.filter(isRecord) : []));
  expressions.flat().forEach((e) => Array.isArray(e.values) && e.values.forEach((v) => typeof v === 'string' && mentioned.add(v)));
  // Terms are ORed, expressions within a term ANDed; a term without an arch expression allows every arch.
  const allowed = new Set<string>();
  for (const term of expressions) {
    let set = [...mentioned];
    for (const e of term.filter((x) => x.key === ARCH_NODE_LABEL)) {
      const values = Array.isArray(e.values) ? e.values.filter((v): v is string => typeof v === 'string') : [];
      if (e.operator === 'In') set = set.filter((a) => values.includes(a));
      else if (e.operator === 'NotIn') set = set.filter((a) => !values.includes(a));
      else if (e.operator === 'DoesNotExist') set = [];
    }
    set.forEach((a) => allowed.add(a));
  }
  return allowed.size === mentioned.size ? undefined : [...allowed];
}

function at(value: unknown, path: readonly string[]): unknown {
  return path.reduce<unknown>((current, key) => (isRecord(current) ? current[key] : undefined), value);
}
