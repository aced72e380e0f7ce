/**
 * The arch-guard decision: which architectures a pod may run on, given its images' platforms, and the JSON Patch
 * that says so to the scheduler. No I/O beyond the image lookup it is given; the webhook and arch-plan share it.
 */
import { ARCH_NODE_LABEL, ARCHITECTURE_INFO, ARCHITECTURES, Architecture } from '../config/architectures';
import { isRecord } from '../manifests/pod-spec';
import { pinnedArchitectures } from '../preflight/manifest-scan';

/** What a lookup found for one image: the node architectures it covers, or why it could not be read. */
export type LookupResult =
  | { readonly ok: true; readonly architectures: readonly Architecture[] }
  | { readonly ok: false; readonly error: string };

/**
 * Resolves an image reference as written in a container (`busybox:1.37.0`) to its architectures; a cached
 * answer may come back synchronously (the decision then sets no timer).
 */
export type ImageLookup = (image: string) => LookupResult | Promise<LookupResult>;

export interface DecideOptions {
  /** The architectures the cluster's nodes run (node groups and Karpenter NodePools), in ARCHITECTURES order. */
  readonly clusterArchitectures: readonly Architecture[];
  /**
   * Weight (1-100) of the preferred node affinity for arm64 added when both architectures are allowed.
   * @default 50
   */
  readonly arm64Weight?: number;
  /**
   * Time for all lookups of one pod together; an image not read by then fails open.
   * @default 3000
   */
  readonly budgetMs?: number;
}

export const DEFAULT_ARM64_WEIGHT = 50;
export const DEFAULT_BUDGET_MS = 3000;

/**
 * - `mutated`: the required arch affinity (and the arm64 preference) added.
 * - `pinned`: the pod constrains kubernetes.io/arch itself and every image covers what it allows: unchanged.
 * - `pinned-mismatch`: it constrains it but allows an architecture an image lacks: unchanged, with a warning.
 * - `lookup-failed`: an image could not be read in time: unchanged, with a warning (fail open).
 * - `no-common-architecture`: no architecture the cluster runs is in every image: unchanged, with a warning.
 * - `no-images`: no container with an image (not a pod the API server would accept): unchanged.
 */
export type Outcome = 'mutated' | 'pinned' | 'pinned-mismatch' | 'lookup-failed' | 'no-common-architecture' | 'no-images';
export const OUTCOMES: readonly Outcome[] = ['mutated', 'pinned', 'pinned-mismatch', 'lookup-failed', 'no-common-architecture', 'no-images'];

/** One JSON Patch (RFC 6902) operation; the decision only ever adds. */
export interface PatchOperation {
  readonly op: 'add';
  readonly path: string;
  readonly value: unknown;
}

export interface ImageVerdict {
  readonly image: string;
  /** The containers (`init:setup`, `app`) that use it. */
  readonly containers: readonly string[];
  readonly result: LookupResult;
}

export interface Decision {
  readonly outcome: Outcome;
  readonly images: readonly ImageVerdict[];
  /** Cluster architectures every image covers (undefined when a lookup failed). */
  readonly allowed?: readonly Architecture[];
  /** The kubernetes.io/arch values the pod allows itself, when it constrains them. */
  readonly pinnedTo?: readonly string[];
  /** Operations on the pod spec (paths relative to it: `/affinity`); empty unless `mutated`. */
  readonly patch: readonly PatchOperation[];
  /** Admission warnings, for kubectl (short, one line each). */
  readonly warnings: readonly string[];
  /** One line saying what the webhook does with this pod, for arch-plan and the logs. */
  readonly summary: string;
}

const PREFIX = 'arch-guard:';

/**
 * Looks every container and init container image up (ephemeral containers do not count: they are added to a
 * running pod, never at creation), within the budget, and decides. Never throws for a lookup that fails.
 */
