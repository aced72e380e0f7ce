import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError } from './config/errors';
import { ProjectConfig, resolveProjectConfig } from './config/project-config';
import { MixedArchEksStack } from './mixed-arch-eks-stack';

export const STACK_NAME = 'MixedArchEks';

export interface BuildAppResult {
  readonly app: App;
  readonly stack: MixedArchEksStack;
  readonly config: ProjectConfig;
}

/**
 * Builds the CDK app: validates the configuration first (throws ConfigError before any construct exists),
 * then the stack, with the cdk-nag AwsSolutions pack registered as a policy-validation plugin.
 */
export interface BuildAppOptions {
  /**
   * Register the cdk-nag AwsSolutions pack. Tests that assert on templates turn it off and run the pack once,
   * in their own test, through `validateScope`.
   * @default true
   */
  readonly nag?: boolean;
}

export function buildApp(app: App = new App(), env: NodeJS.ProcessEnv = process.env, options: BuildAppOptions = {}): BuildAppResult {
  const config = resolveProjectConfig((key) => app.node.tryGetContext(key), env);
  if (config.cluster.vpcId && !(env.CDK_DEFAULT_ACCOUNT && env.CDK_DEFAULT_REGION)) {
    throw new ConfigError([{
      key: 'vpcId',
      value: config.cluster.vpcId,
      problem: 'using an existing VPC needs a lookup in your AWS account, and no account or region is known',
      fix: 'run with AWS credentials and a region (AWS_PROFILE/AWS_REGION), or leave vpcId out to create a VPC',
    }]);
  }
  const stack = new MixedArchEksStack(app, STACK_NAME, {
    config: config.cluster,
    workloads: config.workloads,
    description: 'EKS cluster with Graviton (arm64) and x86_64 managed node groups (mixed-arch-eks)',
    // Environment-agnostic unless a VPC lookup needs the account: synth then stays offline.
    env: config.cluster.vpcId ? { account: env.CDK_DEFAULT_ACCOUNT, region: env.CDK_DEFAULT_REGION } : undefined,
  });
  if (options.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, config };
}
