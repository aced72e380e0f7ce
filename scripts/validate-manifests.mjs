#!/usr/bin/env node
// Validates Kubernetes manifests against the Kubernetes OpenAPI schema with kubernetes-models.
// Plain ESM: kubernetes-models ships ES modules only. Usage: node scripts/validate-manifests.mjs <file|dir>...
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

const TOP_LEVEL_KEYS = new Set(['apiVersion', 'kind', 'metadata', 'spec', 'data', 'stringData', 'type', 'immutable']);

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
