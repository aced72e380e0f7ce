import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Duration, Validations } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** The EventBridge events Karpenter acts on, by source and detail type. */
export const INTERRUPTION_EVENTS = [
  { id: 'SpotInterruption', source: 'aws.ec2', detailType: 'EC2 Spot Instance Interruption Warning' },
  { id: 'Rebalance', source: 'aws.ec2', detailType: 'EC2 Instance Rebalance Recommendation' },
  { id: 'InstanceStateChange', source: 'aws.ec2', detailType: 'EC2 Instance State-change Notification' },
  { id: 'ScheduledChange', source: 'aws.health', detailType: 'AWS Health Event' },
  // Added to the reference in v1.14 (getting-started cloudformation.yaml, CapacityReservationInterruptionRule;
  // the detail type is the one pkg/controllers/interruption/messages/capacityreservationinterruption parses).
  { id: 'CapacityReservationInterruption', source: 'aws.ec2', detailType: 'EC2 Capacity Reservation Instance Interruption Warning' },
] as const;

/**
 * The SQS queue Karpenter reads interruption events from (`settings.interruptionQueue`), fed by EventBridge
 * rules: with it, Karpenter drains a spot node in the two minutes before EC2 reclaims it, and replaces nodes
 * ahead of scheduled maintenance, instead of learning about it when the node disappears.
 */
export class InterruptionQueue extends Construct {
  readonly queue: sqs.Queue;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.queue = new sqs.Queue(this, 'Queue', {
      // An event older than a few minutes describes an instance that is already gone.
      retentionPeriod: Duration.minutes(5),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    Validations.of(this.queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'Interruption events are only useful for minutes; a message Karpenter cannot handle has nothing to be retried against, so a dead-letter queue would only collect stale events.',
    });
    for (const event of INTERRUPTION_EVENTS) {
      new events.Rule(this, `${event.id}Rule`, {
        description: `Karpenter interruption handling: ${event.detailType}`,
        eventPattern: { source: [event.source], detailType: [event.detailType] },
        targets: [new targets.SqsQueue(this.queue)],
      });
    }
  }
}
