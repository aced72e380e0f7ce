import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseDocument } from 'yaml';

// Structure of .gitlab-ci.yml, read with the yaml package. gitlab-ci-local.test.ts runs GitLab's own rules on it.

const CI_FILE = path.join(__dirname, '..', '..', '.gitlab-ci.yml');
const STAGES = ['test', 'synth', 'image', 'verify', 'deploy'];
const BUILD_JOB = 'build-image';
const VERIFY_JOB = 'verify-image';
const DEPLOY_JOBS = ['deploy-cdk', 'deploy-manifests'];
const IMAGE_REF = '$CI_REGISTRY_IMAGE/print-platform-info:$CI_COMMIT_SHA';
// Top-level keys that are not jobs (GitLab's reserved words; `image` etc. are deprecated globals).
const GLOBAL_KEYS = new Set(['stages', 'variables', 'workflow', 'default', 'include', 'image', 'services', 'cache', 'before_script', 'after_script', 'types']);

type Job = Record<string, unknown>;

const text = readFileSync(CI_FILE, 'utf8');
const doc = parseDocument(text);
const config = doc.toJS() as Record<string, unknown>;
const jobs = resolveJobs(config);

/** GitLab's `extends`: templates merged in order, hashes deeply, everything else (arrays too) replaced. */
function resolveJobs(cfg: Record<string, unknown>): Map<string, Job> {
  const resolve = (name: string, seen: string[]): Job => {
    if (seen.includes(name)) throw new Error(`extends cycle: ${[...seen, name].join(' -> ')}`);
    const own = cfg[name] as Job | undefined;
    if (!own) throw new Error(`extends names a missing template ${name}`);
    const parents = own.extends === undefined ? [] : ([] as string[]).concat(own.extends as string | string[]);
    let merged: Job = {};
    for (const parent of parents) merged = deepMerge(merged, resolve(parent, [...seen, name]));
    const rest = { ...own };
    delete rest.extends;
    return deepMerge(merged, rest);
  };
  const result = new Map<string, Job>();
  for (const name of Object.keys(cfg)) {
    if (!GLOBAL_KEYS.has(name) && !name.startsWith('.')) result.set(name, resolve(name, []));
  }
  return result;
}

function deepMerge(base: Job, over: Job): Job {
  const out: Job = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prev = out[key];
    out[key] = isPlainObject(prev) && isPlainObject(value) ? deepMerge(prev, value) : value;
  }
  return out;
}

