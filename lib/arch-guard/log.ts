import { SecretScrubber } from '../preflight/redact';

export type LogLevel = 'info' | 'warn' | 'error';

/** One JSON object per line (what log collectors parse), every line passed through the secret scrubber. */
export class JsonLogger {
  constructor(
    private readonly write: (line: string) => void,
    private readonly scrubber: SecretScrubber,
    private readonly now: () => Date = () => new Date(),
  ) {}

  log(level: LogLevel, msg: string, fields: Record<string, unknown> = {}): void {
    let line: string;
    try {
      line = JSON.stringify({ time: this.now().toISOString(), level, msg, ...fields });
    } catch {
      line = JSON.stringify({ time: this.now().toISOString(), level, msg, note: 'fields could not be serialized' });
    }
    // Messages are built without secrets; the scrubber catches what a registry or SDK echoed back.
    this.write(this.scrubber.scrub(line));
  }

  info(msg: string, fields?: Record<string, unknown>): void {
    this.log('info', msg, fields);
  }

  warn(msg: string, fields?: Record<string, unknown>): void {
    this.log('warn', msg, fields);
  }

  error(msg: string, fields?: Record<string, unknown>): void {
    this.log('error', msg, fields);
  }
}
