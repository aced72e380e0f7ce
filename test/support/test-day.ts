import { PRETEND_TODAY_VARIABLE, isoDay, pretendTodayNotice } from '../../lib/config/kubernetes-versions';

/**
 * The date every test runs on (support phases, defaults), so that no test depends on today: the one place it is
 * set. In-process tests pass it as the clock; every process a test starts gets it as MIXED_ARCH_EKS_PRETEND_TODAY
 * (TEST_DAY_ENV, set for the whole run by global-setup.ts), at noon UTC, so the day is the same in every timezone.
 */
export const TEST_DAY = new Date('2026-11-28T12:00:00Z');

/** The environment that makes a command run on TEST_DAY. */
export const TEST_DAY_ENV: Readonly<Record<string, string>> = { [PRETEND_TODAY_VARIABLE]: isoDay(TEST_DAY) };

/** The line such a command prints first on stderr, saying that it runs on the pretended day. */
export const TEST_DAY_NOTICE = pretendTodayNotice(TEST_DAY_ENV) as string;

/** stderr without the TEST_DAY_NOTICE line (its own test asserts it): what the command prints otherwise. */
export function withoutTestDayNotice(stderr: string): string {
  return stderr.replace(`${TEST_DAY_NOTICE}\n`, '');
}
