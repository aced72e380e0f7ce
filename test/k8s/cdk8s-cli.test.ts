/**
 * `npx cdk8s synth` as the card's users run it, without --output: a refused configuration or a cdk.json that is not
 * JSON leaves dist/ as it was (cdk8s-cli empties its output folder before the app runs, so cdk8s.yaml gives it a
 * staging folder), and `-c` reaches the app (cdk8s-cli passes its app no arguments; the app reads them).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../lib/config/cdk-json';
import { CDK8S_STAGING } from '../../k8s/app';
import { ProjectCopy, copyProject } from '../support/project-copy';
import { withoutTestDayNotice } from '../support/test-day';

const env: NodeJS.ProcessEnv = { ...process.env, CDK8S_CHECK_UPGRADE: 'false' };
delete env.PRINT_PLATFORM_INFO_IMAGE;
delete env.CDK8S_OUTDIR;
let project: ProjectCopy;
beforeAll(() => {
  project = copyProject();
});
afterAll(() => project?.remove());

/** `npx cdk8s synth <args>` in the project copy. */
function cdk8sSynth(...args: string[]) {
  const result = spawnSync(process.execPath, [join(PROJECT_ROOT, 'node_modules/cdk8s-cli/bin/cdk8s'), 'synth', ...args], {
    cwd: project.dir, env, encoding: 'utf8', timeout: 60_000,
  });
  return { ...result, stderr: withoutTestDayNotice(result.stderr) };
}

const dist = () => readdirSync(join(project.dir, 'dist')).sort();
const snapshot = () => Object.fromEntries(dist().map((f) => [f, readFileSync(join(project.dir, 'dist', f), 'utf8')]));
const ALL = ['busybox.k8s.yaml', 'print-platform-info-amd64.k8s.yaml', 'print-platform-info-any.k8s.yaml', 'print-platform-info-arm64.k8s.yaml'];

test('cdk8s.yaml gives cdk8s-cli the staging folder; the app writes dist/ and says so', () => {
  expect(readFileSync(join(PROJECT_ROOT, 'cdk8s.yaml'), 'utf8')).toMatch(new RegExp(`^output: ${CDK8S_STAGING.replace('.', '\\.')}$`, 'm'));
  const result = cdk8sSynth();
  expect(result.stderr).toBe(`dist/: ${ALL.join(', ')}\n`);
  expect(result.status).toBe(0);
  expect(dist()).toEqual(ALL);
  // What cdk8s-cli lists is the copy it finds in its folder.
  expect(readdirSync(join(project.dir, CDK8S_STAGING)).sort()).toEqual(ALL);
  expect(readdirSync(project.dir).filter((f) => f.startsWith('.dist'))).toEqual([]);
});

test('-c reaches the app: `npx cdk8s synth -c workloads=print-platform-info` leaves busybox out', () => {
  const result = cdk8sSynth('-c', 'workloads=print-platform-info');
  expect(result.status).toBe(0);
  expect(dist()).toEqual(ALL.filter((f) => f !== 'busybox.k8s.yaml'));
  expect(cdk8sSynth('--context', 'workloads=busybox').status).toBe(0);
  expect(dist()).toEqual(['busybox.k8s.yaml']);
});

test('a refused configuration keeps dist/ as it was', () => {
  expect(cdk8sSynth().status).toBe(0);
  const before = snapshot();
  const result = cdk8sSynth('-c', 'workloads=nope');
  expect(result.status).not.toBe(0);
  expect(result.stderr.split(/^Error: command /m)[0]).toBe(
    'Invalid configuration:\n  - workloads = "nope": "nope" is not a workload of this project. Fix: use busybox, print-platform-info\n',
  );
  expect(snapshot()).toEqual(before);
});

test('a cdk.json that is not JSON: one line with the file, line and column; dist/ kept', () => {
  const before = snapshot();
  const good = readFileSync(join(project.dir, 'cdk.json'), 'utf8');
  const bad = good.replace(/("clusterName": "[^"]*")/, '$1,,');
  writeFileSync(join(project.dir, 'cdk.json'), bad);
  try {
    // The second comma is the mistake: where JSON expects the next key.
    const line = bad.split('\n').findIndex((l) => l.includes('"clusterName"')) + 1;
    const column = bad.split('\n')[line - 1].indexOf(',,') + 2;
    const result = cdk8sSynth();
    expect(result.status).not.toBe(0);
    expect(result.stderr.split(/^Error: command /m)[0]).toBe(
      `cdk.json:${line}:${column}: not valid JSON (Expected double-quoted property name). ` +
        'Fix: correct it there; JSON has no comments or trailing commas, and keys and strings take double quotes\n',
    );
    expect(snapshot()).toEqual(before);
  } finally {
    writeFileSync(join(project.dir, 'cdk.json'), good);
  }
});
