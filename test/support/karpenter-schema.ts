import Ajv, { ValidateFunction } from 'ajv';

/**
 * Validates a NodePool (`karpenter.sh/v1`) or EC2NodeClass (`karpenter.k8s.aws/v1`) against a JSON schema of
 * the fields this project writes, written here from the Karpenter 1.x reference (karpenter.sh docs: "NodePools",
 * "NodeClasses", "Disruption"): required fields, enums, value formats and ranges, and no field the API does not
 * have (a typo such as `consolidationpolicy` fails). It is not Karpenter's own CRD schema: that ships only in
 * Karpenter's chart and repository, not in a package this project can install (see karpenter-api.ts), so a rule
 * that only the API server enforces (its CEL validations) is not checked here.
 */
const duration = { type: 'string', pattern: '^(([0-9]+(s|m|h))+|Never)$' };
const quantity = { anyOf: [{ type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$' }, { type: 'integer', minimum: 0 }] };
const labels = { type: 'object', additionalProperties: { type: 'string', maxLength: 63 } };
const metadata = {
  type: 'object', required: ['name'], additionalProperties: false,
  properties: { name: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$' }, labels, annotations: labels },
};
const taint = {
  type: 'object', required: ['key', 'effect'], additionalProperties: false,
  properties: { key: { type: 'string', minLength: 1 }, value: { type: 'string' }, effect: { enum: ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] } },
};
const selectorTerms = (idPattern: string) => ({
  type: 'array', minItems: 1, maxItems: 30,
  items: {
    type: 'object', additionalProperties: false, minProperties: 1,
    properties: { id: { type: 'string', pattern: idPattern }, tags: { type: 'object', minProperties: 1, additionalProperties: { type: 'string' } } },
  },
});

const NODE_POOL = {
  type: 'object', required: ['apiVersion', 'kind', 'metadata', 'spec'], additionalProperties: false,
  properties: {
    apiVersion: { const: 'karpenter.sh/v1' },
    kind: { const: 'NodePool' },
    metadata,
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
                  properties: { group: { const: 'karpenter.k8s.aws' }, kind: { const: 'EC2NodeClass' }, name: { type: 'string', minLength: 1 } },
                },
                requirements: {
                  type: 'array', maxItems: 100,
                  items: {
                    type: 'object', required: ['key', 'operator'], additionalProperties: false,
                    properties: {
                      key: { type: 'string', minLength: 1 },
                      operator: { enum: ['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt', 'Gte', 'Lte'] },
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

const EC2_NODE_CLASS = {
  type: 'object', required: ['apiVersion', 'kind', 'metadata', 'spec'], additionalProperties: false,
  properties: {
    apiVersion: { const: 'karpenter.k8s.aws/v1' },
    kind: { const: 'EC2NodeClass' },
    metadata,
    spec: {
      type: 'object', required: ['amiSelectorTerms', 'subnetSelectorTerms', 'securityGroupSelectorTerms'], additionalProperties: false,
      properties: {
        role: { type: 'string', minLength: 1, maxLength: 64 },
        instanceProfile: { type: 'string', minLength: 1 },
        amiSelectorTerms: {
          type: 'array', minItems: 1, maxItems: 30,
          items: {
            type: 'object', additionalProperties: false, minProperties: 1,
            properties: { alias: { type: 'string', pattern: '^(al2|al2023|bottlerocket|windows2019|windows2022|windows2025)@.+$' }, id: { type: 'string', pattern: '^ami-[0-9a-z]+$' } },
          },
        },
        subnetSelectorTerms: selectorTerms('^subnet-[0-9a-z]+$'),
        securityGroupSelectorTerms: selectorTerms('^sg-[0-9a-z]+$'),
        metadataOptions: {
          type: 'object', additionalProperties: false,
          properties: {
            httpEndpoint: { enum: ['enabled', 'disabled'] },
            httpProtocolIPv6: { enum: ['enabled', 'disabled'] },
            httpPutResponseHopLimit: { type: 'integer', minimum: 1, maximum: 64 },
            httpTokens: { enum: ['required', 'optional'] },
          },
        },
        blockDeviceMappings: {
          type: 'array', maxItems: 50,
          items: {
            type: 'object', required: ['deviceName', 'ebs'], additionalProperties: false,
            properties: {
              deviceName: { type: 'string', pattern: '^/dev/[a-z0-9]+$' },
              rootVolume: { type: 'boolean' },
              ebs: {
                type: 'object', additionalProperties: false,
                properties: {
                  volumeSize: { type: 'string', pattern: '^[0-9]+(Gi|G|Ti|T)$' },
                  volumeType: { enum: ['standard', 'io1', 'io2', 'gp2', 'sc1', 'st1', 'gp3'] },
                  encrypted: { type: 'boolean' },
                  deleteOnTermination: { type: 'boolean' },
                  kmsKeyID: { type: 'string' },
                  iops: { type: 'integer' },
                  throughput: { type: 'integer' },
                },
              },
            },
          },
        },
        tags: { type: 'object', additionalProperties: { type: 'string' } },
        userData: { type: 'string' },
        detailedMonitoring: { type: 'boolean' },
      },
    },
  },
};

const ajv = new Ajv({ allErrors: true, strict: true });
const VALIDATORS: Readonly<Record<string, ValidateFunction>> = {
  NodePool: ajv.compile(NODE_POOL),
  EC2NodeClass: ajv.compile(EC2_NODE_CLASS),
};

/** The schema errors of `object` as `path: message` lines; empty when it is valid. */
export function validateKarpenterObject(object: unknown): string[] {
  const kind = (object as { kind?: string }).kind ?? '';
  const validate = VALIDATORS[kind];
  if (!validate) throw new Error(`no Karpenter schema for kind ${kind}`);
  return validate(object) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message}`);
}
