import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ARCHITECTURE_ALIASES, ARCHITECTURE_INFO, ARCH_NODE_LABEL, isArchitecture } from '../../lib/config/architectures';
import { PROJECT_ROOT, loadCdkJsonContext, readCdkJsonContext } from '../../lib/config/cdk-json';
import { ConfigError } from '../../lib/config/errors';
import { resolveProjectConfig } from '../../lib/config/project-config';
import { TEST_DAY, contextWith } from '../support/cdk';
import { removeTempDirs, tempDir } from '../preflight/helpers';

afterAll(removeTempDirs);

test('the architecture table: Kubernetes names, the node label, OCI platforms and example types', () => {
  expect(ARCH_NODE_LABEL).toBe('kubernetes.io/arch');
  expect(ARCHITECTURE_INFO).toEqual({
    arm64: { displayName: 'arm64 (Graviton)', ociPlatform: 'linux/arm64', exampleInstanceType: 'm7g.large' },
    amd64: { displayName: 'amd64 (x86_64)', ociPlatform: 'linux/amd64', exampleInstanceType: 'm7i.large' },
  });
  expect([['arm64'], 'arm64', 'amd64', 'ARM64', 'aarch64', undefined, 64].map(isArchitecture)).toEqual([false, true, true, false, false, false, false]);
});

test('each alias people write for an architecture gets the Kubernetes name as the fix', () => {
  const aliases = ['aarch64', 'arm64v8', 'arm', 'graviton', 'x86_64', 'x86', 'x64', 'intel'];
  expect(Object.keys(ARCHITECTURE_ALIASES)).toEqual(aliases);
  const context = contextWith({ nodeGroups: JSON.stringify(aliases.map((arch, i) => ({ name: `g${i}`, arch, instanceTypes: ['m7g.large'], minSize: 1, desiredSize: 1, maxSize: 1 }))) });
  let message = '';
  try {
    resolveProjectConfig((key) => context[key], {}, Object.keys(context), TEST_DAY);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    message = (error as Error).message;
  }
  const fixes = aliases.map((alias) => new RegExp(`nodeGroups\\[\\d\\]\\.arch = "${alias}": .* Fix: write "(\\w+)"`).exec(message)?.[1]);
  expect(fixes).toEqual(['arm64', 'arm64', 'arm64', 'arm64', 'amd64', 'amd64', 'amd64', 'amd64']);
});

test('cdk.json is read from the repository root, and a file without context gives an empty one', () => {
  expect(JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')).name).toBe('mixed-arch-eks');
  // Whatever the user's cdk.json holds: the reader returns its context.
  const { context } = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  expect(loadCdkJsonContext()).toEqual(context);
  expect(readCdkJsonContext()('clusterName')).toBe(context.clusterName);
  const file = join(tempDir('cdk-json-'), 'cdk.json');
  writeFileSync(file, '{"app":"x"}');
  expect(loadCdkJsonContext(file)).toEqual({});
  expect(readCdkJsonContext(file)('clusterName')).toBeUndefined();
});
