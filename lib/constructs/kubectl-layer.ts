import * as lambda from 'aws-cdk-lib/aws-lambda';
import { KubectlV32Layer } from '@aws-cdk/lambda-layer-kubectl-v32';
import { KubectlV33Layer } from '@aws-cdk/lambda-layer-kubectl-v33';
import { KubectlV34Layer } from '@aws-cdk/lambda-layer-kubectl-v34';
import { KubectlV35Layer } from '@aws-cdk/lambda-layer-kubectl-v35';
import { Construct } from 'constructs';

// kubectl supports one minor version of skew; the layer must match the cluster.
const LAYERS: Readonly<Record<string, new (scope: Construct, id: string) => lambda.ILayerVersion>> = {
  '1.32': KubectlV32Layer,
  '1.33': KubectlV33Layer,
  '1.34': KubectlV34Layer,
  '1.35': KubectlV35Layer,
};

/** The Kubernetes versions a kubectl layer is installed for. */
export const KUBECTL_LAYER_VERSIONS: readonly string[] = Object.keys(LAYERS);

/** The kubectl Lambda layer for a Kubernetes version of the support table. */
export function kubectlLayerFor(scope: Construct, kubernetesVersion: string): lambda.ILayerVersion {
  const Layer = LAYERS[kubernetesVersion];
  if (!Layer) throw new Error(`no kubectl layer for Kubernetes ${kubernetesVersion}: add @aws-cdk/lambda-layer-kubectl-v${kubernetesVersion.split('.')[1]}`);
  return new Layer(scope, 'KubectlLayer');
}
