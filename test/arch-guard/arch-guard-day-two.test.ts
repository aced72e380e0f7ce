import { templateFor } from '../support/cdk';

/* eslint-disable @typescript-eslint/no-explicit-any */
// Turning archGuard on and off on a running cluster: both directions are updates in place (nothing the cluster
// runs on is replaced), and off removes the webhook configuration before anything it calls.

type Resources = Record<string, { Type: string; Properties?: any; DependsOn?: string[] }>;

const IMAGE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/arch-guard:4b1c0de';
const off = templateFor({ amiFamily: 'AL2023' }).toJSON().Resources as Resources;
const on = templateFor({ amiFamily: 'AL2023', archGuard: 'true', archGuardImage: IMAGE }).toJSON().Resources as Resources;
const newImage = templateFor({ amiFamily: 'AL2023', archGuard: 'true', archGuardImage: IMAGE.replace('4b1c0de', '5c2d1ef') }).toJSON().Resources as Resources;

const added = Object.keys(on).filter((id) => !(id in off));
const removedByOn = Object.keys(off).filter((id) => !(id in on));
const changed = Object.keys(off).filter((id) => id in on && JSON.stringify(off[id]) !== JSON.stringify(on[id]));
const withoutDependsOn = (r: Resources[string]) => ({ ...r, DependsOn: undefined });

test('off -> on keeps every resource of the running stack, the cluster and node groups unchanged', () => {
  expect(removedByOn).toEqual([]);
  for (const id of Object.keys(off).filter((r) => ['AWS::EKS::Cluster', 'AWS::EKS::Nodegroup', 'AWS::ECR::Repository', 'AWS::EC2::VPC'].includes(off[r].Type))) {
    expect({ id, resource: on[id] }).toEqual({ id, resource: off[id] });
  }
  // The one resource that changes is aws-eks-v2's kubectl-ready barrier, and only its DependsOn (it now also
  // waits for the kubectl role's access entry): no property of any resource changes, so nothing is replaced.
  expect(changed.map((id) => off[id].Type)).toEqual(['AWS::SSM::Parameter']);
  for (const id of changed) expect(withoutDependsOn(on[id])).toEqual(withoutDependsOn(off[id]));
  expect(on[changed[0]].DependsOn).toEqual(expect.arrayContaining(off[changed[0]].DependsOn ?? []));
});

test('off -> on adds the kubectl provider, cert-manager, the role and the four manifests, and nothing is replaced', () => {
  const types = added.map((id) => on[id].Type);
  expect(types.filter((t) => t === 'Custom::AWSCDK-EKS-KubernetesResource')).toHaveLength(4);
  expect(types.filter((t) => t === 'AWS::EKS::Addon')).toHaveLength(1);
  expect(types.filter((t) => t === 'AWS::EKS::PodIdentityAssociation')).toHaveLength(1);
  // Every added resource is a new logical id, so CloudFormation creates it: nothing in the off stack is replaced.
  expect(added.every((id) => !(id in off))).toBe(true);
});

test('the arch-guard repository exists before the webhook is turned on, so its image can be pushed first', () => {
  const repos = (r: Resources) => Object.values(r).filter((x) => x.Type === 'AWS::ECR::Repository').map((x) => x.Properties.RepositoryName).sort();
  expect(repos(off)).toEqual(['arch-guard', 'print-platform-info']);
  expect(repos(on)).toEqual(repos(off));
});

test('on -> off deletes the webhook configuration first: it depends on everything it calls, and CloudFormation deletes dependents first', () => {
  const manifest = (name: RegExp) => added.find((id) => name.test(id)) as string;
  const webhook = manifest(/^ClusterArchGuardWebhook/);
  const server = manifest(/^ClusterArchGuardServer/);
  const tls = manifest(/^ClusterArchGuardTls/);
  const namespace = manifest(/^ClusterArchGuardNamespace/);
  expect(on[webhook].DependsOn).toEqual(expect.arrayContaining([server, tls]));
  expect(on[server].DependsOn).toEqual(expect.arrayContaining([tls]));
  expect(on[tls].DependsOn).toEqual(expect.arrayContaining([namespace]));
  // Nothing depends on the webhook configuration, so it is the first arch-guard resource deleted.
  expect(Object.values(on).filter((r) => (r.DependsOn ?? []).includes(webhook))).toEqual([]);
  // And it fails open whatever the order: a webhook that cannot be called never blocks a pod creation.
  expect(JSON.parse(on[webhook].Properties.Manifest)[0].webhooks[0].failurePolicy).toBe('Ignore');
});

test('a new image changes the Deployment alone: the server manifest is updated in place, nothing else moves', () => {
  const differing = Object.keys(on).filter((id) => JSON.stringify(on[id]) !== JSON.stringify(newImage[id]));
  expect(differing).toEqual([expect.stringMatching(/^ClusterArchGuardServer/)]);
  expect(Object.keys(newImage).sort()).toEqual(Object.keys(on).sort());
});
