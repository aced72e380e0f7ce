#!/usr/bin/env node
// Validates Kubernetes manifests against the Kubernetes OpenAPI schema with kubernetes-models.
// Plain ESM: kubernetes-models ships ES modules only. Usage: node scripts/validate-manifests.mjs <file|dir>...
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

const TOP_LEVEL_KEYS = new Set(['apiVersion', 'kind', 'metadata', 'spec', 'data', 'stringData', 'type', 'immutable']);
// kubernetes-models accepts unknown fields, so a pod-spec field one level off passes its schema check and is
// silently dropped by the API server (the article's mistake). These fields belong in a pod spec only.
const POD_SPEC_FIELDS = ['nodeSelector', 'restartPolicy', 'imagePullSecrets', 'tolerations', 'affinity', 'containers',
  'initContainers', 'serviceAccountName', 'automountServiceAccountToken', 'hostNetwork', 'volumes'];
const POD_TEMPLATE_PATH = {
  Deployment: ['spec', 'template', 'spec'], StatefulSet: ['spec', 'template', 'spec'], DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'], Job: ['spec', 'template', 'spec'], CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

/** Pod-spec fields found outside the pod spec, or inside a container: `spec.nodeSelector (belongs in spec.template.spec)`. */
function misplacedPodFields(object) {
  const podSpecPath = object.kind === 'Pod' ? ['spec'] : POD_TEMPLATE_PATH[object.kind];
  if (!podSpecPath) return [];
  const found = [];
  let node = object;
  for (let depth = 0; depth < podSpecPath.length && node && typeof node === 'object'; depth++) {
    const here = podSpecPath.slice(0, depth);
    for (const field of POD_SPEC_FIELDS) {
      if (depth > 0 && field in node) found.push(`${[...here, field].join('.')} (belongs in ${podSpecPath.join('.')})`);
    }
    node = node[podSpecPath[depth]];
  }
  for (const key of ['containers', 'initContainers']) {
    for (const [i, container] of (node?.[key] ?? []).entries()) {
      for (const field of POD_SPEC_FIELDS) {
        if (container && field in container) found.push(`${[...podSpecPath, `${key}[${i}]`, field].join('.')} (belongs in ${podSpecPath.join('.')})`);
      }
    }
  }
  return found;
}

const missing = process.argv.slice(2).filter((arg) => !existsSync(arg));
if (missing.length) {
  console.error(`${missing.join(', ')}: no such file or folder. Write the manifests first: npm run synth`);
  process.exit(2);
}
const files = process.argv.slice(2).flatMap((arg) =>
  statSync(arg).isDirectory()
    ? readdirSync(arg).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(arg, f))
    : [arg]);
if (files.length === 0) {
  console.error('usage: validate-manifests <file|dir>... (no YAML file found)');
  process.exit(2);
}

let failures = 0;
for (const file of files) {
  for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
    const object = doc.toJS();
    if (object === null || object === undefined) continue;
    const where = `${file}: ${object.kind ?? '?'}/${object.metadata?.name ?? '?'}`;
    try {
      // kubernetes-models does not reject unknown fields; a field outside `spec` is the classic mistake.
      const stray = Object.keys(object).filter((k) => !TOP_LEVEL_KEYS.has(k));
      if (stray.length) throw new Error(`unknown top-level field(s) ${stray.join(', ')} (do they belong under spec?)`);
      const misplaced = misplacedPodFields(object);
      if (misplaced.length) throw new Error(`misplaced field(s) ${misplaced.join(', ')}`);
      const [group, version] = object.apiVersion.includes('/') ? object.apiVersion.split('/') : [undefined, object.apiVersion];
      const module = await import(`kubernetes-models/${group ? `${group}/` : ''}${version}`);
      const Model = module[object.kind];
      if (!Model) throw new Error(`no schema for ${object.apiVersion} ${object.kind}`);
      new Model(object).validate();
      console.log(`valid   ${where}`);
    } catch (error) {
      failures++;
      console.log(`INVALID ${where}: ${error.message}`);
    }
  }
}
console.log(failures ? `${failures} invalid object(s)` : 'all objects are valid');
process.exit(failures ? 1 : 0);
