import { ConfigIssue } from './errors';

/**
 * Every context key this project reads. A key that is not here and not CDK's own fails synth, so a typo
 * (`amifamily`) is never silently ignored. Add a new key here when you add its resolver.
 */
export const KNOWN_CONTEXT_KEYS: readonly string[] = [
  'clusterName', 'controlPlaneLogRetentionDays', 'amiFamily', 'kubernetesVersion', 'supportType', 'nodeGroups', 'vpcId',
  'availabilityZones', 'natGateways', 'endpointAccess', 'publicAccessCidrs', 'adminPrincipalArns',
  'ecrRepositoryName', 'deployWorkloads',
  'gitlabProject', 'gitlabUrl', 'gitlabBranches', 'gitlabOidcProviderArn',
  'workloads', 'printPlatformInfoImage', 'busyboxImage', 'namespace', 'imagePullSecretName',
  'autoscaler', 'karpenterNodePools', 'karpenterAmiVersion',
  'archGuard', 'archGuardImage', 'archGuardArm64Weight', 'archGuardRegistrySecret', 'archGuardRepositoryName',
];

/**
 * CDK's own keys: feature flags (`@aws-cdk/...:name`), `aws:cdk:...` settings and lookup results
 * (`availability-zones:account=...`) all hold a colon, which none of ours does; the CLI also sets some
 * `cdk`-prefixed keys and `acknowledged-issue-numbers` (cdk acknowledge).
 */
function isCdkOwnKey(key: string): boolean {
  return key.includes(':') || key.startsWith('@') || /^cdk/i.test(key) || key === 'acknowledged-issue-numbers';
}

/** Reports each context key that is neither ours nor CDK's, with the closest known key as the fix. */
export function checkContextKeys(keys: Iterable<string>, issues: ConfigIssue[]): void {
  for (const key of keys) {
    if (KNOWN_CONTEXT_KEYS.includes(key) || isCdkOwnKey(key)) continue;
    const closest = closestKey(key);
    issues.push({
      key,
      value: '(set)',
      problem: 'not a context key of this project, so it would be ignored',
      fix: closest ? `did you mean "${closest}"? (docs/configuration.md lists every key)` : 'remove it; docs/configuration.md lists every key',
    });
  }
}

/** The known key nearest in edit distance (case-insensitive), if it is near enough to be a typo. */
function closestKey(key: string): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const known of KNOWN_CONTEXT_KEYS) {
    const distance = editDistance(key.toLowerCase(), known.toLowerCase());
    if (!best || distance < best.distance) best = { key: known, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(best.key.length / 3)) ? best.key : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
