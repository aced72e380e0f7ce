import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ConfigError } from './errors';
import { ContextReader } from './value-reader';

/** The repository root, where cdk.json lives. */
export const PROJECT_ROOT = join(__dirname, '..', '..');

/**
 * Reads the `context` of cdk.json: the cdk8s app and the tools use it to see the configuration that
 * `cdk deploy` uses (the CDK CLI itself hands context to the CDK app, with `-c` overrides on top).
 */
export function readCdkJsonContext(file = join(PROJECT_ROOT, 'cdk.json')): ContextReader {
  const context = loadCdkJsonContext(file);
  return (key) => context[key];
}

/**
 * A cdk.json that is not JSON: one line naming the file, the line and column, and what to fix, as every command
 * prints it (a ConfigError, so each command's handler prints it alone, without a stack trace).
 */
export class CdkJsonSyntaxError extends ConfigError {
  constructor(readonly file: string, readonly line: number, readonly column: number, problem: string) {
    super([{ key: 'cdk.json', value: undefined, problem, fix: 'correct the JSON there' }]);
    this.name = 'CdkJsonSyntaxError';
    this.message = `${displayPath(file)}:${line}:${column}: not valid JSON (${problem}). Fix: correct it there; `
      + 'JSON has no comments or trailing commas, and keys and strings take double quotes';
  }
}

/** The `context` object of cdk.json; a file that is not JSON is a CdkJsonSyntaxError. */
export function loadCdkJsonContext(file = join(PROJECT_ROOT, 'cdk.json')): Record<string, unknown> {
  const text = readFileSync(file, 'utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw syntaxError(file, text, (error as Error).message);
  }
  const context = (parsed as { context?: unknown } | null)?.context;
  return context !== null && typeof context === 'object' && !Array.isArray(context) ? context as Record<string, unknown> : {};
}

/**
 * Where JSON.parse stopped, as a line and column (from 1). Node 20 gives the position alone ("... in JSON at position
 * 53"), Node 22 adds "(line 5 column 3)"; the end of the input has no position.
 */
function syntaxError(file: string, text: string, message: string): CdkJsonSyntaxError {
  const at = /^(.*?)(?: in JSON)? at position (\d+)/s.exec(message);
  const offset = at ? Number(at[2]) : text.length;
  const before = text.slice(0, offset).split('\n');
  const problem = (at ? at[1] : message.replace(/ \(line \d+ column \d+\)$/, '')).replace(/\.$/, '');
  return new CdkJsonSyntaxError(file, before.length, before[before.length - 1].length + 1, problem);
}

/** The file as the user would name it: relative to the working folder when it is below it. */
function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel : file;
}
