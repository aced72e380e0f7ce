/**
 * A container image reference, parsed and normalized the way Docker and containerd do
 * (`busybox` -> `docker.io/library/busybox`). Shared by the workload config and the image preflight.
 */
export interface ImageReference {
  /** Registry host, with port if any: `docker.io`, `localhost:5000`, `123456789012.dkr.ecr.eu-west-1.amazonaws.com`. */
  readonly registry: string;
  /** Repository path within the registry: `library/busybox`, `group/project/image`. */
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
  /** The reference as written. */
  readonly original: string;
}

export const DOCKER_HUB = 'docker.io';

// Grammar from distribution/reference: lower-case path components separated by `.`, `_`, `__` or `-`s.
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$|^sha512:[a-f0-9]{128}$/;
const HOST = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?$|^\[[0-9a-fA-F:]+\](?::[0-9]+)?$/;

export class ImageReferenceError extends Error {
  constructor(
    readonly reference: string,
    readonly reason: string,
  ) {
    super(`"${reference}" is not a valid image reference: ${reason}`);
    this.name = 'ImageReferenceError';
  }
}

/** Parses `[registry/]repository[:tag][@digest]`; throws ImageReferenceError with the reason. */
export function parseImageReference(reference: string): ImageReference {
  const ref = reference.trim();
  if (ref === '') throw new ImageReferenceError(reference, 'it is empty');
  if (/\s/.test(ref)) throw new ImageReferenceError(reference, 'it contains whitespace');

  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) {
      throw new ImageReferenceError(reference, `the digest "${digest}" is not sha256:<64 hex digits>`);
    }
  }

  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw new ImageReferenceError(reference, `the tag "${tag}" is not a valid tag`);
  }

  const parts = rest.split('/');
  let registry = DOCKER_HUB;
  // The first component is a registry host when it has a dot or a port, or is localhost (Docker's rule).
  if (parts.length > 1 && (/[.:]/.test(parts[0]) || parts[0] === 'localhost' || parts[0].startsWith('['))) {
    registry = parts.shift() as string;
    if (!HOST.test(registry)) throw new ImageReferenceError(reference, `the registry "${registry}" is not a host name`);
  }
  if (registry === 'index.docker.io' || registry === 'registry-1.docker.io') registry = DOCKER_HUB;
  if (parts.length === 0 || parts.some((p) => !PATH_COMPONENT.test(p))) {
    throw new ImageReferenceError(
      reference,
      'the repository must be lower-case letters, digits and separators (for example "group/image")',
    );
  }
  if (registry === DOCKER_HUB && parts.length === 1) parts.unshift('library');

  return { registry, repository: parts.join('/'), tag, digest, original: reference };
}

/** The canonical form: `registry/repository[:tag][@digest]`. */
export function formatImageReference(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** True for Amazon ECR private registries, which nodes pull from with their instance role. */
export function isEcrRegistry(registry: string): boolean {
  return /^\d{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/.test(registry);
}

/** True for registries that anyone can pull from without credentials (Docker Hub, ECR Public). */
export function isPublicRegistry(registry: string): boolean {
  return registry === DOCKER_HUB || registry === 'public.ecr.aws';
}
