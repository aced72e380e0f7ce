import Ajv, { ValidateFunction } from 'ajv';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KARPENTER_VERSION } from '../../lib/config/karpenter-config';

/**
 * Validates a NodePool or EC2NodeClass against the v1 OpenAPI schema of the CRDs of the Karpenter version the
 * stack installs (test/fixtures/karpenter-crds/<version>/, written by scripts/karpenter-crd-schemas.ts).
 * The schemas' CEL rules (x-kubernetes-validations) need an API server and are not evaluated here.
 */
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
const validators = new Map<string, ValidateFunction>();

function validatorFor(kind: string): ValidateFunction {
  const file = { NodePool: 'nodepools', EC2NodeClass: 'ec2nodeclasses' }[kind];
  if (!file) throw new Error(`no Karpenter schema for kind ${kind}`);
  let validate = validators.get(file);
  if (!validate) {
    const schema: unknown = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'karpenter-crds', KARPENTER_VERSION, `${file}.v1.schema.json`), 'utf8'));
    validate = ajv.compile(schema as object);
    validators.set(file, validate);
  }
  return validate;
}

/** The schema errors of `object` as `path: message` lines; empty when it is valid. */
export function validateKarpenterObject(object: unknown): string[] {
  const kind = (object as { kind?: string }).kind ?? '';
  const validate = validatorFor(kind);
  return validate(object) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message}`);
}
