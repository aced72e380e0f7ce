import { ARCH_GUARD_IMAGE_ENV_VAR, resolveArchGuard } from '../../lib/config/arch-guard-config';
import { ConfigIssue } from '../../lib/config/errors';
import { ValueReader } from '../../lib/config/value-reader';
import { configErrorsFor, resolveWith as resolveProject } from '../support/config';

const IMAGE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/arch-guard:4b1c0de';

function resolveWith(values: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) {
  const issues: ConfigIssue[] = [];
  const archGuard = resolveArchGuard(new ValueReader((key) => values[key], issues), env, issues);
  return { archGuard, issues };
}

test('unset: off, no image, weight 50, no registry Secret, repository "arch-guard"', () => {
  expect(resolveWith({})).toEqual({
    archGuard: { enabled: false, image: undefined, arm64Weight: 50, registrySecret: undefined, repositoryName: 'arch-guard' },
    issues: [],
  });
  expect(resolveProject({}).cluster.archGuard.enabled).toBe(false);
});

test('every key at a non-default value; ARCH_GUARD_IMAGE wins over archGuardImage', () => {
  const digest = `${IMAGE.split(':')[0]}@sha256:${'a'.repeat(64)}`;
  expect(resolveWith({
    archGuard: 'true', archGuardImage: IMAGE, archGuardArm64Weight: '100', archGuardRegistrySecret: 'registries', archGuardRepositoryName: 'team/arch-guard',
  }, { [ARCH_GUARD_IMAGE_ENV_VAR]: digest })).toEqual({
    archGuard: { enabled: true, image: digest, arm64Weight: 100, registrySecret: 'registries', repositoryName: 'team/arch-guard' },
    issues: [],
  });
  expect(resolveWith({ archGuard: true, archGuardImage: IMAGE, archGuardArm64Weight: 1 }).archGuard).toMatchObject({ enabled: true, image: IMAGE, arm64Weight: 1 });
});

test('archGuard=true without an image is refused in one line naming the key and the fix', () => {
  expect(configErrorsFor({ archGuard: 'true' })).toEqual([
    '- archGuardImage = (not set): archGuard is true, but no arch-guard image is named, so the webhook would have no server. ' +
    'Fix: push the image with the pipeline and set -c archGuardImage=<ArchGuardRepositoryUri>:<commit> (docs/arch-guard.md, Deploying arch-guard), or leave archGuard false',
  ]);
  // The environment variable alone is enough (the pipeline's deploy job).
  expect(resolveWith({ archGuard: 'true' }, { ARCH_GUARD_IMAGE: IMAGE }).issues).toEqual([]);
  // Off, no image is needed.
  expect(resolveWith({ archGuard: 'false' }).issues).toEqual([]);
});

test('the image is pinned like every workload image: no bare name, no latest, well formed', () => {
  expect(resolveWith({ archGuardImage: 'registry.example.com/arch-guard' }).issues).toEqual([{
    key: 'archGuardImage', value: 'registry.example.com/arch-guard', problem: 'the image has no tag, so every pull may run something else',
    fix: 'pin it, such as registry.example.com/arch-guard:1.0.0 or registry.example.com/arch-guard@sha256:<digest>',
  }]);
  expect(resolveWith({ archGuard: 'true', archGuardImage: 'registry.example.com/arch-guard:latest' }).issues.map((i) => `${i.key}: ${i.problem}`)).toEqual([
    'archGuardImage: "latest" moves, so nodes may run different code',
  ]);
  expect(resolveWith({}, { ARCH_GUARD_IMAGE: 'Registry.example.com/Arch Guard' }).issues.map((i) => i.key)).toEqual(['ARCH_GUARD_IMAGE']);
});

test('weights outside 1-100, a bad Secret name, a bad repository name and a wrong type are refused', () => {
  for (const weight of [0, 101, '-1']) {
    expect(resolveWith({ archGuardArm64Weight: weight }).issues).toEqual([{
      key: 'archGuardArm64Weight', value: Number(weight), problem: 'a preferred node affinity weight is 1-100', fix: 'use a whole number from 1 to 100 (default 50)',
    }]);
  }
  expect(resolveWith({ archGuardArm64Weight: '5.5' }).issues.map((i) => i.problem)).toEqual(['must be a whole number']);
  expect(resolveWith({ archGuardRegistrySecret: 'Registry_Creds' }).issues).toEqual([{
    key: 'archGuardRegistrySecret', value: 'Registry_Creds', problem: 'not a Kubernetes Secret name', fix: 'use lower-case letters, digits, - and ., such as "arch-guard-registries"',
  }]);
  expect(resolveWith({ archGuardRepositoryName: 'Arch-Guard' }).issues).toEqual([{
    key: 'archGuardRepositoryName', value: 'Arch-Guard', problem: 'not a valid ECR repository name', fix: 'use lower-case letters, digits and . _ - / such as "arch-guard"',
  }]);
  expect(resolveWith({ archGuard: 'yes' }).issues.map((i) => `${i.key}: ${i.problem}`)).toEqual(['archGuard: must be true or false']);
});

test('arch-guard cannot share the print-platform-info repository', () => {
  expect(configErrorsFor({ archGuardRepositoryName: 'print-platform-info' })).toEqual([
    '- archGuardRepositoryName = "print-platform-info": the same ECR repository as ecrRepositoryName, so the two images would overwrite each other\'s tags. ' +
    'Fix: give arch-guard a repository of its own, such as "arch-guard"',
  ]);
});
