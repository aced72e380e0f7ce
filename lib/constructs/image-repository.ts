import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Construct } from 'constructs';

export interface ImageRepositoryProps {
  readonly repositoryName: string;
  /**
   * How many tagged images to keep: each pipeline run pushes one per commit.
   * @default 50
   */
  readonly maxImageCount?: number;
  /**
   * Days after which untagged images (left behind when a tag moves) are deleted.
   * @default 7
   */
  readonly untaggedExpiry?: Duration;
}

/** The ECR repository the print-platform-info image is pushed to; nodes pull from it with their role. */
export class ImageRepository extends Construct {
  readonly repository: ecr.Repository;

  constructor(scope: Construct, id: string, props: ImageRepositoryProps) {
    super(scope, id);
    this.repository = new ecr.Repository(this, 'Repository', {
      repositoryName: props.repositoryName,
      imageScanOnPush: true,
      // Kept on stack delete (images outlive the cluster; a delete must never lose them by accident), but not
      // when the first create rolls back: a kept repository's fixed name would make every retry fail.
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      lifecycleRules: [
        { description: 'Drop untagged images', tagStatus: ecr.TagStatus.UNTAGGED, maxImageAge: props.untaggedExpiry ?? Duration.days(7), rulePriority: 1 },
        { description: 'Keep the newest tagged images', tagStatus: ecr.TagStatus.ANY, maxImageCount: props.maxImageCount ?? 50, rulePriority: 2 },
      ],
    });
  }
}
