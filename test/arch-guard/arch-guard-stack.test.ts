import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { stringify } from 'yaml';
import { PROJECT_ROOT } from '../../lib/config/cdk-json';
import { WORKLOAD_GID, WORKLOAD_UID } from '../../lib/config/workload-identity';
import { ARCH_GUARD_SKIP_LABEL } from '../../lib/constructs/arch-guard/arch-guard-objects';
import { buildTestApp, unreasonedAcknowledgements } from '../support/cdk';

/* eslint-disable @typescript-eslint/no-explicit-any */
// -c archGuard=true: the stack's Kubernetes objects, IAM, order and cdk-nag, on the synthesized template.

const IMAGE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/arch-guard:4b1c0de';
type Resources = Record<string, { Type: string; Properties: any; DependsOn?: string[] }>;

const on = buildTestApp({ archGuard: 'true', archGuardImage: IMAGE, gitlabProject: 'acme/mixed-arch-eks' });
const template = Template.fromStack(on.stack);
const resources = template.toJSON().Resources as Resources;
const idOf = (pattern: RegExp) => {
  const ids = Object.keys(resources).filter((id) => pattern.test(id));
  expect(ids).toHaveLength(1);
  return ids[0];
};
const manifestIds = {
  namespace: idOf(/^ClusterArchGuardNamespace/),
  tls: idOf(/^ClusterArchGuardTls/),
  server: idOf(/^ClusterArchGuardServer/),
  webhook: idOf(/^ClusterArchGuardWebhook/),
};
const objectsOf = (id: string): any[] => JSON.parse(resources[id].Properties.Manifest as string);
const objects = Object.values(manifestIds).flatMap(objectsOf);
const find = (kind: string, name?: string) => {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  expect(found).toHaveLength(1);
  return found[0];
};
const deployment = find('Deployment');
const podSpec = deployment.spec.template.spec;