export async function decide(podSpec: unknown, lookup: ImageLookup, options: DecideOptions): Promise<Decision> {
  const uses = imageUses(podSpec);
  const budgetMs = options.budgetMs ?? DEFAULT_BUDGET_MS;
  const results = new Map<string, LookupResult>();
  const pending: Promise<void>[] = [];
  const failed = (error: unknown): LookupResult => ({ ok: false, error: (error as Error)?.message ?? String(error) });
  for (const image of uses.keys()) {
    let answer: LookupResult | Promise<LookupResult>;
    try {
      answer = lookup(image);
    } catch (error) {
      answer = failed(error);
    }
    if (answer instanceof Promise) pending.push(answer.then((result) => void results.set(image, result), (error: unknown) => void results.set(image, failed(error))));
    else results.set(image, answer);
  }
  // Every image cached (the common case): no timer, no waiting.
  if (pending.length > 0) {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, budgetMs);
    });
    try {
      await Promise.race([Promise.all(pending), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }
  // A lookup still running goes on in the background (its answer is cached for the next pod); this pod goes now.
  for (const image of uses.keys()) {
    if (!results.has(image)) results.set(image, { ok: false, error: `not read within the ${formatMs(budgetMs)} budget` });
  }
  return decideWith(podSpec, results, options);
}

/** The decision once every image's lookup result is known: pure, synchronous. */
export function decideWith(podSpec: unknown, results: ReadonlyMap<string, LookupResult>, options: DecideOptions): Decision {
  const spec = isRecord(podSpec) ? podSpec : {};
  const uses = imageUses(spec);
  const images: ImageVerdict[] = [...uses.entries()].map(([image, containers]) => ({
    image,
    containers,
    result: results.get(image) ?? { ok: false, error: 'not looked up' },
  }));
  const cluster = ARCHITECTURES.filter((a) => options.clusterArchitectures.includes(a));
  const constraint = archConstraint(spec);

  if (images.length === 0) {
    return { outcome: 'no-images', images, patch: [], warnings: [], summary: 'left unchanged: no container image', pinnedTo: constraint };
  }

  const failed = images.filter((i): i is ImageVerdict & { result: { ok: false; error: string } } => !i.result.ok);
  if (failed.length > 0) {
    const warnings = failed.map((i) => `${PREFIX} left unchanged, cannot read the platforms of ${i.image}: ${i.result.error}`);
    const unread = `${failed.length} image${failed.length > 1 ? 's' : ''} could not be read`;
    const summary = constraint !== undefined ? `left as it is (${pinnedText(constraint)}); ${unread}, so it was not checked` : `left unchanged (fail open: ${unread})`;
    return { outcome: 'lookup-failed', images, patch: [], warnings, summary, pinnedTo: constraint };
  }

  const covered = (i: ImageVerdict) => (i.result.ok ? i.result.architectures : []);
  const allowed = cluster.filter((arch) => images.every((i) => covered(i).includes(arch)));

  if (constraint !== undefined) {
    // The pod's own constraint wins; only warn about what it lets the scheduler do wrong on this cluster.
    const reachable = cluster.filter((arch) => constraint.includes(arch));
    const warnings = images.flatMap((i) =>
      reachable.filter((arch) => !covered(i).includes(arch)).map((arch) =>
        `${PREFIX} ${i.image} has no ${ARCHITECTURE_INFO[arch].ociPlatform}${has(covered(i))}, but this pod may run on ${arch} nodes (exec format error there)`),
    );
    const pinned = pinnedText(constraint);
    return warnings.length > 0
      ? { outcome: 'pinned-mismatch', images, allowed, pinnedTo: constraint, patch: [], warnings, summary: `left as it is (${pinned}); WARNING: ${warnings.map((w) => w.slice(PREFIX.length + 1)).join('; ')}` }
      : { outcome: 'pinned', images, allowed, pinnedTo: constraint, patch: [], warnings: [], summary: `left as it is (${pinned})` };
  }

  if (allowed.length === 0) {
    const which = images.map((i) => `${i.image} has ${covered(i).map((a) => ARCHITECTURE_INFO[a].ociPlatform).join(', ') || 'none of them'}`).join('; ');
    const warnings = [`${PREFIX} left unchanged, no node architecture (${cluster.join(', ')}) is in every image: ${which}`];
    return { outcome: 'no-common-architecture', images, allowed, patch: [], warnings, summary: `left unchanged (fail open): no architecture the nodes run is in every image (${which})` };
  }

  const weight = options.arm64Weight ?? DEFAULT_ARM64_WEIGHT;
  const prefersArm = allowed.includes('arm64') && allowed.length > 1 && !hasArchPreference(spec);
  const patch = affinityPatch(spec, allowed, prefersArm ? weight : undefined);
  const summary = `adds required kubernetes.io/arch In [${allowed.join(', ')}]${prefersArm ? `, prefers arm64 (weight ${weight})` : ''}`;
  return { outcome: 'mutated', images, allowed, patch, warnings: [], summary };
}

/** The images of containers and init containers, each with the containers that use it, in pod order. */
export function imageUses(podSpec: unknown): Map<string, string[]> {
  const uses = new Map<string, string[]>();
  if (!isRecord(podSpec)) return uses;
  for (const [field, label] of [['initContainers', 'init:'], ['containers', '']] as const) {
    const list = podSpec[field];
    if (!Array.isArray(list)) continue;
    for (const container of list) {
      if (!isRecord(container) || typeof container.image !== 'string' || container.image.trim() === '') continue;
      const names = uses.get(container.image) ?? [];
      names.push(`${label}${typeof container.name === 'string' ? container.name : '?'}`);
      uses.set(container.image, names);
    }
  }
  return uses;
}

/**
 * The kubernetes.io/arch values the pod allows when it says anything about the label itself (nodeSelector or a
 * required node affinity expression); undefined when it does not. Values are as written (may be unknown ones).
 */
export function archConstraint(podSpec: Record<string, unknown>): string[] | undefined {
  const selector = isRecord(podSpec.nodeSelector) && ARCH_NODE_LABEL in podSpec.nodeSelector;
  const terms = requiredTerms(podSpec) ?? [];
  const inAffinity = terms.some((t) => expressionsOf(t).some((e) => e.key === ARCH_NODE_LABEL));
  if (!selector && !inAffinity) return undefined;
  // pinnedArchitectures leaves out "every architecture" (undefined): the pod then allows all of them, explicitly.
  return pinnedArchitectures(podSpec) ?? [...ARCHITECTURES];
}

function requiredTerms(podSpec: Record<string, unknown>): unknown[] | undefined {
  const affinity = isRecord(podSpec.affinity) ? podSpec.affinity : undefined;
  const nodeAffinity = affinity && isRecord(affinity.nodeAffinity) ? affinity.nodeAffinity : undefined;
  const required = nodeAffinity && isRecord(nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution) ? nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution : undefined;
  return required && Array.isArray(required.nodeSelectorTerms) ? required.nodeSelectorTerms : undefined;
}

function expressionsOf(term: unknown): Record<string, unknown>[] {
  return isRecord(term) && Array.isArray(term.matchExpressions) ? term.matchExpressions.filter(isRecord) : [];
}

/** A term with neither expressions nor fields matches no node; ANDing an expression into it would widen it. */
function isEmptyTerm(term: unknown): boolean {
  if (!isRecord(term)) return true;
  const count = (v: unknown) => (Array.isArray(v) ? v.length : 0);
  return count(term.matchExpressions) === 0 && count(term.matchFields) === 0;
}

/** True when the pod already has a preferred node affinity on the arch label: its preference stays the only one. */
function hasArchPreference(podSpec: Record<string, unknown>): boolean {
  const affinity = isRecord(podSpec.affinity) ? podSpec.affinity : {};
  const nodeAffinity = isRecord(affinity.nodeAffinity) ? affinity.nodeAffinity : {};
  const preferred = nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution;
  return Array.isArray(preferred) && preferred.some((p) => isRecord(p) && expressionsOf(p.preference).some((e) => e.key === ARCH_NODE_LABEL));
}

/**
 * The operations that add `kubernetes.io/arch In [allowed]` to the required node affinity (into every existing
 * term: terms are ORed, so a new term of its own would let the pod match the old terms anywhere) and, with a
 * weight, a preferred term for arm64. Each operation adds at the deepest level that exists.
 */
export function affinityPatch(podSpec: Record<string, unknown>, allowed: readonly Architecture[], arm64Weight?: number): PatchOperation[] {
  const expression = { key: ARCH_NODE_LABEL, operator: 'In', values: [...allowed] };
  const preferred = arm64Weight === undefined ? undefined : { weight: arm64Weight, preference: { matchExpressions: [{ key: ARCH_NODE_LABEL, operator: 'In', values: ['arm64'] }] } };
  const required = { nodeSelectorTerms: [{ matchExpressions: [expression] }] };
  const nodeAffinity = { requiredDuringSchedulingIgnoredDuringExecution: required, ...(preferred ? { preferredDuringSchedulingIgnoredDuringExecution: [preferred] } : {}) };

  if (!isRecord(podSpec.affinity)) return [{ op: 'add', path: '/affinity', value: { nodeAffinity } }];
  if (!isRecord(podSpec.affinity.nodeAffinity)) return [{ op: 'add', path: '/affinity/nodeAffinity', value: nodeAffinity }];

  const base = '/affinity/nodeAffinity';
  const existing = podSpec.affinity.nodeAffinity;
  const ops: PatchOperation[] = [];
  const terms = requiredTerms(podSpec);
  if (!isRecord(existing.requiredDuringSchedulingIgnoredDuringExecution) || !terms || terms.length === 0) {
    ops.push({ op: 'add', path: `${base}/requiredDuringSchedulingIgnoredDuringExecution`, value: required });
  } else {
    terms.forEach((term, i) => {
      if (isEmptyTerm(term)) return;
      const path = `${base}/requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms/${i}/matchExpressions`;
      ops.push(Array.isArray((term as Record<string, unknown>).matchExpressions)
        ? { op: 'add', path: `${path}/-`, value: expression }
        : { op: 'add', path, value: [expression] });
    });
  }
  if (preferred) {
    ops.push(Array.isArray(existing.preferredDuringSchedulingIgnoredDuringExecution)
      ? { op: 'add', path: `${base}/preferredDuringSchedulingIgnoredDuringExecution/-`, value: preferred }
      : { op: 'add', path: `${base}/preferredDuringSchedulingIgnoredDuringExecution`, value: [preferred] });
  }
  return ops;
}

/** The operations with their paths moved under a prefix: `/spec` for a Pod. */
export function patchAt(prefix: string, ops: readonly PatchOperation[]): PatchOperation[] {
  return ops.map((op) => ({ ...op, path: `${prefix}${op.path}` }));
}

function pinnedText(constraint: readonly string[]): string {
  return `pinned to ${constraint.length ? constraint.join(', ') : 'no architecture'} by its own kubernetes.io/arch constraint`;
}

function has(archs: readonly Architecture[]): string {
  return archs.length > 0 ? ` (it has ${archs.map((a) => ARCHITECTURE_INFO[a].ociPlatform).join(', ')} only)` : '';
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
