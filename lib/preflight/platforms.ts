import { Architecture, isArchitecture } from '../config/architectures';
import { ImageReference } from '../config/image-reference';
import { PreflightError } from './errors';
import { IMAGE_CONFIG_TYPES, MEDIA_TYPES, ManifestKind, manifestKindOf } from './media-types';
import { FetchedManifest, RegistryClient } from './registry-client';

/** An OCI platform: `linux/arm64/v8`. */
export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

/** Why a listed entry does not count as a platform nodes can pull. */
export type IgnoredReason = 'attestation' | 'unknown-platform' | 'no-platform' | 'not-linux' | 'variant';

/** One row of the table: a platform-specific manifest (or the only manifest of a single-platform image). */
export interface PlatformEntry {
  /** Undefined when an index entry carries no platform. */
  readonly platform?: Platform;
  readonly digest: string;
  readonly size: number;
  /** Set when the entry never counts as a platform, for example a buildx provenance attestation. */
  readonly ignored?: IgnoredReason;
}

/** What a reference resolves to: the kind of manifest and the platforms it offers. */
export interface ImageInspection {
  readonly reference: ImageReference;
  /** The tag or digest that was fetched. */
  readonly fetched: string;
  readonly kind: ManifestKind;
  readonly digest: string;
  readonly entries: readonly PlatformEntry[];
}

// buildx marks provenance/SBOM manifests in an index with this annotation (and platform unknown/unknown).
const REFERENCE_TYPE_ANNOTATION = 'vnd.docker.reference.type';
const ATTESTATION = 'attestation-manifest';

// The variant nodes pull when none is given: containerd treats arm64 and arm64/v8 as the same platform,
// and Graviton (ARMv8.x and ARMv9 alike) reports v8. amd64 nodes run the v1 baseline.
const BASELINE_VARIANT: Readonly<Record<Architecture, string>> = { arm64: 'v8', amd64: 'v1' };

// Architecture spellings containerd normalizes (platforms.Normalize). Not ARCHITECTURE_ALIASES of lib/config:
// those are "did you mean" hints for people, and in an image platform "arm" is 32-bit ARM, not arm64.
const ARCH_SYNONYMS: Readonly<Record<string, string>> = { aarch64: 'arm64', x86_64: 'amd64', 'x86-64': 'amd64' };

/** `linux/arm64/v8`, or `-` for an entry without a platform. */
export function formatPlatform(platform: Platform | undefined): string {
  if (!platform) return '-';
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}

/** The node architecture an entry serves, or undefined when it serves none (ignored, or another arch). */
export function nodeArchitectureOf(entry: PlatformEntry): Architecture | undefined {
  if (entry.ignored || !entry.platform || entry.platform.os !== 'linux') return undefined;
  const arch = ARCH_SYNONYMS[entry.platform.architecture] ?? entry.platform.architecture;
  return isArchitecture(arch) ? arch : undefined;
}

/** The node architectures an image covers, in the order of its entries. */
export function coveredArchitectures(inspection: Pick<ImageInspection, 'entries'>): Architecture[] {
  const archs = inspection.entries.map(nodeArchitectureOf).filter((a): a is Architecture => a !== undefined);
  return [...new Set(archs)];
}

/**
 * Reads an image's manifest and lists its platforms. An index lists them itself; a single-platform manifest
 * names its platform only in the config blob, which is fetched for that.
 */
export async function inspectImage(client: RegistryClient, reference: ImageReference): Promise<ImageInspection> {
  // containerd resolves the digest when both are given; no tag means `latest`, as for docker pull.
  const fetched = reference.digest ?? reference.tag ?? 'latest';
  const manifest = await client.getManifest(reference, fetched);
  const kind = kindOf(reference, manifest);
  const body = manifest.body as Record<string, unknown>;

  if (kind === 'oci-index' || kind === 'docker-manifest-list') {
    if (!Array.isArray(body.manifests)) throw malformed(reference, `the ${kind === 'oci-index' ? 'index' : 'manifest list'} has no "manifests" list`);
    const entries = body.manifests.map((descriptor: unknown, i: number) => indexEntry(reference, descriptor, i));
    return { reference, fetched, kind, digest: manifest.digest, entries };
  }

  const config = descriptorOf(body.config);
  if (!config) throw malformed(reference, 'the manifest has no config descriptor');
  if (config.mediaType && !IMAGE_CONFIG_TYPES.includes(config.mediaType)) {
    throw new PreflightError(
      `${reference.original} is not a container image (its config is ${config.mediaType})`,
      'Point the check at the image itself, not at an artifact such as a Helm chart or signature',
    );
  }
  const platform = platformFromConfig(reference, await client.getBlob(reference, config.digest));
  const entry: PlatformEntry = { platform, digest: manifest.digest, size: manifest.size };
  return { reference, fetched, kind, digest: manifest.digest, entries: [{ ...entry, ignored: ignoredReason(entry, {}) }] };
}

