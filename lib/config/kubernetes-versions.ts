/**
 * Kubernetes versions Amazon EKS offers, with their support windows.
 * Source: EKS user guide, "Kubernetes release calendar", checked 2026-11-27. Extended support is on by default
 * and bills the control plane at the extended rate (see lib/cost/prices.ts).
 */
export interface KubernetesVersionSupport {
  readonly version: string;
  /** Support phase on the date this table was checked. */
  readonly phase: 'standard' | 'extended';
  /** Last day of the phase above (ISO date). */
  readonly supportEnds: string;
  /** Whether EKS publishes Amazon Linux 2 AMIs for this version (none for 1.33 and later). */
  readonly al2Amis: boolean;
}

export const EKS_KUBERNETES_VERSIONS: readonly KubernetesVersionSupport[] = [
  { version: '1.32', phase: 'extended', supportEnds: '2027-03-23', al2Amis: true },
  { version: '1.33', phase: 'extended', supportEnds: '2027-07-29', al2Amis: false },
  { version: '1.34', phase: 'standard', supportEnds: '2026-12-02', al2Amis: false },
  { version: '1.35', phase: 'standard', supportEnds: '2027-03-27', al2Amis: false },
];

/** The last Kubernetes version with EKS-optimized Amazon Linux 2 AMIs. */
export const LAST_AL2_KUBERNETES_VERSION = '1.32';

/** The date EKS-optimized Amazon Linux 2 AMIs reached end of support. */
export const AL2_END_OF_SUPPORT = '2025-11-26';

export function findKubernetesVersion(version: string): KubernetesVersionSupport | undefined {
  return EKS_KUBERNETES_VERSIONS.find((v) => v.version === version);
}

/** The newest version in standard support: the default for AL2023 and Bottlerocket. */
export function newestStandardSupportVersion(): string {
  const standard = EKS_KUBERNETES_VERSIONS.filter((v) => v.phase === 'standard').map((v) => v.version);
  return standard.sort(compareVersions)[standard.length - 1];
}

export function compareVersions(a: string, b: string): number {
  const [aMajor, aMinor] = a.split('.').map(Number);
  const [bMajor, bMinor] = b.split('.').map(Number);
  return aMajor - bMajor || aMinor - bMinor;
}
