import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../../lib/config/cdk-json';

// scripts/teardown.sh (`npm run teardown`), run by sh against stand-ins for kubectl, the aws CLI and cdk: there
// is no cluster or AWS account here. Each stand-in records its arguments in one shared file, so a test sees the
// order of the calls; they answer from the case's state. The script has never run against a live account.

const SCRIPT = path.join(PROJECT_ROOT, 'scripts', 'teardown.sh');
const work = mkdtempSync(path.join(tmpdir(), 'teardown-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const STUBS: Record<string, string> = {
  kubectl: `#!/bin/sh
echo "kubectl $*" >> "$STUB/calls"
case "$1 $2" in
  "config current-context") cat "$STUB/context" ;;
  "get crd")
    case "$3" in
      nodeclasses.eks.amazonaws.com) [ -f "$STUB/automode" ] ;;
      *) [ -f "$STUB/karpenter" ] || [ -f "$STUB/automode" ] ;;
    esac ;;
  "get nodepools.karpenter.sh") printf 'nodepool.karpenter.sh/general-purpose\nnodepool.karpenter.sh/graviton\nnodepool.karpenter.sh/system\nnodepool.karpenter.sh/x86\n' ;;
  "delete nodepools.karpenter.sh") echo 'nodepool.karpenter.sh "graviton" deleted' ;;
  "delete nodepool.karpenter.sh/"*) shift; for p in "$@"; do case "$p" in nodepool.*) echo "$p deleted" ;; esac; done ;;
  "get nodeclaims.karpenter.sh")
    n=$(cat "$STUB/nodeclaims")
    i=0; while [ "$i" -lt "$n" ]; do echo "nodeclaim.karpenter.sh/graviton-$i"; i=$((i + 1)); done
    [ -f "$STUB/stuck" ] || echo $((n > 0 ? n - 1 : 0)) > "$STUB/nodeclaims" ;;
  *) echo "unexpected kubectl $*" >&2; exit 3 ;;
esac
`,
  aws: `#!/bin/sh
echo "aws $*" >> "$STUB/calls"
case "$1 $2" in
  "cloudformation describe-stacks") cat "$STUB/cluster" ;;
  "ec2 describe-instances")
    case "$4" in
      Name=tag:eks:eks-cluster-name,*) cat "$STUB/karpenter-instances" 2>/dev/null || true ;;
      Name=tag-key,*) [ -f "$STUB/describe-fails" ] && { echo 'An error occurred (UnauthorizedOperation)' >&2; exit 254; }
        cat "$STUB/nodegroup-instances" 2>/dev/null || true ;;
    esac ;;
  *) echo "unexpected aws $*" >&2; exit 3 ;;
esac
`,
  cdk: `#!/bin/sh
echo "cdk $*" >> "$STUB/calls"
exit $(cat "$STUB/cdk-status" 2>/dev/null || echo 0)
`,
};

interface Account {
  readonly context?: string;
  /** Whether the cluster has Karpenter's CRDs. */
  readonly karpenter?: boolean;
  /** Whether EKS Auto Mode is on (it serves the NodePool API and its own NodeClass API). */
  readonly autoMode?: boolean;
  /** How many NodeClaims there are; each poll sees one fewer, unless `stuck`. */
  readonly nodeClaims?: number;
  readonly stuck?: boolean;
  readonly karpenterInstances?: string;
  readonly nodegroupInstances?: string;
  readonly cdkStatus?: number;
  /** The second describe-instances call fails. */
  readonly describeFails?: boolean;
  /** cdk.json's autoscaler. */
  readonly autoscaler?: string;
  /** TEARDOWN_TIMEOUT, seconds. */
  readonly timeout?: number;
}

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly calls: string[];
}

const ARN = 'arn:aws:eks:eu-west-1:111122223333:cluster/mixed-arch-eks';

