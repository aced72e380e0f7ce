import { ConfigIssue } from './errors';
import { ArchGuardConfig } from './types';
import { ValueReader } from './value-reader';
import { checkPinnedImage } from './workload-config';

/** The environment variable that overrides `archGuardImage` (the pipeline's deploy job sets the commit's image). */
export const ARCH_GUARD_IMAGE_ENV_VAR = 'ARCH_GUARD_IMAGE';

export const ARCH_GUARD_DEFAULTS = {
  // Preferred node affinity weights are 1-100 (Kubernetes API, PreferredSchedulingTerm.weight). 50 leaves room
  // for a pod's own preferences above and below it.
  arm64Weight: 50,
  repositoryName: 'arch-guard',
} as const;

const SECRET_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const ECR_REPOSITORY_NAME = /^(?=.{2,256}$)[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;

/** The arch-guard keys. Pushes every problem to `issues`; the result is complete only when none was pushed. */
export function resolveArchGuard(reader: ValueReader, env: NodeJS.ProcessEnv, issues: ConfigIssue[]): ArchGuardConfig {
  const enabled = reader.boolean('archGuard', false) ?? false;
  const fromEnv = env[ARCH_GUARD_IMAGE_ENV_VAR];
  const imageKey = fromEnv ? ARCH_GUARD_IMAGE_ENV_VAR : 'archGuardImage';
  const image = fromEnv || reader.string('archGuardImage');
  if (image !== undefined) {
    checkPinnedImage(imageKey, image, issues);
  } else if (enabled) {
    issues.push({
      key: 'archGuardImage', value: undefined, problem: 'archGuard is true, but no arch-guard image is named, so the webhook would have no server',
      fix: 'push the image with the pipeline and set -c archGuardImage=<ArchGuardRepositoryUri>:<commit> (docs/arch-guard.md, Deploying arch-guard), or leave archGuard false',
    });
  }

  const arm64Weight = reader.integer('archGuardArm64Weight', ARCH_GUARD_DEFAULTS.arm64Weight);
  if (arm64Weight !== undefined && (arm64Weight < 1 || arm64Weight > 100)) {
    issues.push({ key: 'archGuardArm64Weight', value: arm64Weight, problem: 'a preferred node affinity weight is 1-100', fix: `use a whole number from 1 to 100 (default ${ARCH_GUARD_DEFAULTS.arm64Weight})` });
  }

  const registrySecret = reader.string('archGuardRegistrySecret');
  if (registrySecret !== undefined && !SECRET_NAME.test(registrySecret)) {
    issues.push({ key: 'archGuardRegistrySecret', value: registrySecret, problem: 'not a Kubernetes Secret name', fix: 'use lower-case letters, digits, - and ., such as "arch-guard-registries"' });
  }

  const repositoryName = reader.string('archGuardRepositoryName') ?? ARCH_GUARD_DEFAULTS.repositoryName;
  if (!ECR_REPOSITORY_NAME.test(repositoryName)) {
    issues.push({ key: 'archGuardRepositoryName', value: repositoryName, problem: 'not a valid ECR repository name', fix: 'use lower-case letters, digits and . _ - / such as "arch-guard"' });
  }
  return { enabled, image, arm64Weight: arm64Weight ?? ARCH_GUARD_DEFAULTS.arm64Weight, registrySecret, repositoryName };
}
