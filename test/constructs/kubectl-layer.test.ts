import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { EKS_KUBERNETES_VERSIONS, versionAboveTable } from '../../lib/config/kubernetes-versions';
import { kubectlLayerFor, kubectlMinorFor } from '../../lib/constructs/kubectl-layer';

// kubectl is supported against an API server one minor version older or newer (Kubernetes version skew policy).
const minorOf = (version: string) => Number(version.split('.')[1]);

describe('kubectl layer for deployWorkloads', () => {
  test.each([
    ['1.32', 33],
    ['1.33', 33],
    ['1.34', 35],
    ['1.35', 35],
    ['1.36', 36],
    ['1.37', 36],
  ])('Kubernetes %s gets kubectl 1.%i', (version, kubectlMinor) => {
    expect(kubectlMinorFor(version)).toBe(kubectlMinor);
  });

  test.each(['1.31', '1.38', '2.0', 'latest', 'x1.33', '1.33x', '1.33.0'])('has no layer for %s', (version) => {
    expect(kubectlMinorFor(version)).toBeUndefined();
  });

  // Fails when a version is added to the support table without a kubectl layer in reach.
  test('every Kubernetes version of the support table, and the one above it, has a layer within one minor version, and it synthesizes', () => {
    const found = [...EKS_KUBERNETES_VERSIONS.map((v) => v.version), versionAboveTable()].map((version) => {
      const stack = new Stack();
      kubectlLayerFor(stack, version);
      const text = JSON.stringify(Template.fromStack(stack).findResources('AWS::Lambda::LayerVersion'));
      const kubectl = /kubectl 1\.(\d+)\./.exec(text)?.[1];
      return { version, withinSkew: kubectl !== undefined && Math.abs(Number(kubectl) - minorOf(version)) <= 1 };
    });
    expect(found.length).toBeGreaterThan(0);
    expect(found.filter((f) => !f.withinSkew)).toEqual([]);
  });

  test('the layer carries the kubectl it is named for', () => {
    const stack = new Stack();
    kubectlLayerFor(stack, '1.36');
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::LayerVersion', Match.objectLike({
      Description: Match.stringLikeRegexp('^/opt/kubectl/kubectl 1\\.36\\.'),
    }));
  });

  test('refuses a version out of reach, naming the package to add', () => {
    expect(() => kubectlLayerFor(new Stack(), '1.38')).toThrow(/no kubectl layer within one minor version of Kubernetes 1\.38: add @aws-cdk\/lambda-layer-kubectl-v38/);
  });
});
