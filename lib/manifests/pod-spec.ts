import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Where most workload kinds keep their pod spec; also the guess for kinds this table does not know. */
export const TEMPLATE_POD_SPEC_PATH: readonly string[] = ['spec', 'template', 'spec'];

const POD_SPEC_PATHS: Readonly<Record<string, readonly string[]>> = {
  Pod: ['spec'],
  PodTemplate: ['template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
  Deployment: TEMPLATE_POD_SPEC_PATH,
  StatefulSet: TEMPLATE_POD_SPEC_PATH,
  DaemonSet: TEMPLATE_POD_SPEC_PATH,
  ReplicaSet: TEMPLATE_POD_SPEC_PATH,
  ReplicationController: TEMPLATE_POD_SPEC_PATH,
  Job: TEMPLATE_POD_SPEC_PATH,
};

/** The path of the pod spec in a built-in workload kind, or undefined for a kind without one. */
export function podSpecPath(kind: string): readonly string[] | undefined {
  return POD_SPEC_PATHS[kind];
}

/** The JSON pointer of a kind's pod spec, for JSON patches: `/spec` for a Pod, `/spec/template/spec` for a Job. */
export function podSpecPointer(kind: string): string {
  const path = podSpecPath(kind);
  if (!path) throw new Error(`a ${kind} has no pod spec`);
  return `/${path.join('/')}`;
}

// Fields of a pod spec only: one level off, the API server drops them silently (the article's mistake).
const POD_SPEC_FIELDS = ['nodeSelector', 'restartPolicy', 'imagePullSecrets', 'tolerations', 'affinity', 'containers',
  'initContainers', 'serviceAccountName', 'automountServiceAccountToken', 'hostNetwork', 'volumes'];

/** Pod-spec fields outside the pod spec, or inside a container: `spec.nodeSelector (belongs in spec.template.spec)`. */
export function misplacedPodFields(object: Record<string, unknown>): string[] {
  const path = typeof object.kind === 'string' ? podSpecPath(object.kind) : undefined;
  if (!path) return [];
  const belongs = `(belongs in ${path.join('.')})`;
  const found: string[] = [];
  let node: unknown = object;
  for (let depth = 0; depth < path.length && isRecord(node); depth++) {
    if (depth > 0) {
      for (const field of POD_SPEC_FIELDS) if (field in node) found.push(`${[...path.slice(0, depth), field].join('.')} ${belongs}`);
    }
    node = node[path[depth]];
  }
  for (const key of ['containers', 'initContainers']) {
    const containers = isRecord(node) && Array.isArray(node[key]) ? (node[key] as unknown[]) : [];
    containers.forEach((container, i) => {
      for (const field of POD_SPEC_FIELDS) {
        if (isRecord(container) && field in container) found.push(`${[...path, `${key}[${i}]`, field].join('.')} ${belongs}`);
      }
    });
  }
  return found;
}

/** `path` itself when it is a file, else every `.yaml`/`.yml` file below the folder, sorted. Throws when missing. */
export function yamlFilesUnder(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const full = join(path, entry.name);
      if (entry.isDirectory()) return yamlFilesUnder(full);
      return /\.ya?ml$/i.test(entry.name) ? [full] : [];
    });
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
