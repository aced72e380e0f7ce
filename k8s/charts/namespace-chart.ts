import * as kplus from 'cdk8s-plus-27';
import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';

export interface NamespaceChartProps extends ChartProps {
  /** The namespace the workloads run in. */
  readonly name: string;
}

/**
 * The workloads' namespace, with the Pod Security admission labels that make the API server enforce the
 * "restricted" profile our containers are built to meet. Only made for a namespace other than `default`.
 */
export class NamespaceChart extends Chart {
  /** Sorts first in dist/, so `kubectl apply -f dist/` creates the namespace before what goes in it. */
  static readonly ID = '00-namespace';
  readonly namespaceObject: kplus.Namespace;

  constructor(scope: Construct, id: string, props: NamespaceChartProps) {
    super(scope, id, { disableResourceNameHashes: true, ...props });
    this.namespaceObject = new kplus.Namespace(this, 'namespace', {
      metadata: {
        name: props.name,
        labels: {
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/enforce-version': 'latest',
          'pod-security.kubernetes.io/warn': 'restricted',
          'pod-security.kubernetes.io/audit': 'restricted',
        },
      },
    });
  }
}
