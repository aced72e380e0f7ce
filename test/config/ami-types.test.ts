import { acceleratorOf, amiTypeFor } from '../../lib/config/ami-types';

// The EKS AMI type (NodegroupAmiType) of each family, architecture and accelerator, written out as the EKS user
// guide lists them ("Use EKS-optimized accelerated AMIs for GPU instances"), not read from the implementation.

test('the accelerator of each accelerated family, any size; none for ordinary families', () => {
  const families: Record<string, string | undefined> = {
    'p5.48xlarge': 'nvidia', 'p5e.48xlarge': 'nvidia', 'p5en.48xlarge': 'nvidia', 'p4d.24xlarge': 'nvidia', 'p4de.24xlarge': 'nvidia',
    'p3.2xlarge': 'nvidia', 'p3dn.24xlarge': 'nvidia', 'g7e.2xlarge': 'nvidia', 'gr6.4xlarge': 'nvidia', 'g6.xlarge': 'nvidia',
    'g6e.xlarge': 'nvidia', 'g5.xlarge': 'nvidia', 'g4dn.xlarge': 'nvidia', 'g5g.xlarge': 'nvidia',
    'inf1.xlarge': 'neuron', 'inf2.xlarge': 'neuron', 'trn1.2xlarge': 'neuron', 'trn1n.32xlarge': 'neuron', 'trn2.48xlarge': 'neuron', 'trn2u.48xlarge': 'neuron',
    'p2.xlarge': 'unsupported', 'g3.4xlarge': 'unsupported', 'g3s.xlarge': 'unsupported', 'g4ad.xlarge': 'unsupported', 'f1.2xlarge': 'unsupported',
    'f2.6xlarge': 'unsupported', 'vt1.3xlarge': 'unsupported', 'dl1.24xlarge': 'unsupported', 'dl2q.24xlarge': 'unsupported',
    'm7g.large': undefined, 'm7i.large': undefined, 'c6g.xlarge': undefined, 'g6f.large': undefined,
  };
  expect(Object.fromEntries(Object.keys(families).map((type) => [type, acceleratorOf(type)]))).toEqual(families);
});

test('standard AMI types per family and architecture', () => {
  const table = (['AL2', 'AL2023', 'BOTTLEROCKET'] as const).map((family) => [family, amiTypeFor(family, 'arm64', ['m7g.large']), amiTypeFor(family, 'amd64', ['m7i.large'])]);
  expect(table).toEqual([
    ['AL2', 'AL2_ARM_64', 'AL2_x86_64'],
    ['AL2023', 'AL2023_ARM_64_STANDARD', 'AL2023_x86_64_STANDARD'],
    ['BOTTLEROCKET', 'BOTTLEROCKET_ARM_64', 'BOTTLEROCKET_x86_64'],
  ]);
  expect(amiTypeFor('AL2023', 'arm64', [])).toBe('AL2023_ARM_64_STANDARD');
});

test('accelerated AMI types: NVIDIA on both architectures (AL2 x86_64 only), Neuron on x86_64, none for unsupported accelerators', () => {
  const nvidia = (['AL2', 'AL2023', 'BOTTLEROCKET'] as const).map((family) => [amiTypeFor(family, 'arm64', ['g5g.xlarge']), amiTypeFor(family, 'amd64', ['g6.xlarge'])]);
  expect(nvidia).toEqual([
    [undefined, 'AL2_x86_64_GPU'],
    ['AL2023_ARM_64_NVIDIA', 'AL2023_x86_64_NVIDIA'],
    ['BOTTLEROCKET_ARM_64_NVIDIA', 'BOTTLEROCKET_x86_64_NVIDIA'],
  ]);
  const neuron = (['AL2', 'AL2023', 'BOTTLEROCKET'] as const).map((family) => [amiTypeFor(family, 'arm64', ['inf2.xlarge']), amiTypeFor(family, 'amd64', ['inf2.xlarge'])]);
  expect(neuron).toEqual([[undefined, 'AL2_x86_64_GPU'], [undefined, 'AL2023_x86_64_NEURON'], [undefined, 'BOTTLEROCKET_x86_64']]);
  expect(amiTypeFor('AL2023', 'amd64', ['g4ad.xlarge'])).toBeUndefined();
  // The first type decides (groups mixing accelerators are refused by the configuration).
  expect(amiTypeFor('AL2023', 'amd64', ['m7i.large', 'g6.xlarge'])).toBe('AL2023_x86_64_STANDARD');
});
