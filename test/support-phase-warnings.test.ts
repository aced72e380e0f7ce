import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { resolveProjectConfig } from '../lib/config/project-config';
import { MixedArchEksStack } from '../lib/mixed-arch-eks-stack';
import { annotationsOf, buildTestApp, contextWith } from './support/cdk';

// Synth warnings about the support phase, at fixed dates on both sides of 1.34's end of standard support.
const day = (iso: string) => () => new Date(`${iso}T12:00:00Z`);
const v134 = { amiFamily: 'AL2023', kubernetesVersion: '1.34' };
const lastStandardDay = annotationsOf(buildTestApp(v134, {}, { clock: day('2026-12-02') }).stack);
const firstExtendedDay = annotationsOf(buildTestApp(v134, {}, { clock: day('2026-12-03') }).stack);
const monthBefore = buildTestApp(v134, {}, { clock: day('2026-11-01') });

/** The stack in a concrete region (as `cdk deploy` with an env gives), to check where prices come from. */
function inRegion(region: string): Annotations {
  const context = contextWith(v134);
  const { cluster } = resolveProjectConfig((key) => context[key], {}, undefined, new Date('2026-12-03T12:00:00Z'));
  const stack = new MixedArchEksStack(new App(), 'MixedArchEks', { config: cluster, env: { region }, date: new Date('2026-12-03T12:00:00Z') });
  return annotationsOf(stack);
}
const usEast1 = inRegion('us-east-1');
const euWest1 = inRegion('eu-west-1');

test('on 2026-12-02, 1.34 is in standard support: a warning that it ends that day, none about extended support', () => {
  lastStandardDay.hasWarning('/MixedArchEks', Match.stringLikeRegexp(
    '^Kubernetes 1\\.34 leaves standard support after 2026-12-02 \\(0 days\\): from the next day the control plane bills at the extended-support rate\\. ' +
    'Upgrade one minor version per deploy: set "kubernetesVersion": "1\\.35" in cdk\\.json and deploy\\.'));
  lastStandardDay.hasNoWarning('*', Match.stringLikeRegexp('is in extended support'));
});

test('on 2026-12-03, without a code change, 1.34 is in extended support until 2027-12-02', () => {
  firstExtendedDay.hasWarning('/MixedArchEks', Match.stringLikeRegexp(
    '^Kubernetes 1\\.34 is in extended support until 2027-12-02: .*After that date EKS upgrades the control plane itself\\. ' +
    'Upgrade one minor version per deploy: set "kubernetesVersion": "1\\.35" in cdk\\.json and deploy\\.'));
  firstExtendedDay.hasNoWarning('*', Match.stringLikeRegexp('leaves standard support'));
});

test('a month before the end of standard support there is nothing to warn about yet', () => {
  expect(monthBefore.warnings).toEqual(['Annotation::mixed-arch-eks:open-endpoint', 'Annotation::mixed-arch-eks:account-wide-admin']);
});

test('an environment-agnostic stack quotes no price: it leaves them to npm run cost', () => {
  firstExtendedDay.hasWarning('/MixedArchEks', Match.stringLikeRegexp('`npm run cost -- --region <region>` prints it'));
  firstExtendedDay.hasNoWarning('*', Match.stringLikeRegexp('\\$'));
});

test('in us-east-1 the warning quotes that region\'s table; in a region without a table, no price', () => {
  usEast1.hasWarning('/MixedArchEks', Match.stringLikeRegexp(
    'bills \\$0\\.60 instead of \\$0\\.10 per cluster-hour \\(\\+\\$365\\.00/month; us-east-1 prices of 2026-07-20\\)'));
  euWest1.hasNoWarning('*', Match.stringLikeRegexp('\\$'));
  euWest1.hasWarning('/MixedArchEks', Match.stringLikeRegexp('is in extended support until 2027-12-02'));
});

describe('Kubernetes 1.37, one minor above the table (no EKS dates found)', () => {
  const v137 = buildTestApp({ amiFamily: 'AL2023', kubernetesVersion: '1.37' });

  test('synthesizes with a warning that its dates are unknown, and no support-phase warning', () => {
    expect(v137.warnings).toEqual(['Annotation::mixed-arch-eks:kubernetes-version-dates-unknown', 'Annotation::mixed-arch-eks:open-endpoint', 'Annotation::mixed-arch-eks:account-wide-admin']);
    annotationsOf(v137.stack).hasWarning('/MixedArchEks', Match.stringLikeRegexp(
      '^Kubernetes 1\\.37 is one minor version above the newest in this project\'s table \\(lib/config/kubernetes-versions\\.ts\\): its EKS release and end-of-support dates are not known here'));
  });

  test('runs the cluster and node groups on 1.37 (AL2023 AMI types)', () => {
    const template = Template.fromStack(v137.stack);
    template.hasResourceProperties('AWS::EKS::Cluster', Match.objectLike({ Version: '1.37' }));
    template.allResourcesProperties('AWS::EKS::Nodegroup', Match.objectLike({ Version: '1.37', AmiType: Match.stringLikeRegexp('^AL2023_') }));
  });
});
