/**
 * Counters and a histogram in the Prometheus text exposition format (version 0.0.4): enough for arch-guard's
 * /metrics without a client library.
 */

type Labels = Readonly<Record<string, string>>;

const escapeLabel = (value: string) => value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const labelText = (labels: Labels) => {
  const entries = Object.entries(labels);
  return entries.length ? `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}` : '';
};

/** A monotonically increasing count, optionally split by labels. */
export class Counter {
  private readonly values = new Map<string, { labels: Labels; value: number }>();

  constructor(readonly name: string, readonly help: string, initial: readonly Labels[] = [{}]) {
    // Series that exist from the start read 0 rather than being absent (rate() needs a first sample).
    initial.forEach((labels) => this.values.set(labelText(labels), { labels, value: 0 }));
  }

  inc(labels: Labels = {}, by = 1): void {
    const key = labelText(labels);
    const entry = this.values.get(key) ?? { labels, value: 0 };
    entry.value += by;
    this.values.set(key, entry);
  }

  get(labels: Labels = {}): number {
    return this.values.get(labelText(labels))?.value ?? 0;
  }

  render(): string[] {
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`, ...[...this.values.entries()].map(([key, e]) => `${this.name}${key} ${e.value}`)];
  }
}

/** A histogram of durations in seconds, with cumulative buckets as Prometheus expects. */
export class Histogram {
  private readonly counts: number[];
  private sum = 0;
  private count = 0;

  constructor(readonly name: string, readonly help: string, readonly buckets: readonly number[]) {
    this.counts = buckets.map(() => 0);
  }

  observe(seconds: number): void {
    this.sum += seconds;
    this.count++;
    this.buckets.forEach((le, i) => {
      if (seconds <= le) this.counts[i]++;
    });
  }

  get observations(): number {
    return this.count;
  }

  render(): string[] {
    return [
      `# HELP ${this.name} ${this.help}`,
      `# TYPE ${this.name} histogram`,
      ...this.buckets.map((le, i) => `${this.name}_bucket{le="${le}"} ${this.counts[i]}`),
      `${this.name}_bucket{le="+Inf"} ${this.count}`,
      `${this.name}_sum ${Number(this.sum.toFixed(6))}`,
      `${this.name}_count ${this.count}`,
    ];
  }
}

/** Every metric arch-guard exports. */
export class ArchGuardMetrics {
  readonly decisions: Counter;
  readonly lookups = new Counter('arch_guard_registry_lookups_total', 'Image lookups sent to registries, by result.', [{ result: 'ok' }, { result: 'error' }]);
  readonly cacheHits = new Counter('arch_guard_cache_hits_total', 'Image lookups answered from the cache.');
  readonly cacheMisses = new Counter('arch_guard_cache_misses_total', 'Image lookups the cache could not answer.');
  readonly sharedLookups = new Counter('arch_guard_shared_lookups_total', 'Image lookups that joined one already in flight for the same image.');
  readonly lookupFailures = new Counter('arch_guard_lookup_failures_total', 'Images a decision could not read, by reason (error or budget).', [{ reason: 'error' }, { reason: 'budget' }]);
  readonly rejected = new Counter('arch_guard_rejected_requests_total', 'Requests refused before a decision, by reason.', [{ reason: 'malformed' }, { reason: 'too_large' }, { reason: 'busy' }]);
  readonly tlsReloads = new Counter('arch_guard_tls_reloads_total', 'Certificate reloads, by result.', [{ result: 'ok' }, { result: 'error' }]);
  readonly latency = new Histogram('arch_guard_review_duration_seconds', 'Time from a whole AdmissionReview body to its response.', [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]);

  constructor(outcomes: readonly string[]) {
    this.decisions = new Counter('arch_guard_decisions_total', 'Pod admission decisions, by outcome.', outcomes.map((outcome) => ({ outcome })));
  }

  /** The exposition text, ending with a newline. */
  render(): string {
    const all = [this.decisions, this.lookups, this.cacheHits, this.cacheMisses, this.sharedLookups, this.lookupFailures, this.rejected, this.tlsReloads, this.latency];
    return `${all.flatMap((m) => m.render()).join('\n')}\n`;
  }
}
