import { Match } from 'aws-cdk-lib/assertions';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { ConfigError } from '../lib/config/errors';
import { amiTypeFor } from '../lib/config/ami-types';
import { resolveProjectConfig } from '../lib/config/project-config';
import { TEST_DAY, buildTestApp, contextWith } from './support/cdk';
import { Template } from 'aws-cdk-lib/assertions';

const group = (name: string, arch: string, instanceTypes: string[], amiFamily?: string) => ({
  name, arch, instanceTypes, minSize: 0, desiredSize: 1, maxSize: 2, ...(amiFamily ? { amiFamily } : {}),
});

// One stack with an accelerated group of each kind, on 1.32 so that an AL2 group is allowed too.
const accelerated = [
  group('gpu-arm', 'arm64', ['g5g.xlarge']),
  group('gpu-x86', 'amd64', ['g6.xlarge', 'g5.xlarge']),
  group('hopper', 'amd64', ['p5.48xlarge']),
  group('trainium', 'amd64', ['trn1.2xlarge']),
  group('br-gpu', 'amd64', ['g5.xlarge'], 'BOTTLEROCKET'),
  group('br-gpu-arm', 'arm64', ['g5g.xlarge'], 'BOTTLEROCKET'),
  group('br-neuron', 'amd64', ['inf2.xlarge'], 'BOTTLEROCKET'),
  group('al2-gpu', 'amd64', ['g5.xlarge'], 'AL2'),
  group('al2-neuron', 'amd64', ['inf2.xlarge'], 'AL2'),
  group('general', 'arm64', ['m8g.large']),
];
const result = buildTestApp({ amiFamily: 'AL2023', kubernetesVersion: '1.32', nodeGroups: JSON.stringify(accelerated) });
const template = Template.fromStack(result.stack);

