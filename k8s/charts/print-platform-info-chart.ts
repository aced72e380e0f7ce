import * as kplus from 'cdk8s-plus-27';
import { createHash } from 'node:crypto';
import { ApiObject, Chart, ChartProps, Duration, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { Architecture } from '../../lib/config/architectures';
import { pullSecretFor } from '../lib/image-pull-secret';
import { RESTRICTED_POD_SECURITY, applyRestrictedPodSecurity, restrictedContainer } from '../lib/restricted-container';
import { NodeGroupPlacement, applyPlacement, placeWorkload } from '../lib/scheduling';

export interface PrintPlatformInfoChartProps extends ChartProps {
  /** The multi-arch print-platform-info image, with a pinned tag or digest. */
  readonly image: string;
  /** The node groups: where the Job may run, and which taints it must tolerate. */
  readonly nodeGroups: readonly NodeGroupPlacement[];
  /**
   * The architecture to pin the Job to, with a `kubernetes.io/arch` nodeSelector.
   * @default - not pinned: the scheduler picks any node, and the runtime pulls that node's image variant
   */
  readonly arch?: Architecture;
  /**
   * Pull secret for a private registry; left out for ECR (nodes pull with their role) and public images.
   * @default - none
   */
  readonly imagePullSecretName?: string;
  /**
   * How long the Job may run before Kubernetes stops it.
   * @default Duration.minutes(5)
   */
  readonly activeDeadline?: Duration;
  /**
   * How long a finished Job (and its pod, whose log shows the result) is kept.
   * @default Duration.hours(24)
   */
  readonly ttlAfterFinished?: Duration;
}

/**
 * A Job that runs print-platform-info once and exits. The article ran its amd64 copy as a Pod with
 * `restartPolicy: Always`, which restarts a program that prints and exits forever (CrashLoopBackOff);
 * a Job runs it to completion.
 */
export class PrintPlatformInfoChart extends Chart {
  readonly job: kplus.Job;

  constructor(scope: Construct, id: string, props: PrintPlatformInfoChartProps) {
    super(scope, id, { disableResourceNameHashes: true, ...props });
    const instance = PrintPlatformInfoChart.instanceName(props.arch);
    const placement = placeWorkload(instance, props.arch, props.nodeGroups);
    const pullSecret = pullSecretFor(props.image, props.imagePullSecretName ?? '');
    const labels = { 'app.kubernetes.io/name': 'print-platform-info', 'app.kubernetes.io/instance': instance };

    this.job = new kplus.Job(this, 'job', {
      metadata: { name: instance, labels },
      podMetadata: { labels },
      restartPolicy: kplus.RestartPolicy.NEVER,
      backoffLimit: 2,
      activeDeadline: props.activeDeadline ?? Duration.minutes(5),
      ttlAfterFinished: props.ttlAfterFinished ?? Duration.hours(24),
      automountServiceAccountToken: false,
      securityContext: RESTRICTED_POD_SECURITY,
      dockerRegistryAuth: pullSecret ? kplus.Secret.fromSecretName(this, 'PullSecret', pullSecret) : undefined,
      containers: [restrictedContainer({ name: 'print-platform-info', image: props.image })],
    });
    applyRestrictedPodSecurity(this.job);
    applyPlacement(this.job, placement);
    // Named last, after every patch: the name covers the spec as it will be applied.
    const object = ApiObject.of(this.job);
    object.addJsonPatch(JsonPatch.replace('/metadata/name', PrintPlatformInfoChart.jobName(props.arch, object.toJson().spec)));
  }

  /** `print-platform-info-arm64`, or `print-platform-info-any` when not pinned: the chart, its file and its label. */
  static instanceName(arch?: Architecture): string {
    return `print-platform-info-${arch ?? 'any'}`;
  }

  /**
   * The Job's name follows its spec: `print-platform-info-arm64-<10 hex of sha256(JSON of the Job's spec)>`. A
   * Job's pod template is immutable, so any change to it (a new image, a toleration, a pull secret, resources)
   * must make a new Job: `kubectl apply` (and the stack's kubectl handler) then creates it beside the finished old
   * one, which its TTL removes, instead of failing with "field is immutable". An unchanged spec keeps its name.
   */
  static jobName(arch: Architecture | undefined, spec: unknown): string {
    return `${PrintPlatformInfoChart.instanceName(arch)}-${createHash('sha256').update(JSON.stringify(spec)).digest('hex').slice(0, 10)}`;
  }
}
