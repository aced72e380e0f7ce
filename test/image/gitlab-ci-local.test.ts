import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

// .gitlab-ci.yml through gitlab-ci-local, which applies GitLab's JSON schema, extends, needs and rules.
// It reads the project from a git checkout, so each case commits a copy into a fresh repository.

const run = promisify(execFile);
const ROOT = path.join(__dirname, '..', '..');
const GITLAB_CI_LOCAL = path.join(ROOT, 'node_modules', '.bin', 'gitlab-ci-local');
const CI_TEXT = readFileSync(path.join(ROOT, '.gitlab-ci.yml'), 'utf8');

interface Listed {
  readonly name: string;
  readonly stage: string;
  readonly when: string;
  readonly environment: string;
  readonly needs: readonly string[];
}

interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const work = mkdtempSync(path.join(tmpdir(), 'gitlab-ci-local-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Commits `ciText` as .gitlab-ci.yml on `branch` in a new repository and runs gitlab-ci-local with `args` there. */
async function gitlabCiLocal(name: string, ciText: string, branch: string, args: string[]): Promise<Result> {
  const repo = path.join(work, name);
  // A clean environment: nothing from a surrounding CI job (CI_COMMIT_BRANCH...) or the user's git/HOME config.
  const env = { PATH: process.env.PATH ?? '', HOME: repo, GIT_CONFIG_NOSYSTEM: '1', LANG: 'C.UTF-8' };
  const git = (...a: string[]) => run('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...a], { cwd: repo, env });
  mkdirSync(repo);
  writeFileSync(path.join(repo, '.gitlab-ci.yml'), ciText);
  await git('init', '-q', '-b', branch);
  await git('add', '.gitlab-ci.yml');
  await git('commit', '-q', '-m', 'pipeline');
  try {
    const { stdout, stderr } = await run(GITLAB_CI_LOCAL, args, { cwd: repo, env, timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

/**
 * Rows of `--list`, cut at the header's column positions (the environment column is blank for most jobs):
 * name, description, stage, when, allow_failure, environment, [needs].
 */
function parseList(stdout: string): Listed[] {
  const rows = stdout.split('\n').filter((row) => row.trim() !== '');
  const header = rows.findIndex((row) => /^name\s+description\s+stage/.test(row));
  expect(rows[header].split(/\s+/)).toEqual(['name', 'description', 'stage', 'when', 'allow_failure', 'environment', 'needs']);
  const columns = ['name', 'description', 'stage', 'when', 'allow_failure', 'environment', 'needs'].map((c) => rows[header].indexOf(c));
  const cell = (row: string, i: number) => row.slice(columns[i], columns[i + 1]).trim();
  return rows.slice(header + 1).map((row) => {
    const needs = cell(row, 6);
    return {
      name: cell(row, 0), stage: cell(row, 2), when: cell(row, 3), environment: cell(row, 5),
      needs: needs.replace(/^\[|\]$/g, '').split(',').filter((n) => n !== ''),
    };
  });
}

const SCHEMA_OR_SCRIPT_ERROR = /must have script|Invalid \.gitlab-ci\.yml|property must|could not be found/;

let onMain: Result;
let onFeature: Result;
let qemuOnMain: Result;
let qemuOnFeature: Result;
let withoutScript: Result;
let invalidWhen: Result;

beforeAll(async () => {
  const noScript = CI_TEXT.replace(/(\nsynth:\n(?: {2}.*\n)*?) {2}script:\n(?: {4}(?:- |# ).*\n)+/, '$1');
  expect(noScript).not.toBe(CI_TEXT);
  const badWhen = CI_TEXT.replace('      when: manual\n', '      when: sometimes\n');
  expect(badWhen).not.toBe(CI_TEXT);
  [onMain, onFeature, qemuOnMain, qemuOnFeature, withoutScript, invalidWhen] = await Promise.all([
    gitlabCiLocal('main', CI_TEXT, 'main', ['--list']),
    gitlabCiLocal('feature', CI_TEXT, 'feature-x', ['--list']),
    gitlabCiLocal('qemu-main', CI_TEXT, 'main', ['--list', '--variable', 'IMAGE_BUILD=qemu']),
    gitlabCiLocal('qemu-feature', CI_TEXT, 'feature-x', ['--list', '--variable', 'IMAGE_BUILD=qemu']),
    gitlabCiLocal('no-script', noScript, 'main', ['--list']),
    gitlabCiLocal('bad-when', badWhen, 'main', ['--list']),
  ]);
});

describe('gitlab-ci-local --list', () => {
  it('accepts the pipeline without schema or script errors', () => {
    expect({ code: onMain.code, stderr: onMain.stderr }).toEqual({ code: 0, stderr: expect.not.stringMatching(SCHEMA_OR_SCRIPT_ERROR) });
  });

  it('lists every job in its stage on the default branch: native builds and merges per image, verify, manual deploys', () => {
    // The fresh repository has no remote, so gitlab-ci-local takes `main` as the default branch. The image
    // matrix expands into one job per image, named with its value as GitLab does.
    const build = (arch: string, image: string) => ({ name: `build-image-${arch}: [${image}]`, stage: 'image', when: 'on_success', environment: '', needs: [] });
    const merge = (image: string) => ({ name: `merge-image: [${image}]`, stage: 'image', when: 'on_success', environment: '', needs: ['build-image-amd64', 'build-image-arm64'] });
    expect(parseList(onMain.stdout)).toEqual([
      { name: 'test', stage: 'test', when: 'on_success', environment: '', needs: [] },
      { name: 'synth', stage: 'synth', when: 'on_success', environment: '', needs: [] },
      build('amd64', 'print-platform-info'), build('amd64', 'arch-guard'),
      build('arm64', 'print-platform-info'), build('arm64', 'arch-guard'),
      merge('print-platform-info'), merge('arch-guard'),
      { name: 'verify-image', stage: 'verify', when: 'on_success', environment: '', needs: ['merge-image', 'build-image-qemu'] },
      { name: 'deploy-cdk', stage: 'deploy', when: 'manual', environment: 'production', needs: ['synth', 'verify-image'] },
      { name: 'deploy-manifests', stage: 'deploy', when: 'manual', environment: 'production', needs: ['synth', 'verify-image'] },
    ]);
  });

  it('on other branches builds and runs each architecture, and pushes, merges, verifies and deploys nothing', () => {
    expect(onFeature.code).toBe(0);
    expect(parseList(onFeature.stdout).map((j) => j.name)).toEqual([
      'test', 'synth',
      'build-image-amd64: [print-platform-info]', 'build-image-amd64: [arch-guard]', 'build-image-arm64: [print-platform-info]', 'build-image-arm64: [arch-guard]',
    ]);
  });

  it('with IMAGE_BUILD=qemu runs the emulated build instead of the native ones and the merge', () => {
    expect(qemuOnMain.code).toBe(0);
    const qemu = ['build-image-qemu: [print-platform-info]', 'build-image-qemu: [arch-guard]'];
    expect(parseList(qemuOnMain.stdout).map((j) => j.name)).toEqual(['test', 'synth', ...qemu, 'verify-image', 'deploy-cdk', 'deploy-manifests']);
    expect(parseList(qemuOnFeature.stdout).map((j) => j.name)).toEqual(['test', 'synth', ...qemu]);
  });

  // The two cases below prove the check above is not vacuous: the same parser rejects broken copies.
  it('rejects a job without a script', () => {
    expect(withoutScript.code).not.toBe(0);
    expect(withoutScript.stderr).toContain('synth must have script specified');
  });

  it('rejects a value outside the GitLab schema', () => {
    expect(invalidWhen.code).not.toBe(0);
    expect(invalidWhen.stderr).toContain('Invalid .gitlab-ci.yml configuration!');
    expect(invalidWhen.stderr).toMatch(/found sometimes\) at deploy-cdk\.rules\.0\.when/);
  });
});
