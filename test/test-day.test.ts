/**
 * The calendar of the suite: every process a test starts runs on TEST_DAY through MIXED_ARCH_EKS_PRETEND_TODAY
 * (set once, by global-setup.ts), says so on stderr, and decides support phases on EKS's UTC days whatever the
 * machine's timezone.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../lib/config/cdk-json';
import { PRETEND_TODAY_VARIABLE, clockFromEnvironment, isoDay, pretendTodayNotice, systemClock } from '../lib/config/kubernetes-versions';
import { copyProject } from './support/project-copy';
import { TEST_DAY, TEST_DAY_ENV, TEST_DAY_NOTICE } from './support/test-day';

const project = copyProject();
const outdirs: string[] = [];
afterAll(() => {
  outdirs.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
  project.remove();
});

/** `npm run cost` as the script runs it (node bin/cost.ts), in the project copy, with `env` on top of ours. */
function cost(env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, ['--require', 'esbuild-register', 'bin/cost.ts'], {
    cwd: project.dir, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000,
  });
}

/** `cdk synth` in the project copy on the day `day`. */
function cdkSynth(day: string) {
  const outdir = mkdtempSync(join(tmpdir(), 'cdk-out-'));
  outdirs.push(outdir);
  const result = spawnSync(process.execPath, [join(PROJECT_ROOT, 'node_modules/aws-cdk/bin/cdk'), 'synth', '--quiet', '--output', outdir], {
    cwd: project.dir, env: { ...process.env, [PRETEND_TODAY_VARIABLE]: day, CDK_VALIDATION: 'false' }, encoding: 'utf8', timeout: 120_000,
  });
  return { ...result, templates: readdirSync(outdir).filter((f) => f.endsWith('.template.json')) };
}

test('the whole run has the test day set, for every process it starts', () => {
  expect(TEST_DAY_ENV).toEqual({ MIXED_ARCH_EKS_PRETEND_TODAY: '2026-11-28' });
  expect(process.env[PRETEND_TODAY_VARIABLE]).toBe(isoDay(TEST_DAY));
  expect(TEST_DAY_NOTICE).toBe(
    'NOTE MIXED_ARCH_EKS_PRETEND_TODAY=2026-11-28: support phases are decided as on that day, not today (unset MIXED_ARCH_EKS_PRETEND_TODAY for real runs)',
  );
});

test('the clock: the system clock unless the variable names a UTC day (at noon); anything else is refused by name', () => {
  expect(clockFromEnvironment({})).toBe(systemClock);
  expect(clockFromEnvironment({ [PRETEND_TODAY_VARIABLE]: '' })).toBe(systemClock);
  expect(pretendTodayNotice({})).toBeUndefined();
  expect(clockFromEnvironment({ [PRETEND_TODAY_VARIABLE]: '2027-03-24' })().toISOString()).toBe('2027-03-24T12:00:00.000Z');
  for (const bad of ['2027-02-30', '2027-3-24', 'tomorrow', '2027-03-24T00:00:00Z']) {
    expect(clockFromEnvironment({ [PRETEND_TODAY_VARIABLE]: bad })).toThrow(
      `Invalid configuration:\n  - MIXED_ARCH_EKS_PRETEND_TODAY = "${bad}": not a calendar day (YYYY-MM-DD). ` +
        "Fix: unset it to use today's date (unset MIXED_ARCH_EKS_PRETEND_TODAY); the test suite sets it to run on a fixed day",
    );
  }
});

test('a command run with the variable set says so first, every time, so it cannot quietly hide a warning', () => {
  const result = cost({});
  expect(result.status).toBe(0);
  expect(result.stderr).toBe(`${TEST_DAY_NOTICE}\n`);
  expect(result.stdout).toMatch(/Kubernetes 1\.32, extended support on 2026-11-28/);
  // Without it: the system clock, and no notice.
  const env = { ...process.env };
  delete env[PRETEND_TODAY_VARIABLE];
  const real = spawnSync(process.execPath, ['--require', 'esbuild-register', 'bin/cost.ts'], { cwd: project.dir, env, encoding: 'utf8', timeout: 60_000 });
  expect(real.stderr).not.toContain(PRETEND_TODAY_VARIABLE);
  expect(real.stdout).toContain(`on ${isoDay(new Date())}`);
});

test('the same day in every timezone: the UTC day, on the last and the first day of a phase', () => {
  // Kiritimati is UTC+14, Adak UTC-10 (UTC-9 in summer): local dates differ from the UTC day for most of it.
  for (const TZ of ['Pacific/Kiritimati', 'America/Adak', 'UTC']) {
    expect(cost({ TZ, [PRETEND_TODAY_VARIABLE]: '2027-03-23' }).stdout).toMatch(/Kubernetes 1\.32, extended support on 2027-03-23/);
    const after = cost({ TZ, [PRETEND_TODAY_VARIABLE]: '2027-03-24' });
    expect(after.status).toBe(1);
    expect(after.stderr).toMatch(/^ {2}- amiFamily = "AL2": Kubernetes 1\.32, the last version with EKS Amazon Linux 2 AMIs, left extended support after 2027-03-23/m);
  }
});

describe('what a user of the default (AL2, Kubernetes 1.32) sees on and after 2027-03-24', () => {
  test('2027-03-23, the last day of 1.32: `cdk synth` writes the template', () => {
    const result = cdkSynth('2027-03-23');
    expect(result.status).toBe(0);
    expect(result.templates).toEqual(['MixedArchEks.template.json']);
  });

  test('2027-03-24: `cdk synth` refuses with the one configuration message, writes no template', () => {
    const result = cdkSynth('2027-03-24');
    expect(result.status).not.toBe(0);
    expect(result.stderr.split('\n').slice(0, 2)).toEqual(['NOTE MIXED_ARCH_EKS_PRETEND_TODAY=2027-03-24: support phases are decided as on that day, not today (unset MIXED_ARCH_EKS_PRETEND_TODAY for real runs)', 'Invalid configuration:']);
    expect(result.stderr).toMatch(/^ {2}- amiFamily = "AL2": Kubernetes 1\.32, the last version with EKS Amazon Linux 2 AMIs, left extended support after 2027-03-23: EKS no longer runs it\. Fix: /m);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(result.templates).toEqual([]);
  });
});
