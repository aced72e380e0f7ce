import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Validations } from 'aws-cdk-lib';
import { createHash } from 'node:crypto';
import { Construct } from 'constructs';
import { amiTypeFor } from '../config/ami-types';
import { AmiFamily, CapacityType, NodeGroupConfig, TaintEffect } from '../config/types';

/**
 * The EKS AMI type of a validated node group: the standard AMI of its OS and architecture, or the NVIDIA or
 * Neuron one its accelerated instance types need (lib/config/ami-types.ts; the configuration has refused groups
 * EKS has no AMI type for).
 */
export function nodeGroupAmiType(group: Pick<NodeGroupConfig, 'amiFamily' | 'arch' | 'instanceTypes'>): eks.NodegroupAmiType {
  const amiType = amiTypeFor(group.amiFamily, group.arch, group.instanceTypes);
  if (amiType === undefined) throw new Error(`no EKS AMI type for ${group.amiFamily} ${group.arch} ${group.instanceTypes.join(',')}: resolve the configuration first`);
  return amiType as eks.NodegroupAmiType;
}

const CAPACITY_TYPES: Readonly<Record<CapacityType, eks.CapacityType>> = {
  'on-demand': eks.CapacityType.ON_DEMAND,
  spot: eks.CapacityType.SPOT,
};

const TAINT_EFFECTS: Readonly<Record<TaintEffect, eks.TaintEffect>> = {
  NoSchedule: eks.TaintEffect.NO_SCHEDULE,
  PreferNoSchedule: eks.TaintEffect.PREFER_NO_SCHEDULE,
  NoExecute: eks.TaintEffect.NO_EXECUTE,
};

/** The managed policies a node needs, and no more (EKS user guide, "Amazon EKS node IAM role"). */
export const NODE_MANAGED_POLICIES = [
  'AmazonEKSWorkerNodePolicy',
  // Pull-only: nodes read images (ours in ECR, and the EKS add-on images) but never push.
  'AmazonEC2ContainerRegistryPullOnly',
  // Not AmazonEKS_CNI_Policy: the VPC CNI gets it through EKS Pod Identity (ManagedAddons), so no other
  // process on the node holds ENI permissions.
] as const;

export interface MixedArchNodeGroupsProps {
  readonly cluster: eks.Cluster;
  /**
   * The Kubernetes version of the nodes: the cluster's. EKS refuses to upgrade a control plane whose managed
   * node groups are not on its version, so the groups must move with it, in the same deploy.
   */
  readonly kubernetesVersion: string;
  /** The validated node groups, in order. */
  readonly nodeGroups: readonly NodeGroupConfig[];
  /**
   * Instance metadata hop limit. 1 keeps pods (one hop further away) from reading the node role's credentials;
   * pods that need AWS access use EKS Pod Identity instead.
   * @default 1
   */
  readonly metadataHopLimit?: number;
  /**
   * Size of each node's encrypted gp3 volume, in GiB: the root volume of Amazon Linux nodes, the data volume
   * (container images and logs) of Bottlerocket nodes.
   * @default 20 (what EKS gives nodes without a launch template)
   */
  readonly volumeSizeGiB?: number;
}

/**
 * Block devices per node OS, from the EKS AMIs' own layout: Amazon Linux boots from /dev/xvda; Bottlerocket has
 * a small OS volume at /dev/xvda and keeps images and logs on a data volume at /dev/xvdb. Every volume is gp3 and
 * encrypted (with the account's default EBS key), whatever the account's EBS default-encryption setting.
 */
function blockDevices(family: AmiFamily, volumeSizeGiB: number): ec2.BlockDevice[] {
  const volume = (size: number) => ec2.BlockDeviceVolume.ebs(size, { volumeType: ec2.EbsDeviceVolumeType.GP3, encrypted: true, deleteOnTermination: true });
  return family === 'BOTTLEROCKET'
    ? [{ deviceName: '/dev/xvda', volume: volume(4) }, { deviceName: '/dev/xvdb', volume: volume(volumeSizeGiB) }]
    : [{ deviceName: '/dev/xvda', volume: volume(volumeSizeGiB) }];
}

/**
 * One managed node group per configured group, each on the AMI type of its architecture, sharing one node
 * role and one launch template that requires IMDSv2.
 */
