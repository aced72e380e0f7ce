import { ImageReference, ImageReferenceError, formatImageReference, parseImageReference } from '../config/image-reference';
import { PreflightError } from '../preflight/errors';
import { ImageInspection, coveredArchitectures } from '../preflight/platforms';
import { LookupResult } from './decide';
import { ArchGuardMetrics } from './metrics';

export interface ImageResolverOptions {
  /** Reads an image's platforms from its registry (inspectImage with a RegistryClient, in the server). */
  readonly inspect: (reference: ImageReference) => Promise<Pick<ImageInspection, 'entries'>>;
  readonly metrics: ArchGuardMetrics;
  /**
   * How long an answer for a tag stays: a tag can be pushed again.
   * @default 300000 (5 minutes)
   */
  readonly tagTtlMs?: number;
  /**
   * How long an answer for a digest stays: a digest's content never changes, so only memory bounds it.
   * @default 86400000 (24 hours)
   */
  readonly digestTtlMs?: number;
  /**
   * How long a failed lookup is remembered, so a registry that is down is not asked again for every pod.
   * @default 10000
   */
  readonly errorTtlMs?: number;
  /**
   * Images kept; the least recently used goes first.
   * @default 1000
   */
  readonly maxEntries?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

export const CACHE_DEFAULTS = { tagTtlMs: 5 * 60_000, digestTtlMs: 24 * 3_600_000, errorTtlMs: 10_000, maxEntries: 1000 } as const;

interface Entry {
  readonly result: LookupResult;
  readonly expires: number;
}

/**
 * Image reference -> architectures, with an LRU cache (a TTL for tags, a longer one for digests) and one lookup
 * per image at a time: requests for an image whose lookup is in flight wait for that lookup.
 */
export class ImageResolver {
  private readonly cache = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<LookupResult>>();
  private readonly references = new Map<string, { reference: ImageReference; key: string }>();
  private readonly now: () => number;

  constructor(private readonly options: ImageResolverOptions) {
    this.now = options.now ?? Date.now;
  }

  /**
   * A cached answer at once (synchronously), else the lookup in flight for the image or a new one. Never
   * rejects: a failed lookup is a result with the reason.
   */
  resolve = (image: string): LookupResult | Promise<LookupResult> => {
    let parsed = this.references.get(image);
    if (!parsed) {
      try {
        const reference = parseImageReference(image);
        // `busybox` and `docker.io/library/busybox:latest` are one image.
        parsed = { reference, key: formatImageReference({ ...reference, tag: reference.digest ? reference.tag : (reference.tag ?? 'latest') }) };
      } catch (error) {
        if (error instanceof ImageReferenceError) return { ok: false, error: error.message };
        throw error;
      }
      // Parsing is most of a cached answer's cost; the strings pods use are few. Bounded like the cache.
      if (this.references.size >= (this.options.maxEntries ?? CACHE_DEFAULTS.maxEntries)) this.references.clear();
      this.references.set(image, parsed);
    }
    const { reference, key } = parsed;
    const { metrics } = this.options;
    const cached = this.cache.get(key);
    if (cached && cached.expires > this.now()) {
      // Map order is insertion order: re-inserting makes this the most recently used.
      this.cache.delete(key);
      this.cache.set(key, cached);
      metrics.cacheHits.inc();
      return cached.result;
    }
    metrics.cacheMisses.inc();
    const running = this.inFlight.get(key);
    if (running) {
      metrics.sharedLookups.inc();
      return running;
    }
    const lookup = this.lookup(reference).then((result) => {
      const ttl = !result.ok ? this.options.errorTtlMs ?? CACHE_DEFAULTS.errorTtlMs
        : reference.digest ? this.options.digestTtlMs ?? CACHE_DEFAULTS.digestTtlMs
          : this.options.tagTtlMs ?? CACHE_DEFAULTS.tagTtlMs;
      this.store(key, { result, expires: this.now() + ttl });
      this.inFlight.delete(key);
      return result;
    });
    this.inFlight.set(key, lookup);
    return lookup;
  };

  /** Entries held now (for tests and the benchmark). */
  get size(): number {
    return this.cache.size;
  }

  private async lookup(reference: ImageReference): Promise<LookupResult> {
    try {
      const inspection = await this.options.inspect(reference);
      this.options.metrics.lookups.inc({ result: 'ok' });
      return { ok: true, architectures: coveredArchitectures(inspection) };
    } catch (error) {
      this.options.metrics.lookups.inc({ result: 'error' });
      // PreflightErrors say what went wrong without the fix meant for a person at a terminal.
      return { ok: false, error: error instanceof PreflightError ? error.problem : `unexpected failure: ${(error as Error).message ?? String(error)}` };
    }
  }

  private store(key: string, entry: Entry): void {
    this.cache.delete(key);
    this.cache.set(key, entry);
    const max = this.options.maxEntries ?? CACHE_DEFAULTS.maxEntries;
    while (this.cache.size > max) this.cache.delete(this.cache.keys().next().value as string);
  }
}
