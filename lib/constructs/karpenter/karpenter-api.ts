/**
 * The parts of Karpenter's v1 API (NodePool `karpenter.sh/v1`, EC2NodeClass `karpenter.k8s.aws/v1`) this
 * project writes, as TypeScript types, so a misspelt or misplaced field fails the type-check. Field names and
 * shapes follow the Karpenter 1.14 reference (karpenter.sh docs: concepts/nodepools, concepts/nodeclasses);
 * the tests validate the objects against a schema of these fields written from that reference
 * (test/support/karpenter-schema.ts).
 *
 * Why not `@kubernetes-models/karpenter`: its only release (2.0.0) declares `engines.node >=22` and pulls in
 * kubernetes-models 5 (also Node 22+), which this project does not install (see test/engines.test.ts).
 */

export interface ObjectMeta {
  readonly name: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface NodeSelectorRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';
  readonly values?: readonly string[];
  /** Karpenter only: at least this many distinct values must stay possible (flexibility for spot). */
  readonly minValues?: number;
}

export interface Taint {
  readonly key: string;
  readonly value?: string;
  readonly effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

export interface DisruptionBudget {
  readonly nodes: string;
  readonly reasons?: readonly ('Underutilized' | 'Empty' | 'Drifted')[];
  readonly schedule?: string;
  readonly duration?: string;
}

/** Karpenter's own node class: an EC2NodeClass. */
export interface EC2NodeClassRef { readonly group: 'karpenter.k8s.aws'; readonly kind: 'EC2NodeClass'; readonly name: string }

/** A `karpenter.sh/v1` NodePool; `Ref` is the node class it launches from (EKS Auto Mode uses the same API). */
export interface NodePool<Ref = EC2NodeClassRef> {
  readonly apiVersion: 'karpenter.sh/v1';
  readonly kind: 'NodePool';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly template: {
      readonly metadata?: { readonly labels?: Readonly<Record<string, string>> };
      readonly spec: {
        readonly nodeClassRef: Ref;
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

export interface SelectorTerm {
  readonly id?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

export interface EC2NodeClass {
  readonly apiVersion: 'karpenter.k8s.aws/v1';
  readonly kind: 'EC2NodeClass';
  readonly metadata: ObjectMeta;
  readonly spec: {
    /** IAM role name of the nodes; Karpenter creates and owns the instance profile. */
    readonly role: string;
    readonly amiSelectorTerms: readonly { readonly alias: string }[];
    readonly subnetSelectorTerms: readonly SelectorTerm[];
    readonly securityGroupSelectorTerms: readonly SelectorTerm[];
    readonly metadataOptions: {
      readonly httpEndpoint: 'enabled' | 'disabled';
      readonly httpProtocolIPv6: 'enabled' | 'disabled';
      readonly httpPutResponseHopLimit: number;
      readonly httpTokens: 'required' | 'optional';
    };
    readonly blockDeviceMappings: readonly {
      readonly deviceName: string;
      readonly rootVolume?: boolean;
      readonly ebs: {
        readonly volumeSize: string;
        readonly volumeType: 'gp3' | 'gp2' | 'io1' | 'io2' | 'sc1' | 'st1' | 'standard';
        readonly encrypted: boolean;
        readonly deleteOnTermination?: boolean;
        readonly kmsKeyID?: string;
      };
    }[];
    readonly tags?: Readonly<Record<string, string>>;
  };
}
