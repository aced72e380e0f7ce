/**
 * `-c key=value` as every command of this project takes it, the way the CDK CLI does: `-c`, `--context`, and
 * `--context=key=value`, repeatable, the value a string. And the case where npm took it: `npm run cost -c k=v`
 * without `--` gives `-c` to npm itself (npm 11 reads it as its `--call` option, and `--context` as a flag of
 * its own), so the command would run without it. That is refused rather than ignored.
 */

export interface ContextArgs {
  /** The `-c` values, by key, later ones winning. */
  readonly overrides: Record<string, string>;
  /** The same options as they were given, to hand on to another command (`cdk synth`). */
  readonly args: readonly string[];
  /** The first argument that is not a `-c` option, if any: the caller refuses it with its usage. */
  readonly unknown?: string;
}

export function parseContextArgs(argv: readonly string[]): ContextArgs {
  const overrides: Record<string, string> = {};
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const start = i;
    const inline = /^--context=(.*)$/s.exec(argv[i]);
    const value = inline ? inline[1] : argv[i] === '-c' || argv[i] === '--context' ? argv[++i] : undefined;
    const pair = value === undefined ? undefined : /^([^=]+)=(.*)$/s.exec(value);
    if (!pair) return { overrides, args, unknown: value ?? argv[start] };
    overrides[pair[1]] = pair[2];
    args.push('--context', `${pair[1]}=${pair[2]}`);
  }
  return { overrides, args };
}

/**
 * The one line that refuses a run of `npm run <script>` whose `-c` or `--context` npm took for itself, or
 * undefined. npm hands its own options to the script as npm_config_* variables: `-c x` as npm_config_call=x,
 * `--context` as npm_config_context=true (its value then arrives as a bare argument).
 */
export function npmTookContext(script: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.npm_lifecycle_event !== script) return undefined;
  const took = env.npm_config_call ? `-c ${env.npm_config_call}` : env.npm_config_context === 'true' ? '--context' : undefined;
  if (!took) return undefined;
  const example = env.npm_config_call ?? 'key=value';
  return `npm took "${took}" as an option of its own, so the configuration would be built without it. `
    + `Fix: put the options after --, as in: npm run ${script} -- -c ${example}`;
}

/** The `-c` options among other arguments (a command's own options, such as cdk8s's `--output dist`). */
export function contextOptionsIn(argv: readonly string[]): string[] {
  const found: string[] = [];
  argv.forEach((arg, i) => {
    if ((arg === '-c' || arg === '--context') && i + 1 < argv.length) found.push('--context', argv[i + 1]);
    else if (arg.startsWith('--context=')) found.push(arg);
  });
  return found;
}
