/**
 * The check-image sample of docs/preflight.md is this project's own dist/: the cdk8s app's manifests, with both images in a
 * local registry (busybox arm64-only as on Docker Hub, print-platform-info pushed for amd64 only, the mistake
 * the preflight exists for). The test regenerates it and compares it with the README, byte for byte but for
 * the registry's port and the Job names' image hash, which follow the test registry's address.
 */
import { join } from 'node:path';
import { writeManifests } from '../../k8s/app';
import { resolveProjectConfig } from '../../lib/config/project-config';
import { contextWith } from '../support/cdk';
import { readDoc } from '../support/docs';
import { ImagePusher, TestRegistry, startRegistry } from '../support/registry';
import { removeTempDirs, runInProcess, tempDir } from './helpers';

const README_HOST = 'localhost:5000';
let registry: TestRegistry;

beforeAll(async () => {
  registry = await startRegistry();
  const push = new ImagePusher(registry);
  await push.multiArch('arm64v8/busybox', '1.37.0', ['linux/arm64/v8']);
  await push.multiArch('example-group/mixed-arch-eks/print-platform-info', '0.1.0', ['linux/amd64'], { attestations: true });
});

afterAll(async () => {
  await registry?.stop();
  removeTempDirs();
});

/** The README block: the command, its output and the exit code. */
function readmeSample(): string {
  const readme = readDoc('docs/preflight.md');
  const block = /```\n(\$ npm run check-image -- --plain-http --manifests dist\/\n[\s\S]*?)```/.exec(readme);
  if (!block) throw new Error('docs/preflight.md has no check-image sample block');
  return block[1];
}

const normalize = (text: string, host: string) =>
  text.split(host).join('<registry>').replace(/(print-platform-info-(?:arm64|amd64|any))-[0-9a-f]{10}\b/g, '$1-<image hash>');

test('the README sample is check-image on this project\'s dist/, as it prints it', async () => {
  const context = contextWith({ busyboxImage: `${registry.host}/arm64v8/busybox:1.37.0` });
  const env = { PRINT_PLATFORM_INFO_IMAGE: `${registry.host}/example-group/mixed-arch-eks/print-platform-info:0.1.0` };
  const dist = join(tempDir('readme-sample-'), 'dist');
  writeManifests(resolveProjectConfig((k) => context[k], env, Object.keys(context)), dist);

  const result = await runInProcess(['--plain-http', '--manifests', dist]);
  expect(result.stderr).toBe('');
  const actual = `$ npm run check-image -- --plain-http --manifests dist/\n${result.stdout}$ echo $?\n${result.code}\n`;
  expect(normalize(actual, registry.host)).toBe(normalize(readmeSample(), README_HOST));
});
