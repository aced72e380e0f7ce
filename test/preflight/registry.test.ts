/**
 * check-image against a real registry (docker-registry from Debian): images pushed through the distribution
 * API, then the real CLI run against them for exit codes and output.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCdkJsonContext } from '../../lib/config/cdk-json';
import { parseImageReference } from '../../lib/config/image-reference';
import { resolveProjectConfig } from '../../lib/config/project-config';
import { checkCoverage } from '../../lib/preflight/coverage';
import { coveredArchitectures, inspectImage } from '../../lib/preflight/platforms';
import { SecretScrubber } from '../../lib/preflight/redact';
import { RegistryClient } from '../../lib/preflight/registry-client';
import { runCheckImage } from '../../lib/preflight/run';
import { Descriptor, ImagePusher, TestRegistry, startRegistry, startSilentServer } from '../support/registry';
import { captureOutput, emptyDockerConfig, removeTempDirs, runCli, runInProcess, tempDir } from './helpers';
import { TEST_CDK_JSON } from '../support/cdk';
import { TEST_DAY } from '../support/test-day';

let registry: TestRegistry;
let multi: Descriptor;
const BOTH = ['--plain-http', '--arch', 'amd64,arm64'];

beforeAll(async () => {
  registry = await startRegistry();
  const push = new ImagePusher(registry);
  multi = await push.multiArch('app/multi', '1.0', ['linux/amd64', 'linux/arm64/v8']);
  await push.multiArch('app/amd64-only', '1.0', ['linux/amd64']);
  await push.multiArch('app/dockerlist', '1.0', ['linux/amd64', 'linux/arm64/v8', 'linux/arm/v7'], { format: 'docker' });
  await push.multiArch('app/attested', '1.0', ['linux/amd64', 'linux/arm64'], { attestations: true });
  await push.multiArch('app/attested-amd64', '1.0', ['linux/amd64'], { attestations: true });
  await push.image('app/single', 'arm64', 'linux/arm64', 'oci');
  await push.image('app/single-docker', 'amd64', 'linux/amd64', 'docker');
});

afterAll(async () => {
  await registry?.stop();
  removeTempDirs();
});

function client(timeoutMs = 5000): RegistryClient {
  return new RegistryClient({ timeoutMs, plainHttp: true, credentials: () => undefined, scrubber: new SecretScrubber() });
}

/** The node groups the tests' cdk.json configures, so the test follows the configuration instead of hard-coding it. */
function groupsRunning(arch: string): string[] {
  return resolveProjectConfig(readCdkJsonContext(TEST_CDK_JSON), {}, undefined, TEST_DAY).cluster.nodeGroups.filter((g) => g.arch === arch).map((g) => g.name);
}

