import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testContext } from '../support/cdk';
import { ProjectCopy, copyProject } from '../support/project-copy';
import { withoutTestDayNotice } from '../support/test-day';

// `npm run synth` in a copy of the project whose cdk.json has an x86 node group only: `cdk synth` accepts it,
// the cdk8s app refuses it (busybox is arm64-only). The dist/ of the previous run must survive that.
const x86Only = (testContext().nodeGroups as { arch: string }[]).filter((g) => g.arch === 'amd64');
let project: ProjectCopy;
const env: NodeJS.ProcessEnv = { ...process.env, CDK8S_CHECK_UPGRADE: 'false' };
delete env.PRINT_PLATFORM_INFO_IMAGE;
delete env.CDK8S_OUTDIR;

beforeAll(() => {
  project = copyProject({ nodeGroups: x86Only });
});
afterAll(() => project?.remove());

/** Every file under dist/ with its content: the previous output, to compare after a failed run. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

test('a configuration the cdk8s app refuses fails `npm run synth` and leaves the previous dist/ as it was', () => {
  const dist = join(project.dir, 'dist');
  mkdirSync(dist);
  writeFileSync(join(dist, 'busybox.k8s.yaml'), 'kind: Pod # from the previous run\n');
  writeFileSync(join(dist, 'print-platform-info-any.k8s.yaml'), 'kind: Job # from the previous run\n');
  const before = snapshot(dist);

  const result = spawnSync('npm', ['run', '--silent', 'synth'], { cwd: project.dir, env, encoding: 'utf8', timeout: 120_000 });
  expect(result.status).toBe(1);
  // cdk synth ran and wrote its template: the failure is the cdk8s app's refusal, after it.
  expect(existsSync(join(project.dir, 'cdk.out', 'MixedArchEks.template.json'))).toBe(true);
  expect(result.stderr).toContain(
    'workloads = "busybox,print-platform-info": busybox is pinned to arm64, but the node groups run amd64, so its pod would stay Pending. ' +
      'Fix: leave it out with "workloads": ["print-platform-info"] in cdk.json',
  );
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(snapshot(dist)).toEqual(before);
  // Nothing half-written next to it either.
  expect(readdirSync(project.dir).filter((f) => f.startsWith('.dist'))).toEqual([]);
});

test('a successful synth replaces dist/ as a whole: files of the previous run that are no longer produced go', () => {
  // The fix the refusal names: leave busybox out. Its file of the previous run must not linger.
  const dist = join(project.dir, 'dist');
  mkdirSync(dist, { recursive: true });
  writeFileSync(join(project.dir, 'cdk.json'), JSON.stringify({ context: { ...testContext(), nodeGroups: x86Only, workloads: ['print-platform-info'] } }));
  writeFileSync(join(dist, 'busybox.k8s.yaml'), 'kind: Pod # from the previous run\n');
  const result = spawnSync(process.execPath, ['--require', 'esbuild-register', 'k8s/main.ts'], { cwd: project.dir, env, encoding: 'utf8', timeout: 60_000 });
  expect(withoutTestDayNotice(result.stderr)).toBe('');
  expect(result.status).toBe(0);
  expect(result.stdout).toBe('dist/: print-platform-info-amd64.k8s.yaml, print-platform-info-any.k8s.yaml\n');
  expect(readdirSync(dist).sort()).toEqual(['print-platform-info-amd64.k8s.yaml', 'print-platform-info-any.k8s.yaml']);
  expect(readFileSync(join(dist, 'print-platform-info-amd64.k8s.yaml'), 'utf8')).toContain('kubernetes.io/arch: amd64');
  expect(readdirSync(project.dir).filter((f) => f.startsWith('.dist'))).toEqual([]);
});
