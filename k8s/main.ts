import { relative } from 'node:path';
import { loadCdkJsonContext } from '../lib/config/cdk-json';
import { ConfigError } from '../lib/config/errors';
import { resolveProjectConfig } from '../lib/config/project-config';
import { writeManifests } from './app';

// `npm run synth` runs this file; `cdk8s synth` runs it too (cdk8s.yaml), after emptying its output folder.
const outdir = process.env.CDK8S_OUTDIR || 'dist';
try {
  // The same configuration as the CDK app: cdk.json context, and PRINT_PLATFORM_INFO_IMAGE for the image.
  const context = loadCdkJsonContext();
  const files = writeManifests(resolveProjectConfig((key) => context[key], process.env, Object.keys(context)), outdir);
  // cdk8s-cli lists the files itself; alone, say once what was written.
  if (!process.env.CDK8S_OUTDIR) console.log(`${relative(process.cwd(), outdir) || '.'}/: ${files.join(', ')}`);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  // A configuration mistake is the user's to fix: print it alone, without a stack trace. The previous manifests stay.
  console.error(error.message);
  process.exitCode = 1;
}