function errorFor(nodeGroups: unknown[], overrides: Record<string, unknown> = {}): string {
  const context = contextWith({ amiFamily: 'AL2023', nodeGroups: JSON.stringify(nodeGroups), ...overrides });
  try {
    resolveProjectConfig((key) => context[key], {}, Object.keys(context), TEST_DAY);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('no ConfigError');
}

describe('accelerated instance types get the AMI type they need', () => {
  test.each([
    ['gpu-arm', 'AL2023_ARM_64_NVIDIA', ['g5g.xlarge']],
    ['gpu-x86', 'AL2023_x86_64_NVIDIA', ['g6.xlarge', 'g5.xlarge']],
    ['hopper', 'AL2023_x86_64_NVIDIA', ['p5.48xlarge']],
    ['trainium', 'AL2023_x86_64_NEURON', ['trn1.2xlarge']],
    ['br-gpu', 'BOTTLEROCKET_x86_64_NVIDIA', ['g5.xlarge']],
    ['br-gpu-arm', 'BOTTLEROCKET_ARM_64_NVIDIA', ['g5g.xlarge']],
    // Bottlerocket's standard x86_64 variant carries the Neuron driver.
    ['br-neuron', 'BOTTLEROCKET_x86_64', ['inf2.xlarge']],
    ['al2-gpu', 'AL2_x86_64_GPU', ['g5.xlarge']],
    ['al2-neuron', 'AL2_x86_64_GPU', ['inf2.xlarge']],
    ['general', 'AL2023_ARM_64_STANDARD', ['m8g.large']],
  ])('%s: %s', (name, amiType, instanceTypes) => {
    template.hasResourceProperties('AWS::EKS::Nodegroup', Match.objectLike({
      NodegroupName: Match.stringLikeRegexp(`^${name}-[0-9a-f]{6}$`), AmiType: amiType, InstanceTypes: instanceTypes, Version: '1.32',
    }));
  });

  test('synth needs no kubectl Lambda for them (no Neuron device plugin manifest, no custom resource)', () => {
    const types = Object.values(template.toJSON().Resources as Record<string, { Type: string }>).map((r) => r.Type);
    expect(types.filter((t) => t.startsWith('Custom::') || t === 'AWS::Lambda::Function')).toEqual([]);
  });

  test('every AMI type the table can give is one aws-cdk-lib knows', () => {
    const known = new Set<string>(Object.values(eks.NodegroupAmiType));
    const types = ['m7g.large', 'g5g.xlarge', 'g6.xlarge', 'inf2.xlarge'];
    for (const family of ['AL2', 'AL2023', 'BOTTLEROCKET'] as const) {
      for (const arch of ['arm64', 'amd64'] as const) {
        for (const type of types) {
          const amiType = amiTypeFor(family, arch, [type]);
          if (amiType !== undefined) expect([family, arch, type, known.has(amiType)]).toEqual([family, arch, type, true]);
        }
      }
    }
  });
});

describe('accelerated groups EKS has no AMI for fail in one line each', () => {
  test('AL2 has no arm64 GPU AMI (g5g)', () => {
    expect(errorFor([group('gpu', 'arm64', ['g5g.xlarge'], 'AL2')], { kubernetesVersion: '1.32' })).toBe('Invalid configuration:\n' +
      '  - nodeGroups[0].instanceTypes[0] = "g5g.xlarge": EKS has no AL2 AMI type for NVIDIA GPU instances on arm64. ' +
      'Fix: set the group\'s "amiFamily" to "AL2023" or "BOTTLEROCKET"');
  });

  test('an accelerator no EKS AMI drives (AMD Radeon g4ad, Habana dl1)', () => {
    expect(errorFor([group('radeon', 'amd64', ['g4ad.xlarge', 'dl1.24xlarge'])])).toBe('Invalid configuration (2 problems):\n' +
      '  - nodeGroups[0].instanceTypes[0] = "g4ad.xlarge": its accelerator is one no EKS-optimized AMI supports (they drive NVIDIA GPUs ' +
      'from g4dn and p3 on, Inferentia and Trainium). Fix: use g6, g5 or g5g (NVIDIA), inf2 or trn1 (Neuron), or a type without an accelerator\n' +
      '  - nodeGroups[0].instanceTypes[1] = "dl1.24xlarge": its accelerator is one no EKS-optimized AMI supports (they drive NVIDIA GPUs ' +
      'from g4dn and p3 on, Inferentia and Trainium). Fix: use g6, g5 or g5g (NVIDIA), inf2 or trn1 (Neuron), or a type without an accelerator');
  });

  test('one group mixing a GPU type with a general-purpose or a Neuron type', () => {
    expect(errorFor([group('mixed', 'amd64', ['g5.xlarge', 'm7i.large']), group('both', 'amd64', ['g6.xlarge', 'inf2.xlarge'])])).toBe(
      'Invalid configuration (2 problems):\n' +
      '  - nodeGroups[0].instanceTypes = ["g5.xlarge","m7i.large"]: mixes types that need different AMIs (g5.xlarge: NVIDIA GPU, ' +
      'm7i.large: no accelerator); a node group has one AMI type. Fix: put NVIDIA GPU, Neuron and other instance types in separate node groups\n' +
      '  - nodeGroups[1].instanceTypes = ["g6.xlarge","inf2.xlarge"]: mixes types that need different AMIs (g6.xlarge: NVIDIA GPU, ' +
      'inf2.xlarge: Inferentia/Trainium (Neuron)); a node group has one AMI type. Fix: put NVIDIA GPU, Neuron and other instance types in separate node groups');
  });

  test('a GPU type in a group of the other architecture is the usual architecture error', () => {
    expect(errorFor([group('gpu', 'amd64', ['g5g.xlarge'])])).toMatch(
      /^Invalid configuration:\n {2}- nodeGroups\[0\]\.instanceTypes\[0\] = "g5g\.xlarge": an arm64 \(Graviton\) instance type in a group whose arch is "amd64"/);
  });
});
