import { loadCdkJsonContext } from '../lib/config/cdk-json';
import { ConfigError } from '../lib/config/errors';
import { resolveProjectConfig } from '../lib/config/project-config';
import { buildK8sApp } from './app';

try {
  // The same configuration as the CDK app: cdk.json context, and PRINT_PLATFORM_INFO_IMAGE for the image.
  const context = loadCdkJsonContext();
  buildK8sApp(resolveProjectConfig((key) => context[key], process.env, Object.keys(context))).synth();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
