import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Validations } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { PodIdentityRole } from './pod-identity-role';

export interface ManagedAddonsProps {
  readonly cluster: eks.Cluster;
}

/** The namespace and service account of the VPC CNI's DaemonSet (aws-node), created by the add-on. */
export const VPC_CNI_SERVICE_ACCOUNT = { namespace: 'kube-system', name: 'aws-node' } as const;

/**
 * The cluster's networking and identity add-ons as EKS managed add-ons (`AWS::EKS::Addon`): `vpc-cni`,
 * `kube-proxy`, `eks-pod-identity-agent` and `coredns`. EKS patches and upgrades them; CloudFormation only
 * declares that they exist.
 *
 * **Versions.** No `AddonVersion` is set: EKS installs its default version for the cluster's Kubernetes version
 * when the add-on is created. A hand-kept table of `vX.Y.Z-eksbuild.N` strings per Kubernetes version cannot
 * be checked offline, and a version EKS does not offer fails the deploy (`Addon version specified is not
 * supported`). EKS does not move an add-on by itself when the control plane is upgraded, so after raising
 * `kubernetesVersion` run the update in docs/upgrades.md ("Upgrading Kubernetes"): `aws eks update-addon` to the
 * default version of the new Kubernetes version. The template holds no version, so the next deploy never
 * rolls that back.
 *
 * **Conflicts.** `ResolveConflicts: OVERWRITE`: on a cluster that already runs the self-managed copies (every
 * cluster this stack created before, see `bootstrapSelfManagedAddons` in the stack), the managed add-on takes
 * them over instead of failing, and later deploys put back fields edited by hand with kubectl.
 *
 * **Order.** kube-proxy, the VPC CNI and the Pod Identity agent are DaemonSets that a node needs before its
 * pods can start (the CNI reaches the API server through the kube-proxy service rules, and gets its AWS
 * credentials from the agent): `nodesNeedAddons()` makes the node groups wait for them. CoreDNS is a
 * Deployment: created before any node exists, it stays degraded and CloudFormation fails, so it waits for
 * the nodes (`nodesNeedAddons()` adds that dependency too).
 *
 * **With EKS Auto Mode** (`autoscaler=auto-mode`) the same four stay, for the managed node groups: Auto Mode nodes
 * bring pod networking, kube-proxy's job, the Pod Identity agent, cluster DNS, the EBS CSI driver and load
 * balancing themselves (EKS user guide, "Automate cluster infrastructure with EKS Auto Mode"), and the add-ons'
 * DaemonSets stay off them (vpc-cni's node affinity excludes `eks.amazonaws.com/compute-type: auto` since v1.19;
 * EKS lists the minimum add-on versions for Auto Mode in "Enable EKS Auto Mode on an existing cluster"). So no
 * add-on is added or removed with Auto Mode: nothing runs twice on a node, and the node groups lose nothing.
 */
export class ManagedAddons extends Construct {
  readonly vpcCni: eks.CfnAddon;
  readonly kubeProxy: eks.CfnAddon;
  readonly podIdentityAgent: eks.CfnAddon;
  readonly coreDns: eks.CfnAddon;
  /** The VPC CNI's role, assumed through EKS Pod Identity (the node role no longer carries the CNI policy). */
  readonly vpcCniRole: PodIdentityRole;

  constructor(scope: Construct, id: string, props: ManagedAddonsProps) {
    super(scope, id);
    const cluster = props.cluster;
    const addon = (addonId: string, addonName: string, extra: Partial<eks.CfnAddonProps> = {}) => new eks.CfnAddon(this, addonId, {
      clusterName: cluster.clusterName,
      addonName,
      resolveConflicts: 'OVERWRITE',
      // Removing an add-on from the template must not take the cluster's networking with it.
      preserveOnDelete: true,
      ...extra,
    });

    this.podIdentityAgent = addon('PodIdentityAgent', 'eks-pod-identity-agent');
    this.kubeProxy = addon('KubeProxy', 'kube-proxy');

    this.vpcCniRole = new PodIdentityRole(this, 'VpcCniRole', {
      cluster,
      namespace: VPC_CNI_SERVICE_ACCOUNT.namespace,
      serviceAccount: VPC_CNI_SERVICE_ACCOUNT.name,
      description: 'VPC CNI (aws-node) through EKS Pod Identity',
      managedPolicyNames: ['AmazonEKS_CNI_Policy'],
    });
    Validations.of(this.vpcCniRole.role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonEKS_CNI_Policy]',
      reason: 'The VPC CNI needs AmazonEKS_CNI_Policy (ENI and IP management); AWS keeps it in step with the CNI. Only aws-node of this cluster can assume the role.',
    });
    this.vpcCni = addon('VpcCni', 'vpc-cni', {
      podIdentityAssociations: [{ serviceAccount: VPC_CNI_SERVICE_ACCOUNT.name, roleArn: this.vpcCniRole.role.roleArn }],
    });
    // The association only hands out credentials where the agent runs.
    this.vpcCni.node.addDependency(this.podIdentityAgent);

    this.coreDns = addon('CoreDns', 'coredns');
  }

  /**
   * Orders `nodes` (node groups, or anything that launches nodes) between the add-ons: after kube-proxy, the
   * VPC CNI and the Pod Identity agent, before CoreDNS.
   */
  nodesNeedAddons(...nodes: IConstruct[]): void {
    for (const node of nodes) {
      node.node.addDependency(this.kubeProxy, this.vpcCni, this.podIdentityAgent);
      this.coreDns.node.addDependency(node);
    }
  }
}
