/**
 * Errors the preflight expects and explains: a registry that is down, an image that does not exist, bad
 * credentials, bad usage. Each one maps to exit code 2 and prints as one line: what went wrong, then what to do.
 */
export class PreflightError extends Error {
  constructor(
    /** What went wrong, without a trailing period. */
    readonly problem: string,
    /** What the user should do about it, as an imperative sentence. */
    readonly fix: string,
  ) {
    super(`${problem}. ${fix}`);
    this.name = 'PreflightError';
  }
}

/** The command line itself is wrong (unknown option, bad value, nothing to check). */
export class UsageError extends PreflightError {
  constructor(problem: string, fix = 'Run with --help for the options') {
    super(problem, fix);
    this.name = 'UsageError';
  }
}
