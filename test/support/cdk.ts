import { App, Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { Annotations, Template } from 'aws-cdk-lib/assertions';
import { BuildAppOptions, BuildAppResult, buildApp } from '../../bin/app';
import { join } from 'node:path';
import { loadCdkJsonContext } from '../../lib/config/cdk-json';
import { TEST_DAY } from './test-day';

export { TEST_DAY };

/**
 * The tests' own cdk.json (a copy of the committed one as released): tests of behaviour use it, never the
 * repository's cdk.json, which is the user's to change (test/cdk-json.test.ts checks that one).
 */
export const TEST_CDK_JSON = join(__dirname, '..', 'fixtures', 'cdk.json');

/** The context of the tests' cdk.json. */
export function testContext(): Record<string, unknown> {
  return loadCdkJsonContext(TEST_CDK_JSON);
}

/** The context `cdk synth` would see with the tests' cdk.json, with `-c`-style overrides on top. */
export function contextWith(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...testContext(), ...overrides };
}


export interface TestAppResult extends BuildAppResult {
  /**
   * What synth warned about, as the ids `Acknowledge with '...'` names (one per warning, in report order):
   * captured for the test to assert, instead of printed.
   */
  readonly warnings: readonly string[];
}

/**
 * Runs `fn` (something that synthesizes) and returns its value with the warning ids of the validation report
 * that aws-cdk-lib prints to the console on synth. That report is kept out of the test output; anything else
 * written to console.error is passed on.
 */
export function captureSynthReport<T>(fn: () => T): { readonly value: T; readonly warnings: string[] } {
  const printed: string[] = [];
  const spy = jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    printed.push(args.map(String).join(' '));
  });
  let value: T;
  try {
    value = fn();
  } finally {
    spy.mockRestore();
  }
  const warnings: string[] = [];
  for (const text of printed) {
    if (!text.includes('A copy of this report can be found in:')) {
      console.error(text);
      continue;
    }
    warnings.push(...[...text.matchAll(/Acknowledge with '([^']+)'/g)].map((m) => m[1]));
  }
  return { value, warnings };
}

/** Synthesizes `app` now (Template.fromStack reuses this synthesis); returns the warning ids, not printed. */
export function synthQuietly(app: App): string[] {
  return captureSynthReport(() => app.synth()).warnings;
}

/** Annotations.fromStack, which synthesizes again, without printing the report (the warnings are its subject). */
export function annotationsOf(stack: Stack): Annotations {
  return captureSynthReport(() => Annotations.fromStack(stack)).value;
}

/** Builds and synthesizes the app as bin/ does, without cdk-nag (its own test runs it), for template assertions. */
export function buildTestApp(overrides: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = {}, options: BuildAppOptions = {}): TestAppResult {
  const result = buildApp(new App({ context: contextWith(overrides) }), env, { nag: false, clock: () => TEST_DAY, ...options });
  return { ...result, warnings: synthQuietly(result.app) };
}

/** The template alone, for a test that asserts no warning (buildTestApp returns them). */
export function templateFor(overrides: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = {}): Template {
  return Template.fromStack(buildTestApp(overrides, env).stack);
}

export interface Acknowledgement {
  readonly path: string;
  readonly rule: string;
  readonly reason: string;
}

/** Every validation finding acknowledged in `scope` (cdk-nag's included), with the reason given for it. */
export function acknowledgementsOf(scope: IConstruct): Acknowledgement[] {
  return scope.node.findAll().flatMap((c) => c.node.metadata
    .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((m) => Object.entries(m.data as Record<string, string>).map(([rule, reason]) => ({ path: c.node.path, rule, reason }))));
}

/** The acknowledgements whose reason is not a sentence (an acknowledgement must say why): expect none. */
export function unreasonedAcknowledgements(scope: IConstruct): Acknowledgement[] {
  return acknowledgementsOf(scope).filter((a) => a.reason.trim().length < 30);
}

/** An EKS access policy ARN as aws-eks-v2 writes it. */
export function accessPolicyArn(name: string): unknown {
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:eks::aws:cluster-access-policy/${name}`]] };
}

/**
 * Every EKS access entry of a template as principal and access policies, whole (no partial match): an added entry,
 * or a wider scope or policy, changes it.
 */
export function accessEntriesOf(template: Template): { principal: unknown; policies: unknown }[] {
  return Object.values(template.findResources('AWS::EKS::AccessEntry')).map((r) => {
    const { PrincipalArn, AccessPolicies, ClusterName, ...rest } = r.Properties;
    expect([Object.keys(rest), ClusterName]).toEqual([[], { Ref: expect.stringMatching(/^Cluster/) }]);
    return { principal: PrincipalArn, policies: AccessPolicies };
  });
}
