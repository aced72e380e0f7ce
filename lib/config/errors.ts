/** One invalid configuration value: which key, what was given, what is wrong and how to fix it. */
export interface ConfigIssue {
  /** The key as the user writes it, with a path for nested values: `nodeGroups[0].maxSize`. */
  readonly key: string;
  readonly value: unknown;
  readonly problem: string;
  readonly fix: string;
}

/**
 * Thrown before any construct is built when the configuration is invalid. Its message lists every issue,
 * one per line, so a user fixes them all in one go.
 */
export class ConfigError extends Error {
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(formatIssues(issues));
    this.name = 'ConfigError';
  }
}

function formatIssues(issues: readonly ConfigIssue[]): string {
  const head = issues.length === 1 ? 'Invalid configuration:' : `Invalid configuration (${issues.length} problems):`;
  return [head, ...issues.map((i) => `  - ${i.key} = ${show(i.value)}: ${i.problem}. Fix: ${i.fix}`)].join('\n');
}

function show(value: unknown): string {
  if (value === undefined) return '(not set)';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