function isPlainObject(v: unknown): v is Job {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function job(name: string): Job {
  const found = jobs.get(name);
  if (!found) throw new Error(`no job ${name}; jobs are ${[...jobs.keys()].join(', ')}`);
  return found;
}

function lines(j: Job, key: 'script' | 'before_script'): string[] {
  const value = j[key];
  return value === undefined ? [] : ([] as string[]).concat(value as string | string[]).map(String);
}

function allLines(j: Job): string[] {
  return [...lines(j, 'before_script'), ...lines(j, 'script')];
}

function imageName(image: unknown): string {
  return isPlainObject(image) ? String(image.name) : String(image);
}

/** The image of a `docker run` line: its first argument that is not a flag (the lines use value-less flags). */
function runImage(line: string): string | undefined {
  const words = line.trim().split(/\s+/);
  if (words[0] !== 'docker' || words[1] !== 'run') return undefined;
  return words.slice(2).find((w) => !w.startsWith('-'));
}

/** An image reference fixed to one release: a digest, or a tag that carries a full x.y.z version. */
function isPinned(ref: string): boolean {
  if (/@sha256:[a-f0-9]{64}$/.test(ref)) return true;
  const lastSegment = ref.split('/').pop() ?? '';
  const colon = lastSegment.indexOf(':');
  if (colon < 0) return false;
  const tag = lastSegment.slice(colon + 1);
  return tag !== 'latest' && /(^|[^0-9.])v?\d+\.\d+\.\d+([^0-9.]|$)/.test(tag);
}

describe('.gitlab-ci.yml structure', () => {
  it('parses as YAML without errors or warnings', () => {
    expect(doc.errors).toEqual([]);
    expect(doc.warnings).toEqual([]);
  });

  it('declares the stages in pipeline order', () => {
    expect(config.stages).toEqual(STAGES);
  });

  it('puts every job in a declared stage and has the expected jobs', () => {
    for (const [name, j] of jobs) expect({ name, stage: STAGES.includes(String(j.stage)) }).toEqual({ name, stage: true });
    expect([...jobs.keys()].sort()).toEqual(['build-image', 'deploy-cdk', 'deploy-manifests', 'synth', 'test', 'verify-image']);
    expect(job('test').stage).toBe('test');
    expect(job('synth').stage).toBe('synth');
    expect(job(BUILD_JOB).stage).toBe('image');
    expect(job(VERIFY_JOB).stage).toBe('verify');
    for (const name of DEPLOY_JOBS) expect(job(name).stage).toBe('deploy');
  });

  it('gives every job a script', () => {
    for (const [name, j] of jobs) expect({ name, script: lines(j, 'script').length > 0 }).toEqual({ name, script: true });
  });

  it('pins every job image and service to an exact version, never latest', () => {
    const refs: string[] = [];
    for (const [name, j] of jobs) {
      expect({ name, hasImage: j.image !== undefined }).toEqual({ name, hasImage: true });
      refs.push(imageName(j.image));
      for (const service of (j.services as unknown[] | undefined) ?? []) refs.push(imageName(service));
    }
    // Images started from scripts count too: the binfmt installer and the BuildKit daemon.
    for (const j of jobs.values()) {
      for (const line of allLines(j)) {
        const run = runImage(line);
        if (run !== undefined) refs.push(run);
        for (const m of line.matchAll(/--driver-opt image=(\S+)/g)) refs.push(m[1]);
      }
    }
    expect(refs.length).toBeGreaterThanOrEqual(jobs.size + 3);
    expect(refs.filter((r) => !isPinned(r))).toEqual([]);
  });

  it('runs the Docker service at the same version as the Docker client', () => {
    const build = job(BUILD_JOB);
    const client = imageName(build.image);
    const services = (build.services as unknown[]).map(imageName);
    expect(client).toMatch(/^docker:\d+\.\d+\.\d+$/);
    expect(services).toEqual([`${client}-dind`]);
  });

  it('tests with npm ci and npm test after installing the Debian packages the suite needs', () => {
    const t = job('test');
    expect(imageName(t.image)).toMatch(/^node:20\.\d+\.\d+-bookworm-slim$/);
    const all = allLines(t);
    const install = all.find((l) => l.includes('apt-get install')) ?? '';
    for (const pkg of ['docker-registry', 'python3', 'git']) expect(install.split(/\s+/)).toContain(pkg);
    expect(all.indexOf(install)).toBeLessThan(all.indexOf('npm test'));
    expect(lines(t, 'script')).toEqual(['npm ci', 'npm test']);
  });

  it('synthesizes with the pushed image and keeps cdk.out/ and dist/', () => {
    const s = job('synth');
    expect(lines(s, 'script')).toContain('npm run synth');
    expect((s.artifacts as Job).paths).toEqual(expect.arrayContaining(['cdk.out/', 'dist/']));
    expect((s.variables as Job).PRINT_PLATFORM_INFO_IMAGE).toBe(IMAGE_REF);
  });

  it('builds both platforms without provenance and pushes', () => {
    const builds = allLines(job(BUILD_JOB)).filter((l) => l.includes('docker buildx build'));
    expect(builds).toHaveLength(1);
    const args = builds[0].split(/\s+/);
    expect(args[args.indexOf('--platform') + 1]).toBe('linux/amd64,linux/arm64');
    expect(args[args.indexOf('--provenance') + 1]).toBe('false');
    expect(args).toContain('--push');
    expect(args[args.length - 1]).toBe('image/');
  });

  it('registers QEMU for arm64 and uses a buildx builder', () => {
    const all = allLines(job(BUILD_JOB));
    const binfmt = all.find((l) => l.includes('tonistiigi/binfmt')) ?? '';
    expect(binfmt).toMatch(/^docker run .*--privileged/);
    expect(binfmt).toMatch(/--install \S*arm64/);
    const create = all.findIndex((l) => /^docker buildx create\b.*--use\b/.test(l));
    expect(create).toBeGreaterThan(all.indexOf(binfmt));
    expect(create).toBeLessThan(all.findIndex((l) => l.includes('docker buildx build')));
  });

  it('logs in with --password-stdin only, never a password argument', () => {
    const logins = [...jobs.values()].flatMap(allLines).filter((l) => /\bdocker login\b/.test(l));
    expect(logins.length).toBeGreaterThan(0);
    for (const login of logins) {
      expect(login).toContain('--password-stdin');
      expect(login).toMatch(/^echo "\$CI_REGISTRY_PASSWORD" \| docker login/);
      expect(login).not.toMatch(/\s-p(\s|=|\$)|--password[\s=]/);
    }
  });

  it('verifies the pushed commit tag after the build, with registry credentials in the environment', () => {
    const v = job(VERIFY_JOB);
    expect(STAGES.indexOf(String(v.stage))).toBeGreaterThan(STAGES.indexOf(String(job(BUILD_JOB).stage)));
    expect(v.needs).toEqual([BUILD_JOB]);
    expect(lines(v, 'script')).toEqual(['npm ci', 'npm run check-image -- "$IMAGE_REF"']);
    expect(v.variables).toMatchObject({ REGISTRY_USERNAME: '$CI_REGISTRY_USER', REGISTRY_PASSWORD: '$CI_REGISTRY_PASSWORD' });
    expect((config.variables as Job).IMAGE_REF).toBe(IMAGE_REF);
  });

  it.each(DEPLOY_JOBS)('%s is manual, default branch only, after verify, with OIDC credentials', (name) => {
    const d = job(name);
    expect(d.rules).toEqual([{ if: '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH', when: 'manual' }]);
    expect(d.needs).toEqual(expect.arrayContaining([VERIFY_JOB, 'synth']));
    expect(d.id_tokens).toEqual({ GITLAB_OIDC_TOKEN: { aud: 'sts.amazonaws.com' } });
    expect(d.variables).toMatchObject({
      AWS_ROLE_ARN: '$AWS_DEPLOY_ROLE_ARN',
      AWS_WEB_IDENTITY_TOKEN_FILE: expect.stringMatching(/^\//),
      PRINT_PLATFORM_INFO_IMAGE: IMAGE_REF,
    });
    expect(lines(d, 'before_script')).toContain('printf \'%s\' "$GITLAB_OIDC_TOKEN" > "$AWS_WEB_IDENTITY_TOKEN_FILE"');
  });

  it('deploys with cdk deploy and kubectl apply of dist/', () => {
    const cdk = lines(job('deploy-cdk'), 'script').find((l) => l.startsWith('npx cdk deploy')) ?? '';
    expect(cdk).toMatch(/^npx cdk deploy --all --require-approval never /);
    // The stack keeps the deploy role only while it is synthesized with the GitLab project.
    expect(cdk).toContain('-c gitlabProject="$CI_PROJECT_PATH" -c gitlabUrl="$CI_SERVER_URL"');
    const manifests = lines(job('deploy-manifests'), 'script');
    expect(manifests.some((l) => l.startsWith('aws eks update-kubeconfig'))).toBe(true);
    expect(manifests[manifests.length - 1]).toBe('kubectl apply -f dist/');
  });

  it('holds no stored AWS keys', () => {
    expect(text).not.toMatch(/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN/);
  });
});

describe('build-image job script, run against a stub docker', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'build-image-'));
    // Records each call's arguments, and what `docker login` read from stdin.
    writeFileSync(path.join(dir, 'docker'), [
      '#!/bin/sh',
      'echo "ARGS $*" >> "$DOCKER_LOG"',
      'if [ "$1" = login ]; then echo "STDIN $(cat)" >> "$DOCKER_LOG"; fi',
      '',
    ].join('\n'));
    chmodSync(path.join(dir, 'docker'), 0o755);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function runJob(branch: string): string[] {
    const log = path.join(dir, `${branch}.log`);
    const registryImage = 'registry.example.com/group/project';
    const sha = '0123456789abcdef0123456789abcdef01234567';
    execFileSync('sh', ['-e', '-c', allLines(job(BUILD_JOB)).join('\n')], {
      env: {
        PATH: `${dir}:${process.env.PATH}`,
        DOCKER_LOG: log,
        CI_COMMIT_BRANCH: branch,
        CI_DEFAULT_BRANCH: 'main',
        CI_REGISTRY: 'registry.example.com',
        CI_REGISTRY_IMAGE: registryImage,
        CI_REGISTRY_USER: 'gitlab-ci-token',
        CI_REGISTRY_PASSWORD: 's3cret-job-token',
        CI_COMMIT_SHA: sha,
        // The runner expands job variables before the shell starts.
        IMAGE_REF: `${registryImage}/print-platform-info:${sha}`,
      },
    });
    return readFileSync(log, 'utf8').trim().split('\n');
  }

  const buildCall = (calls: string[]) => calls.find((c) => c.startsWith('ARGS buildx build')) ?? '';

  it('tags :latest on the default branch', () => {
    const build = buildCall(runJob('main'));
    expect(build).toContain('--tag registry.example.com/group/project/print-platform-info:0123456789abcdef0123456789abcdef01234567');
    expect(build).toContain('--tag registry.example.com/group/project/print-platform-info:latest');
  });

  it('pushes only the commit tag on other branches', () => {
    const build = buildCall(runJob('feature-x'));
    expect(build).toContain('print-platform-info:0123456789abcdef0123456789abcdef01234567');
    expect(build).not.toContain(':latest');
  });

  it('passes the registry password on stdin and in no argument list', () => {
    const calls = runJob('main');
    expect(calls).toContain('STDIN s3cret-job-token');
    expect(calls.filter((c) => c.startsWith('ARGS') && c.includes('s3cret-job-token'))).toEqual([]);
  });
});
