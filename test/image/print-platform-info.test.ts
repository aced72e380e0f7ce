import { execFileSync, spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';

const PROGRAM = path.join(__dirname, '..', '..', 'image', 'print-platform-info.py');

// process.arch names, mapped like kubernetes.io/arch: what the program must report for this host.
const NODE_TO_KUBERNETES: Record<string, string> = { x64: 'amd64', arm64: 'arm64' };

/** Calls a function of the program in Python, without running its main. */
function callPython(fn: string, ...args: string[]): string {
  const code = `import json, runpy, sys
f = runpy.run_path(sys.argv[1])[sys.argv[2]]
print(json.dumps(f(*sys.argv[3:])))`;
  return JSON.parse(execFileSync('python3', ['-c', code, PROGRAM, fn, ...args], { encoding: 'utf8' }));
}

describe('image/print-platform-info.py', () => {
  // One run for the whole file: it is the output the pod logs.
  const result = spawnSync('python3', [PROGRAM], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', PYTHONDONTWRITEBYTECODE: '1' } });
  const outputLines = result.stdout.trimEnd().split('\n');

  it('exits 0 with two lines and nothing on stderr', () => {
    expect(result.error).toBeUndefined();
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    expect(outputLines).toHaveLength(2);
  });

  it('prints platform.uname() first, with this host', () => {
    expect(outputLines[0]).toMatch(/^uname_result\(system='Linux', node='[^']*', release='[^']*', version='[^']*', machine='[^']+'\)$/);
    expect(outputLines[0]).toContain(`node='${os.hostname()}'`);
    expect(outputLines[0]).toContain(`machine='${os.machine()}'`);
  });

  it('names the host architecture in Kubernetes terms', () => {
    const expected = NODE_TO_KUBERNETES[process.arch];
    if (expected === undefined) throw new Error(`this test knows x64 and arm64 hosts, not ${process.arch}`);
    expect(outputLines[1]).toBe(`kubernetes.io/arch=${expected} (machine=${os.machine()}, node=${os.hostname()})`);
  });

  it.each([
    ['aarch64', 'arm64'],
    ['arm64', 'arm64'],
    ['x86_64', 'amd64'],
    ['AMD64', 'amd64'],
    ['amd64', 'amd64'],
  ])('maps machine %s to %s', (machine, arch) => {
    expect(callPython('kubernetes_arch', machine)).toBe(arch);
  });

  it('prints an unknown machine as-is, with a note', () => {
    expect(callPython('kubernetes_arch', 'riscv64')).toBeNull();
    expect(callPython('arch_line', 'riscv64', 'n1')).toBe('kubernetes.io/arch=riscv64 (machine=riscv64 is not arm64 or amd64, printed as-is; node=n1)');
  });
});
