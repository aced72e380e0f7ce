import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { regionOfZone } from '../lib/config/cluster-config';
import { Clock, clockFromEnvironment } from '../lib/config/kubernetes-versions';
import { resolveProjectConfig } from '../lib/config/project-config';
import { ProjectConfig } from '../lib/config/types';
import { RunningVersion } from '../lib/config/version-step';
import { MixedArchEksStack, WorkloadManifests } from '../lib/mixed-arch-eks-stack';

export const STACK_NAME = 'MixedArchEks';

export interface BuildAppResult {
  readonly app: App;
  readonly stack: MixedArchEksStack;
  readonly config: ProjectConfig;
}

/**
 * Wires the CDK app: lib/ (the stack) and k8s/ (the charts) do not know each other; here the charts' objects are
 * handed to the stack, which applies them only when configured to.
 *
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
   * @default the system clock, or the day MIXED_ARCH_EKS_PRETEND_TODAY names (clockFromEnvironment)
   */
  readonly clock?: Clock;
  /**
   * The Kubernetes version the cluster already runs, where known: a `kubernetesVersion` more than one minor
   * above it, or below it, is refused (EKS moves one minor per update). bin/ reads the last synth's template in
   * the `cdk` CLI's output folder; tests pass one.
   * @default - unknown: no step is refused
   */
  readonly runningVersion?: () => RunningVersion | undefined;
}

export function buildApp(app: App = new App(), env: NodeJS.ProcessEnv = process.env, options: BuildAppOptions = {}): BuildAppResult {
  const context = app.node.getAllContext() as Record<string, unknown>;
  const date = (options.clock ?? clockFromEnvironment(env))();
  const config = resolveProjectConfig((key) => app.node.tryGetContext(key), env, Object.keys(context), date, options.runningVersion?.());
  const stack = new MixedArchEksStack(app, STACK_NAME, {
    date,
    config: config.cluster,
    workloadNamespace: config.workloads.namespace,
    workloadManifests: () => loadWorkloadManifests()(config),
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

/** The cdk8s charts, loaded only when the stack applies some (about 150 ms of module loading otherwise). */
function loadWorkloadManifests(): (config: ProjectConfig) => WorkloadManifests {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../k8s/app') as typeof import('../k8s/app')).workloadManifests;
}
