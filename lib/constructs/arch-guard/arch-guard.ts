import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Stack, Validations } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { Architecture } from '../../config/architectures';
import { ArchGuardConfig } from '../../config/types';
import { PodIdentityRole } from '../pod-identity-role';
import {
  ARCH_GUARD,
  archGuardNamespace,
  archGuardServerObjects,
  archGuardTlsObjects,
  archGuardWebhookConfiguration,
} from './arch-guard-objects';

/**
 * cert-manager is an EKS community add-on: `cert-manager`, installed into the `cert-manager` namespace, with no
 * service account or IAM policy (EKS user guide, "Community add-ons", awsdocs/amazon-eks-user-guide
 * latest/ug/workloads/community-addons.adoc).
 */
export const CERT_MANAGER_ADDON = 'cert-manager';

/**
 * What reading an image's manifests and config from ECR takes, and no more: the registry token, manifests
 * (BatchGetImage) and blobs (GetDownloadUrlForLayer, for an image config that names the platform). The same
 * actions as the AWS managed AmazonEC2ContainerRegistryPullOnly policy (AWS Managed Policy Reference), less
 * BatchImportUpstreamImage (pull-through caches import on a pull; arch-guard only reads what exists).
 */
export const ARCH_GUARD_ECR_READ_ACTIONS = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] as const;

export interface ArchGuardProps {
  readonly cluster: eks.Cluster;
  /** The validated `archGuard` keys; `image` is set (the config refuses archGuard=true without one). */
  readonly config: ArchGuardConfig & { readonly image: string };
  /** The architectures the node groups and NodePools run: the server allows no other. */
  readonly architectures: readonly Architecture[];
  /** The EKS Pod Identity agent add-on: the server's ECR credentials come through it. */
  readonly podIdentityAgent: IConstruct;
  /** The managed node groups: cert-manager's and arch-guard's Deployments need a node to become ready. */
  readonly nodes: readonly IConstruct[];
}

/**
 * arch-guard in the cluster (`-c archGuard=true`): the cert-manager add-on, a namespace with restricted Pod
 * Security, the TLS chain, the server (ServiceAccount, Deployment of 2 spread over nodes, Service, PDB), its
 * ECR read role through Pod Identity, and the MutatingWebhookConfiguration.
 *
 * Order on create: cert-manager (after the nodes) and the namespace -> TLS objects -> server -> webhook
 * configuration. The webhook may register before the server is ready or before the CA injector has written
 * its caBundle: `failurePolicy: Ignore` admits every pod unchanged meanwhile. CloudFormation deletes in reverse,
 * so turning archGuard off removes the webhook configuration first and no pod creation ever calls a server that
 * is gone; even out of order, Ignore would admit it.
 */
export class ArchGuard extends Construct {
  readonly role: iam.Role;
  readonly certManager: eks.CfnAddon;
  readonly namespace: eks.KubernetesManifest;
  readonly tls: eks.KubernetesManifest;
  readonly server: eks.KubernetesManifest;
  readonly webhook: eks.KubernetesManifest;

  constructor(scope: Construct, id: string, props: ArchGuardProps) {
    super(scope, id);
    const cluster = props.cluster;

    // Same pattern as ManagedAddons. Kept on removal (preserveOnDelete): other certificates in the cluster may
    // rely on cert-manager by then; turning archGuard on again adopts the kept copy (ResolveConflicts OVERWRITE).
    // No version: EKS installs its default for the cluster's Kubernetes version (see ManagedAddons, Versions).
    this.certManager = new eks.CfnAddon(this, 'CertManager', {
      clusterName: cluster.clusterName,
      addonName: CERT_MANAGER_ADDON,
      resolveConflicts: 'OVERWRITE',
      preserveOnDelete: true,
    });
    // Its controller, CA injector and webhook are Deployments: created before any node, the add-on stays degraded.
    this.certManager.node.addDependency(...props.nodes);

    const role = new PodIdentityRole(this, 'ServerRole', {
      cluster,
      namespace: ARCH_GUARD.namespace,
      serviceAccount: ARCH_GUARD.serviceAccount,
      description: 'arch-guard admission webhook: reads image manifests from ECR through EKS Pod Identity',
    });
    this.role = role.role;
    const policy = new iam.Policy(this, 'EcrRead', {
      statements: [
        new iam.PolicyStatement({ sid: 'RegistryToken', actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }),
        new iam.PolicyStatement({
          sid: 'ReadImageManifests',
          actions: [...ARCH_GUARD_ECR_READ_ACTIONS],
          // Any repository, in any account and region: pods may name an image of a shared-services account, and a
          // cross-account pull needs this identity policy as well as that repository's policy. The repository
          // policies (own account: this allow; other accounts: theirs) still decide what the role reads.
          resources: [Stack.of(this).formatArn({ service: 'ecr', region: '*', account: '*', resource: 'repository', resourceName: '*' })],
        }),
      ],
    });
    policy.attachToRole(this.role);
    Validations.of(policy).acknowledge(
      { id: 'AwsSolutions-IAM5[Resource::*]', reason: 'ecr:GetAuthorizationToken supports no resource-level permission; it only returns a registry token, which grants what the role may read.' },
      { id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecr:*:*:repository/*]', reason: 'Pods may name an image in any repository, of this account or of another (a shared-services registry); the role can only read manifests and layers (BatchGetImage, GetDownloadUrlForLayer), and another account\'s repository must also allow it in its repository policy.' },
    );
    const association = new eks.CfnPodIdentityAssociation(this, 'ServerIdentity', {
      clusterName: cluster.clusterName,
      namespace: ARCH_GUARD.namespace,
      serviceAccount: ARCH_GUARD.serviceAccount,
      roleArn: this.role.roleArn,
    });
    association.node.addDependency(props.podIdentityAgent);

    const apply = (manifestId: string, objects: Record<string, unknown>[]) =>
      new eks.KubernetesManifest(cluster, manifestId, { cluster, manifest: objects, overwrite: true });
    this.namespace = apply('ArchGuardNamespace', [archGuardNamespace()]);
    this.tls = apply('ArchGuardTls', archGuardTlsObjects());
    // The Certificate and Issuer kinds exist once the add-on has installed cert-manager's CRDs. Applying them also
    // calls cert-manager's own validating webhook, which fails until its CA injector has written the caBundle, and
    // the kubectl handler retries only i/o timeouts: wait for the caBundle (the handler polls every 10 s until
    // the jsonPath gives a value, 5 minutes at most) before applying.
    const certManagerWebhookReady = new eks.KubernetesObjectValue(this, 'CertManagerWebhookCaBundle', {
      cluster,
      objectType: 'validatingwebhookconfiguration',
      objectName: 'cert-manager-webhook',
      jsonPath: '.webhooks[0].clientConfig.caBundle',
    });
    certManagerWebhookReady.node.addDependency(this.certManager);
    this.tls.node.addDependency(this.namespace, this.certManager, certManagerWebhookReady);
    this.server = apply('ArchGuardServer', archGuardServerObjects({
      image: props.config.image,
      architectures: props.architectures,
      arm64Weight: props.config.arm64Weight,
      registrySecret: props.config.registrySecret,
    }));
    // The pods mount the TLS Secret and get ECR credentials from their first start.
    this.server.node.addDependency(this.tls, association, policy, ...props.nodes);
    this.webhook = apply('ArchGuardWebhook', [archGuardWebhookConfiguration()]);
    this.webhook.node.addDependency(this.server, this.tls);
  }
}
