import * as kplus from 'cdk8s-plus-27';
import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { Architecture } from '../../lib/config/architectures';
import { pullSecretFor } from '../lib/image-pull-secret';
import { RESTRICTED_POD_SECURITY, applyRestrictedPodSecurity, restrictedContainer } from '../lib/restricted-container';
import { NodeGroupPlacement, applyPlacement, placeWorkload } from '../lib/scheduling';

export interface BusyboxChartProps extends ChartProps {
  /** An arm64 busybox image with a pinned tag, such as arm64v8/busybox:1.37.0. */
  readonly image: string;
  /** The node groups: the Pod is pinned to arm64 and fails synth without an arm64 group. */
  readonly nodeGroups: readonly NodeGroupPlacement[];
  /**
   * Pull secret for a private registry; left out for public and ECR images.
   * @default - none
   */
  readonly imagePullSecretName?: string;
}

/** The article's first example: a busybox Pod that sleeps for an hour on a Graviton node. */
export class BusyboxChart extends Chart {
  /** The image is arm64-only (arm64v8/...), so the Pod must land on arm64. */
  static readonly ARCH: Architecture = 'arm64';
  readonly pod: kplus.Pod;

  constructor(scope: Construct, id: string, props: BusyboxChartProps) {
    super(scope, id, { disableResourceNameHashes: true, ...props });
    const placement = placeWorkload('busybox', BusyboxChart.ARCH, props.nodeGroups);
    const pullSecret = pullSecretFor(props.image, props.imagePullSecretName ?? '');

    this.pod = new kplus.Pod(this, 'busybox', {
      metadata: { name: 'busybox' },
      restartPolicy: kplus.RestartPolicy.ALWAYS,
      automountServiceAccountToken: false,
      securityContext: RESTRICTED_POD_SECURITY,
      dockerRegistryAuth: pullSecret ? kplus.Secret.fromSecretName(this, 'PullSecret', pullSecret) : undefined,
      containers: [restrictedContainer({
        name: 'busybox',
        image: props.image,
        command: ['sleep', '3600'],
        cpuMillis: { request: 5, limit: 50 },
        memoryMebibytes: { request: 8, limit: 16 },
      })],
    });
    applyRestrictedPodSecurity(this.pod);
    applyPlacement(this.pod, placement);
  }
}
