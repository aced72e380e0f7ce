import { ConfigIssue } from './errors';

/** Reads one context value: `app.node.tryGetContext` in the CDK app, cdk.json in the cdk8s app. */
export type ContextReader = (key: string) => unknown;

/**
 * Typed access to context values that arrive as JSON (cdk.json) or as strings (`-c key=value`).
 *
 * Why not a schema library: measured 2026-11-28 on the 2-core CI machine, `require('zod')` (4.6.7) costs
 * 95-140 ms per synth and valibot (1.5.0) about 15 ms, against 2.5 ms for resolving the whole configuration here.
 * Valibot would be affordable, but it would replace only these shape checks: every domain rule (AL2 on 1.33+,
 * CIDR host bits, instance architecture, ...) and every "key = value: problem. Fix: ..." message stays ours,
 * and `-c` strings ("2", "a,b", JSON) need coercion before any schema sees them.
 */
export class ValueReader {
  constructor(
    private readonly read: ContextReader,
    private readonly issues: ConfigIssue[],
    private readonly prefix = '',
  ) {}

  raw(key: string): unknown {
    return this.read(key);
  }

  string(key: string, allowEmpty = false): string | undefined {
    const value = this.read(key);
    if (value === undefined || value === null || (value === '' && !allowEmpty)) return undefined;
    if (typeof value !== 'string') {
      this.fail(key, value, 'must be a string', 'quote the value');
      return undefined;
    }
    return value.trim();
  }

  integer(key: string, fallback?: number): number | undefined {
    const value = this.read(key);
    if (value === undefined) return fallback;
    const n = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isInteger(n)) {
      this.fail(key, value, 'must be a whole number', 'write digits only, such as 1');
      return undefined;
    }
    return n;
  }

  boolean(key: string, fallback: boolean): boolean | undefined {
    const value = this.read(key);
    if (value === undefined) return fallback;
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    this.fail(key, value, 'must be true or false', 'write true or false');
    return undefined;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[], fallback: T, normalize?: 'upper' | 'lower'): T | undefined {
    const value = this.read(key);
    if (value === undefined) return fallback;
    if ((allowed as readonly unknown[]).includes(value)) return value as T;
    const hint = typeof value === 'string' && normalize ? allowed.find((a) => a === (normalize === 'upper' ? value.toUpperCase() : value.toLowerCase())) : undefined;
    this.fail(key, value, `not one of ${allowed.map((a) => `"${a}"`).join(', ')}`, hint ? `write "${hint}"` : `use one of ${allowed.join(', ')}`);
    return undefined;
  }

  /** A list given as a JSON array or as a comma-separated string. */
  list(key: string, fallback: string): string[] {
    const value = this.read(key) ?? fallback;
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.map((v) => v.trim()).filter(Boolean);
    if (typeof value === 'string') return value.split(',').map((v) => v.trim()).filter(Boolean);
    this.fail(key, value, 'must be a comma-separated string or a JSON array of strings', 'write it like "a,b"');
    return [];
  }

  stringArray(key: string): string[] | undefined {
    const value = this.read(key);
    if (value === undefined) return undefined;
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
    this.fail(key, value, 'must be a JSON array of strings', 'write it like ["m7g.large"]');
    return undefined;
  }

  /** A JSON value from cdk.json, or a JSON string from `-c key='...'`. */
  json(key: string, fallback: unknown): unknown {
    const value = this.read(key);
    if (value === undefined) return fallback;
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value);
    } catch (error) {
      this.fail(key, value, `not valid JSON (${(error as Error).message})`, `quote the whole value for the shell: -c ${key}='[{"name":...}]'`);
      return undefined;
    }
  }

  private fail(key: string, value: unknown, problem: string, fix: string): void {
    this.issues.push({ key: `${this.prefix}${key}`, value, problem, fix });
  }
}
