import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { accessEntriesOf, accessPolicyArn, buildTestApp, templateFor, unreasonedAcknowledgements } from './support/cdk';

// The pipeline's access entry is namespace-scoped edit, which cannot create a namespace; the stack does, and
// keeps it (deleting a namespace deletes everything in it).

const NAMESPACE_ID = 'ClusterWorkload00namespaceF06ACE99';

const ownNamespace = buildTestApp({ gitlabProject: 'acme/mixed-arch-eks', namespace: 'platform-info' });
const ownNamespaceTemplate = Template.fromStack(ownNamespace.stack);

describe('-c gitlabProject=acme/mixed-arch-eks -c namespace=platform-info (pipeline applies dist/)', () => {
  test('creates the namespace, with restricted Pod Security, and nothing else in the cluster', () => {
    const manifests = ownNamespaceTemplate.findResources('Custom::AWSCDK-EKS-KubernetesResource');
    expect(Object.keys(manifests)).toEqual([NAMESPACE_ID]);
    const objects = JSON.parse(manifests[NAMESPACE_ID].Properties.Manifest as string) as unknown[];
    expect(objects).toEqual([expect.objectContaining({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: expect.objectContaining({
        name: 'platform-info',
        labels: expect.objectContaining({ 'pod-security.kubernetes.io/enforce': 'restricted' }),
      }),
    })]);
  });

  test('keeps the namespace when the stack stops managing it, but not after a failed create', () => {
    ownNamespaceTemplate.hasResource('Custom::AWSCDK-EKS-KubernetesResource', {
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('gives the deploy role edit rights in that namespace only', () => {
    ownNamespaceTemplate.hasResourceProperties('AWS::EKS::AccessEntry', Match.objectLike({
      PrincipalArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^GitLabDeployRole'), 'Arn'] },
      AccessPolicies: [{
        PolicyArn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':eks::aws:cluster-access-policy/AmazonEKSEditPolicy']] },
        AccessScope: { Type: 'namespace', Namespaces: ['platform-info'] },
      }],
    }));
  });

  test('runs kubectl from a layer within one minor version of the cluster (1.32 -> kubectl 1.33)', () => {
    ownNamespaceTemplate.hasResourceProperties('AWS::Lambda::LayerVersion', Match.objectLike({
      Description: Match.stringLikeRegexp('kubectl 1\\.33\\.'),
    }));
  });

  test('passes cdk-nag, the kubectl provider findings acknowledged', () => {
    const result = new AwsSolutionsChecks(ownNamespace.app).validateScope(ownNamespace.app);
    expect(result.violations.map((v) => v.ruleName)).toEqual([]);
    expect(unreasonedAcknowledgements(ownNamespace.app)).toEqual([]);
  });
});

test('in the default namespace the pipeline needs nothing created: no kubectl provider, no Lambda', () => {
  const defaultNamespace = templateFor({ gitlabProject: 'acme/mixed-arch-eks' });
  defaultNamespace.resourceCountIs('Custom::AWSCDK-EKS-KubernetesResource', 0);
  defaultNamespace.resourceCountIs('AWS::Lambda::Function', 0);
  // Every access entry, whole: the admin role's cluster admin and the pipeline's edit in `default`, nothing else.
  expect(accessEntriesOf(defaultNamespace)).toEqual([
    { principal: { 'Fn::GetAtt': [expect.stringMatching(/^AdminAccessAdminRole/), 'Arn'] }, policies: [{ AccessScope: { Type: 'cluster' }, PolicyArn: accessPolicyArn('AmazonEKSClusterAdminPolicy') }] },
    { principal: { 'Fn::GetAtt': [expect.stringMatching(/^GitLabDeployRole/), 'Arn'] }, policies: [{ AccessScope: { Type: 'namespace', Namespaces: ['default'] }, PolicyArn: accessPolicyArn('AmazonEKSEditPolicy') }] },
  ]);
});
