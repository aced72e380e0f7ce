/** The manifest and config media types the preflight reads (OCI image spec and Docker image manifest v2). */
export const MEDIA_TYPES = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
} as const;

/** What the manifest at a reference is. */
export type ManifestKind = 'oci-index' | 'docker-manifest-list' | 'oci-manifest' | 'docker-manifest';

/** Human names, as shown in the table header. */
export const MANIFEST_KIND_NAMES: Readonly<Record<ManifestKind, string>> = {
  'oci-index': 'OCI image index',
  'docker-manifest-list': 'Docker manifest list',
  'oci-manifest': 'OCI image manifest',
  'docker-manifest': 'Docker image manifest',
};

/**
 * Every manifest type we can read, for the Accept header. Without the index types a registry answers with one
 * platform's manifest (or 404 for an OCI-only index), which would hide exactly what we want to see.
 */
export const MANIFEST_ACCEPT = [
  MEDIA_TYPES.ociIndex,
  MEDIA_TYPES.dockerManifestList,
  MEDIA_TYPES.ociManifest,
  MEDIA_TYPES.dockerManifest,
].join(', ');

/** The image config media types that carry `os`/`architecture` (anything else is not a container image). */
export const IMAGE_CONFIG_TYPES: readonly string[] = [MEDIA_TYPES.ociConfig, MEDIA_TYPES.dockerConfig];

/** Maps a manifest media type to its kind; undefined for types we do not read. */
export function manifestKindOf(mediaType: string): ManifestKind | undefined {
  switch (mediaType) {
    case MEDIA_TYPES.ociIndex:
      return 'oci-index';
    case MEDIA_TYPES.dockerManifestList:
      return 'docker-manifest-list';
    case MEDIA_TYPES.ociManifest:
      return 'oci-manifest';
    case MEDIA_TYPES.dockerManifest:
      return 'docker-manifest';
    default:
      return undefined;
  }
}
