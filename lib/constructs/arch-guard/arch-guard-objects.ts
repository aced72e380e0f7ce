import { Architecture } from '../../config/architectures';
import { WORKLOAD_GID, WORKLOAD_UID } from '../../config/workload-identity';

/**
 * The Kubernetes objects of arch-guard, as plain API objects (the kubectl provider applies them; test/arch-guard
 * validates each against the Kubernetes schema). lib/ builds them itself because it must not load k8s/ (cdk8s).
 */

/** Names every object and the docs share. */
export const ARCH_GUARD = {
  namespace: 'arch-guard',
  name: 'arch-guard',
  serviceAccount: 'arch-guard',
  /** The serving certificate's Secret, mounted at /tls (tls.crt, tls.key, ca.crt), written by cert-manager. */
  tlsSecret: 'arch-guard-tls',
  /** The CA certificate's Secret: only cert-manager's CA Issuer reads it. */
  caSecret: 'arch-guard-ca',
  servingCertificate: 'arch-guard-serving',
  webhookConfiguration: 'arch-guard',
  /** The webhook's name in the configuration: a fully qualified name is required (admissionregistration/v1). */
  webhookName: 'arch-guard.mixed-arch-eks.io',
  port: 8443,
  /** cert-manager's namespace as the EKS community add-on installs it (EKS user guide, "Community add-ons"). */
  certManagerNamespace: 'cert-manager',
} as const;

/**
 * The opt-out label, on a pod (or its template) or on a namespace: `arch-guard.mixed-arch-eks.io/skip: "true"`.
 * The API server's selectors apply it, so an opted-out pod is never sent to the webhook at all.
 */
export const ARCH_GUARD_SKIP_LABEL = 'arch-guard.mixed-arch-eks.io/skip';

/**
 * Namespaces the webhook never sees: kube-system (the cluster's own pods, which must start while arch-guard is
 * down), arch-guard itself (its pods cannot wait for themselves), and cert-manager (it issues arch-guard's
 * certificate; no pod of it should ever wait on a webhook whose certificate it has not issued yet).
 */
export const ARCH_GUARD_EXCLUDED_NAMESPACES = ['kube-system', ARCH_GUARD.namespace, ARCH_GUARD.certManagerNamespace] as const;

/**
 * How long the API server waits for the webhook. The server answers within its own budget (3 s, `--budget-ms`),
 * below this, so a slow registry ends in an unchanged admit from the server rather than an API-server timeout;
 * either way `failurePolicy: Ignore` admits the pod. The API allows 1-30 s; the issue asks for <= 10.
 */
export const ARCH_GUARD_TIMEOUT_SECONDS = 5;
export const ARCH_GUARD_BUDGET_MS = 3000;

export interface ArchGuardObjectsProps {
  readonly image: string;
  /** The architectures the cluster's node groups and NodePools run (`--arch`). */
  readonly architectures: readonly Architecture[];
  readonly arm64Weight: number;
  /** A docker-registry Secret in the arch-guard namespace, mounted as a Docker config.json. */
  readonly registrySecret?: string;
}

type KubernetesObject = Record<string, unknown>;

const labels = { 'app.kubernetes.io/name': ARCH_GUARD.name, 'app.kubernetes.io/part-of': 'mixed-arch-eks' };
const selector = { 'app.kubernetes.io/name': ARCH_GUARD.name };
const serviceHost = `${ARCH_GUARD.name}.${ARCH_GUARD.namespace}.svc`;

/** The namespace, with the Pod Security "restricted" profile enforced, as the workloads' namespace has it. */
export function archGuardNamespace(): KubernetesObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: ARCH_GUARD.namespace,
      labels: {
        ...labels,
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/warn': 'restricted',
        'pod-security.kubernetes.io/audit': 'restricted',
      },
    },
  };
}

/**
 * The TLS chain, all made and renewed by cert-manager in the cluster; no key is ever in a template, the
 * repository or a log. A self-signed Issuer signs a CA Certificate once; a CA Issuer signs the serving
 * Certificate for the Service's DNS names. cert-manager renews the serving certificate before it expires (a new
 * key each time: rotationPolicy Always), the kubelet refreshes the mounted Secret, the server reloads it, and
 * the CA injector keeps the webhook configuration's caBundle on the CA that signed it (docs/arch-guard.md).
 * Durations: cert-manager's Certificate API (duration default 90 days, renewBefore default 1/3 of it).
 */
