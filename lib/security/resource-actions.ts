/**
 * What CloudFormation calls, as the execution role, to create, update, read and delete each resource type the
 * stack synthesizes. Source for every row unless it says otherwise: the resource type's schema in the
 * CloudFormation registry, `handlers.{create,read,update,delete,list}.permissions`
 * (`aws cloudformation describe-type --type RESOURCE --type-name <type>`; CloudFormation User Guide, "Resource
 * type schema"). Reads that every row of a service needs (ec2:Describe*, ...) are in SERVICE_READS.
 *
 * IAM rows are not here: roles and policies get statements of their own in the execution policy, with the
 * permissions-boundary condition (execution-policy.ts).
 *
 * A resource type missing from this table fails `npm run bootstrap-policy` and its test: extend the table
 * (with the schema's permissions) when the stack starts creating a new type.
 */
export const RESOURCE_TYPE_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  // Template metadata for CDK's usage report: CloudFormation stores it and calls no service.
  'AWS::CDK::Metadata': [],

  'AWS::EC2::VPC': ['ec2:CreateVpc', 'ec2:DeleteVpc', 'ec2:ModifyVpcAttribute', 'ec2:CreateTags', 'ec2:DeleteTags'],
  'AWS::EC2::Subnet': ['ec2:CreateSubnet', 'ec2:DeleteSubnet', 'ec2:ModifySubnetAttribute', 'ec2:CreateTags', 'ec2:DeleteTags'],
  'AWS::EC2::RouteTable': ['ec2:CreateRouteTable', 'ec2:DeleteRouteTable', 'ec2:CreateTags', 'ec2:DeleteTags'],
  'AWS::EC2::SubnetRouteTableAssociation': ['ec2:AssociateRouteTable', 'ec2:DisassociateRouteTable', 'ec2:ReplaceRouteTableAssociation'],
  'AWS::EC2::Route': ['ec2:CreateRoute', 'ec2:DeleteRoute', 'ec2:ReplaceRoute'],
  'AWS::EC2::InternetGateway': ['ec2:CreateInternetGateway', 'ec2:DeleteInternetGateway', 'ec2:CreateTags', 'ec2:DeleteTags'],
  'AWS::EC2::VPCGatewayAttachment': ['ec2:AttachInternetGateway', 'ec2:DetachInternetGateway'],
  'AWS::EC2::EIP': ['ec2:AllocateAddress', 'ec2:ReleaseAddress', 'ec2:DisassociateAddress', 'ec2:CreateTags', 'ec2:DeleteTags'],
  'AWS::EC2::NatGateway': ['ec2:CreateNatGateway', 'ec2:DeleteNatGateway', 'ec2:CreateTags', 'ec2:DeleteTags'],
  // Delivery to CloudWatch Logs also passes the flow-log role (the IAM statements allow passing the stack's roles).
  'AWS::EC2::FlowLog': ['ec2:CreateFlowLogs', 'ec2:DeleteFlowLogs', 'ec2:CreateTags', 'ec2:DeleteTags', 'logs:CreateLogDelivery', 'logs:DeleteLogDelivery'],
  'AWS::EC2::SecurityGroup': [
    'ec2:CreateSecurityGroup', 'ec2:DeleteSecurityGroup', 'ec2:AuthorizeSecurityGroupIngress', 'ec2:AuthorizeSecurityGroupEgress',
    'ec2:RevokeSecurityGroupIngress', 'ec2:RevokeSecurityGroupEgress', 'ec2:ModifySecurityGroupRules', 'ec2:CreateTags', 'ec2:DeleteTags',
  ],
  // The S3 gateway endpoint of the private subnets (its route-table entries come with it).
  'AWS::EC2::VPCEndpoint': ['ec2:CreateVpcEndpoint', 'ec2:DeleteVpcEndpoints', 'ec2:ModifyVpcEndpoint', 'ec2:CreateTags', 'ec2:DeleteTags'],
  'AWS::EC2::SecurityGroupIngress': ['ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress', 'ec2:ModifySecurityGroupRules'],
  'AWS::EC2::LaunchTemplate': [
    'ec2:CreateLaunchTemplate', 'ec2:CreateLaunchTemplateVersion', 'ec2:ModifyLaunchTemplate', 'ec2:DeleteLaunchTemplate',
    'ec2:DeleteLaunchTemplateVersions', 'ec2:GetLaunchTemplateData', 'ec2:CreateTags', 'ec2:DeleteTags',
  ],

  'AWS::Logs::LogGroup': [
    'logs:CreateLogGroup', 'logs:DeleteLogGroup', 'logs:PutRetentionPolicy', 'logs:DeleteRetentionPolicy', 'logs:AssociateKmsKey',
    'logs:DisassociateKmsKey', 'logs:TagResource', 'logs:UntagResource', 'logs:TagLogGroup', 'logs:UntagLogGroup',
  ],
  'AWS::KMS::Key': [
    'kms:CreateKey', 'kms:PutKeyPolicy', 'kms:GetKeyPolicy', 'kms:EnableKeyRotation', 'kms:DisableKeyRotation', 'kms:GetKeyRotationStatus',
    'kms:EnableKey', 'kms:DisableKey', 'kms:UpdateKeyDescription', 'kms:ScheduleKeyDeletion', 'kms:TagResource', 'kms:UntagResource',
  ],

  // The cluster also needs kms:CreateGrant on the secrets key and passes the cluster role (EKS User Guide,
  // "Encrypt Kubernetes secrets with KMS"); EKS creates its service-linked roles on first use (IAM statements).
  'AWS::EKS::Cluster': [
    'eks:CreateCluster', 'eks:DeleteCluster', 'eks:UpdateClusterConfig', 'eks:UpdateClusterVersion', 'eks:AssociateEncryptionConfig',
    'eks:TagResource', 'eks:UntagResource', 'kms:CreateGrant', 'kms:DescribeKey',
  ],
  'AWS::EKS::Nodegroup': ['eks:CreateNodegroup', 'eks:DeleteNodegroup', 'eks:UpdateNodegroupConfig', 'eks:UpdateNodegroupVersion', 'eks:TagResource', 'eks:UntagResource'],
  'AWS::EKS::Addon': [
    'eks:CreateAddon', 'eks:DeleteAddon', 'eks:UpdateAddon', 'eks:TagResource', 'eks:UntagResource',
    'eks:CreatePodIdentityAssociation', 'eks:DeletePodIdentityAssociation', 'eks:UpdatePodIdentityAssociation',
  ],
  'AWS::EKS::AccessEntry': [
    'eks:CreateAccessEntry', 'eks:DeleteAccessEntry', 'eks:UpdateAccessEntry', 'eks:AssociateAccessPolicy', 'eks:DisassociateAccessPolicy',
    'eks:TagResource', 'eks:UntagResource',
  ],
  'AWS::EKS::PodIdentityAssociation': [
    'eks:CreatePodIdentityAssociation', 'eks:DeletePodIdentityAssociation', 'eks:UpdatePodIdentityAssociation', 'eks:TagResource', 'eks:UntagResource',
  ],

  'AWS::ECR::Repository': [
    'ecr:CreateRepository', 'ecr:DeleteRepository', 'ecr:PutImageScanningConfiguration', 'ecr:PutImageTagMutability',
    'ecr:PutLifecyclePolicy', 'ecr:DeleteLifecyclePolicy', 'ecr:SetRepositoryPolicy', 'ecr:DeleteRepositoryPolicy',
    'ecr:TagResource', 'ecr:UntagResource',
  ],

  // aws-eks-v2's "kubectl ready" barrier: a parameter the kubectl resources depend on.
  'AWS::SSM::Parameter': ['ssm:PutParameter', 'ssm:DeleteParameter', 'ssm:AddTagsToResource', 'ssm:RemoveTagsFromResource'],
  'AWS::SQS::Queue': ['sqs:CreateQueue', 'sqs:DeleteQueue', 'sqs:SetQueueAttributes', 'sqs:TagQueue', 'sqs:UntagQueue'],
  'AWS::SQS::QueuePolicy': ['sqs:SetQueueAttributes'],
  'AWS::Events::Rule': ['events:PutRule', 'events:DeleteRule', 'events:PutTargets', 'events:RemoveTargets', 'events:EnableRule', 'events:DisableRule', 'events:TagResource', 'events:UntagResource'],

  // Function and layer code comes from the CDK assets bucket (the s3:GetObject statement).
  'AWS::Lambda::Function': [
    'lambda:CreateFunction', 'lambda:DeleteFunction', 'lambda:UpdateFunctionCode', 'lambda:UpdateFunctionConfiguration',
    'lambda:PutFunctionConcurrency', 'lambda:DeleteFunctionConcurrency', 'lambda:TagResource', 'lambda:UntagResource',
  ],
  'AWS::Lambda::LayerVersion': ['lambda:PublishLayerVersion', 'lambda:DeleteLayerVersion'],
  'AWS::Lambda::Permission': ['lambda:AddPermission', 'lambda:RemovePermission'],

  // Custom resources: CloudFormation invokes the provider's function with the execution role
  // (CloudFormation User Guide, "Custom resources": the ServiceToken function).
  'Custom::AWSCDK-EKS-KubernetesResource': ['lambda:InvokeFunction'],
  'Custom::AWSCDK-EKS-HelmChart': ['lambda:InvokeFunction'],
  'Custom::AWSCDK-EKS-KubernetesPatch': ['lambda:InvokeFunction'],
  'Custom::AWSCDK-EKS-KubernetesObjectValue': ['lambda:InvokeFunction'],
};

/**
 * Reads CloudFormation makes to wait for and describe resources, per service: they reveal nothing the deploy does
 * not already see and have no resource-level scoping for most types (Service Authorization Reference).
 */
export const SERVICE_READS: Readonly<Record<string, readonly string[]>> = {
  ec2: ['ec2:Describe*', 'ec2:GetLaunchTemplateData'],
  logs: ['logs:Describe*', 'logs:ListTagsForResource', 'logs:ListTagsLogGroup'],
  kms: ['kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus', 'kms:ListResourceTags', 'kms:ListAliases'],
  eks: ['eks:Describe*', 'eks:List*'],
  ecr: ['ecr:DescribeRepositories', 'ecr:GetLifecyclePolicy', 'ecr:GetRepositoryPolicy', 'ecr:ListTagsForResource'],
  ssm: ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:DescribeParameters', 'ssm:ListTagsForResource'],
  sqs: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ListQueueTags'],
  events: ['events:DescribeRule', 'events:ListTargetsByRule', 'events:ListTagsForResource'],
  lambda: ['lambda:GetFunction', 'lambda:GetFunctionConfiguration', 'lambda:GetLayerVersion', 'lambda:ListTags', 'lambda:GetPolicy'],
};
