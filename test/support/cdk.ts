import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { BuildAppResult, buildApp } from '../../lib/app';
import { loadCdkJsonContext } from '../../lib/config/cdk-json';

/** The context `cdk synth` would see: cdk.json, with `-c`-style overrides on top. */
export function contextWith(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...loadCdkJsonContext(), ...overrides };
}

/** Builds the app as bin/ does, without cdk-nag (its own test runs it), for template assertions. */
export function buildTestApp(overrides: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = {}): BuildAppResult {
  return buildApp(new App({ context: contextWith(overrides) }), env, { nag: false });
}

export function templateFor(overrides: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = {}): Template {
  return Template.fromStack(buildTestApp(overrides, env).stack);
}
