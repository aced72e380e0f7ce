import Ajv, { ValidateFunction } from 'ajv';

/**
 * Validates an EKS Auto Mode NodePool (`karpenter.sh/v1` referring to an `eks.amazonaws.com` NodeClass) against a
 * JSON schema of the fields this project writes, written here from the EKS user guide ("Create a Node Pool for EKS
 * Auto Mode": the sample, "EKS Auto Mode Supported Labels", "Not Supported Labels", Disruption and Termination Grace
 * Period) and the Karpenter v1 NodePool fields it points to. Requirement keys are limited to the labels Auto Mode
 * supports, so a Karpenter-only key (`karpenter.k8s.aws/instance-category`) or `kubernetes.io/os` (not supported)
 * fails. Not EKS's own CRD schema, which is served only by a cluster with Auto Mode on.
 */
const duration = { type: 'string', pattern: '^(([0-9]+(s|m|h))+|Never)$' };
const quantity = { anyOf: [{ type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$' }, { type: 'integer', minimum: 0 }] };
const labels = { type: 'object', additionalProperties: { type: 'string', maxLength: 63 } };
const taint = {
  type: 'object', required: ['key', 'effect'], additionalProperties: false,
  properties: { key: { type: 'string', minLength: 1 }, value: { type: 'string' }, effect: { enum: ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] } },
};

/** "EKS Auto Mode Supported Labels" (EKS user guide, create-node-pool). */
export const AUTO_MODE_SUPPORTED_LABELS = [
  'topology.kubernetes.io/zone', 'node.kubernetes.io/instance-type', 'kubernetes.io/arch', 'karpenter.sh/capacity-type',
  'eks.amazonaws.com/instance-hypervisor', 'eks.amazonaws.com/compute-type', 'eks.amazonaws.com/instance-encryption-in-transit-supported',
  'eks.amazonaws.com/instance-category', 'eks.amazonaws.com/instance-generation', 'eks.amazonaws.com/instance-family',
  'eks.amazonaws.com/instance-size', 'eks.amazonaws.com/instance-cpu', 'eks.amazonaws.com/instance-cpu-manufacturer',
  'eks.amazonaws.com/instance-memory', 'eks.amazonaws.com/instance-ebs-bandwidth', 'eks.amazonaws.com/instance-network-bandwidth',
  'eks.amazonaws.com/instance-gpu-name', 'eks.amazonaws.com/instance-gpu-manufacturer', 'eks.amazonaws.com/instance-gpu-count',
  'eks.amazonaws.com/instance-gpu-memory', 'eks.amazonaws.com/instance-local-nvme',
];

const AUTO_MODE_NODE_POOL = {
  type: 'object', required: ['apiVersion', 'kind', 'metadata', 'spec'], additionalProperties: false,
  properties: {
    apiVersion: { const: 'karpenter.sh/v1' },
    kind: { const: 'NodePool' },
    metadata: {
      type: 'object', required: ['name'], additionalProperties: false,
      // The built-in pools' names are EKS's own.
      properties: { name: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$', not: { enum: ['system', 'general-purpose'] } }, labels, annotations: labels },
    },
    spec: {
      type: 'object', required: ['template'], additionalProperties: false,
      properties: {
        weight: { type: 'integer', minimum: 1, maximum: 100 },
        limits: { type: 'object', additionalProperties: quantity },
        disruption: {
          type: 'object', additionalProperties: false,
          properties: {
            consolidationPolicy: { enum: ['WhenEmpty', 'WhenEmptyOrUnderutilized'] },
            consolidateAfter: duration,
            budgets: {
              type: 'array', maxItems: 50,
              items: {
                type: 'object', required: ['nodes'], additionalProperties: false,
                properties: {
                  nodes: { type: 'string', pattern: '^((100|[0-9]{1,2})%|[0-9]+)$' },
                  reasons: { type: 'array', items: { enum: ['Underutilized', 'Empty', 'Drifted'] } },
                  schedule: { type: 'string' },
                  duration: { type: 'string', pattern: '^([0-9]+(h|m))+$' },
                },
              },
            },
          },
        },
        template: {
          type: 'object', required: ['spec'], additionalProperties: false,
          properties: {
            metadata: { type: 'object', additionalProperties: false, properties: { labels, annotations: labels } },
            spec: {
              type: 'object', required: ['nodeClassRef', 'requirements'], additionalProperties: false,
              properties: {
                nodeClassRef: {
                  type: 'object', required: ['group', 'kind', 'name'], additionalProperties: false,
                  properties: { group: { const: 'eks.amazonaws.com' }, kind: { const: 'NodeClass' }, name: { type: 'string', minLength: 1 } },
                },
                requirements: {
                  // "You need at least one requirement" (EKS user guide, "Migrate from Karpenter to EKS Auto Mode").
                  type: 'array', minItems: 1, maxItems: 100,
                  items: {
                    type: 'object', required: ['key', 'operator'], additionalProperties: false,
                    properties: {
                      key: { enum: AUTO_MODE_SUPPORTED_LABELS },
                      operator: { enum: ['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt'] },
                      values: { type: 'array', items: { type: 'string' } },
                      minValues: { type: 'integer', minimum: 1, maximum: 50 },
                    },
                  },
                },
                taints: { type: 'array', items: taint },
                startupTaints: { type: 'array', items: taint },
                expireAfter: duration,
                terminationGracePeriod: duration,
              },
            },
          },
        },
      },
    },
  },
};

const ajv = new Ajv({ allErrors: true, strict: true });
const validate: ValidateFunction = ajv.compile(AUTO_MODE_NODE_POOL);

/** The schema errors of an Auto Mode NodePool as `path: message` lines; empty when it is valid. */
export function validateAutoModeNodePool(object: unknown): string[] {
  return validate(object) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message}`);
}