describe('check-image CLI against a real registry', () => {
  test('a two-platform OCI index passes and prints its platforms as a table', async () => {
    const result = await runInProcess([...BOTH, `${registry.host}/app/multi:1.0`]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`${registry.host}/app/multi:1.0  (OCI image index, ${multi.digest})`);
    expect(lines[1]).toMatch(/^ {2}PLATFORM\s+DIGEST\s+SIZE$/);
    expect(lines[2]).toMatch(/^ {2}linux\/amd64\s+sha256:[0-9a-f]{12}\s+\d+ B$/);
    expect(lines[3]).toMatch(/^ {2}linux\/arm64\/v8\s+sha256:[0-9a-f]{12}\s+\d+ B$/);
    expect(lines[4]).toBe('OK: covers arm64 (--arch), amd64 (--arch)');
  });

  test('an amd64-only index fails with exit 1, naming arm64 and the node group from cdk.json', async () => {
    const graviton = groupsRunning('arm64');
    const result = await runCli(['--plain-http', `${registry.host}/app/amd64-only:1.0`]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`MISSING arm64: needed by node group${graviton.length > 1 ? 's' : ''} ${graviton.join(', ')}; the image has linux/amd64 only`);
    expect(result.stdout).toContain('docker buildx build --platform linux/amd64,linux/arm64 --push');
    expect(result.stderr).toBe('');
  });

  test('a Docker v2 manifest list is read like an index; arm/v7 is listed but is no node architecture', async () => {
    const result = await runInProcess([...BOTH, `${registry.host}/app/dockerlist:1.0`]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('(Docker manifest list, sha256:');
    expect(result.stdout).toMatch(/linux\/arm\/v7 /);
  });

  test('attestation entries are listed but never count as a platform', async () => {
    const both = await runInProcess([...BOTH, `${registry.host}/app/attested:1.0`]);
    expect(both.code).toBe(0);
    expect(both.stdout.match(/unknown\/unknown\s+sha256:[0-9a-f]{12}\s+\d+ B\s+attestation \(ignored\)/g)).toHaveLength(2);

    const amd64Only = await inspectImage(client(), parseImageReference(`${registry.host}/app/attested-amd64:1.0`));
    expect(amd64Only.entries).toHaveLength(2);
    expect(coveredArchitectures(amd64Only)).toEqual(['amd64']);
    expect(checkCoverage(amd64Only, [{ arch: 'arm64', neededBy: 'x' }]).missing.map((m) => m.arch)).toEqual(['arm64']);
  });

  test('a digest reference (with or without a tag) resolves to the pinned index', async () => {
    const result = await runInProcess([...BOTH, `${registry.host}/app/multi@${multi.digest}`]);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe(`${registry.host}/app/multi@${multi.digest}  (OCI image index, ${multi.digest})`);

    const both = await inspectImage(client(), parseImageReference(`${registry.host}/app/multi:not-a-tag@${multi.digest}`));
    expect(both.fetched).toBe(multi.digest);
  });

  test('an unknown tag fails with exit 2 and one line that says what to do', async () => {
    const result = await runCli([...BOTH, `${registry.host}/app/multi:nope`]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      `ERROR ${registry.host}/app/multi:nope: ${registry.host}/app/multi has no tag "nope". Check the tag or digest, and that the image was pushed`,
    ]);
  });

  test('a stopped registry fails with exit 2: connection refused', async () => {
    const stopped = await startRegistry();
    await stopped.stop();
    const result = await runInProcess([...BOTH, `${stopped.host}/app/multi:1.0`]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`connection refused by ${stopped.host}. Check that the registry is running`);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  test('a server that accepts the connection and never answers fails within --timeout', async () => {
    const silent = await startSilentServer();
    try {
      const result = await runCli([...BOTH, '--timeout', '1', `${silent.host}/app/multi:1.0`], {}, 14_000);
      expect(result.code).toBe(2);
      expect(result.stderr.trim()).toBe(
        `ERROR ${silent.host}/app/multi:1.0: no answer from ${silent.host} within 1 s. Check that the registry is up and the host and port are right, or raise --timeout`,
      );
      // 1 s timeout plus process start: well under the 15 s default, so --timeout took effect and the process
      // did not linger on the open socket. The bound is loose because a loaded 2-core machine starts node slowly.
      expect(result.ms).toBeLessThan(8000);
    } finally {
      await silent.close();
    }
  });

  test('several images: each gets its verdict; a failure (exit 2) outranks a missing architecture (exit 1)', async () => {
    const out = captureOutput();
    const images = [`${registry.host}/app/amd64-only:1.0`, `${registry.host}/app/multi:nope`, `${registry.host}/app/multi:1.0`];
    expect(await runCheckImage([...BOTH, ...images], out, { DOCKER_CONFIG: emptyDockerConfig() })).toBe(2);
    expect(out.stdout()).toContain('MISSING arm64: needed by --arch');
    expect(out.stdout()).toContain('Checked 3 images: 1 OK, 1 missing an architecture, 1 could not be checked');
    expect(out.stderr()).toContain('has no tag "nope"');
  });

  test('HTTPS against a plain-HTTP registry says to add --plain-http', async () => {
    const out = captureOutput();
    const code = await runCheckImage(['--arch', 'arm64', `${registry.host}/app/multi:1.0`], out, { DOCKER_CONFIG: emptyDockerConfig() });
    expect(code).toBe(2);
    expect(out.stderr()).toMatch(/add --plain-http/);
  });
});

describe('single-platform manifests (platform from the config blob)', () => {
  test('OCI image manifest', async () => {
    const inspection = await inspectImage(client(), parseImageReference(`${registry.host}/app/single:arm64`));
    expect(inspection.kind).toBe('oci-manifest');
    expect(inspection.entries).toEqual([expect.objectContaining({ platform: { os: 'linux', architecture: 'arm64', variant: undefined } })]);
    expect(coveredArchitectures(inspection)).toEqual(['arm64']);
  });

  test('Docker v2 schema 2 manifest, through the CLI: amd64 only fails for arm64', async () => {
    const result = await runInProcess([...BOTH, `${registry.host}/app/single-docker:amd64`]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('(Docker image manifest, sha256:');
    expect(result.stdout).toMatch(/ {2}linux\/amd64\s+sha256:/);
    expect(result.stdout).toContain('MISSING arm64: needed by --arch; the image has linux/amd64 only');
  });
});

describe('--manifests', () => {
  const workloads = (dir: string, files: Record<string, string>) => {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return dir;
  };
  let dir: string;
  let unpinnedDir: string;

  beforeAll(() => {
    const host = () => registry.host;
    dir = workloads(tempDir('preflight-manifests-'), {
      'jobs.k8s.yaml': `apiVersion: batch/v1
kind: Job
metadata: { name: print-arm64, namespace: default }
spec:
  template:
    spec:
      nodeSelector: { kubernetes.io/arch: arm64 }
      restartPolicy: Never
      containers:
        - name: print
          image: ${host()}/app/amd64-only:1.0
---
apiVersion: batch/v1
kind: Job
metadata: { name: print-amd64, namespace: default }
spec:
  template:
    spec:
      nodeSelector: { kubernetes.io/arch: amd64 }
      restartPolicy: Never
      containers:
        - name: print
          image: ${host()}/app/amd64-only:1.0
`,
      'pods.yaml': `apiVersion: v1
kind: Pod
metadata: { name: anywhere }
spec:
  initContainers:
    - name: init
      image: ${host()}/app/dockerlist:1.0
  containers:
    - name: main
      image: ${host()}/app/multi:1.0
---
apiVersion: batch/v1
kind: CronJob
metadata: { name: nightly, namespace: ops }
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          affinity:
            nodeAffinity:
              requiredDuringSchedulingIgnoredDuringExecution:
                nodeSelectorTerms:
                  - matchExpressions: [{ key: kubernetes.io/arch, operator: In, values: [arm64] }]
          containers:
            - name: job
              image: ${host()}/app/single:arm64
`,
      'README.md': 'not a manifest',
    });
    unpinnedDir = workloads(tempDir('preflight-manifests-'), {
      'web.yaml': `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: default }
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: web
          image: ${host()}/app/amd64-only:1.0
`,
    });
  });

  test('an arm64-pinned Job whose image lacks arm64 fails; pinned and unpinned others pass', async () => {
    const result = await runCli(['--plain-http', '--arch', 'amd64,arm64', '--manifests', dir]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    const missing = result.stdout.split('\n').filter((l) => l.startsWith('MISSING'));
    expect(missing).toEqual(['MISSING arm64: needed by Job default/print-arm64 [jobs.k8s.yaml, pinned to arm64]; the image has linux/amd64 only']);
    // The amd64-pinned Job shares the image; the unpinned Pod's images and the CronJob's pass.
    expect(result.stdout).toContain('Checked 4 images: 3 OK, 1 missing an architecture, 0 could not be checked');
    expect(result.stdout).toContain('OK: covers arm64 (CronJob ops/nightly [pods.yaml, pinned to arm64])');
  });

  test('an unpinned workload is checked against every node architecture, and --arch overrides them', async () => {
    const graviton = groupsRunning('arm64');
    const fromConfig = captureOutput();
    expect(await runCheckImage(['--plain-http', '--manifests', unpinnedDir], fromConfig, { DOCKER_CONFIG: emptyDockerConfig() })).toBe(1);
    expect(fromConfig.stdout()).toContain(`MISSING arm64: needed by Deployment default/web [web.yaml, not pinned, may run on node group${graviton.length > 1 ? 's' : ''} ${graviton.join(', ')}]`);

    const result = await runInProcess(['--plain-http', '--arch', 'amd64', '--manifests', unpinnedDir]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('OK: covers amd64 (Deployment default/web [web.yaml, not pinned, may run on any amd64 node])');
  });

  test('with Karpenter or Auto Mode, an unpinned workload must also cover what the NodePools launch, even when every node group is x86', async () => {
    const x86Only = ['-c', 'nodeGroups=[{"name":"x86","arch":"amd64","instanceTypes":["m7i.large"],"minSize":2,"desiredSize":2,"maxSize":3}]'];
    const groupsOnly = await runInProcess(['--plain-http', ...x86Only, '--manifests', unpinnedDir], { DOCKER_CONFIG: emptyDockerConfig() });
    expect(groupsOnly.code).toBe(0);
    const pools = await runInProcess(['--plain-http', ...x86Only, '-c', 'autoscaler=karpenter', '--manifests', unpinnedDir], { DOCKER_CONFIG: emptyDockerConfig() });
    expect(pools.code).toBe(1);
    expect(pools.stdout).toContain('MISSING arm64: needed by Deployment default/web [web.yaml, not pinned, may run on NodePool graviton]; the image has linux/amd64 only');
    // Auto Mode runs the same pools: the same answer.
    const autoMode = await runInProcess(['--plain-http', ...x86Only, '-c', 'autoscaler=auto-mode', '--manifests', unpinnedDir], { DOCKER_CONFIG: emptyDockerConfig() });
    expect(autoMode.code).toBe(1);
    expect(autoMode.stdout).toContain('MISSING arm64: needed by Deployment default/web [web.yaml, not pinned, may run on NodePool graviton]; the image has linux/amd64 only');
    const bad = await runInProcess(['--plain-http', '-c', 'autoscaler', '--manifests', unpinnedDir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/-c "autoscaler" is not key=value/);
  });

  test('pins no node can satisfy are warnings on stderr; the image is still checked for the pinned arch', async () => {
    const odd = workloads(tempDir('preflight-manifests-'), {
      'odd.yaml': `kind: Pod
metadata: { name: typo }
spec:
  nodeSelector: { kubernetes.io/arch: aarch64 }
  containers: [{ name: c, image: ${registry.host}/app/multi:1.0 }]
---
kind: Pod
metadata: { name: arm-only }
spec:
  nodeSelector: { kubernetes.io/arch: arm64 }
  containers: [{ name: c, image: ${registry.host}/app/single:arm64 }]
`,
    });
    const out = captureOutput();
    expect(await runCheckImage(['--plain-http', '--arch', 'amd64', '--manifests', odd], out, { DOCKER_CONFIG: emptyDockerConfig() })).toBe(0);
    expect(out.stderr().split('\n')).toEqual([
      'WARNING Pod typo (odd.yaml) is pinned to kubernetes.io/arch=aarch64, which no node carries (write arm64)',
      'WARNING Pod arm-only (odd.yaml) is pinned to arm64 but no node runs arm64 (nodes: amd64), so it stays Pending',
    ]);
    expect(out.stdout()).toContain('OK: covers arm64 (Pod arm-only [odd.yaml, pinned to arm64])');
    expect(out.stdout()).toContain('OK: no architecture to require; nothing that uses it can run on a node (see the warnings)');
  });
});
