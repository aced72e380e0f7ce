/**
 * The check-image sample of docs/preflight.md is this project's own dist/: the cdk8s app's manifests, with both images in a
 * local registry (busybox arm64-only as on Docker Hub, print-platform-info pushed for amd64 only, the mistake
 * the preflight exists for). The test regenerates it and compares it with the docs byte for byte.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
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

test('the sample is check-image on this project\'s dist/ with images on localhost:5000, as it prints it, Job names included', async () => {
  // The manifests name the images on localhost:5000, as the docs' reproduction does (so the Job names, which hash
  // the Job's spec and so its image, are the ones the docs print); only their image references are then aimed at
  // this test's registry, whose port is free but not 5000.
  const context = contextWith({ busyboxImage: `${README_HOST}/arm64v8/busybox:1.37.0` });
  const env = { PRINT_PLATFORM_INFO_IMAGE: `${README_HOST}/example-group/mixed-arch-eks/print-platform-info:0.1.0` };
  const dist = join(tempDir('readme-sample-'), 'dist');
  writeManifests(resolveProjectConfig((k) => context[k], env, Object.keys(context)), dist);
  for (const file of readdirSync(dist)) {
    writeFileSync(join(dist, file), readFileSync(join(dist, file), 'utf8').split(`image: ${README_HOST}/`).join(`image: ${registry.host}/`));
  }

  const result = await runInProcess(['--plain-http', '--manifests', dist]);
  expect(result.stderr).toBe('');
  const actual = `$ npm run check-image -- --plain-http --manifests dist/\n${result.stdout}$ echo $?\n${result.code}\n`;
  expect(actual.split(registry.host).join(README_HOST)).toBe(readmeSample());
});
