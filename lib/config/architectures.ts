/**
 * The CPU architectures a node group can run, in Kubernetes terms (the `kubernetes.io/arch` node label),
 * and what each one is called elsewhere. Both apps (CDK and cdk8s) and the image preflight read this table.
 */
export const ARCHITECTURES = ['arm64', 'amd64'] as const;

/** A CPU architecture as Kubernetes names it. */
export type Architecture = (typeof ARCHITECTURES)[number];

/** The node label the scheduler matches architectures on; kubelet sets it on every node. */
export const ARCH_NODE_LABEL = 'kubernetes.io/arch';

export interface ArchitectureInfo {
  /** What people call it: shown in messages and reports. */
  readonly displayName: string;
  /** The OCI platform (`linux/<arch>`) that an image must carry to run on these nodes. */
  readonly ociPlatform: string;
  /** A current, cheap general-purpose instance type: used in messages as the suggested fix. */
  readonly exampleInstanceType: string;
}

export const ARCHITECTURE_INFO: Readonly<Record<Architecture, ArchitectureInfo>> = {
  arm64: { displayName: 'arm64 (Graviton)', ociPlatform: 'linux/arm64', exampleInstanceType: 'm7g.large' },
  amd64: { displayName: 'amd64 (x86_64)', ociPlatform: 'linux/amd64', exampleInstanceType: 'm7i.large' },
};

/** Other names people use for these architectures, mapped to the Kubernetes one (for "did you mean"). */
export const ARCHITECTURE_ALIASES: Readonly<Record<string, Architecture>> = {
  aarch64: 'arm64',
  arm64v8: 'arm64',
  arm: 'arm64',
  graviton: 'arm64',
  x86_64: 'amd64',
  x86: 'amd64',
  x64: 'amd64',
  intel: 'amd64',
};

export function isArchitecture(value: unknown): value is Architecture {
  return typeof value === 'string' && (ARCHITECTURES as readonly string[]).includes(value);
}
