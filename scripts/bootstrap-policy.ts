/**
 * `npm run bootstrap-policy [-- --check] [-- --partition aws-cn]`: writes the CloudFormation execution policy
 * (for `cdk bootstrap --cloudformation-execution-policies`) and the permissions boundary of the stack's roles to
 * policies/, from the resource types the stack synthesizes in every configuration below. `--check` writes
 * nothing and exits 1 when the files differ from what the stack needs now. Offline: no AWS call.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { App } from 'aws-cdk-lib';
import { STACK_NAME, buildApp } from '../bin/app';
import { PROJECT_ROOT, loadCdkJsonContext } from '../lib/config/cdk-json';
import { clockFromEnvironment } from '../lib/config/kubernetes-versions';
import { executionPolicyDocument } from '../lib/security/execution-policy';
import { PolicyJson, permissionsBoundaryDocument } from '../lib/security/permissions-boundary';

/**
 * Configurations whose resource types together are every type the stack can create: each feature that adds
 * resources (a VPC or not, kubectl and its Lambdas, Karpenter, the GitLab role and OIDC provider, the pipeline's
 * namespace, a named cluster's log group, Auto Mode). A feature that adds a resource type gets a configuration here.
 */
/**
 * One node group per architecture, as the released cdk.json has: the base every variant starts from. AL2023, whose
 * default Kubernetes version is always one EKS offers, so the generator never ages into a refused configuration.
 */
const BASE_SETTINGS: Record<string, unknown> = {
  amiFamily: 'AL2023',
  nodeGroups: [
    { name: 'graviton', arch: 'arm64', instanceTypes: ['m7g.large'], minSize: 1, desiredSize: 1, maxSize: 3, capacityType: 'on-demand' },
    { name: 'x86', arch: 'amd64', instanceTypes: ['m7i.large'], minSize: 1, desiredSize: 1, maxSize: 3, capacityType: 'on-demand' },
  ],
};

export const POLICY_VARIANTS: Readonly<Record<string, Record<string, unknown>>> = {
  default: { clusterName: 'mixed-arch-eks' },
  unnamedCluster: {},
  privateEndpoint: { endpointAccess: 'private', adminPrincipalArns: 'arn:aws:iam::123456789012:role/PlatformAdmin' },
  existingVpc: { vpcId: 'vpc-0a1b2c3d4e5f67890' },
  karpenter: { autoscaler: 'karpenter' },
  archGuard: { archGuard: 'true', archGuardImage: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/arch-guard:4b1c0de', gitlabProject: 'acme/mixed-arch-eks' },
  autoMode: { autoscaler: 'auto-mode' },
  gitlabNamespace: { gitlabProject: 'acme/mixed-arch-eks', namespace: 'platform-info' },
  workloads: { deployWorkloads: 'true', gitlabProject: 'acme/mixed-arch-eks', gitlabOidcProviderArn: 'arn:aws:iam::123456789012:oidc-provider/gitlab.com' },
};

export const POLICY_DIR = join(PROJECT_ROOT, 'policies');
export const POLICY_FILES = { execution: 'cfn-execution-policy.json', boundary: 'permissions-boundary.json' } as const;

/**
 * Every CloudFormation template of the variants, synthesized as `cdk synth` would (offline, no nag): cdk.json's
 * feature flags, and of its settings only what each variant sets, so the policies do not follow one cluster's
 * settings (a `vpcId` in cdk.json would otherwise drop the VPC's types from every variant).
 */
export function synthesizeVariants(date = clockFromEnvironment()(), cdkJson?: string): Record<string, { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> }> {
  const flags = Object.fromEntries(Object.entries(loadCdkJsonContext(cdkJson)).filter(([key]) => key.includes(':')));
  const templates: Record<string, { Resources: Record<string, { Type: string }> }> = {};
  // Only the resource types matter here: no CloudFormation validation (CDK_VALIDATION=false), which would also
  // refuse the placeholder subnets a VPC lookup gives offline (the existing-VPC variant). Same template either way.
  const validation = process.env.CDK_VALIDATION;
  process.env.CDK_VALIDATION = 'false';
  try {
    for (const [name, overrides] of Object.entries(POLICY_VARIANTS)) {
      const context: Record<string, unknown> = { ...flags, ...BASE_SETTINGS, ...overrides };
      const env = overrides.vpcId ? { CDK_DEFAULT_ACCOUNT: '123456789012', CDK_DEFAULT_REGION: 'eu-west-1' } : {};
      const app = new App({ context });
      const { stack } = buildApp(app, env, { nag: false, clock: () => date });
      templates[name] = app.synth().getStackByName(stack.stackName).template;
    }
  } finally {
    if (validation === undefined) delete process.env.CDK_VALIDATION;
    else process.env.CDK_VALIDATION = validation;
  }
  return templates;
}

/** The two documents, as the files hold them. */
export function renderPolicies(templates: ReturnType<typeof synthesizeVariants>, partition = 'aws'): Record<keyof typeof POLICY_FILES, PolicyJson> {
  const types = Object.values(templates).flatMap((t) => Object.values(t.Resources).map((r) => r.Type));
  return {
    execution: executionPolicyDocument({ resourceTypes: types, stackName: STACK_NAME, partition }),
    boundary: permissionsBoundaryDocument(STACK_NAME, partition),
  };
}

export function policyFileText(policy: PolicyJson): string {
  return `${JSON.stringify(policy, null, 2)}\n`;
}

function main(): number {
  const { values } = parseArgs({ options: { check: { type: 'boolean' }, partition: { type: 'string' } } });
  // The synth warnings of the variants (open endpoint, AL2...) are about example configurations, not yours.
  const printError = console.error;
  console.error = () => undefined;
  let templates;
  try {
    templates = synthesizeVariants();
  } finally {
    console.error = printError;
  }
  const policies = renderPolicies(templates, values.partition ?? 'aws');
  let stale = 0;
  for (const [kind, file] of Object.entries(POLICY_FILES) as [keyof typeof POLICY_FILES, string][]) {
    const path = join(POLICY_DIR, file);
    const text = policyFileText(policies[kind]);
    const current = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
    if (values.check) {
      if (current !== text) {
        console.error(`policies/${file} is out of date: run npm run bootstrap-policy and commit it`);
        stale++;
      }
      continue;
    }
    mkdirSync(POLICY_DIR, { recursive: true });
    writeFileSync(path, text);
    console.log(`${current === text ? 'unchanged' : 'wrote'}  policies/${file}`);
  }
  return stale ? 1 : 0;
}

if (require.main === module) {
  try {
    process.exitCode = main();
  } catch (error) {
    console.error(`ERROR ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