describe('-c archGuard=true: the Kubernetes objects', () => {
  test('applies exactly these objects, in four manifests', () => {
    expect(Object.fromEntries(Object.entries(manifestIds).map(([k, id]) => [k, objectsOf(id).map((o) => `${o.kind}/${o.metadata.name}`)]))).toEqual({
      namespace: ['Namespace/arch-guard'],
      tls: ['Issuer/arch-guard-selfsigned', 'Certificate/arch-guard-ca', 'Issuer/arch-guard-ca', 'Certificate/arch-guard-serving'],
      server: ['ServiceAccount/arch-guard', 'Deployment/arch-guard', 'Service/arch-guard', 'PodDisruptionBudget/arch-guard'],
      webhook: ['MutatingWebhookConfiguration/arch-guard'],
    });
  });

  test('every built-in object is valid against the Kubernetes schema (kubernetes-models, through the project\'s validator)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'arch-guard-'));
    try {
      const file = join(dir, 'arch-guard.yaml');
      writeFileSync(file, objects.filter((o) => !o.apiVersion.startsWith('cert-manager.io/')).map((o) => stringify(o)).join('---\n'));
      const result = spawnSync(process.execPath, ['--require', 'esbuild-register', join(PROJECT_ROOT, 'scripts/validate-manifests.ts'), file], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 60_000 });
      expect(result.stdout.match(/^valid /gm)).toHaveLength(6);
      expect(result.stdout).toMatch(/all objects are valid/);
      expect(result.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the namespace enforces Pod Security "restricted"', () => {
    expect(find('Namespace').metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/warn': 'restricted', 'pod-security.kubernetes.io/audit': 'restricted',
    });
  });

  test('the server meets Pod Security "restricted": non-root numeric user, no escalation, no capabilities, RuntimeDefault seccomp, read-only root', () => {
    expect(podSpec.securityContext).toEqual({ runAsNonRoot: true, runAsUser: WORKLOAD_UID, runAsGroup: WORKLOAD_GID, seccompProfile: { type: 'RuntimeDefault' } });
    expect(podSpec.containers).toHaveLength(1);
    expect(podSpec.containers[0].securityContext).toEqual({
      runAsNonRoot: true, runAsUser: WORKLOAD_UID, runAsGroup: WORKLOAD_GID, privileged: false, allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(podSpec.hostNetwork ?? false).toBe(false);
    expect(podSpec.volumes.every((v: any) => v.secret !== undefined)).toBe(true);
  });

  test('two replicas spread over nodes, on either architecture, critical, with a PDB that keeps one', () => {
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
    expect(podSpec.topologySpreadConstraints).toEqual([
      { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'arch-guard' } }, nodeTaintsPolicy: 'Honor' },
      { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'arch-guard' } }, nodeTaintsPolicy: 'Honor' },
    ]);
    // No architecture pin of any kind: its image is multi-arch.
    expect(podSpec.nodeSelector).toBeUndefined();
    expect(podSpec.affinity).toBeUndefined();
    expect(podSpec.priorityClassName).toBe('system-cluster-critical');
    expect(find('PodDisruptionBudget').spec).toEqual({ minAvailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': 'arch-guard' } } });
  });

  test('runs the pinned image with the interface\'s arguments: port, TLS files, the cluster\'s architectures, weight, budget', () => {
    const [container] = podSpec.containers;
    expect(container.image).toBe(IMAGE);
    expect(container.imagePullPolicy).toBe('IfNotPresent');
    expect(container.command).toBeUndefined();
    expect(container.args).toEqual(['--port', '8443', '--tls-cert', '/tls/tls.crt', '--tls-key', '/tls/tls.key', '--arch', 'arm64,amd64', '--arm64-weight', '50', '--budget-ms', '3000']);
    expect(container.ports).toEqual([{ name: 'https', containerPort: 8443, protocol: 'TCP' }]);
    expect(container.readinessProbe).toEqual({ httpGet: { path: '/readyz', port: 8443, scheme: 'HTTPS' }, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 2 });
    expect(container.livenessProbe).toEqual({ httpGet: { path: '/healthz', port: 8443, scheme: 'HTTPS' }, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 });
    expect(container.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '256Mi' } });
    expect(container.volumeMounts).toEqual([{ name: 'tls', mountPath: '/tls', readOnly: true }]);
    expect(podSpec.volumes).toEqual([{ name: 'tls', secret: { secretName: 'arch-guard-tls' } }]);
    expect(podSpec.serviceAccountName).toBe('arch-guard');
    expect(podSpec.automountServiceAccountToken).toBe(false);
  });

  test('the Service sends 443 to the server\'s https port', () => {
    expect(find('Service').spec).toEqual({ selector: { 'app.kubernetes.io/name': 'arch-guard' }, ports: [{ name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' }] });
  });

  test('the webhook fails open, within 5 s, Pods CREATE only, never for kube-system, itself, cert-manager or opted-out pods and namespaces', () => {
    const config = find('MutatingWebhookConfiguration');
    expect(config.metadata.annotations).toEqual({ 'cert-manager.io/inject-ca-from': 'arch-guard/arch-guard-serving' });
    expect(config.webhooks).toEqual([{
      name: 'arch-guard.mixed-arch-eks.io',
      admissionReviewVersions: ['v1'],
      sideEffects: 'None',
      failurePolicy: 'Ignore',
      timeoutSeconds: 5,
      matchPolicy: 'Equivalent',
      reinvocationPolicy: 'IfNeeded',
      clientConfig: { service: { namespace: 'arch-guard', name: 'arch-guard', path: '/mutate', port: 443 } },
      rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'], scope: 'Namespaced' }],
      namespaceSelector: { matchExpressions: [
        { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'arch-guard', 'cert-manager'] },
        { key: ARCH_GUARD_SKIP_LABEL, operator: 'NotIn', values: ['true'] },
      ] },
      objectSelector: { matchExpressions: [{ key: ARCH_GUARD_SKIP_LABEL, operator: 'NotIn', values: ['true'] }] },
    }]);
    expect(ARCH_GUARD_SKIP_LABEL).toBe('arch-guard.mixed-arch-eks.io/skip');
    // The server's own budget ends before the API server gives up.
    const budget = Number(podSpec.containers[0].args[podSpec.containers[0].args.indexOf('--budget-ms') + 1]);
    expect(budget).toBeLessThan(config.webhooks[0].timeoutSeconds * 1000);
  });
});

describe('-c archGuard=true: TLS from cert-manager, no key anywhere in the template', () => {
  test('a self-signed Issuer signs a CA, whose Issuer signs the serving certificate for the Service\'s names', () => {
    const selfSigned = find('Issuer', 'arch-guard-selfsigned');
    expect(selfSigned.spec).toEqual({ selfSigned: {} });
    const ca = find('Certificate', 'arch-guard-ca');
    expect(ca.spec).toMatchObject({ isCA: true, secretName: 'arch-guard-ca', issuerRef: { kind: 'Issuer', name: 'arch-guard-selfsigned' } });
    expect(find('Issuer', 'arch-guard-ca').spec).toEqual({ ca: { secretName: 'arch-guard-ca' } });
    const serving = find('Certificate', 'arch-guard-serving');
    expect(serving.spec).toEqual({
      secretName: 'arch-guard-tls',
      dnsNames: ['arch-guard.arch-guard.svc', 'arch-guard.arch-guard.svc.cluster.local'],
      duration: '2160h', renewBefore: '720h',
      usages: ['server auth', 'digital signature'],
      privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
      issuerRef: { kind: 'Issuer', name: 'arch-guard-ca', group: 'cert-manager.io' },
    });
    // The mounted Secret is the serving certificate's; the webhook trusts that certificate's CA.
    expect(podSpec.volumes[0].secret.secretName).toBe(serving.spec.secretName);
    for (const certificate of [ca, serving]) expect(certificate.spec.privateKey.rotationPolicy).toBe('Always');
    expect(objects.every((o) => o.metadata.namespace === undefined || o.metadata.namespace === 'arch-guard')).toBe(true);
  });

  test('holds no private key, certificate or Secret', () => {
    // The only caBundle is the path the stack reads on cert-manager's own webhook (no value is written).
    const text = JSON.stringify(template.toJSON()).replace('"JsonPath":".webhooks[0].clientConfig.caBundle"', '');
    expect(text).not.toMatch(/PRIVATE KEY|BEGIN CERTIFICATE|caBundle/);
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
  });

  test('installs cert-manager as the EKS add-on, after the nodes, kept when removed', () => {
    const addons = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::EKS::Addon' && r.Properties.AddonName === 'cert-manager');
    expect(addons).toHaveLength(1);
    const [id, addon] = addons[0];
    expect(addon.Properties).toEqual({ ClusterName: { Ref: expect.any(String) }, AddonName: 'cert-manager', ResolveConflicts: 'OVERWRITE', PreserveOnDelete: true });
    const groups = Object.keys(resources).filter((r) => resources[r].Type === 'AWS::EKS::Nodegroup');
    expect(addon.DependsOn).toEqual(expect.arrayContaining(groups));
    expect(resources[manifestIds.tls].DependsOn).toEqual(expect.arrayContaining([id, manifestIds.namespace]));
  });

  test('applies the TLS objects only once cert-manager\'s webhook has its caBundle (else kubectl apply fails calling it)', () => {
    const values = Object.entries(resources).filter(([, r]) => r.Type === 'Custom::AWSCDK-EKS-KubernetesObjectValue');
    expect(values).toHaveLength(1);
    const [valueId, value] = values[0];
    expect(value.Properties).toMatchObject({
      ObjectType: 'validatingwebhookconfiguration', ObjectName: 'cert-manager-webhook', JsonPath: '.webhooks[0].clientConfig.caBundle', TimeoutSeconds: 300,
    });
    const addon = Object.keys(resources).find((r) => resources[r].Type === 'AWS::EKS::Addon' && resources[r].Properties.AddonName === 'cert-manager') as string;
    expect(value.DependsOn).toEqual(expect.arrayContaining([addon]));
    expect(resources[manifestIds.tls].DependsOn).toEqual(expect.arrayContaining([valueId]));
  });
});

describe('-c archGuard=true: order, IAM, cdk-nag', () => {
  test('namespace and cert-manager, then TLS, then the server (after its identity and the nodes), then the webhook', () => {
    const association = idOf(/^ArchGuardServerIdentity/);
    const policy = idOf(/^ArchGuardEcrRead/);
    const groups = Object.keys(resources).filter((r) => resources[r].Type === 'AWS::EKS::Nodegroup');
    expect(resources[manifestIds.server].DependsOn).toEqual(expect.arrayContaining([manifestIds.tls, association, policy, ...groups]));
    // CloudFormation deletes in reverse: turning archGuard off removes the webhook before the server.
    expect(resources[manifestIds.webhook].DependsOn).toEqual(expect.arrayContaining([manifestIds.server, manifestIds.tls]));
    expect(resources[association].DependsOn).toEqual([idOf(/^AddonsPodIdentityAgent/)]);
    for (const id of Object.values(manifestIds)) expect(resources[id].Properties.Overwrite).toBe(true);
  });

  test('the server role: Pod Identity for arch-guard/arch-guard of this cluster, reading ECR and nothing else', () => {
    const association = resources[idOf(/^ArchGuardServerIdentity/)].Properties;
    expect(association).toEqual({ ClusterName: { Ref: expect.any(String) }, Namespace: 'arch-guard', ServiceAccount: 'arch-guard', RoleArn: { 'Fn::GetAtt': [association.RoleArn['Fn::GetAtt'][0], 'Arn'] } });
    const roleId = association.RoleArn['Fn::GetAtt'][0];
    const role = resources[roleId].Properties;
    expect(role.ManagedPolicyArns).toBeUndefined();
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([{
      Action: ['sts:AssumeRole', 'sts:TagSession'],
      Effect: 'Allow',
      Principal: { Service: 'pods.eks.amazonaws.com' },
      Condition: { StringEquals: {
        'aws:RequestTag/eks-cluster-arn': { 'Fn::GetAtt': [expect.any(String), 'Arn'] },
        'aws:RequestTag/kubernetes-namespace': 'arch-guard',
        'aws:RequestTag/kubernetes-service-account': 'arch-guard',
      } },
    }]);
    const policies = Object.values(resources).filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: roleId }]));
    expect(policies).toHaveLength(1);
    expect(policies[0].Properties.PolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'RegistryToken', Action: 'ecr:GetAuthorizationToken', Effect: 'Allow', Resource: '*' },
        {
          Sid: 'ReadImageManifests',
          Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
          Effect: 'Allow',
          // Any account: a cross-account pull needs the identity policy too (the repository's policy still gates it).
          Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecr:*:*:repository/*']] },
        },
      ],
    });
  });

  test('the GitLab deploy role may push to both of the project\'s repositories, and to no other', () => {
    const repoArns = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::ECR::Repository')
      .map(([id]) => ({ 'Fn::GetAtt': [id, 'Arn'] })).sort((a, b) => a['Fn::GetAtt'][0].localeCompare(b['Fn::GetAtt'][0]));
    expect(repoArns.map((a) => a['Fn::GetAtt'][0])).toEqual([expect.stringMatching(/^ArchGuardImages/), expect.stringMatching(/^PrintPlatformInfoImages/)]);
    const roleId = Object.keys(resources).find((id) => /^GitLabDeployRole/.test(id) && resources[id].Type === 'AWS::IAM::Role') as string;
    const statements = Object.values(resources).filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
      .flatMap((r) => r.Properties.PolicyDocument.Statement);
    const push = statements.filter((s: any) => ([] as string[]).concat(s.Action).includes('ecr:PutImage'));
    expect(push).toHaveLength(1);
    expect([...push[0].Resource].sort((a: any, b: any) => a['Fn::GetAtt'][0].localeCompare(b['Fn::GetAtt'][0]))).toEqual(repoArns);
  });

  test('passes cdk-nag, every acknowledgement with a reason', () => {
    const result = new AwsSolutionsChecks(on.app).validateScope(on.app);
    expect(result.violations.map((v) => `${v.ruleName} ${JSON.stringify(v.violatingResources.map((r) => r.locations))}`)).toEqual([]);
    expect(result.success).toBe(true);
    expect(unreasonedAcknowledgements(on.app)).toEqual([]);
  });
});

describe('what the docs tell an operator to run against this template', () => {
  const doc = (name: string) => readFileSync(join(PROJECT_ROOT, 'docs', name), 'utf8');

  test('docs/deploy.md deletes every fixed-name ECR repository before a redeploy under the same names (they are kept on destroy)', () => {
    const names = Object.values(resources).filter((r) => r.Type === 'AWS::ECR::Repository').map((r) => r.Properties.RepositoryName as string).sort();
    expect(names).toEqual(['arch-guard', 'print-platform-info']);
    for (const name of names) expect(doc('deploy.md')).toContain(`aws ecr delete-repository --repository-name ${name} --force`);
  });

  test('docs/arch-guard.md: its jq command selects exactly the webhook configuration from the synthesized template', () => {
    const command = /```sh\n(jq -r [\s\S]*?)\s*\\\n\s*\| kubectl apply -f -\n```/.exec(doc('arch-guard.md'));
    expect(command).not.toBeNull();
    const dir = mkdtempSync(join(tmpdir(), 'arch-guard-doc-'));
    try {
      writeFileSync(join(dir, 'MixedArchEks.template.json'), JSON.stringify(template.toJSON()));
      const script = (command as RegExpExecArray)[1].replace('cdk.out/MixedArchEks.template.json', join(dir, 'MixedArchEks.template.json'));
      const result = spawnSync('sh', ['-c', script], { encoding: 'utf8' });
      expect(result.status).toBe(0);
      // One object per JSON document, as the kubectl handler applies it (a bare JSON array is no Kubernetes object).
      expect(JSON.parse(result.stdout)).toEqual(find('MutatingWebhookConfiguration'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('-c archGuardRegistrySecret, -c archGuardArm64Weight, an amd64-only cluster with a tainted group', () => {
  const amd64Only = JSON.stringify([
    { name: 'x86', arch: 'amd64', instanceTypes: ['m7i.large'], minSize: 2, desiredSize: 2, maxSize: 3 },
    { name: 'x86-batch', arch: 'amd64', instanceTypes: ['c7i.large'], minSize: 1, desiredSize: 1, maxSize: 3, taints: [{ key: 'dedicated', value: 'batch', effect: 'NoSchedule' }] },
  ]);
  const variant = Template.fromStack(buildTestApp({
    archGuard: 'true', archGuardImage: IMAGE, archGuardRegistrySecret: 'registries', archGuardArm64Weight: '80', nodeGroups: amd64Only, amiFamily: 'AL2023',
  }).stack).toJSON().Resources as Resources;
  const server = Object.entries(variant).find(([id]) => id.startsWith('ClusterArchGuardServer'))?.[1];
  const spec = JSON.parse(server?.Properties.Manifest).find((o: any) => o.kind === 'Deployment').spec.template.spec;

  test('mounts the named docker-registry Secret as a Docker config.json and passes it and the weight to the server', () => {
    expect(spec.volumes).toEqual([
      { name: 'tls', secret: { secretName: 'arch-guard-tls' } },
      { name: 'registry', secret: { secretName: 'registries', items: [{ key: '.dockerconfigjson', path: 'config.json' }] } },
    ]);
    expect(spec.containers[0].volumeMounts).toEqual([{ name: 'tls', mountPath: '/tls', readOnly: true }, { name: 'registry', mountPath: '/registry', readOnly: true }]);
    expect(spec.containers[0].args).toEqual(expect.arrayContaining(['--arm64-weight', '80']));
    expect(spec.containers[0].args.slice(-2)).toEqual(['--docker-config', '/registry/config.json']);
  });

  test('allows only the architectures the cluster runs, and stays off nodes dedicated to others', () => {
    expect(spec.containers[0].args.slice(6, 8)).toEqual(['--arch', 'amd64']);
    expect(spec.tolerations).toBeUndefined();
  });
});
