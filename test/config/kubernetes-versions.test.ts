import {
  AL2_END_OF_SUPPORT,
  AMAZON_LINUX_2_END_OF_SUPPORT,
  EKS_KUBERNETES_VERSIONS,
  LAST_AL2_KUBERNETES_VERSION,
  availableKubernetesVersions,
  findKubernetesVersion,
  hasAl2Amis,
  newestStandardSupportVersion,
  phaseEnds,
  versionAboveTable,
  systemClock,
  supportPhase,
} from '../../lib/config/kubernetes-versions';

// Any hour of a UTC day is that day: the calendar is in UTC.
const at = (iso: string, time = '12:00:00') => new Date(`${iso}T${time}Z`);

// EKS user guide, release calendar: version, EKS release, end of standard support, end of extended support.
const CALENDAR: [string, string, string, string][] = [
  ['1.32', '2025-01-23', '2026-03-23', '2027-03-23'],
  ['1.33', '2025-05-29', '2026-07-29', '2027-07-29'],
  ['1.34', '2025-10-02', '2026-12-02', '2027-12-02'],
  ['1.35', '2026-01-27', '2027-03-27', '2028-03-27'],
  ['1.36', '2026-06-02', '2027-08-02', '2028-08-02'],
];
const dayBefore = (iso: string) => new Date(Date.parse(`${iso}T12:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
const dayAfter = (iso: string) => new Date(Date.parse(`${iso}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

describe.each(CALENDAR)('Kubernetes %s (EKS %s, standard to %s, extended to %s)', (version, release, standardEnd, extendedEnd) => {
  const support = findKubernetesVersion(version);
  test('is in the table with these dates', () => {
    expect(support).toMatchObject({ eksRelease: release, endOfStandardSupport: standardEnd, endOfExtendedSupport: extendedEnd });
  });
  test('phase on both sides of each boundary', () => {
    const phase = (iso: string) => supportPhase(support!, at(iso));
    expect(phase(dayBefore(release))).toBe('unreleased');
    expect(phase(release)).toBe('standard');
    expect(phase(standardEnd)).toBe('standard');
    expect(phase(dayAfter(standardEnd))).toBe('extended');
    expect(phase(extendedEnd)).toBe('extended');
    expect(phase(dayAfter(extendedEnd))).toBe('ended');
  });
});

test('1.34 leaves standard support after 2026-12-02, whatever the hour', () => {
  const v134 = findKubernetesVersion('1.34')!;
  expect(supportPhase(v134, at('2026-12-02', '23:59:59'))).toBe('standard');
  expect(supportPhase(v134, at('2026-12-03', '00:00:00'))).toBe('extended');
  expect(phaseEnds(v134, at('2026-12-02'))).toBe('2026-12-02');
  expect(phaseEnds(v134, at('2026-12-03'))).toBe('2027-12-02');
  expect(phaseEnds(v134, at('2027-12-03'))).toBeUndefined();
});

test('the AL2023 and Bottlerocket default is the newest version in standard support on the day', () => {
  expect(newestStandardSupportVersion(at('2026-06-01'))).toBe('1.35');
  expect(newestStandardSupportVersion(at('2026-06-02'))).toBe('1.36');
  expect(newestStandardSupportVersion(at('2026-11-28'))).toBe('1.36');
  expect(newestStandardSupportVersion(at('2028-08-03'))).toBeUndefined();
});

test('the versions EKS offers on a day: released and not past extended support', () => {
  expect(availableKubernetesVersions(at('2026-11-28')).map((v) => v.version)).toEqual(['1.32', '1.33', '1.34', '1.35', '1.36']);
  expect(availableKubernetesVersions(at('2027-03-24')).map((v) => v.version)).toEqual(['1.33', '1.34', '1.35', '1.36']);
  expect(availableKubernetesVersions(at('2026-06-01')).map((v) => v.version)).toEqual(['1.32', '1.33', '1.34', '1.35']);
});

test('1.37 is not in the table (no EKS dates found, 2026-12-04): it is the version above it, with no AL2 AMIs', () => {
  expect(findKubernetesVersion('1.37')).toBeUndefined();
  expect(versionAboveTable()).toBe('1.37');
  expect([hasAl2Amis('1.32'), hasAl2Amis('1.33'), hasAl2Amis('1.37'), hasAl2Amis('1.31')]).toEqual([true, false, false, true]);
});

test('the table as the EKS user guide gives it: AL2 AMIs up to 1.32, and the AL2 end-of-support days', () => {
  expect(EKS_KUBERNETES_VERSIONS.map((v) => `${v.version} ${v.al2Amis ? 'AL2' : 'no AL2'}`)).toEqual(['1.32 AL2', '1.33 no AL2', '1.34 no AL2', '1.35 no AL2', '1.36 no AL2']);
  expect([LAST_AL2_KUBERNETES_VERSION, AL2_END_OF_SUPPORT, AMAZON_LINUX_2_END_OF_SUPPORT]).toEqual(['1.32', '2025-11-26', '2026-06-30']);
});

test('the system clock is the time of the run', () => {
  const before = Date.now();
  const now = systemClock().getTime();
  expect(now).toBeGreaterThanOrEqual(before);
  expect(now).toBeLessThanOrEqual(Date.now());
});
