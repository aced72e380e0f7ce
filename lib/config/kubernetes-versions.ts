import { ConfigError } from './errors';

/**
 * Kubernetes versions Amazon EKS offers, with their support windows. The phase of a version is computed from
 * the date of the run, so a version leaves standard support on its date without a code change.
 *
 * Source: EKS user guide, "Understand the Kubernetes version lifecycle on EKS", section "Amazon EKS Kubernetes
 * release calendar" (docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html), checked 2026-11-28;
 * 1.36 from the same guide's "Review release notes for Kubernetes versions on standard support" (1.36 is the
 * newest entry there; no 1.37 entry, so 1.37 is not offered here, see docs/upgrades.md).
 * Standard support lasts 14 months from the EKS release, extended support 12 more (same page). The 1.35 EKS
 * release date is derived from its end of standard support (2027-03-27) minus 14 months; the other dates are
 * the calendar's.
 */
export interface KubernetesVersionSupport {
  readonly version: string;
  /** The day EKS released the version (ISO date, UTC). */
  readonly eksRelease: string;
  /** The last day of standard support (ISO date, UTC). */
  readonly endOfStandardSupport: string;
  /** The last day of extended support; after it EKS upgrades the control plane itself. */
  readonly endOfExtendedSupport: string;
  /** Whether EKS publishes Amazon Linux 2 AMIs for this version (none for 1.33 and later). */
  readonly al2Amis: boolean;
}

export const EKS_KUBERNETES_VERSIONS: readonly KubernetesVersionSupport[] = [
  { version: '1.32', eksRelease: '2025-01-23', endOfStandardSupport: '2026-03-23', endOfExtendedSupport: '2027-03-23', al2Amis: true },
  { version: '1.33', eksRelease: '2025-05-29', endOfStandardSupport: '2026-07-29', endOfExtendedSupport: '2027-07-29', al2Amis: false },
  { version: '1.34', eksRelease: '2025-10-02', endOfStandardSupport: '2026-12-02', endOfExtendedSupport: '2027-12-02', al2Amis: false },
  { version: '1.35', eksRelease: '2026-01-27', endOfStandardSupport: '2027-03-27', endOfExtendedSupport: '2028-03-27', al2Amis: false },
  { version: '1.36', eksRelease: '2026-06-02', endOfStandardSupport: '2027-08-02', endOfExtendedSupport: '2028-08-02', al2Amis: false },
];

/**
 * Where a version stands on a given day: not yet on EKS, in standard support, in (paid) extended support, or
 * past extended support (EKS no longer creates clusters on it and upgrades existing control planes).
 */
export type SupportPhase = 'unreleased' | 'standard' | 'extended' | 'ended';

/** The date of the run. Tests pass a fixed one; the apps read the system clock. */
export type Clock = () => Date;
export const systemClock: Clock = () => new Date();

/**
 * The environment variable that makes a run take another UTC day as today: `MIXED_ARCH_EKS_PRETEND_TODAY=2026-11-28`.
 * The test suite sets it so that every process it starts (`cdk synth`, `cdk8s synth`, `npm run cost`,
 * check-image) decides support phases on its fixed day. Every command that honours it says so on stderr
 * (pretendTodayNotice), so a variable left set cannot quietly hide a support-phase warning or refusal.
 */
export const PRETEND_TODAY_VARIABLE = 'MIXED_ARCH_EKS_PRETEND_TODAY';

/**
 * The clock of a run: the system clock, or the UTC day MIXED_ARCH_EKS_PRETEND_TODAY names (at noon UTC, so the
 * day is the same in every timezone). A value that is not a YYYY-MM-DD day is a ConfigError naming the variable.
 */
export function clockFromEnvironment(env: NodeJS.ProcessEnv = process.env): Clock {
  const value = env[PRETEND_TODAY_VARIABLE];
  if (value === undefined || value === '') return systemClock;
  const date = new Date(`${value}T12:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(date.getTime()) || isoDay(date) !== value) {
    return () => {
      throw new ConfigError([{
        key: PRETEND_TODAY_VARIABLE, value, problem: 'not a calendar day (YYYY-MM-DD)',
        fix: `unset it to use today's date (unset ${PRETEND_TODAY_VARIABLE}); the test suite sets it to run on a fixed day`,
      }]);
    };
  }
  return () => new Date(date);
}

