#!/usr/bin/env node
/**
 * `npm run synth [-- -c key=value ...]`: `cdk synth` (cdk.out/) and then the cdk8s app (dist/), both with the same
 * `-c` options, so the manifests match the stack. Refuses, in one line each, a cdk.json that is not JSON, an
 * argument that is not `-c key=value`, and a `-c` that npm took for itself (`npm run synth -c ...` without `--`).
 */
import { spawnSync } from 'node:child_process';
import { PROJECT_ROOT, loadCdkJsonContext } from '../lib/config/cdk-json';
import { npmTookContext, parseContextArgs } from '../lib/config/context-args';
import { ConfigError } from '../lib/config/errors';

const USAGE = 'Usage: npm run synth -- [-c key=value]...';

function main(argv: readonly string[]): number {
  const took = npmTookContext('synth');
  if (took) {
    console.error(took);
    return 2;
  }
  const { args, unknown } = parseContextArgs(argv);
  if (unknown !== undefined) {
    console.error(`Unknown argument "${unknown}". ${USAGE}`);
    return 2;
  }
  try {
    // The CDK CLI reads cdk.json first and names no line or column; this does.
    loadCdkJsonContext();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    return 1;
  }
  const run = (command: string[]) => spawnSync(process.execPath, command, { stdio: 'inherit' }).status ?? 1;
  const cdk = require.resolve('aws-cdk/bin/cdk', { paths: [process.cwd(), PROJECT_ROOT] });
  const synth = run([cdk, 'synth', '--quiet', ...args]);
  if (synth !== 0) return synth;
  return run(['--require', 'esbuild-register', 'k8s/main.ts', ...args]);
}

process.exitCode = main(process.argv.slice(2));
