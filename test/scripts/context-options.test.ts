/**
 * `-c` means the same in every command, or is refused in one line; a cdk.json that is not JSON is one line naming
 * the file, line and column in every command. Run through npm, as the README writes them.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CdkJsonSyntaxError, loadCdkJsonContext } from '../../lib/config/cdk-json';
import { contextOptionsIn, npmTookContext, parseContextArgs } from '../../lib/config/context-args';
import { runCheckImage } from '../../lib/preflight/run';
import { captureOutput } from '../preflight/helpers';
import { ProjectCopy, copyProject } from '../support/project-copy';
import { withoutTestDayNotice } from '../support/test-day';

const env: NodeJS.ProcessEnv = { ...process.env, CDK8S_CHECK_UPGRADE: 'false', CDK_VALIDATION: 'false' };
delete env.PRINT_PLATFORM_INFO_IMAGE;
delete env.CDK8S_OUTDIR;
// npm's own variables of the `npm test` that runs this file must not look like a run of the script under test.
for (const name of Object.keys(env)) if (name.startsWith('npm_')) delete env[name];
let project: ProjectCopy;
beforeAll(() => {
  project = copyProject();
});
afterAll(() => project?.remove());

const npm = (...args: string[]) => {
  const result = spawnSync('npm', ['run', '--silent', ...args], { cwd: project.dir, env, encoding: 'utf8', timeout: 120_000 });
  return { ...result, stderr: withoutTestDayNotice(result.stderr) };
};
const template = () => JSON.parse(readFileSync(join(project.dir, 'cdk.out', 'MixedArchEks.template.json'), 'utf8')) as { Resources: Record<string, { Type: string }> };
const count = (type: string) => Object.values(template().Resources).filter((r) => r.Type === type).length;

describe('-c options', () => {
  test('parsed as the CDK CLI takes them, and handed on as --context', () => {
    expect(parseContextArgs(['-c', 'a=1', '--context', 'b=x=y', '--context=c=', '-c', 'a=2'])).toEqual({
      overrides: { a: '2', b: 'x=y', c: '' }, args: ['--context', 'a=1', '--context', 'b=x=y', '--context', 'c=', '--context', 'a=2'],
    });
    expect(parseContextArgs(['-c', 'novalue']).unknown).toBe('novalue');
    expect(parseContextArgs(['-c']).unknown).toBe('-c');
    expect(parseContextArgs(['--output', 'x']).unknown).toBe('--output');
    expect(contextOptionsIn(['--output', 'x', '-c', 'a=1', '--context=b=2', '-c'])).toEqual(['--context', 'a=1', '--context=b=2']);
  });

  test('npm\'s reading of a -c meant for the script (-c is its --call) is told apart, for that script only', () => {
    expect(npmTookContext('cost', { npm_lifecycle_event: 'cost', npm_config_call: 'natGateways=2' })).toBe(
      'npm took "-c natGateways=2" as an option of its own, so the configuration would be built without it. Fix: put the options after --, as in: npm run cost -- -c natGateways=2',
    );
    expect(npmTookContext('synth', { npm_lifecycle_event: 'synth', npm_config_context: 'true' })).toMatch(/^npm took "--context" .* npm run synth -- -c key=value$/);
    expect(npmTookContext('cost', { npm_lifecycle_event: 'test', npm_config_call: 'x=1' })).toBeUndefined();
    expect(npmTookContext('cost', { npm_lifecycle_event: 'cost' })).toBeUndefined();
  });

  test('`npm run check-image -c ...` is refused the same way, before anything is checked', async () => {
    const out = captureOutput();
    expect(await runCheckImage(['busybox:1'], out, { npm_lifecycle_event: 'check-image', npm_config_call: 'autoscaler=karpenter' })).toBe(2);
    expect(out.stderr()).toBe('ERROR npm took "-c autoscaler=karpenter" as an option of its own, so the configuration would be built without it. Fix: put the options after --, as in: npm run check-image -- -c autoscaler=karpenter');
    expect(out.stdout()).toBe('');
  });

  test('`npm run synth -- -c ...` applies them to the stack and to the manifests alike', () => {
    const result = npm('synth', '--', '-c', 'natGateways=2', '-c', 'workloads=print-platform-info');
    expect(result.stderr).not.toMatch(/ERROR|Invalid/);
    expect(result.status).toBe(0);
    expect(count('AWS::EC2::NatGateway')).toBe(2);
    expect(readdirSync(join(project.dir, 'dist')).sort()).toEqual(['print-platform-info-amd64.k8s.yaml', 'print-platform-info-any.k8s.yaml', 'print-platform-info-arm64.k8s.yaml']);
  });

  test('`npm run synth -c ...` (npm takes the -c) is refused in one line, nothing rebuilt', () => {
    rmSync(join(project.dir, 'cdk.out'), { recursive: true, force: true });
    const result = npm('synth', '-c', 'natGateways=3');
    expect(result.status).toBe(2);
    expect(result.stderr).toBe('npm took "-c natGateways=3" as an option of its own, so the configuration would be built without it. Fix: put the options after --, as in: npm run synth -- -c natGateways=3\n');
    expect(existsSync(join(project.dir, 'cdk.out'))).toBe(false);
    expect(npm('synth', '--', '--output', 'x').stderr).toBe('Unknown argument "--output". Usage: npm run synth -- [-c key=value]...\n');
  });

  test('`npm run cost -c ...` is refused the same way; `npm run cost -- -c ...` applies it', () => {
    const took = npm('cost', '-c', 'natGateways=2');
    expect(took.status).toBe(2);
    expect(took.stdout).toBe('');
    expect(took.stderr).toBe('npm took "-c natGateways=2" as an option of its own, so the configuration would be built without it. Fix: put the options after --, as in: npm run cost -- -c natGateways=2\n');
    const given = npm('cost', '--', '-c', 'natGateways=2');
    expect(given.status).toBe(0);
    expect(given.stdout).toMatch(/NAT gateways {2}2 x \$0\.0450\/h/);
  });
});

describe('a cdk.json that is not JSON', () => {
  const good = () => readFileSync(join(project.dir, 'cdk.json'), 'utf8');
  let saved: string;
  // A trailing comma on the line of clusterName, the mistake hand-edited JSON makes most.
  beforeAll(() => {
    saved = good();
    writeFileSync(join(project.dir, 'cdk.json'), saved.replace(/("clusterName": "[^"]*",)/, '$1 }'));
  });
  afterAll(() => writeFileSync(join(project.dir, 'cdk.json'), saved));
  const line = () => saved.split('\n').findIndex((l) => l.includes('"clusterName"')) + 1;
  const expected = () => `cdk.json:${line()}:${saved.split('\n')[line() - 1].length + 2}: not valid JSON (Expected double-quoted property name). ` +
    'Fix: correct it there; JSON has no comments or trailing commas, and keys and strings take double quotes\n';

  test('the line and column where JSON.parse stopped; the end of the input', () => {
    const file = join(project.dir, 'broken.json');
    writeFileSync(file, '{\n  "context": {\n    "a": 1\n');
    expect(() => loadCdkJsonContext(file)).toThrow(CdkJsonSyntaxError);
    expect(() => loadCdkJsonContext(file)).toThrow(`${file}:4:1: not valid JSON (Expected ',' or '}' after property value)`);
    writeFileSync(file, '');
    expect(() => loadCdkJsonContext(file)).toThrow(`${file}:1:1: not valid JSON (Unexpected end of JSON input)`);
    writeFileSync(file, '{"context": [1]}');
    expect(loadCdkJsonContext(file)).toEqual({});
  });

  test('`npm run synth`, `npm run cost`, check-image: that one line, exit 1 or 2, no stack trace', () => {
    for (const script of ['synth', 'cost']) {
      const result = npm(script);
      expect({ script, status: result.status, stderr: result.stderr }).toEqual({ script, status: 1, stderr: expected() });
    }
  });

  test('check-image reading the node groups: the same line', async () => {
    const out = captureOutput();
    expect(await runCheckImage(['busybox:1'], out, {}, join(project.dir, 'cdk.json'))).toBe(2);
    expect(`${out.stderr()}\n`.replace(/^ERROR /, '')).toBe(expected().replace(/^cdk\.json/, join(project.dir, 'cdk.json')));
  });

  test('`cdk synth` itself: the CDK CLI reads cdk.json before the app and names the file and the position, in one line', () => {
    // The CDK CLI takes CDK_* variables as its options: CDK8S_CHECK_UPGRADE would read as an unknown one.
    const cdkEnv = { ...env };
    delete cdkEnv.CDK8S_CHECK_UPGRADE;
    const result = spawnSync('npx', ['cdk', 'synth', '--quiet'], { cwd: project.dir, env: cdkEnv, encoding: 'utf8', timeout: 60_000 });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^cdk\.json: Expected double-quoted property name in JSON at position \d+\n$/);
  });
});