function teardown(name: string, account: Account, ...args: string[]): Run {
  const dir = path.join(work, name);
  const stub = path.join(dir, 'stub');
  mkdirSync(path.join(stub, 'bin'), { recursive: true });
  for (const [tool, text] of Object.entries(STUBS)) {
    writeFileSync(path.join(stub, 'bin', tool), text);
    chmodSync(path.join(stub, 'bin', tool), 0o755);
  }
  writeFileSync(path.join(stub, 'calls'), '');
  writeFileSync(path.join(stub, 'cluster'), 'mixed-arch-eks\n');
  writeFileSync(path.join(stub, 'context'), `${account.context ?? ARN}\n`);
  writeFileSync(path.join(stub, 'nodeclaims'), String(account.nodeClaims ?? 0));
  if (account.karpenter ?? !account.autoMode) writeFileSync(path.join(stub, 'karpenter'), '');
  if (account.autoMode) writeFileSync(path.join(stub, 'automode'), '');
  if (account.stuck) writeFileSync(path.join(stub, 'stuck'), '');
  if (account.karpenterInstances) writeFileSync(path.join(stub, 'karpenter-instances'), account.karpenterInstances);
  if (account.nodegroupInstances) writeFileSync(path.join(stub, 'nodegroup-instances'), account.nodegroupInstances);
  if (account.describeFails) writeFileSync(path.join(stub, 'describe-fails'), '');
  if (account.cdkStatus !== undefined) writeFileSync(path.join(stub, 'cdk-status'), String(account.cdkStatus));
  writeFileSync(path.join(dir, 'cdk.json'), JSON.stringify({ app: 'x', context: account.autoscaler ? { autoscaler: account.autoscaler } : {} }));
  const result = spawnSync('sh', [SCRIPT, ...args], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 30_000,
    env: {
      PATH: process.env.PATH, STUB: stub,
      KUBECTL: path.join(stub, 'bin', 'kubectl'), AWS_CLI: path.join(stub, 'bin', 'aws'), CDK: path.join(stub, 'bin', 'cdk'),
      POLL_INTERVAL: '0', TEARDOWN_TIMEOUT: String(account.timeout ?? 60),
    },
  });
  const calls = readFileSync(path.join(stub, 'calls'), 'utf8').split('\n').filter(Boolean);
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls };
}