export function archGuardTlsObjects(): KubernetesObject[] {
  const metadata = (name: string) => ({ name, namespace: ARCH_GUARD.namespace, labels });
  const privateKey = { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' };
  return [
    { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: metadata('arch-guard-selfsigned'), spec: { selfSigned: {} } },
    {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: metadata('arch-guard-ca'),
      spec: {
        isCA: true,
        commonName: 'arch-guard-ca',
        secretName: ARCH_GUARD.caSecret,
        // Five years, renewed a year ahead: a CA change is the one renewal with a short fail-open window.
        duration: '43800h',
        renewBefore: '8760h',
        privateKey,
        issuerRef: { kind: 'Issuer', name: 'arch-guard-selfsigned', group: 'cert-manager.io' },
      },
    },
    { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: metadata('arch-guard-ca'), spec: { ca: { secretName: ARCH_GUARD.caSecret } } },
    {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: metadata(ARCH_GUARD.servingCertificate),
      spec: {
        secretName: ARCH_GUARD.tlsSecret,
        dnsNames: [serviceHost, `${serviceHost}.cluster.local`],
        // 90 days, renewed 30 days ahead.
        duration: '2160h',
        renewBefore: '720h',
        usages: ['server auth', 'digital signature'],
        privateKey,
        issuerRef: { kind: 'Issuer', name: 'arch-guard-ca', group: 'cert-manager.io' },
      },
    },
  ];
}

/** The server's arguments: the interface bin/arch-guard.ts takes (docs/arch-guard.md). */
export function archGuardArgs(props: Pick<ArchGuardObjectsProps, 'architectures' | 'arm64Weight' | 'registrySecret'>): string[] {
  return [
    '--port', String(ARCH_GUARD.port),
    '--tls-cert', '/tls/tls.crt',
    '--tls-key', '/tls/tls.key',
    '--arch', props.architectures.join(','),
    '--arm64-weight', String(props.arm64Weight),
    '--budget-ms', String(ARCH_GUARD_BUDGET_MS),
    ...(props.registrySecret ? ['--docker-config', '/registry/config.json'] : []),
  ];
}

/** ServiceAccount, Deployment, Service and PodDisruptionBudget. */
export function archGuardServerObjects(props: ArchGuardObjectsProps): KubernetesObject[] {
  const probe = (path: string, periodSeconds: number, failureThreshold: number) => ({
    httpGet: { path, port: ARCH_GUARD.port, scheme: 'HTTPS' }, periodSeconds, timeoutSeconds: 2, failureThreshold,
  });
  const volumes: KubernetesObject[] = [{ name: 'tls', secret: { secretName: ARCH_GUARD.tlsSecret } }];
  const mounts: KubernetesObject[] = [{ name: 'tls', mountPath: '/tls', readOnly: true }];
  if (props.registrySecret) {
    // A docker-registry Secret keeps its config.json under `.dockerconfigjson`.
    volumes.push({ name: 'registry', secret: { secretName: props.registrySecret, items: [{ key: '.dockerconfigjson', path: 'config.json' }] } });
    mounts.push({ name: 'registry', mountPath: '/registry', readOnly: true });
  }
  const spread = (topologyKey: string, whenUnsatisfiable: string) => ({
    maxSkew: 1, topologyKey, whenUnsatisfiable, labelSelector: { matchLabels: selector },
    // Nodes the pods may not run on (taints they do not tolerate) are no domain to spread over.
    nodeTaintsPolicy: 'Honor',
  });
  return [
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: ARCH_GUARD.serviceAccount, namespace: ARCH_GUARD.namespace, labels },
      // The server never calls the Kubernetes API. Pod Identity does not need this token: the EKS Pod Identity
      // webhook adds a projected serviceAccountToken volume of its own, with its own audience
      // (aws/amazon-eks-pod-identity-webhook, pkg/handler, testdata/containercredentials).
      automountServiceAccountToken: false,
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: ARCH_GUARD.name, namespace: ARCH_GUARD.namespace, labels },
      spec: {
        replicas: 2,
        selector: { matchLabels: selector },
        // One new pod before an old one goes: with two replicas one always answers during a rollout.
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: ARCH_GUARD.serviceAccount,
            automountServiceAccountToken: false,
            // Usable outside kube-system since Kubernetes 1.17 (kubernetes/kubernetes#60596, #76310).
            priorityClassName: 'system-cluster-critical',
            // No kubernetes.io/arch constraint: the image is multi-arch and the pods may run on any node.
            topologySpreadConstraints: [
              spread('kubernetes.io/hostname', 'DoNotSchedule'),
              spread('topology.kubernetes.io/zone', 'ScheduleAnyway'),
            ],
            // No tolerations: the config keeps one node group free of NoSchedule/NoExecute taints (for CoreDNS),
            // and a system pod has no business on nodes dedicated to others.
            securityContext: {
              runAsNonRoot: true,
              runAsUser: WORKLOAD_UID,
              runAsGroup: WORKLOAD_GID,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            containers: [{
              name: 'arch-guard',
              image: props.image,
              // A pinned tag or digest is enforced by the config, so the node cache is safe to use.
              imagePullPolicy: 'IfNotPresent',
              args: archGuardArgs(props),
              ports: [{ name: 'https', containerPort: ARCH_GUARD.port, protocol: 'TCP' }],
              readinessProbe: probe('/readyz', 5, 2),
              livenessProbe: probe('/healthz', 10, 3),
              resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '256Mi' } },
              securityContext: {
                runAsNonRoot: true,
                runAsUser: WORKLOAD_UID,
                runAsGroup: WORKLOAD_GID,
                privileged: false,
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
                seccompProfile: { type: 'RuntimeDefault' },
              },
              volumeMounts: mounts,
            }],
            volumes,
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: ARCH_GUARD.name, namespace: ARCH_GUARD.namespace, labels },
      spec: { selector, ports: [{ name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' }] },
    },
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: ARCH_GUARD.name, namespace: ARCH_GUARD.namespace, labels },
      spec: { minAvailable: 1, selector: { matchLabels: selector } },
    },
  ];
}

