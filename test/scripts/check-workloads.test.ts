import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { buildK8sApp } from '../../k8s/app';
import { readCdkJsonContext } from '../../lib/config/cdk-json';
import { TEST_CDK_JSON } from '../support/cdk';
import { resolveProjectConfig } from '../../lib/config/project-config';
import { TEST_DAY } from '../support/test-day';

// scripts/check-workloads.sh, run by sh against a stand-in kubectl: there is no Kubernetes API server here, so
// the stand-in answers `get -f`, `wait` and `logs` the way kubectl prints them, from each case's cluster state.
// The script has never run against a live cluster.

const SCRIPT = path.join(__dirname, '..', '..', 'scripts', 'check-workloads.sh');
const work = mkdtempSync(path.join(tmpdir(), 'check-workloads-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const STUB_KUBECTL = `#!/bin/sh
echo "$*" >> "$STUB/calls"
for last in "$@"; do :; done
case "$1" in
  get)
    if [ "$2" = -f ]; then
      cat "$STUB/get/$(basename "$3")" 2>/dev/null || { echo 'Error from server (NotFound): jobs.batch not found' >&2; exit 1; }
    else
      echo "NAME STATUS"
    fi ;;
  wait) [ -f "$STUB/incomplete/\${last#job/}" ] && { echo 'error: timed out waiting for the condition' >&2; exit 1; }; exit 0 ;;
  logs) cat "$STUB/logs/\${last#job/}" ;;
  *) echo "unexpected kubectl $*" >&2; exit 3 ;;