function kindOf(reference: ImageReference, manifest: FetchedManifest): ManifestKind {
  const body = manifest.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw malformed(reference, 'the manifest is not a JSON object');
  const record = body as Record<string, unknown>;
  if (record.schemaVersion === 1 || manifest.mediaType === MEDIA_TYPES.dockerSchema1 || manifest.mediaType === MEDIA_TYPES.dockerSchema1Signed) {
    throw new PreflightError(`${reference.original} has a Docker schema 1 manifest, which carries no platform list`, 'Push it again with a current Docker or buildx, which write schema 2 or OCI');
  }
  const known = manifestKindOf(manifest.mediaType) ?? (typeof record.mediaType === 'string' ? manifestKindOf(record.mediaType) : undefined);
  if (known) return known;
  // An OCI manifest may leave mediaType out; its shape tells which one it is.
  if (record.mediaType === undefined) {
    if (Array.isArray(record.manifests)) return 'oci-index';
    if (record.config !== undefined) return 'oci-manifest';
  }
  throw malformed(reference, `the manifest type "${manifest.mediaType || 'unknown'}" is not an image index or image manifest`);
}

interface Descriptor {
  readonly mediaType?: string;
  readonly digest: string;
  readonly size: number;
  readonly platform?: unknown;
  readonly annotations?: unknown;
}

function descriptorOf(value: unknown): Descriptor | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const d = value as Record<string, unknown>;
  if (typeof d.digest !== 'string' || !/^[a-z0-9]+:[a-f0-9]+$/.test(d.digest) || typeof d.size !== 'number') return undefined;
  return { ...d, mediaType: typeof d.mediaType === 'string' ? d.mediaType : undefined } as Descriptor;
}

function indexEntry(reference: ImageReference, value: unknown, index: number): PlatformEntry {
  const descriptor = descriptorOf(value);
  if (!descriptor) throw malformed(reference, `manifests[${index}] has no digest and size`);
  const platform = platformOf(descriptor.platform);
  const annotations = (typeof descriptor.annotations === 'object' && descriptor.annotations !== null ? descriptor.annotations : {}) as Record<string, unknown>;
  const entry: PlatformEntry = { platform, digest: descriptor.digest, size: descriptor.size };
  return { ...entry, ignored: ignoredReason(entry, annotations) };
}

function platformOf(value: unknown): Platform | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const p = value as Record<string, unknown>;
  if (typeof p.os !== 'string' || typeof p.architecture !== 'string') return undefined;
  return { os: p.os, architecture: p.architecture, variant: typeof p.variant === 'string' && p.variant ? p.variant : undefined };
}

function ignoredReason(entry: PlatformEntry, annotations: Record<string, unknown>): IgnoredReason | undefined {
  if (annotations[REFERENCE_TYPE_ANNOTATION] === ATTESTATION) return 'attestation';
  const platform = entry.platform;
  if (!platform) return 'no-platform';
  if (platform.os === 'unknown' || platform.architecture === 'unknown') return 'unknown-platform';
  if (platform.os !== 'linux') return 'not-linux';
  const arch = ARCH_SYNONYMS[platform.architecture] ?? platform.architecture;
  if (isArchitecture(arch) && platform.variant && platform.variant !== BASELINE_VARIANT[arch]) return 'variant';
  return undefined;
}

function platformFromConfig(reference: ImageReference, bytes: Buffer): Platform {
  let config: unknown;
  try {
    config = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw malformed(reference, 'the image config is not JSON');
  }
  const platform = platformOf(config);
  if (!platform) throw malformed(reference, 'the image config names no os and architecture');
  return platform;
}

function malformed(reference: ImageReference, detail: string): PreflightError {
  return new PreflightError(`unexpected manifest from ${reference.registry}: ${detail}`, 'Push the image again with docker buildx or another OCI-compliant tool');
}
