import { Architecture } from './architectures';
import { AmiFamily } from './types';

/**
 * The accelerator an instance family carries, as far as the node AMI is concerned: NVIDIA GPUs need the NVIDIA
 * driver (the `*_NVIDIA` AMI types, or AL2's `AL2_x86_64_GPU`), AWS Inferentia and Trainium the Neuron driver
 * (`AL2023_x86_64_NEURON`, `AL2_x86_64_GPU`, and Bottlerocket's standard x86_64 variant). `unsupported` marks
 * accelerators no EKS-optimized AMI drives.
 *
 * Source: EKS user guide, "Use EKS-optimized accelerated AMIs for GPU instances" (table of AMI variants and the
 * instance types each supports), checked 2026-11-28. Families that aws-cdk-lib does not know (p6-b200, g6f, ...)
 * are refused earlier, as unknown types.
 */
export type Accelerator = 'nvidia' | 'neuron' | 'unsupported';

const ACCELERATED_FAMILIES: Readonly<Record<string, Accelerator>> = {
  // AL2023/Bottlerocket x86_64 NVIDIA: p5, p5e, p5en, p4d, p4de, p3, p3dn, g7e, gr6, g6, g6e, g5, g4dn.
  p5: 'nvidia', p5e: 'nvidia', p5en: 'nvidia', p4d: 'nvidia', p4de: 'nvidia', p3: 'nvidia', p3dn: 'nvidia',
  g7e: 'nvidia', gr6: 'nvidia', g6: 'nvidia', g6e: 'nvidia', g5: 'nvidia', g4dn: 'nvidia',
  // AL2023/Bottlerocket arm64 NVIDIA: g5g (Graviton2 with NVIDIA T4G).
  g5g: 'nvidia',
  // AL2023 x86_64 Neuron and Bottlerocket x86_64 (standard variant): inf1, inf2, trn1, trn2. trn1n and trn2u
  // carry the same Trainium chips (more network bandwidth; UltraServer) and take the same AMIs.
  inf1: 'neuron', inf2: 'neuron', trn1: 'neuron', trn1n: 'neuron', trn2: 'neuron', trn2u: 'neuron',
  // In no EKS accelerated AMI's list: older NVIDIA generations (p2 K80, g3 M60), AMD Radeon (g4ad), FPGAs
  // (f1, f2), Xilinx video (vt1), Habana Gaudi (dl1), Qualcomm AI 100 (dl2q).
  p2: 'unsupported', g3: 'unsupported', g3s: 'unsupported', g4ad: 'unsupported', f1: 'unsupported', f2: 'unsupported',
  vt1: 'unsupported', dl1: 'unsupported', dl2q: 'unsupported',
};

/** The accelerator of `instanceType` (`family.size`), or undefined for a type without one. */
export function acceleratorOf(instanceType: string): Accelerator | undefined {
  return ACCELERATED_FAMILIES[instanceType.split('.')[0]];
}

/** The EKS AMI types (NodegroupAmiType values) of the standard, accelerator-free AMIs. */
const STANDARD: Readonly<Record<AmiFamily, Readonly<Record<Architecture, string>>>> = {
  AL2: { arm64: 'AL2_ARM_64', amd64: 'AL2_x86_64' },
  AL2023: { arm64: 'AL2023_ARM_64_STANDARD', amd64: 'AL2023_x86_64_STANDARD' },
  BOTTLEROCKET: { arm64: 'BOTTLEROCKET_ARM_64', amd64: 'BOTTLEROCKET_x86_64' },
};

/** AMI types for accelerated instances; a missing entry means EKS has no such AMI type. */
const ACCELERATED: Readonly<Record<'nvidia' | 'neuron', Readonly<Record<AmiFamily, Partial<Record<Architecture, string>>>>>> = {
  nvidia: {
    // The AL2 accelerated AMI is x86_64 only: no AL2 AMI type drives g5g.
    AL2: { amd64: 'AL2_x86_64_GPU' },
    AL2023: { arm64: 'AL2023_ARM_64_NVIDIA', amd64: 'AL2023_x86_64_NVIDIA' },
    BOTTLEROCKET: { arm64: 'BOTTLEROCKET_ARM_64_NVIDIA', amd64: 'BOTTLEROCKET_x86_64_NVIDIA' },
  },
  neuron: {
    AL2: { amd64: 'AL2_x86_64_GPU' },
    AL2023: { amd64: 'AL2023_x86_64_NEURON' },
    // Bottlerocket's standard x86_64 variant includes the Neuron driver.
    BOTTLEROCKET: { amd64: 'BOTTLEROCKET_x86_64' },
  },
};

/**
 * The EKS AMI type (a NodegroupAmiType value) for a node group of `amiFamily` and `arch` running
 * `instanceTypes`; undefined when EKS has none (the configuration refuses such groups, see node-group-config).
 * Groups mix no accelerators: the first type decides.
 */
export function amiTypeFor(amiFamily: AmiFamily, arch: Architecture, instanceTypes: readonly string[]): string | undefined {
  const accelerator = instanceTypes.length > 0 ? acceleratorOf(instanceTypes[0]) : undefined;
  if (accelerator === undefined) return STANDARD[amiFamily][arch];
  if (accelerator === 'unsupported') return undefined;
  return ACCELERATED[accelerator][amiFamily][arch];
}
