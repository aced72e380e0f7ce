import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { satisfies } from 'semver';
import { parseDocument } from 'yaml';
import { Template } from 'aws-cdk-lib/assertions';
import { buildTestApp } from '../support/cdk';

// Structure of .gitlab-ci.yml, read with the yaml package, and its build/merge scripts run by sh against
// stand-in docker, aws and apk commands. gitlab-ci-local.test.ts runs GitLab's own rules on the file.
// Nothing here runs GitLab, a Docker engine or AWS.

const ROOT = path.join(__dirname, '..', '..');
const CI_FILE = path.join(ROOT, '.gitlab-ci.yml');
const STAGES = ['test', 'synth', 'image', 'verify', 'deploy'];
const NATIVE_JOBS = { amd64: 'build-image-amd64', arm64: 'build-image-arm64' } as const;
const MERGE_JOB = 'merge-image';
const QEMU_JOB = 'build-image-qemu';
const VERIFY_JOB = 'verify-image';
const DEPLOY_JOBS = ['deploy-cdk', 'deploy-manifests'];
const IMAGE_REF = '$ECR_REPOSITORY_URI:$CI_COMMIT_SHA';
const ARCH_GUARD_IMAGE_REF = '$ARCH_GUARD_REPOSITORY_URI:$CI_COMMIT_SHA';
/** The project's images: every image job runs once for each (parallel:matrix). */
const IMAGES = ['print-platform-info', 'arch-guard'];
// Top-level keys that are not jobs (GitLab's reserved words; `image` etc. are deprecated globals).
const GLOBAL_KEYS = new Set(['stages', 'variables', 'workflow', 'default', 'include', 'image', 'services', 'cache', 'before_script', 'after_script', 'types']);

type Job = Record<string, unknown>;

const text = readFileSync(CI_FILE, 'utf8');
const doc = parseDocument(text);
const config = doc.toJS() as Record<string, unknown>;
const globals = config.variables as Record<string, string>;
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

/** Script lines as the runner sees them: nested arrays (YAML anchors) flattened. */
function lines(j: Job, key: 'script' | 'before_script'): string[] {
  const value = j[key];
  return value === undefined ? [] : ([value] as unknown[]).flat(10).map(String);
}

function allLines(j: Job): string[] {
  return [...lines(j, 'before_script'), ...lines(j, 'script')];
}

function imageName(image: unknown): string {
  return isPlainObject(image) ? String(image.name) : String(image);
}