/**
 * The MutatingWebhookConfiguration. Fails open (`failurePolicy: Ignore`): a pod is never refused because
 * arch-guard is down, slow, or not yet trusted (before the CA injector has written the caBundle), it is admitted
 * unchanged. Pods, CREATE only (a pod's affinity cannot change after creation). `reinvocationPolicy: IfNeeded`:
 * when a later webhook adds a container (a sidecar injector), arch-guard sees the pod again and, finding its own
 * arch constraint, warns if the new image lacks one of the architectures it allows.
 */
export function archGuardWebhookConfiguration(): KubernetesObject {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: {
      name: ARCH_GUARD.webhookConfiguration,
      labels,
      // cert-manager's CA injector writes the serving certificate's CA into every webhook's caBundle.
      annotations: { 'cert-manager.io/inject-ca-from': `${ARCH_GUARD.namespace}/${ARCH_GUARD.servingCertificate}` },
    },
    webhooks: [{
      name: ARCH_GUARD.webhookName,
      admissionReviewVersions: ['v1'],
      sideEffects: 'None',
      failurePolicy: 'Ignore',
      timeoutSeconds: ARCH_GUARD_TIMEOUT_SECONDS,
      matchPolicy: 'Equivalent',
      reinvocationPolicy: 'IfNeeded',
      clientConfig: { service: { namespace: ARCH_GUARD.namespace, name: ARCH_GUARD.name, path: '/mutate', port: 443 } },
      rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'], scope: 'Namespaced' }],
      namespaceSelector: {
        matchExpressions: [
          { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: [...ARCH_GUARD_EXCLUDED_NAMESPACES] },
          { key: ARCH_GUARD_SKIP_LABEL, operator: 'NotIn', values: ['true'] },
        ],
      },
      objectSelector: { matchExpressions: [{ key: ARCH_GUARD_SKIP_LABEL, operator: 'NotIn', values: ['true'] }] },
    }],
  };
}