describe('npm run teardown', () => {
  test('deletes the NodePools first, waits until no NodeClaim is left, destroys, then finds no instance', () => {
    const run = teardown('happy', { nodeClaims: 2 });
    expect(run.stderr).toBe('');
    expect(run.calls).toEqual([
      "aws cloudformation describe-stacks --stack-name MixedArchEks --query Stacks[0].Outputs[?OutputKey=='ClusterName'].OutputValue --output text",
      'kubectl config current-context',
      'kubectl get crd nodepools.karpenter.sh',
      'kubectl get crd nodeclasses.eks.amazonaws.com',
      'kubectl delete nodepools.karpenter.sh --all --wait=false',
      'kubectl get nodeclaims.karpenter.sh -o name',
      'kubectl get nodeclaims.karpenter.sh -o name',
      'kubectl get nodeclaims.karpenter.sh -o name',
      'cdk destroy --force MixedArchEks',
      'aws ec2 describe-instances --filters Name=tag:eks:eks-cluster-name,Values=mixed-arch-eks Name=instance-state-name,Values=pending,running,stopping,stopped,shutting-down --query Reservations[].Instances[].[InstanceId,State.Name,InstanceType] --output text',
      'aws ec2 describe-instances --filters Name=tag-key,Values=kubernetes.io/cluster/mixed-arch-eks Name=instance-state-name,Values=pending,running,stopping,stopped,shutting-down --query Reservations[].Instances[].[InstanceId,State.Name,InstanceType] --output text',
    ]);
    expect(run.stdout).toBe([
      'deleting every Karpenter NodePool of mixed-arch-eks',
      'nodepool.karpenter.sh "graviton" deleted',
      'waiting for 2 NodeClaim(s) to go',
      'waiting for 1 NodeClaim(s) to go',
      'no NodeClaim left',
      'no instance tagged for mixed-arch-eks is left',
      '',
    ].join('\n'));
    expect(run.status).toBe(0);
  });

  test('NodeClaims that do not go: stops before cdk destroy, naming them', () => {
    const run = teardown('stuck', { nodeClaims: 1, stuck: true, timeout: 0 });
    expect(run.calls.some((c) => c.startsWith('cdk '))).toBe(false);
    expect(run.stdout).toContain("FAIL NodeClaims still there after 0s; nothing was destroyed (the controller must stay to terminate them):\nnodeclaim.karpenter.sh/graviton-0\n");
    expect(run.status).toBe(1);
  });

  test('instances still tagged for the cluster after the destroy are listed with the command that ends them', () => {
    const run = teardown('left', {
      karpenterInstances: 'i-0aaa\trunning\tm7g.large\n',
      nodegroupInstances: 'i-0bbb\tstopped\tm7i.large\ni-0aaa\trunning\tm7g.large\n',
    });
    expect(run.stdout).toContain('LEFT instances still tagged for mixed-arch-eks:\ni-0aaa\trunning\tm7g.large\ni-0bbb\tstopped\tm7i.large\n' +
      `terminate them with: ${path.join(work, 'left', 'stub', 'bin', 'aws')} ec2 terminate-instances --instance-ids i-0aaa i-0bbb\n`);
    expect(run.status).toBe(1);
  });

  test('a failed destroy still lists what is left and fails, pointing at the subnet/ENI note', () => {
    const run = teardown('destroy-failed', { cdkStatus: 1 });
    expect(run.stdout).toContain('FAIL cdk destroy did not finish (a subnet still in use? see docs/deploy.md, A destroy that stops at a subnet)');
    expect(run.calls.filter((c) => c.startsWith('aws ec2 describe-instances'))).toHaveLength(2);
    expect(run.status).toBe(1);
  });

  test('instances that cannot be listed: fails, rather than saying nothing is left', () => {
    const run = teardown('describe-fails', { describeFails: true });
    expect(run.stdout).toContain('FAIL could not list the instances of mixed-arch-eks');
    expect(run.stdout).not.toContain('is left');
    expect(run.status).toBe(1);
  });

  test('a cluster without Karpenter goes straight to the destroy', () => {
    const run = teardown('no-karpenter', { karpenter: false });
    expect(run.calls.filter((c) => c.startsWith('kubectl'))).toEqual(['kubectl config current-context', 'kubectl get crd nodepools.karpenter.sh']);
    expect(run.stdout).toContain('no Karpenter on mixed-arch-eks: nothing to drain first');
    expect(run.status).toBe(0);
  });

  test('a kubectl context on another cluster: refuses before deleting anything', () => {
    const run = teardown('other-context', { context: 'arn:aws:eks:eu-west-1:111122223333:cluster/mixed-arch-eks-prod', nodeClaims: 1 });
    expect(run.stderr).toBe("teardown: the current kubectl context is 'arn:aws:eks:eu-west-1:111122223333:cluster/mixed-arch-eks-prod', not cluster mixed-arch-eks; run the stack's KubeconfigCommand output first\n");
    expect(run.calls).not.toContainEqual(expect.stringMatching(/delete|cdk/));
    expect(run.status).toBe(2);
  });

  test('an unknown argument is a usage error', () => {
    const run = teardown('usage', {}, '--all');
    expect(run.stderr).toBe('teardown: unknown argument --all (use no argument to destroy the stack, or --karpenter-off)\n');
    expect(run.calls).toEqual([]);
    expect(run.status).toBe(2);
  });
});