export class MixedArchNodeGroups extends Construct {
  readonly role: iam.Role;
  /** The launch template of each node OS in use. */
  readonly launchTemplates: ReadonlyMap<AmiFamily, ec2.LaunchTemplate>;
  readonly nodegroups: ReadonlyMap<string, eks.Nodegroup>;

  constructor(scope: Construct, id: string, props: MixedArchNodeGroupsProps) {
    super(scope, id);

    this.role = new iam.Role(this, 'NodeRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: 'EKS managed node groups of the mixed-architecture cluster',
      managedPolicies: NODE_MANAGED_POLICIES.map((name) => iam.ManagedPolicy.fromAwsManagedPolicyName(name)),
    });
    for (const name of NODE_MANAGED_POLICIES) {
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${name}]`,
        reason: `EKS nodes need the AWS managed ${name} policy; AWS keeps it up to date with what kubelet and the CNI call.`,
      });
    }

    // One launch template per node OS in use (their disk layouts differ): IMDSv2 only, encrypted volumes.
    const launchTemplates = new Map<AmiFamily, ec2.LaunchTemplate>();
    for (const family of new Set(props.nodeGroups.map((g) => g.amiFamily))) {
      launchTemplates.set(family, new ec2.LaunchTemplate(this, family === 'AL2' ? 'LaunchTemplate' : `LaunchTemplate${family}`, {
        requireImdsv2: true,
        httpPutResponseHopLimit: props.metadataHopLimit ?? 1,
        blockDevices: blockDevices(family, props.volumeSizeGiB ?? 20),
      }));
    }
    this.launchTemplates = launchTemplates;

    const nodegroups = new Map<string, eks.Nodegroup>();
    for (const group of props.nodeGroups) {
      const launchTemplate = launchTemplates.get(group.amiFamily) as ec2.LaunchTemplate;
      const nodegroup = props.cluster.addNodegroupCapacity(`NodeGroup-${group.name}`, {
        nodegroupName: MixedArchNodeGroups.nodegroupName(group),
        nodeRole: this.role,
        amiType: nodeGroupAmiType(group),
        // Instance types go on the CloudFormation resource below, not here: aws-cdk-lib's own instance-type to
        // AMI-type check knows only some GPU families (it rejects AL2023_x86_64_NEURON for trn1 and the NVIDIA
        // AMI types for p5 or g7e), and for Inferentia/Trainium types it adds a Neuron device plugin manifest,
        // which needs a kubectl Lambda. The configuration has already checked types against the AMI type.
        capacityType: CAPACITY_TYPES[group.capacityType],
        minSize: group.minSize,
        desiredSize: group.desiredSize,
        maxSize: group.maxSize,
        labels: { ...group.labels },
        taints: group.taints.map((t) => ({ key: t.key, value: t.value, effect: TAINT_EFFECTS[t.effect] })),
        launchTemplateSpec: {
          id: launchTemplate.launchTemplateId as string,
          version: launchTemplate.latestVersionNumber,
        },
        subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      });
      // aws-eks-v2 has no version prop: without Version a group stays on the version it was created with.
      // CloudFormation updates Version in place, after the cluster (the group references it), with a rolling
      // replacement of the nodes (AWS::EKS::Nodegroup, Version: "Update requires: No interruption").
      const cfnNodegroup = nodegroup.node.defaultChild as eks.CfnNodegroup;
      cfnNodegroup.version = props.kubernetesVersion;
      cfnNodegroup.instanceTypes = [...group.instanceTypes];
      nodegroups.set(group.name, nodegroup);
    }
    this.nodegroups = nodegroups;
  }

  /**
   * `<name>-<hash>`: CloudFormation replaces a node group when its AMI type, capacity type or instance types
   * change, and it creates the new group before deleting the old one, which needs a new name. The hash of
   * those properties gives one exactly when a replacement is due, and keeps the name otherwise.
   */
  static nodegroupName(group: NodeGroupConfig): string {
    const replacementKey = JSON.stringify([nodeGroupAmiType(group), group.capacityType, group.instanceTypes]);
    return `${group.name}-${createHash('sha256').update(replacementKey).digest('hex').slice(0, 6)}`;
  }
}
