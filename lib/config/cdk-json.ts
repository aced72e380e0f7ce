import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ContextReader } from './value-reader';

/** The repository root, where cdk.json lives. */
export const PROJECT_ROOT = join(__dirname, '..', '..');

/**
 * Reads the `context` of cdk.json: the cdk8s app and the tools use it to see the configuration that
 * `cdk deploy` uses (the CDK CLI itself hands context to the CDK app, with `-c` overrides on top).
 */
export function readCdkJsonContext(file = join(PROJECT_ROOT, 'cdk.json')): ContextReader {
  const context = loadCdkJsonContext(file);
  return (key) => context[key];
}

/** The `context` object of cdk.json. */
export function loadCdkJsonContext(file = join(PROJECT_ROOT, 'cdk.json')): Record<string, unknown> {
  return (JSON.parse(readFileSync(file, 'utf8')) as { context?: Record<string, unknown> }).context ?? {};
}