describe('npm run teardown -- --karpenter-off', () => {
  test('refused while cdk.json still turns Karpenter on: the next deploy would bring it back', () => {
    const run = teardown('off-still-on', { autoscaler: 'Karpenter', nodeClaims: 1 }, '--karpenter-off');
    expect(run.stderr).toMatch(/^teardown: cdk\.json still says "autoscaler": "karpenter"; set it to "none" first/);
    expect(run.calls).toEqual([]);
    expect(run.status).toBe(2);
  });

  test('with autoscaler none in cdk.json: drains the NodePools, then deploys (which removes Karpenter); no destroy', () => {
    const run = teardown('off', { autoscaler: 'none', nodeClaims: 1 }, '--karpenter-off');
    expect(run.calls.slice(4)).toEqual([
      'kubectl delete nodepools.karpenter.sh --all --wait=false',
      'kubectl get nodeclaims.karpenter.sh -o name',
      'kubectl get nodeclaims.karpenter.sh -o name',
      'cdk deploy MixedArchEks',
    ]);
    expect(run.stdout).toContain('Karpenter is off; its nodes are gone');
    expect(run.status).toBe(0);
  });
});

describe('with EKS Auto Mode (autoscaler=auto-mode)', () => {
  test('deletes the NodePools of karpenterNodePools but not the built-in ones, and waits for their NodeClaims only', () => {
    const run = teardown('auto-mode', { autoMode: true, nodeClaims: 2 });
    expect(run.stderr).toBe('');
    expect(run.calls.slice(2, 9)).toEqual([
      'kubectl get crd nodepools.karpenter.sh',
      'kubectl get crd nodeclasses.eks.amazonaws.com',
      'kubectl get nodepools.karpenter.sh -o name',
      'kubectl delete nodepool.karpenter.sh/graviton nodepool.karpenter.sh/x86 --wait=false',
      'kubectl get nodeclaims.karpenter.sh -o name -lkarpenter.sh/nodepool!=system,karpenter.sh/nodepool!=general-purpose',
      'kubectl get nodeclaims.karpenter.sh -o name -lkarpenter.sh/nodepool!=system,karpenter.sh/nodepool!=general-purpose',
      'kubectl get nodeclaims.karpenter.sh -o name -lkarpenter.sh/nodepool!=system,karpenter.sh/nodepool!=general-purpose',
    ]);
    expect(run.calls[9]).toBe('cdk destroy --force MixedArchEks');
    expect(run.stdout).toMatch(/^deleting every NodePool of mixed-arch-eks but EKS Auto Mode's built-in system and general-purpose\nnodepool\.karpenter\.sh\/graviton deleted\nnodepool\.karpenter\.sh\/x86 deleted\nwaiting for 2 NodeClaim/);
    expect(run.status).toBe(0);
  });

  test('--karpenter-off turns Auto Mode off the same way once cdk.json says none, and is refused while it says auto-mode', () => {
    const refused = teardown('auto-mode-still-on', { autoMode: true, autoscaler: 'auto-mode' }, '--karpenter-off');
    expect(refused.stderr).toBe('teardown: cdk.json still says "autoscaler": "auto-mode"; set it to "none" first, so the deploy removes it and later deploys do not bring it back\n');
    expect(refused.calls).toEqual([]);
    expect(refused.status).toBe(2);
    const off = teardown('auto-mode-off', { autoMode: true, autoscaler: 'none', nodeClaims: 1 }, '--karpenter-off');
    expect(off.calls.at(-1)).toBe('cdk deploy MixedArchEks');
    expect(off.calls).toContain('kubectl delete nodepool.karpenter.sh/graviton nodepool.karpenter.sh/x86 --wait=false');
    expect(off.stdout).toContain("EKS Auto Mode is off; its NodePools' nodes were drained first");
    expect(off.status).toBe(0);
  });
});

test('package.json runs it as npm run teardown', () => {
  const pkg = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  expect(pkg.scripts.teardown).toBe('sh scripts/teardown.sh');
});
