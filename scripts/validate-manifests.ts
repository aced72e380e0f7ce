/**
 * `npm run validate-manifests [-- <file|folder>...]`: validates Kubernetes manifests (the files and folders
 * given, else dist/) against the Kubernetes OpenAPI schema with kubernetes-models, and rejects pod-spec fields
 * at the wrong level, which kubernetes-models lets through. Exit 0 when every object is valid, 1 when one is
 * not, 2 for bad usage.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { isRecord, misplacedPodFields, yamlFilesUnder } from '../lib/manifests/pod-spec';

const TOP_LEVEL_KEYS = new Set(['apiVersion', 'kind', 'metadata', 'spec', 'data', 'stringData', 'type', 'immutable']);
/** Kinds whose own fields sit at the top level, beside apiVersion and kind (Kubernetes API reference). */
const KIND_TOP_LEVEL_KEYS: Readonly<Record<string, readonly string[]>> = {
  ServiceAccount: ['automountServiceAccountToken', 'imagePullSecrets', 'secrets'],
  MutatingWebhookConfiguration: ['webhooks'],
  ValidatingWebhookConfiguration: ['webhooks'],
};

type Model = new (data: unknown) => { validate(): void };

// kubernetes-models ships ES modules only: loaded with import(), by a specifier TypeScript does not resolve.
async function modelFor(apiVersion: string, kind: string): Promise<Model | undefined> {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : [undefined, apiVersion];
  const specifier = `kubernetes-models/${group ? `${group}/` : ''}${version}`;
  const module = (await import(specifier)) as Record<string, Model | undefined>;
  return module[kind];
}

async function validate(object: Record<string, unknown>): Promise<void> {
  const own = KIND_TOP_LEVEL_KEYS[String(object.kind)] ?? [];
  const stray = Object.keys(object).filter((k) => !TOP_LEVEL_KEYS.has(k) && !own.includes(k));
  if (stray.length) throw new Error(`unknown top-level field(s) ${stray.join(', ')} (do they belong under spec?)`);
  const misplaced = misplacedPodFields(object);
  if (misplaced.length) throw new Error(`misplaced field(s) ${misplaced.join(', ')}`);
  const Model = await modelFor(String(object.apiVersion), String(object.kind));
  if (!Model) throw new Error(`no schema for ${object.apiVersion} ${object.kind}`);
  new Model(object).validate();
}

async function main(paths: readonly string[]): Promise<number> {
  const missing = paths.filter((p) => !existsSync(p));
  if (missing.length) {
    console.error(`${missing.join(', ')}: no such file or folder. Write the manifests first: npm run synth`);
    return 2;
  }
  let failures = 0;
  for (const file of paths.flatMap(yamlFilesUnder)) {
    for (const document of parseAllDocuments(readFileSync(file, 'utf8'))) {
      const object: unknown = document.toJS();
      if (!isRecord(object)) continue;
      const metadata = isRecord(object.metadata) ? object.metadata : {};
      const where = `${file}: ${String(object.kind ?? '?')}/${String(metadata.name ?? '?')}`;
      try {
        await validate(object);
        console.log(`valid   ${where}`);
      } catch (error) {
        failures++;
        console.log(`INVALID ${where}: ${(error as Error).message}`);
      }
    }
  }
  console.log(failures ? `${failures} invalid object(s)` : 'all objects are valid');
  return failures ? 1 : 0;
}

// No argument: the folder the cdk8s app writes. Arguments replace it (only the folders given are checked).
const args = process.argv.slice(2);
void main(args.length > 0 ? args : ['dist']).then((code) => {
  process.exitCode = code;
});
