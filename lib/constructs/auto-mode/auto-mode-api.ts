import { DisruptionBudget, NodeSelectorRequirement, ObjectMeta, Taint } from '../karpenter/karpenter-api';

/**
 * The NodePool of EKS Auto Mode, as this project writes it: Karpenter's `karpenter.sh/v1` NodePool API (EKS user
 * guide, "Create a Node Pool for EKS Auto Mode"), whose `nodeClassRef` names an Auto Mode NodeClass
 * (`eks.amazonaws.com`, kind `NodeClass`) instead of Karpenter's EC2NodeClass. The tests validate the objects
 * against a schema written from that page (test/support/auto-mode-schema.ts).
 */
export interface AutoModeNodePool {
  readonly apiVersion: 'karpenter.sh/v1';
  readonly kind: 'NodePool';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly template: {
      readonly metadata?: { readonly labels?: Readonly<Record<string, string>> };
      readonly spec: {
        readonly nodeClassRef: { readonly group: 'eks.amazonaws.com'; readonly kind: 'NodeClass'; readonly name: string };
        readonly requirements: readonly NodeSelectorRequirement[];
        readonly taints?: readonly Taint[];
        readonly expireAfter?: string;
        readonly terminationGracePeriod?: string;
      };
    };
    readonly disruption: {
      readonly consolidationPolicy: 'WhenEmpty' | 'WhenEmptyOrUnderutilized';
      readonly consolidateAfter: string;
      readonly budgets?: readonly DisruptionBudget[];
    };
    readonly limits?: { readonly cpu?: string; readonly memory?: string };
    readonly weight?: number;
  };
}