/** The line a command prints on stderr while MIXED_ARCH_EKS_PRETEND_TODAY is set, or undefined when it is not. */
export function pretendTodayNotice(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[PRETEND_TODAY_VARIABLE];
  if (value === undefined || value === '') return undefined;
  return `NOTE ${PRETEND_TODAY_VARIABLE}=${value}: support phases are decided as on that day, not today (unset ${PRETEND_TODAY_VARIABLE} for real runs)`;
}

/** The last Kubernetes version with EKS-optimized Amazon Linux 2 AMIs. */
export const LAST_AL2_KUBERNETES_VERSION = '1.32';

/** The date EKS-optimized Amazon Linux 2 AMIs reached end of support (EKS user guide, "AL2 AMI deprecation FAQs"). */
export const AL2_END_OF_SUPPORT = '2025-11-26';

/** The end of support of Amazon Linux 2 itself (Amazon Linux 2 FAQs): no more security updates from this day. */
export const AMAZON_LINUX_2_END_OF_SUPPORT = '2026-06-30';

/**
 * The version one minor above the table's newest: EKS may already offer it (aws-cdk-lib 2.276 has
 * `KubernetesVersion.V1_37` and Bottlerocket 1.66.0 ships aws-k8s-1.37 variants), but no EKS page with its dates
 * was found (searched 2026-12-04), so it is not in the table. It synthesizes, with a warning that its dates are
 * unknown; anything further is refused. It becomes a table row once EKS's own release calendar lists it.
 */
export function versionAboveTable(): string {
  const newest = [...EKS_KUBERNETES_VERSIONS].sort((a, b) => compareVersions(a.version, b.version))[EKS_KUBERNETES_VERSIONS.length - 1].version;
  const [major, minor] = newest.split('.').map(Number);
  return `${major}.${minor + 1}`;
}

/** Whether EKS publishes Amazon Linux 2 AMIs for `version`: the table's column, and never after 1.32. */
export function hasAl2Amis(version: string): boolean {
  return findKubernetesVersion(version)?.al2Amis ?? compareVersions(version, LAST_AL2_KUBERNETES_VERSION) <= 0;
}

export function findKubernetesVersion(version: string): KubernetesVersionSupport | undefined {
  return EKS_KUBERNETES_VERSIONS.find((v) => v.version === version);
}

/** The UTC calendar day of `date` as an ISO date: the calendar's dates are UTC days. */
export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/**
 * The phase of `support` on `date`. A calendar date is the last day of its phase: 1.34 (standard support to
 * 2026-12-02) is in standard support on 2026-12-02 and in extended support from 2026-12-03.
 */
export function supportPhase(support: KubernetesVersionSupport, date: Date): SupportPhase {
  const day = isoDay(date);
  if (day < support.eksRelease) return 'unreleased';
  if (day <= support.endOfStandardSupport) return 'standard';
  if (day <= support.endOfExtendedSupport) return 'extended';
  return 'ended';
}

/** The last day of the phase `support` is in on `date`, or undefined when it has none (unreleased, ended). */
export function phaseEnds(support: KubernetesVersionSupport, date: Date): string | undefined {
  const phase = supportPhase(support, date);
  if (phase === 'standard') return support.endOfStandardSupport;
  if (phase === 'extended') return support.endOfExtendedSupport;
  return undefined;
}

/** The versions EKS creates clusters on at `date` (standard or extended support), oldest first. */
export function availableKubernetesVersions(date: Date): KubernetesVersionSupport[] {
  return EKS_KUBERNETES_VERSIONS
    .filter((v) => ['standard', 'extended'].includes(supportPhase(v, date)))
    .sort((a, b) => compareVersions(a.version, b.version));
}

/**
 * The newest version in standard support at `date`: the default for AL2023 and Bottlerocket. Undefined only
 * if the table has run out (every version past standard support), which the config reports.
 */
export function newestStandardSupportVersion(date: Date = clockFromEnvironment()()): string | undefined {
  const standard = EKS_KUBERNETES_VERSIONS.filter((v) => supportPhase(v, date) === 'standard').map((v) => v.version);
  return standard.sort(compareVersions)[standard.length - 1];
}

export function compareVersions(a: string, b: string): number {
  const [aMajor, aMinor] = a.split('.').map(Number);
  const [bMajor, bMinor] = b.split('.').map(Number);
  return aMajor - bMajor || aMinor - bMinor;
}
