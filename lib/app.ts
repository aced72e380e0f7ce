import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { regionOfZone } from './config/cluster-config';
import { Clock, systemClock } from './config/kubernetes-versions';
import { resolveProjectConfig } from './config/project-config';
import { ProjectConfig } from './config/types';
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
  /**
   * The date of the synth, which decides each Kubernetes version's support phase. Tests fix it.
   * @default the system clock
   */
  readonly clock?: Clock;
}

export function buildApp(app: App = new App(), env: NodeJS.ProcessEnv = process.env, options: BuildAppOptions = {}): BuildAppResult {
  const context = app.node.getAllContext() as Record<string, unknown>;
  const date = (options.clock ?? systemClock)();
  const config = resolveProjectConfig((key) => app.node.tryGetContext(key), env, Object.keys(context), date);
  const stack = new MixedArchEksStack(app, STACK_NAME, {
    date,
    config: config.cluster,
    workloads: config.workloads,
    description: 'EKS cluster with Graviton (arm64) and x86_64 managed node groups (mixed-arch-eks)',
    // Environment-agnostic unless a VPC lookup needs the account, or the zones named pin the region: synth
    // then stays offline.
    env: config.cluster.vpcId
      ? { account: env.CDK_DEFAULT_ACCOUNT, region: env.CDK_DEFAULT_REGION }
      : config.cluster.availabilityZones ? { region: regionOfZone(config.cluster.availabilityZones[0]) } : undefined,
  });
  if (options.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, config };
}