esac
`;

interface Cluster {
  /** What each Job's pod printed, by Job name. */
  readonly logs: Record<string, string>;
  /** Jobs that never complete. */
  readonly incomplete?: readonly string[];
  /** Jobs of the folder that are not in the cluster. */
  readonly absent?: readonly string[];
}

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly calls: string[];
}

const uname = (machine: string) => `uname_result(system='Linux', node='pod', release='6.1', version='#1', machine='${machine}')`;
const printed = (arch: string, machine: string) => `${uname(machine)}\nkubernetes.io/arch=${arch} (machine=${machine}, node=pod)\n`;

function jobYaml(name: string, arch?: string): string {
  const selector = arch ? `      nodeSelector:\n        kubernetes.io/arch: ${arch}\n` : '';
  return `apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: ${name}\n  namespace: platform-info\nspec:\n  template:\n    spec:\n${selector}      containers:\n        - name: print-platform-info\n          image: example/print-platform-info:1.0.0\n`;
}

/** A manifest folder as cdk8s writes it: the namespace, a Pod, and three Jobs (two pinned, one not). */
function fixtureDist(name: string): string {
  const dir = path.join(work, name, 'dist');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, '00-namespace.k8s.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: platform-info\n');
  writeFileSync(path.join(dir, 'busybox.k8s.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: busybox\n  namespace: platform-info\n');
  writeFileSync(path.join(dir, 'print-platform-info-amd64.k8s.yaml'), jobYaml('print-platform-info-amd64', 'amd64'));
  writeFileSync(path.join(dir, 'print-platform-info-arm64.k8s.yaml'), jobYaml('print-platform-info-arm64', 'arm64'));
  writeFileSync(path.join(dir, 'print-platform-info-any.k8s.yaml'), jobYaml('print-platform-info-any'));
  return dir;
}

/** Runs the script on `dist` against a stand-in kubectl holding the folder's Jobs, as `kubectl get -f` shows them. */
function check(name: string, dist: string, cluster: Cluster): Run {
  const stub = path.join(work, name, 'stub');
  for (const sub of ['bin', 'get', 'logs', 'incomplete']) mkdirSync(path.join(stub, sub), { recursive: true });
  writeFileSync(path.join(stub, 'bin', 'kubectl'), STUB_KUBECTL);
  chmodSync(path.join(stub, 'bin', 'kubectl'), 0o755);
  for (const file of existsSync(dist) ? readdirSync(dist).filter((f) => f.endsWith('.yaml')) : []) {
    for (const doc of parseAllDocuments(readFileSync(path.join(dist, file), 'utf8'))) {
      const object = doc.toJS() as { kind?: string; metadata: { name: string; namespace?: string }; spec?: { template?: { spec?: { nodeSelector?: Record<string, string> } } } };
      if (object.kind !== 'Job' || cluster.absent?.includes(object.metadata.name)) continue;
      const arch = object.spec?.template?.spec?.nodeSelector?.['kubernetes.io/arch'] ?? '<none>';
      writeFileSync(path.join(stub, 'get', file), `${object.metadata.namespace ?? 'default'}   ${object.metadata.name}   ${arch}\n`);
    }
  }
  for (const [job, log] of Object.entries(cluster.logs)) writeFileSync(path.join(stub, 'logs', job), log);
  for (const job of cluster.incomplete ?? []) writeFileSync(path.join(stub, 'incomplete', job), '');
  const result = spawnSync('sh', [SCRIPT, dist], {
    encoding: 'utf8',
    env: { PATH: `${path.join(stub, 'bin')}:${process.env.PATH}`, STUB: stub, WAIT_TIMEOUT: '5s' },
  });
  let calls: string[] = [];
  try {
    calls = readFileSync(path.join(stub, 'calls'), 'utf8').trim().split('\n');
  } catch {
    // no kubectl call at all
  }
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls };
}

const HEALTHY = {
  'print-platform-info-amd64': printed('amd64', 'x86_64'),
  'print-platform-info-arm64': printed('arm64', 'aarch64'),
  'print-platform-info-any': printed('arm64', 'aarch64'),
};

describe('check-workloads.sh', () => {
  test('passes when each pinned Job ran on its architecture and the unpinned one on a cluster architecture', () => {
    const run = check('healthy', fixtureDist('healthy'), { logs: HEALTHY });
    expect(run.stdout.trim().split('\n')).toEqual([
      'ok   platform-info/print-platform-info-amd64: pinned to amd64, ran on amd64',
      'ok   platform-info/print-platform-info-any: not pinned, ran on arm64 (a cluster architecture)',
      'ok   platform-info/print-platform-info-arm64: pinned to arm64, ran on arm64',
    ]);
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
  });

  test('waits for completion before reading logs, and only reads the Jobs, their status and logs (namespace-scoped)', () => {
    const run = check('calls', fixtureDist('calls'), { logs: HEALTHY });
    expect(run.calls).toContain('wait --for=condition=complete --timeout=5s -n platform-info job/print-platform-info-arm64');
    expect(run.calls.indexOf('wait --for=condition=complete --timeout=5s -n platform-info job/print-platform-info-arm64'))
      .toBeLessThan(run.calls.indexOf('logs -n platform-info job/print-platform-info-arm64'));
    expect(run.calls.filter((c) => !/^(get -f \S+\.k8s\.yaml --no-headers -o custom-columns=|wait --for=condition=complete |logs -n platform-info job\/)/.test(c))).toEqual([]);
    // The Pod and the Namespace are not Jobs: never asked for.
    expect(run.calls.filter((c) => /busybox|00-namespace/.test(c))).toEqual([]);
  });

  test('fails when a pinned Job printed another architecture (an arm64 entry with x86 binaries, emulated)', () => {
    const run = check('wrong-arch', fixtureDist('wrong-arch'), {
      logs: { ...HEALTHY, 'print-platform-info-arm64': printed('amd64', 'x86_64') },
    });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('FAIL platform-info/print-platform-info-arm64: pinned to arm64, but printed kubernetes.io/arch=amd64');
    expect(run.stdout).toContain('ok   platform-info/print-platform-info-amd64: pinned to amd64, ran on amd64');
  });

  test('fails when the unpinned Job printed an architecture the cluster does not have, or nothing', () => {
    const foreign = check('foreign', fixtureDist('foreign'), { logs: { ...HEALTHY, 'print-platform-info-any': printed('s390x', 's390x') } });
    expect(foreign.status).toBe(1);
    expect(foreign.stdout).toContain('FAIL platform-info/print-platform-info-any: not pinned, printed kubernetes.io/arch=s390x; the cluster has amd64 arm64');
    const silent = check('silent', fixtureDist('silent'), { logs: { ...HEALTHY, 'print-platform-info-any': 'Traceback (most recent call last):\n' } });
    expect(silent.status).toBe(1);
    expect(silent.stdout).toContain('FAIL platform-info/print-platform-info-any: not pinned, printed kubernetes.io/arch=nothing');
  });

  test('fails for a Job that does not complete, and still checks the others', () => {
    const run = check('incomplete', fixtureDist('incomplete'), { logs: HEALTHY, incomplete: ['print-platform-info-amd64'] });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('FAIL platform-info/print-platform-info-amd64: did not complete within 5s');
    expect(run.stdout).toContain('ok   platform-info/print-platform-info-arm64: pinned to arm64, ran on arm64');
    expect(run.calls).not.toContain('logs -n platform-info job/print-platform-info-amd64');
  });

  test('fails when a Job of the folder is not in the cluster', () => {
    const run = check('absent', fixtureDist('absent'), { logs: HEALTHY, absent: ['print-platform-info-any'] });
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/FAIL \S+print-platform-info-any\.k8s\.yaml: its Job is not in the cluster \(apply \S+ first\)/);
  });

  test('bad usage exits 2: a missing folder, a folder without Jobs', () => {
    const missing = check('missing', path.join(work, 'nowhere'), { logs: {} });
    expect({ status: missing.status, calls: missing.calls }).toEqual({ status: 2, calls: [] });
    expect(missing.stderr).toMatch(/^check-workloads: no folder \S+nowhere \(run npm run synth first, or give the manifest folder\)\n$/);
    const empty = path.join(work, 'empty');
    mkdirSync(empty);
    writeFileSync(path.join(empty, 'busybox.k8s.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: busybox\n');
    const none = check('none', empty, { logs: {} });
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/no Job manifests in /);
  });

  test('finds the Jobs of the real cdk8s output, one per cluster architecture plus the unpinned one', () => {
    const outdir = path.join(work, 'real-dist');
    buildK8sApp(resolveProjectConfig(readCdkJsonContext(TEST_CDK_JSON), {}, undefined, TEST_DAY), outdir).synth();
    // The Jobs' names follow their spec (sha256 of it, cut to 10 digits).
    const names: Record<string, string> = { 'print-platform-info-amd64': 'ad14abd6c7', 'print-platform-info-arm64': '5d37f20191', 'print-platform-info-any': '00b3ceff11' };
    const logs = Object.fromEntries(Object.entries(HEALTHY).map(([job, log]) => [`${job}-${names[job]}`, log]));
    const run = check('real', outdir, { logs });
    expect(run.stdout.trim().split('\n')).toEqual([
      'ok   default/print-platform-info-amd64-ad14abd6c7: pinned to amd64, ran on amd64',
      'ok   default/print-platform-info-any-00b3ceff11: not pinned, ran on arm64 (a cluster architecture)',
      'ok   default/print-platform-info-arm64-5d37f20191: pinned to arm64, ran on arm64',
    ]);
    expect(run.status).toBe(0);
  });
});
