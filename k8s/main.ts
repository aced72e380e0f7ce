import { cpSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { loadCdkJsonContext } from '../lib/config/cdk-json';
import { contextOptionsIn, parseContextArgs } from '../lib/config/context-args';
import { ConfigError } from '../lib/config/errors';
import { pretendTodayNotice } from '../lib/config/kubernetes-versions';
import { resolveProjectConfig } from '../lib/config/project-config';
import { CDK8S_STAGING, writeManifests } from './app';
import { cdk8sSynthArgs } from './cdk8s-cli';

// `npm run synth` runs this file with its `-c` options; `cdk8s synth` runs it too (cdk8s.yaml), after emptying its
// output folder: cdk8s.yaml points that at CDK8S_STAGING, so dist/ is replaced here only once the charts are built.
const cliOutdir = process.env.CDK8S_OUTDIR || undefined;
const staged = cliOutdir !== undefined && resolve(cliOutdir) === resolve(CDK8S_STAGING);
const outdir = staged || !cliOutdir ? 'dist' : cliOutdir;
const notice = pretendTodayNotice();
if (notice) console.error(notice);
try {
  // The `-c` options: ours when run alone, else those `cdk8s synth` was given (it passes none on).
  const { overrides, unknown } = parseContextArgs(cliOutdir ? contextOptionsIn(cdk8sSynthArgs() ?? []) : process.argv.slice(2));
  if (unknown !== undefined) throw new ConfigError([{ key: 'argument', value: unknown, problem: 'not a -c key=value option', fix: 'give -c key=value options only' }]);
  // The same configuration as the CDK app: cdk.json context with the -c options, and PRINT_PLATFORM_INFO_IMAGE.
  const context = { ...loadCdkJsonContext(), ...overrides };
  const files = writeManifests(resolveProjectConfig((key) => context[key], process.env, Object.keys(context)), outdir);
  // cdk8s-cli lists the files of its output folder: the staging folder gets a copy of what dist/ now holds.
  if (staged) cpSync(outdir, cliOutdir, { recursive: true });
  const written = `${relative(process.cwd(), outdir) || '.'}/: ${files.join(', ')}`;
  // cdk8s-cli keeps the app's stdout to itself, and lists the staging folder's files: say where they went.
  if (staged) console.error(written);
  else if (!cliOutdir) console.log(written);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  // A configuration mistake is the user's to fix: print it alone, without a stack trace. The previous manifests stay.
  console.error(error.message);
  process.exitCode = 1;
}
