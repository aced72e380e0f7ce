import { ConfigError } from '../../lib/config/errors';
import { resolveProjectConfig } from '../../lib/config/project-config';
import { ProjectConfig } from '../../lib/config/types';
import { TEST_DAY, contextWith } from './cdk';

/** cdk.json with `overrides` (as `-c` would give them), resolved on the test day with every key checked. */
export function resolveWith(overrides: Record<string, unknown>): ProjectConfig {
  const context = contextWith(overrides);
  return resolveProjectConfig((key) => context[key], {}, Object.keys(context), TEST_DAY);
}

/** The problem lines of the ConfigError that `overrides` cause, trimmed (fails the test if none is thrown). */
export function configErrorsFor(overrides: Record<string, unknown>): string[] {
  try {
    resolveWith(overrides);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message.split('\n').slice(1).map((line) => line.trim());
  }
  throw new Error(`no ConfigError for ${JSON.stringify(overrides)}`);
}
