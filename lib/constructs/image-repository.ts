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
  /**
   * ECR wildcard patterns of the tags that may move to another image; every other tag is immutable once pushed.
   * @default ['latest']
   */
  readonly mutableTags?: readonly string[];
}

/**
 * The ECR repository the print-platform-info image is pushed to; nodes pull from it with their role. Tags are
 * immutable but for `mutableTags`, and every push is scanned.
 */
export class ImageRepository extends Construct {
  readonly repository: ecr.Repository;

  constructor(scope: Construct, id: string, props: ImageRepositoryProps) {
    super(scope, id);
    this.repository = new ecr.Repository(this, 'Repository', {
      repositoryName: props.repositoryName,
      imageScanOnPush: true,
      // A tag once pushed (the commit tag the pipeline verifies and deploys) can never point at another image;
      // only the listed tags may move. ImageTagMutability and its exclusion filters update in place
      // (CloudFormation AWS::ECR::Repository reference: "Update requires: No interruption"; ECR API
      // PutImageTagMutability), so an existing repository keeps its images.
      imageTagMutability: ecr.TagMutability.IMMUTABLE_WITH_EXCLUSION,
      imageTagMutabilityExclusionFilters: (props.mutableTags ?? ['latest']).map((t) => ecr.ImageTagMutabilityExclusionFilter.wildcard(t)),
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
