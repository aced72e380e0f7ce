import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../lib/config/cdk-json';
import { ProjectCopy, copyProject } from '../support/project-copy';

// The README's npm scripts, run as written through npm.
const env: NodeJS.ProcessEnv = { ...process.env };
delete env.PRINT_PLATFORM_INFO_IMAGE;
delete env.CDK8S_OUTDIR;
const npm = (cwd: string, ...args: string[]) => spawnSync('npm', ['run', '--silent', ...args], { cwd, env, encoding: 'utf8', timeout: 60_000 });

const POD = 'apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec: {containers: [{name: web, image: nginx:1.27.0}]}\n';
const temps: string[] = [];
let project: ProjectCopy | undefined;
afterAll(() => {
  temps.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
  project?.remove();
});

test('`npm run validate-manifests -- <folder>` checks that folder only', () => {
  const folder = mkdtempSync(join(tmpdir(), 'validate-only-'));
  temps.push(folder);
  writeFileSync(join(folder, 'web.yaml'), POD);
  const result = npm(PROJECT_ROOT, 'validate-manifests', '--', folder);
  expect(result.stderr).toBe('');
  expect(result.stdout).toBe(`valid   ${join(folder, 'web.yaml')}: Pod/web\nall objects are valid\n`);
  expect(result.status).toBe(0);
});

test('`npm run validate-manifests` without a folder checks dist/', () => {
  project = copyProject();
  const written = spawnSync(process.execPath, ['--require', 'esbuild-register', 'k8s/main.ts'], { cwd: project.dir, env, encoding: 'utf8' });
  expect(written.status).toBe(0);
  const result = npm(project.dir, 'validate-manifests');
  expect(result.status).toBe(0);
  const checked = result.stdout.split('\n').filter((l) => l.startsWith('valid ')).map((l) => l.split(/\s+/)[1].replace(/:$/, ''));
  expect(checked.length).toBeGreaterThanOrEqual(3);
  expect(checked.every((file) => file.startsWith('dist/'))).toBe(true);
});

test('`npm run clean` removes what synth, tests and tools write, and nothing else', () => {
  const copy = copyProject({}, false);
  try {
    for (const dir of ['cdk.out', 'dist', '.dist.new-abc123', '.cdk8s.out', '.gitlab-ci-local', 'build', 'coverage', '.stryker-tmp', 'node_modules/.cache/jest']) {
      mkdirSync(join(copy.dir, dir), { recursive: true });
      writeFileSync(join(copy.dir, dir, 'f'), 'x');
    }
    mkdirSync(join(copy.dir, 'node_modules', 'left-alone'));
    const result = npm(copy.dir, 'clean');
    expect(result.status).toBe(0);
    expect(readdirSync(copy.dir).sort()).toEqual(['bin', 'cdk.json', 'cdk8s.yaml', 'k8s', 'lib', 'node_modules', 'package.json', 'scripts', 'tsconfig.json']);
    expect(readdirSync(join(copy.dir, 'node_modules'))).toEqual(['left-alone']);
    expect(existsSync(join(copy.dir, 'bin', 'app.ts'))).toBe(true);
  } finally {
    copy.remove();
  }
});
