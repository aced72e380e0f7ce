import { NodePool } from '../karpenter/karpenter-api';

/** An EKS Auto Mode node class (`eks.amazonaws.com`, kind `NodeClass`) instead of Karpenter's EC2NodeClass. */
export interface AutoModeNodeClassRef { readonly group: 'eks.amazonaws.com'; readonly kind: 'NodeClass'; readonly name: string }

/**
 * The NodePool of EKS Auto Mode, as this project writes it: Karpenter's `karpenter.sh/v1` NodePool API (EKS user
 * guide, "Create a Node Pool for EKS Auto Mode") on an Auto Mode NodeClass. The tests validate the objects
 * against a schema written from that page (test/support/auto-mode-schema.ts).
 */
export type AutoModeNodePool = NodePool<AutoModeNodeClassRef>;