/** The image a `docker run` line starts: its first argument that is neither a flag nor a flag's value. */
function runImage(line: string): string | undefined {
  const words = line.trim().split(/\s+/);
  if (words[0] !== 'docker' || words[1] !== 'run') return undefined;
  for (let i = 2; i < words.length; i++) {
    if (words[i] === '--platform' || words[i] === '--entrypoint') i++;
    else if (!words[i].startsWith('-')) return words[i];
  }
  return undefined;
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

const words = (line: string) => line.trim().split(/\s+/);

describe('.gitlab-ci.yml structure', () => {
  it('parses as YAML without errors or warnings', () => {
    expect(doc.errors).toEqual([]);
    expect(doc.warnings).toEqual([]);
  });

  it('declares the stages in pipeline order and the expected jobs in them', () => {
    expect(config.stages).toEqual(STAGES);
    expect([...jobs.keys()].sort()).toEqual([
      'build-image-amd64', 'build-image-arm64', 'build-image-qemu', 'deploy-cdk', 'deploy-manifests', 'merge-image', 'synth', 'test', 'verify-image',
    ]);
    expect(Object.fromEntries([...jobs].map(([name, j]) => [name, j.stage]))).toEqual({
      'test': 'test', 'synth': 'synth', 'build-image-amd64': 'image', 'build-image-arm64': 'image', 'merge-image': 'image',
      'build-image-qemu': 'image', 'verify-image': 'verify', 'deploy-cdk': 'deploy', 'deploy-manifests': 'deploy',
    });
  });

  it('gives every job a script', () => {
    for (const [name, j] of jobs) expect({ name, script: lines(j, 'script').length > 0 }).toEqual({ name, script: true });
  });

  it('pins every job image, service and image started from a script to an exact version, never latest', () => {
    const refs: string[] = [];
    for (const [name, j] of jobs) {
      expect({ name, hasImage: j.image !== undefined }).toEqual({ name, hasImage: true });
      refs.push(imageName(j.image));
      for (const service of (j.services as unknown[] | undefined) ?? []) refs.push(imageName(service));
    }
    // The binfmt installer and the BuildKit daemon of the QEMU fallback; the pipeline's own image (a variable) aside.
    const started: string[] = [];
    for (const j of jobs.values()) {
      for (const line of allLines(j).flatMap((l) => l.split('\n'))) {
        const run = runImage(line);
        if (run !== undefined && !run.startsWith('"$')) started.push(run);
        for (const m of line.matchAll(/--driver-opt image=(\S+)/g)) started.push(m[1]);
      }
    }
    expect(started).toEqual(['tonistiigi/binfmt:qemu-v10.2.3-68', 'moby/buildkit:v0.33.1']);
    expect([...refs, ...started].filter((r) => !isPinned(r))).toEqual([]);
  });

  it('runs every Docker service at the same version as its Docker client', () => {
    for (const name of [...Object.values(NATIVE_JOBS), MERGE_JOB, QEMU_JOB]) {
      const j = job(name);
      expect(imageName(j.image)).toMatch(/^docker:\d+\.\d+\.\d+$/);
      expect((j.services as unknown[]).map(imageName)).toEqual([`${imageName(j.image)}-dind`]);
    }
  });

  it('runs Node.js jobs on a supported LTS (24) that package.json engines accepts', () => {
    const engines = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    const nodeJobs = [...jobs].filter(([, j]) => imageName(j.image).startsWith('node:'));
    expect(nodeJobs.map(([name]) => name).sort()).toEqual(['deploy-cdk', 'synth', 'test', 'verify-image']);
    for (const [name, j] of nodeJobs) {
      const version = /^node:(\d+\.\d+\.\d+)-bookworm-slim$/.exec(imageName(j.image))?.[1] ?? '';
      expect({ name, version }).toEqual({ name, version: expect.stringMatching(/^24\./) });
      expect(satisfies(version, engines)).toBe(true);
    }
  });

  it('tests with npm ci and npm test after installing the Debian packages the suite needs', () => {
    const t = job('test');
    const all = allLines(t);
    const install = all.find((l) => l.includes('apt-get install')) ?? '';
    for (const pkg of ['docker-registry', 'apache2-utils', 'python3', 'git']) expect(words(install)).toContain(pkg);
    expect(lines(t, 'script')).toEqual(['npm ci', 'npm test']);
  });

  it('synthesizes with the commit image once the ECR repository is known, and keeps cdk.out/ and dist/', () => {
    const s = job('synth');
    expect(lines(s, 'script')).toEqual([
      'if [ -n "$ECR_REPOSITORY_URI" ]; then export PRINT_PLATFORM_INFO_IMAGE="$IMAGE_REF"; fi',
      'if [ -n "$ARCH_GUARD_REPOSITORY_URI" ]; then export ARCH_GUARD_IMAGE="$ARCH_GUARD_IMAGE_REF"; fi',
      'npm ci --omit=dev',
      'npm run synth',
    ]);
    expect((s.artifacts as Job).paths).toEqual(['cdk.out/', 'dist/']);
    expect(globals.IMAGE_REF).toBe(IMAGE_REF);
  });

  it('turns off the cdk8s-cli upgrade check for every job', () => {
    expect(globals.CDK8S_CHECK_UPGRADE).toBe('false');
  });

  it('takes runner tags from variables that default to GitLab.com hosted runners', () => {
    expect(globals).toMatchObject({ RUNNER_TAG_AMD64: 'saas-linux-small-amd64', RUNNER_TAG_ARM64: 'saas-linux-small-arm64', IMAGE_BUILD: 'native' });
    expect(job(NATIVE_JOBS.amd64)).toMatchObject({ tags: ['$RUNNER_TAG_AMD64'], variables: expect.objectContaining({ ARCH: 'amd64' }) });
    expect(job(NATIVE_JOBS.arm64)).toMatchObject({ tags: ['$RUNNER_TAG_ARM64'], variables: expect.objectContaining({ ARCH: 'arm64' }) });
  });

  it.each(Object.values(NATIVE_JOBS))('%s builds one platform natively without provenance, pushes, runs and checks it, for each image', (name) => {
    expect(job(name).parallel).toEqual({ matrix: [{ IMAGE: IMAGES }] });
    const script = lines(job(name), 'script').join('\n');
    const push = script.split('\n').find((l) => l.includes('docker buildx build') && l.includes('--push')) ?? '';
    const args = words(push);
    expect(args[args.indexOf('--platform') + 1]).toBe('"linux/$ARCH"');
    expect(args[args.indexOf('--provenance') + 1]).toBe('false');
    expect(args.slice(-3)).toEqual(['--file', '"$DOCKERFILE"', '"$CONTEXT"']);
    expect(lines(job(name), 'script')).toContain('run_check "$RUN_REF"');
    expect(job(name).rules).toEqual([{ if: '$IMAGE_BUILD == "qemu"', when: 'never' }, { when: 'on_success' }]);
    expect((job(name).artifacts as Job).reports).toEqual({ dotenv: 'digest.env' });
  });

  it('merges each image\'s two tested digests into one index, on the default branch only', () => {
    const m = job(MERGE_JOB);
    expect(m.parallel).toEqual({ matrix: [{ IMAGE: IMAGES }] });
    expect(m.needs).toEqual([NATIVE_JOBS.amd64, NATIVE_JOBS.arm64]);
    expect(m.rules).toEqual([{ if: '$IMAGE_BUILD == "qemu"', when: 'never' }, { if: '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH' }]);
    expect(lines(m, 'script').join('\n')).toContain('docker buildx imagetools create --tag "$REPOSITORY:$CI_COMMIT_SHA" --tag "$REPOSITORY:latest" "$REPOSITORY@$AMD64" "$REPOSITORY@$ARM64"');
  });

  it('keeps the QEMU build as a fallback that runs only when IMAGE_BUILD=qemu', () => {
    const q = job(QEMU_JOB);
    expect(q.rules).toEqual([{ if: '$IMAGE_BUILD == "qemu"' }]);
    const all = allLines(q);
    const binfmt = all.find((l) => l.includes('tonistiigi/binfmt')) ?? '';
    expect(binfmt).toMatch(/^docker run .*--privileged.*--install \S*arm64/);
    const create = all.findIndex((l) => /^docker buildx create\b.*--use\b/.test(l));
    expect(create).toBeGreaterThan(all.indexOf(binfmt));
    expect(q.parallel).toEqual({ matrix: [{ IMAGE: IMAGES }] });
    expect(lines(q, 'script').join('\n')).toContain('docker buildx build --platform linux/amd64,linux/arm64 --provenance false --tag "$REPOSITORY:$CI_COMMIT_SHA" --tag "$REPOSITORY:latest" --push --file "$DOCKERFILE" "$CONTEXT"');
  });

  it('logs in to ECR with a token piped from the OIDC role, never a password argument', () => {
    const logins = text.split('\n').filter((l) => /\bdocker login\b/.test(l) && !l.trim().startsWith('#'));
    expect(logins.map((l) => l.trim())).toEqual([
      'aws ecr get-login-password --region "$AWS_REGION" | docker login --username AWS --password-stdin "${ECR_REPOSITORY_URI%%/*}"',
    ]);
    expect(text).not.toMatch(/CI_REGISTRY_PASSWORD|CI_JOB_TOKEN|imagePullSecret|registry-credentials/);
  });

  it('verifies both commit images after whichever build ran, with only the libraries installed and the ECR token for ECR only', () => {
    const v = job(VERIFY_JOB);
    expect(v.needs).toEqual([{ job: MERGE_JOB, optional: true }, { job: QEMU_JOB, optional: true }]);
    expect(v.rules).toEqual([{ if: '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH' }]);
    const script = lines(v, 'script');
    expect(script).toContain('npm ci --omit=dev');
    expect(script).toContain('export REGISTRY_HOST="${ECR_REPOSITORY_URI%%/*}"');
    expect(script).toContain('export REGISTRY_PASSWORD="$(aws ecr get-login-password --region "$AWS_REGION")"');
    expect(script[script.length - 1]).toContain('npm run check-image -- "$IMAGE_REF" "$ARCH_GUARD_IMAGE_REF"');
    expect(globals.ARCH_GUARD_IMAGE_REF).toBe(ARCH_GUARD_IMAGE_REF);
    expect(v.variables).toMatchObject({ REGISTRY_USERNAME: 'AWS' });
    expect(v.variables).not.toHaveProperty('REGISTRY_PASSWORD');
  });

  it('installs no test tooling outside the test job (devDependencies hold jest, cdk8s-cli, linters)', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    for (const tool of ['jest', 'cdk8s-cli', 'eslint', 'gitlab-ci-local']) expect(Object.keys(pkg.devDependencies)).toContain(tool);
    expect(Object.keys(pkg.dependencies)).toContain('aws-cdk');
    for (const name of ['synth', VERIFY_JOB, 'deploy-cdk']) {
      const installs = lines(job(name), 'script').filter((l) => l.startsWith('npm ci'));
      expect({ name, installs }).toEqual({ name, installs: ['npm ci --omit=dev'] });
    }
  });

  it.each(DEPLOY_JOBS)('%s is manual, default branch only, after verify, with OIDC credentials', (name) => {
    const d = job(name);
    expect(d.rules).toEqual([{ if: '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH', when: 'manual' }]);
    expect(d.needs).toEqual(['synth', VERIFY_JOB]);
    expect(d.id_tokens).toEqual({ GITLAB_OIDC_TOKEN: { aud: 'sts.amazonaws.com' } });
    expect(d.variables).toMatchObject({ AWS_ROLE_ARN: '$AWS_DEPLOY_ROLE_ARN', AWS_WEB_IDENTITY_TOKEN_FILE: '/tmp/gitlab-oidc-token' });
    expect(lines(d, 'script')[0]).toBe('aws_credentials');
  });

  it('deploys cdk.json as it is, after checking that it names this project (or the stack would drop the role)', () => {
    const script = lines(job('deploy-cdk'), 'script');
    expect(script.filter((l) => l.includes('cdk deploy'))).toEqual(['npx cdk deploy --all --require-approval never']);
    const guard = script.find((l) => l.includes('gitlabProject')) ?? '';
    expect(guard).toContain('"$configured" != "$CI_PROJECT_PATH"');
    expect(script.indexOf(guard)).toBeLessThan(script.indexOf('npx cdk deploy --all --require-approval never'));
    // The guard itself, run with sh in a folder holding a cdk.json, as the job runs it.
    const dir = mkdtempSync(path.join(tmpdir(), 'deploy-guard-'));
    const run = (gitlabProject?: string) => {
      writeFileSync(path.join(dir, 'cdk.json'), JSON.stringify({ context: gitlabProject ? { gitlabProject } : {} }));
      return spawnSync('sh', ['-ec', guard], { cwd: dir, encoding: 'utf8', env: { ...process.env, CI_PROJECT_PATH: 'acme/eks' } });
    };
    try {
      expect(run('acme/eks').status).toBe(0);
      const other = run('acme/other');
      expect({ status: other.status, stderr: other.stderr.trim() }).toEqual({
        status: 1, stderr: 'cdk.json sets gitlabProject to \'acme/other\', not \'acme/eks\': set "gitlabProject": "acme/eks" under context in cdk.json (docs/pipeline.md, First setup)',
      });
      expect(run().status).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect((job('deploy-cdk').variables as Job).PRINT_PLATFORM_INFO_IMAGE).toBe(IMAGE_REF);
  });

  it('applies dist/ except the namespace the stack owns, then waits for the Jobs and checks their architectures', () => {
    const script = lines(job('deploy-manifests'), 'script');
    expect(script.slice(-3)).toEqual([
      'aws eks update-kubeconfig --name "$EKS_CLUSTER_NAME" --region "$AWS_REGION"',
      'kubectl apply $(ls dist/*.k8s.yaml | grep -v \'/00-namespace\\.k8s\\.yaml$\' | sed \'s/^/-f /\')',
      'sh scripts/check-workloads.sh dist',
    ]);
  });

  it('takes kubectl for the cluster\'s version from synth\'s template: no kubectl image to edit when kubernetesVersion changes', () => {
    const deploy = job('deploy-manifests');
    expect(imageName(deploy.image)).toBe('alpine:3.24.2');
    expect(lines(deploy, 'before_script').map((l) => l.split('\n')[0])).toEqual(['aws_credentials() {', 'kubectl_for_cluster() {']);
    const script = lines(deploy, 'script');
    expect(script.slice(0, 3)).toEqual(['aws_credentials', 'apk add --no-cache aws-cli jq curl', 'kubectl_for_cluster']);
    // synth's artifact holds the template it reads.
    expect((job('synth').artifacts as { paths: string[] }).paths).toContain('cdk.out/');
    expect(deploy.needs).toContain('synth');
  });

  describe('kubectl_for_cluster, run by sh with dl.k8s.io answered by a stub curl', () => {
    const fn = lines(job('deploy-manifests'), 'before_script')[1];
    const dir = mkdtempSync(path.join(tmpdir(), 'kubectl-for-cluster-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const KUBECTL = '#!/bin/sh\necho fake kubectl\n';
    const sha = execFileSync('sha256sum', { input: KUBECTL, encoding: 'utf8' }).split(' ')[0];
    // curl [-fsSL] [-o file] url: logs the URL; stable-<minor>.txt gives v<minor>.9; kubectl and its .sha256.
    const stub = path.join(dir, 'bin');
    mkdirSync(stub);
    writeFileSync(path.join(stub, 'curl'), [
      '#!/bin/sh', 'out=""', 'while [ $# -gt 1 ]; do case "$1" in -fsSLo) out="$2"; shift 2 ;; *) shift ;; esac; done',
      'echo "$1" >> "$CURL_LOG"',
      'case "$1" in',
      '  */stable-1.*.txt) v=${1##*/stable-}; printf "v%s.9" "${v%.txt}" ;;',
      `  */kubectl.sha256) printf "%s" "\${SHA:-${sha}}" ;;`,
      `  */kubectl) printf '${KUBECTL.replace(/\n/g, '\\n')}' > "$out" ;;`,
      '  *) exit 22 ;;', 'esac',
    ].join('\n'));
    chmodSync(path.join(stub, 'curl'), 0o755);

    /** Runs the function in a folder whose cdk.out/ holds `template`; returns its output, the URLs and kubectl. */
    const run = (template: unknown, env: NodeJS.ProcessEnv = {}) => {
      const work = mkdtempSync(path.join(dir, 'job-'));
      mkdirSync(path.join(work, 'cdk.out'));
      writeFileSync(path.join(work, 'cdk.out', 'MixedArchEks.template.json'), JSON.stringify(template));
      const log = path.join(work, 'curl.log');
      const result = spawnSync('sh', ['-c', `${fn}\nkubectl_for_cluster`], {
        cwd: work, encoding: 'utf8', env: { PATH: `${stub}:${process.env.PATH}`, CURL_LOG: log, KUBECTL_DIR: work, ...env },
      });
      const read = (f: string) => { try { return readFileSync(f, 'utf8'); } catch { return undefined; } };
      return { ...result, urls: (read(log) ?? '').trim().split('\n'), kubectl: read(path.join(work, 'kubectl')) };
    };
    const templateOf = (version: string) => ({ Resources: { Vpc: { Type: 'AWS::EC2::VPC' }, Cluster: { Type: 'AWS::EKS::Cluster', Properties: { Version: version } } } });
    const arch = ({ x64: 'amd64', arm64: 'arm64' } as Record<string, string>)[process.arch];

    it.each(['1.32', '1.36'])('Kubernetes %s: the newest kubectl of that minor, checked against its sha256', (version) => {
      const result = run(templateOf(version));
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe(`kubectl v${version}.9 for the cluster's Kubernetes ${version}\n`);
      expect(result.status).toBe(0);
      expect(result.urls).toEqual([
        `https://dl.k8s.io/release/stable-${version}.txt`,
        `https://dl.k8s.io/release/v${version}.9/bin/linux/${arch}/kubectl`,
        `https://dl.k8s.io/release/v${version}.9/bin/linux/${arch}/kubectl.sha256`,
      ]);
      expect(result.kubectl).toBe(KUBECTL);
    });

    it('the version of the template synth writes for the configuration', () => {
      const template = Template.fromStack(buildTestApp({ amiFamily: 'AL2023', kubernetesVersion: '1.35' }).stack).toJSON();
      expect(run(template).urls[0]).toBe('https://dl.k8s.io/release/stable-1.35.txt');
    });

    it('a checksum that does not match, or no template version: fails with one line, leaves no kubectl', () => {
      const bad = run(templateOf('1.34'), { SHA: '0'.repeat(64) });
      expect({ status: bad.status, stdout: bad.stdout, kubectl: bad.kubectl }).toEqual({ status: 1, stdout: 'kubectl v1.34.9: checksum mismatch\n', kubectl: undefined });
      const none = run({ Resources: {} });
      expect({ status: none.status, stdout: none.stdout }).toEqual({ status: 1, stdout: 'no AWS::EKS::Cluster Version in cdk.out/MixedArchEks.template.json (synth\'s artifact)\n' });
    });
  });

  it('holds no stored AWS keys', () => {
    expect(text).not.toMatch(/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN/);
  });
});

// #14: every setting lives in cdk.json, which every deploy reads, the GitLab keys too: a `-c` upgrade cannot be
// undone by the next run, and a deploy by hand cannot drop the pipeline's role.
describe('the pipeline deploys the configuration of cdk.json', () => {
  /** The context keys a script line passes to the CDK CLI (`-c key=...`, `--context key=...`, `--context=key=...`). */
  const contextKeys = (line: string): string[] => /\bcdk\s+(deploy|synth|diff|destroy)\b/.test(line)
    ? [...line.matchAll(/(?:^|\s)(?:-c|--context)(?:\s+|=)["']?([^=\s"']+)=/g)].map((m) => m[1])
    : [];

  it('reads the -c, --context and --context= forms', () => {
    expect(contextKeys('npx cdk deploy -c kubernetesVersion=1.33 --context amiFamily="AL2023" --context=natGateways=2')).toEqual(['kubernetesVersion', 'amiFamily', 'natGateways']);
    expect(contextKeys('kubectl apply -c not=1 -f dist/')).toEqual([]);
  });

  it('passes no context key to cdk in any job', () => {
    const passed = [...jobs].flatMap(([name, j]) => allLines(j).flatMap((l) => l.split('\n')).flatMap((l) => contextKeys(l).map((key) => ({ name, key }))));
    expect(passed).toEqual([]);
  });

  it('sets no context through the environment (CDK_CONTEXT_JSON) in any job', () => {
    expect(text).not.toMatch(/CDK_CONTEXT_JSON/);
  });
});

// ---------------------------------------------------------------------------------------------------------
// The image jobs' shell, run by sh with stand-ins for docker, aws and apk that record their arguments.

const SHA = '0123456789abcdef0123456789abcdef01234567';
const ECR = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/print-platform-info';
const DIGEST = `sha256:${'a'.repeat(64)}`;
const work = mkdtempSync(path.join(tmpdir(), 'gitlab-ci-jobs-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const STUBS: Record<string, string> = {
  docker: `#!/bin/sh
echo "docker $*" >> "$CALLS"
if [ "$1" = login ]; then echo "STDIN $(cat)" >> "$CALLS"; fi
if [ "$1 $2" = "buildx build" ]; then
  while [ $# -gt 0 ]; do [ "$1" = --metadata-file ] && printf '{\\n  "containerimage.digest": "%s",\\n  "image.name": "x"\\n}\\n' "$STUB_DIGEST" > "$2"; shift; done
fi
if [ "$1" = run ]; then
  case " $* " in
    *" --entrypoint node "*" -p process.arch "*) echo "$STUB_NODE_ARCH" ;;
    *" --help "*) echo "$STUB_USAGE" ;;
    *) printf '%s\\n' "uname_result(machine='x')" "kubernetes.io/arch=$STUB_PRINTS (machine=m, node=n)" ;;
  esac
fi
# The registry: a tag exists once pushed here (or when the test says it was pushed before).
if [ "$1 $2" = "buildx build" ] || [ "$1 $2 $3" = "buildx imagetools create" ]; then touch "$CALLS.pushed"; fi
if [ "$1 $2 $3" = "buildx imagetools inspect" ] && [ -z "$STUB_TAG_EXISTS" ] && [ ! -e "$CALLS.pushed" ]; then exit 1; fi
exit 0
`,
  aws: `#!/bin/sh
echo "aws $*" >> "$CALLS"
[ "$1 $2" = "ecr get-login-password" ] && echo "ecr-token-s3cret"
exit 0
`,
  apk: '#!/bin/sh\necho "apk $*" >> "$CALLS"\n',
  npm: '#!/bin/sh\necho "npm $*" >> "$CALLS"\n',
  'apt-get': '#!/bin/sh\necho "apt-get $*" >> "$CALLS"\n',
};

interface JobRun {
  readonly status: number | null;
  readonly output: string;
  readonly calls: string[];
  readonly dotenv?: string;
  readonly dir: string;
}

function runJob(name: string, vars: Record<string, string>, stub: { prints?: string; nodeArch?: string; usage?: string } = {}): JobRun {
  const dir = mkdtempSync(path.join(work, `${name}-`));
  mkdirSync(path.join(dir, 'bin'));
  for (const [tool, body] of Object.entries(STUBS)) {
    writeFileSync(path.join(dir, 'bin', tool), body);
    chmodSync(path.join(dir, 'bin', tool), 0o755);
  }
  const j = job(name);
  // The runner expands job and global variables before the shell starts (one level; IMAGE_REF here by hand).
  const env: Record<string, string> = {
    PATH: `${path.join(dir, 'bin')}:${process.env.PATH}`,
    CALLS: path.join(dir, 'calls'),
    STUB_DIGEST: DIGEST,
    CI_DEFAULT_BRANCH: 'main',
    CI_COMMIT_SHA: SHA,
    GITLAB_OIDC_TOKEN: 'oidc-id-token',
    ...Object.fromEntries(Object.entries((j.variables as Record<string, string> | undefined) ?? {}).filter(([, v]) => !v.includes('$'))),
    // Not the job's /tmp path: the test writes inside its own folder.
    AWS_WEB_IDENTITY_TOKEN_FILE: path.join(dir, 'token'),
    ...vars,
  };
  if (env.ECR_REPOSITORY_URI) env.IMAGE_REF = `${env.ECR_REPOSITORY_URI}:${SHA}`;
  env.STUB_PRINTS = stub.prints ?? env.ARCH ?? '';
  env.STUB_NODE_ARCH = stub.nodeArch ?? (env.ARCH === 'amd64' ? 'x64' : env.ARCH ?? '');
  env.STUB_USAGE = stub.usage ?? 'Usage: npm run arch-guard -- --port <n> ...';
  const result = spawnSync('sh', ['-e', '-c', allLines(j).join('\n')], { cwd: dir, env, encoding: 'utf8' });
  let calls: string[] = [];
  let dotenv: string | undefined;
  try {
    calls = readFileSync(path.join(dir, 'calls'), 'utf8').trim().split('\n');
  } catch { /* no call */ }
  try {
    dotenv = readFileSync(path.join(dir, 'digest.env'), 'utf8');
  } catch { /* not written */ }
  return { status: result.status, output: `${result.stdout}${result.stderr}`, calls, dotenv, dir };
}

const ARCH_GUARD_ECR = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/arch-guard';
const AWS_VARS = { AWS_DEPLOY_ROLE_ARN: 'arn:aws:iam::123456789012:role/deploy', AWS_REGION: 'eu-west-1', ECR_REPOSITORY_URI: ECR, ARCH_GUARD_REPOSITORY_URI: ARCH_GUARD_ECR };
const PPI = { IMAGE: 'print-platform-info' };
const PENDING = 'arch-guard skipped: ARCH_GUARD_REPOSITORY_URI is not set; after the next deploy, set it to the stack output ArchGuardRepositoryUri';
const GUARD = { IMAGE: 'arch-guard' };

describe('native build jobs, run against stand-in docker and aws', () => {
  const onMain = runJob(NATIVE_JOBS.arm64, { CI_COMMIT_BRANCH: 'main', ...AWS_VARS, ...PPI });

  it('on the default branch: logs in to ECR, pushes the arch tag, runs the pushed digest and passes it on', () => {
    expect(onMain.status).toBe(0);
    // The two sides of the login pipe run at once: their order in the log varies.
    expect(onMain.calls.slice(1, 3).sort()).toEqual([
      'aws ecr get-login-password --region eu-west-1',
      'docker login --username AWS --password-stdin 123456789012.dkr.ecr.eu-west-1.amazonaws.com',
    ]);
    expect([...onMain.calls.slice(0, 1), ...onMain.calls.slice(3)]).toEqual([
      'apk add --no-cache aws-cli',
      'STDIN ecr-token-s3cret',
      `docker buildx build --platform linux/arm64 --provenance false --tag ${ECR}:${SHA}-arm64 --metadata-file build.json --push --file image/Dockerfile image/`,
      `docker run --rm --platform linux/arm64 ${ECR}@${DIGEST}`,
    ]);
    expect(onMain.dotenv).toBe(`IMAGE_DIGEST_PRINT_PLATFORM_INFO_ARM64=${DIGEST}\n`);
  });

  it('passes the ECR token on stdin only and writes the OIDC token where the AWS CLI reads it', () => {
    expect(onMain.calls.filter((c) => !c.startsWith('STDIN') && c.includes('ecr-token-s3cret'))).toEqual([]);
    expect(onMain.output).not.toContain('ecr-token-s3cret');
    expect(readFileSync(path.join(onMain.dir, 'token'), 'utf8')).toBe('oidc-id-token');
  });

  it('fails when the image printed another architecture than the runner\'s', () => {
    const wrong = runJob(NATIVE_JOBS.arm64, { CI_COMMIT_BRANCH: 'main', ...AWS_VARS, ...PPI }, { prints: 'amd64' });
    expect(wrong.status).not.toBe(0);
    expect(wrong.output).toContain(`${ECR}@${DIGEST} did not print kubernetes.io/arch=arm64 on a arm64 runner`);
    expect(wrong.dotenv).toBeUndefined();
  });

  it('on another branch: builds and runs locally, with no AWS call and no push', () => {
    const feature = runJob(NATIVE_JOBS.amd64, { CI_COMMIT_BRANCH: 'feature-x', ...PPI });
    expect(feature.status).toBe(0);
    expect(feature.calls).toEqual([
      'docker buildx build --platform linux/amd64 --provenance false --tag print-platform-info:amd64 --load --file image/Dockerfile image/',
      'docker run --rm --platform linux/amd64 print-platform-info:amd64',
    ]);
  });

  it('on the default branch without the ECR variable: fails saying which CI/CD variable to set', () => {
    const unset = runJob(NATIVE_JOBS.amd64, { CI_COMMIT_BRANCH: 'main', AWS_DEPLOY_ROLE_ARN: AWS_VARS.AWS_DEPLOY_ROLE_ARN, AWS_REGION: 'eu-west-1', ...PPI });
    expect(unset.status).not.toBe(0);
    expect(unset.output).toContain('Set the CI/CD variable ECR_REPOSITORY_URI (stack output EcrRepositoryUri)');
    expect(unset.calls).toEqual([]);
  });

  describe('arch-guard', () => {
    const guardOnMain = runJob(NATIVE_JOBS.amd64, { CI_COMMIT_BRANCH: 'main', ...AWS_VARS, ...GUARD });

    it('builds its Dockerfile from the repository root, pushes to its own repository, runs Node.js and the bundle on the runner', () => {
      expect(guardOnMain.status).toBe(0);
      expect(guardOnMain.calls.slice(3)).toEqual([
        'STDIN ecr-token-s3cret',
        `docker buildx build --platform linux/amd64 --provenance false --tag ${ARCH_GUARD_ECR}:${SHA}-amd64 --metadata-file build.json --push --file image/arch-guard.Dockerfile .`,
        `docker run --rm --platform linux/amd64 --entrypoint node ${ARCH_GUARD_ECR}@${DIGEST} -p process.arch`,
        `docker run --rm --platform linux/amd64 ${ARCH_GUARD_ECR}@${DIGEST} --help`,
      ]);
      expect(guardOnMain.dotenv).toBe(`IMAGE_DIGEST_ARCH_GUARD_AMD64=${DIGEST}\n`);
    });

    it('fails when its Node.js is for another architecture than the runner\'s', () => {
      const wrong = runJob(NATIVE_JOBS.arm64, { CI_COMMIT_BRANCH: 'main', ...AWS_VARS, ...GUARD }, { nodeArch: 'x64' });
      expect(wrong.status).not.toBe(0);
      expect(wrong.output).toContain(`${ARCH_GUARD_ECR}@${DIGEST} runs a Node.js for another architecture than arm64`);
      expect(wrong.dotenv).toBeUndefined();
    });

    it('fails when the image\'s own command does not print its usage (no bundle, or one that does not load)', () => {
      const broken = runJob(NATIVE_JOBS.arm64, { CI_COMMIT_BRANCH: 'main', ...AWS_VARS, ...GUARD }, { usage: 'node:internal/modules/cjs/loader: Cannot find module' });
      expect(broken.status).not.toBe(0);
      expect(broken.output).toContain(`${ARCH_GUARD_ECR}@${DIGEST} --help printed no usage`);
      expect(broken.dotenv).toBeUndefined();
    });

    it('on another branch: builds and runs locally, pushing nothing', () => {
      const feature = runJob(NATIVE_JOBS.arm64, { CI_COMMIT_BRANCH: 'feature-x', ...GUARD });
      expect(feature.status).toBe(0);
      expect(feature.calls).toEqual([
        'docker buildx build --platform linux/arm64 --provenance false --tag arch-guard:arm64 --load --file image/arch-guard.Dockerfile .',
        'docker run --rm --platform linux/arm64 --entrypoint node arch-guard:arm64 -p process.arch',
        'docker run --rm --platform linux/arm64 arch-guard:arm64 --help',
      ]);
    });

    // The repository is made by the deploy this pipeline runs: failing here would block that deploy for good.
    it.each([NATIVE_JOBS.amd64, NATIVE_JOBS.arm64, QEMU_JOB])('%s on the default branch without its repository variable: passes with one notice naming it, builds and pushes nothing', (name) => {
      const unset = runJob(name, { CI_COMMIT_BRANCH: 'main', ...AWS_VARS, ARCH_GUARD_REPOSITORY_URI: '', ...GUARD });
      expect(unset.status).toBe(0);
      // One notice (the QEMU job's before_script, which sets up binfmt, prints its own lines first).
      expect(unset.output.trim().split('\n').filter((l) => l.includes('arch-guard') || l.includes('ARCH_GUARD'))).toEqual([PENDING]);
      expect(unset.calls.filter((c) => c.startsWith('docker buildx build') || c.startsWith('docker login') || c.startsWith('aws '))).toEqual([]);
      expect(unset.dotenv).toBeUndefined();
    });

    it('on the default branch without its repository variable, print-platform-info still builds and pushes', () => {
      const ppi = runJob(NATIVE_JOBS.amd64, { CI_COMMIT_BRANCH: 'main', ...AWS_VARS, ARCH_GUARD_REPOSITORY_URI: '', ...PPI });
      expect(ppi.status).toBe(0);
      expect(ppi.dotenv).toBe(`IMAGE_DIGEST_PRINT_PLATFORM_INFO_AMD64=${DIGEST}\n`);
    });

    it('refuses an image name the project does not have', () => {
      const other = runJob(NATIVE_JOBS.amd64, { CI_COMMIT_BRANCH: 'main', ...AWS_VARS, IMAGE: 'nginx' });
      expect(other.status).not.toBe(0);
      expect(other.output).toContain('IMAGE=nginx is not an image of this project (print-platform-info, arch-guard)');
      expect(other.calls).toEqual([]);
    });
  });
});

describe('merge job, run against stand-in docker and aws', () => {
  // Every build job's dotenv reaches each merge job: the digests of both images, under their own names.
  const digests = {
    IMAGE_DIGEST_PRINT_PLATFORM_INFO_AMD64: `sha256:${'b'.repeat(64)}`, IMAGE_DIGEST_PRINT_PLATFORM_INFO_ARM64: DIGEST,
    IMAGE_DIGEST_ARCH_GUARD_AMD64: `sha256:${'c'.repeat(64)}`, IMAGE_DIGEST_ARCH_GUARD_ARM64: `sha256:${'d'.repeat(64)}`,
  };

  it('indexes each image\'s two digests under the commit tag and latest of its own repository', () => {
    const ppi = runJob(MERGE_JOB, { CI_COMMIT_BRANCH: 'main', ...AWS_VARS, ...digests, ...PPI });
    expect(ppi.status).toBe(0);
    expect(ppi.calls).toContain(`docker buildx imagetools create --tag ${ECR}:${SHA} --tag ${ECR}:latest ${ECR}@sha256:${'b'.repeat(64)} ${ECR}@${DIGEST}`);
    const guard = runJob(MERGE_JOB, { CI_COMMIT_BRANCH: 'main', ...AWS_VARS, ...digests, ...GUARD });
    expect(guard.status).toBe(0);
    expect(guard.calls).toContain(`docker buildx imagetools create --tag ${ARCH_GUARD_ECR}:${SHA} --tag ${ARCH_GUARD_ECR}:latest ${ARCH_GUARD_ECR}@sha256:${'c'.repeat(64)} ${ARCH_GUARD_ECR}@sha256:${'d'.repeat(64)}`);
  });

  it('on a rerun of the commit keeps the index pushed first: the commit tag is immutable in ECR', () => {
    const rerun = runJob(MERGE_JOB, { CI_COMMIT_BRANCH: 'main', ...AWS_VARS, ...digests, ...PPI, STUB_TAG_EXISTS: '1' });
    expect(rerun.status).toBe(0);
    expect(rerun.calls.filter((c) => c.startsWith('docker buildx imagetools'))).toEqual([
      `docker buildx imagetools inspect ${ECR}:${SHA}`, `docker buildx imagetools inspect ${ECR}:${SHA}`,
    ]);
    expect(rerun.output).toContain(`${ECR}:${SHA} exists and commit tags are immutable: keeping it`);
  });

  it('arch-guard without its repository variable (no build job passed its digests): passes with one notice, merges nothing', () => {
    const ppiDigests = { IMAGE_DIGEST_PRINT_PLATFORM_INFO_AMD64: digests.IMAGE_DIGEST_PRINT_PLATFORM_INFO_AMD64, IMAGE_DIGEST_PRINT_PLATFORM_INFO_ARM64: DIGEST };
    const guard = runJob(MERGE_JOB, { CI_COMMIT_BRANCH: 'main', ...AWS_VARS, ARCH_GUARD_REPOSITORY_URI: '', ...ppiDigests, ...GUARD });
    expect(guard.status).toBe(0);
    expect(guard.output.trim().split('\n')).toEqual([PENDING]);
    expect(guard.calls).toEqual([]);
    const ppi = runJob(MERGE_JOB, { CI_COMMIT_BRANCH: 'main', ...AWS_VARS, ARCH_GUARD_REPOSITORY_URI: '', ...ppiDigests, ...PPI });
    expect(ppi.status).toBe(0);
    expect(ppi.calls).toContain(`docker buildx imagetools create --tag ${ECR}:${SHA} --tag ${ECR}:latest ${ECR}@sha256:${'b'.repeat(64)} ${ECR}@${DIGEST}`);
  });

  it('refuses to merge without both digests of its image, even when the other image\'s are there', () => {
    const missing = runJob(MERGE_JOB, { CI_COMMIT_BRANCH: 'main', ...AWS_VARS, ...digests, IMAGE_DIGEST_ARCH_GUARD_ARM64: '', ...GUARD });
    expect(missing.status).not.toBe(0);
    expect(missing.output).toContain('a build job of arch-guard passed no digest');
    expect(missing.calls.filter((c) => c.includes('imagetools create'))).toEqual([]);
  });
});

describe('verify job, run against stand-in npm, apt-get and aws', () => {
  const checks = (r: JobRun) => r.calls.filter((c) => c.startsWith('npm run check-image'));

  it('checks both commit images once arch-guard\'s repository variable is set', () => {
    const both = runJob(VERIFY_JOB, { CI_COMMIT_BRANCH: 'main', ...AWS_VARS, ARCH_GUARD_IMAGE_REF: `${ARCH_GUARD_ECR}:${SHA}` });
    expect(both.status).toBe(0);
    expect(checks(both)).toEqual([`npm run check-image -- ${ECR}:${SHA} ${ARCH_GUARD_ECR}:${SHA}`]);
  });

  it('without it (before the deploy that creates the repository): checks print-platform-info only, says what to set, passes', () => {
    const ppi = runJob(VERIFY_JOB, { CI_COMMIT_BRANCH: 'main', ...AWS_VARS, ARCH_GUARD_REPOSITORY_URI: '', ARCH_GUARD_IMAGE_REF: `:${SHA}` });
    expect(ppi.status).toBe(0);
    expect(checks(ppi)).toEqual([`npm run check-image -- ${ECR}:${SHA}`]);
    expect(ppi.output).toContain('arch-guard not checked: ARCH_GUARD_REPOSITORY_URI is not set; after the next deploy, set it to the stack output ArchGuardRepositoryUri');
  });
});

test('the job shell is POSIX sh (the docker image has no bash)', () => {
  for (const name of [...Object.values(NATIVE_JOBS), MERGE_JOB, QEMU_JOB, VERIFY_JOB]) {
    expect(() => execFileSync('sh', ['-n', '-c', allLines(job(name)).join('\n')])).not.toThrow();
  }
});
