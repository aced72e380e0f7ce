#!/bin/sh
# Tears the stack down in an order that finishes, or turns Karpenter off (--karpenter-off):
#   1. deletes every Karpenter NodePool while the controller still runs, so Karpenter drains and terminates its
#      nodes (each NodePool's terminationGracePeriod bounds a drain that a PodDisruptionBudget blocks); with EKS
#      Auto Mode (autoscaler=auto-mode), every NodePool but Auto Mode's built-in system and general-purpose;
#   2. waits until no NodeClaim is left (TEARDOWN_TIMEOUT seconds, default 900) and stops, destroying nothing,
#      if some remain: removing the controller then would leave their instances running;
#   3. runs `cdk destroy` (or, with --karpenter-off, `cdk deploy`, after "autoscaler" is no longer "karpenter"
#      in cdk.json);
#   4. after a destroy, lists every EC2 instance still tagged for the cluster (Karpenter's eks:eks-cluster-name
#      tag and the node groups' kubernetes.io/cluster/<name> tag).
# Why: aws-cdk-lib's kubectl handler logs and ignores a failed `kubectl delete` and gives up after 15 minutes,
# so a plain `cdk destroy` can remove the controller while its instances still run (docs/deploy.md, Tearing down).
# Needs kubectl (the current context on this cluster: the KubeconfigCommand output), the aws CLI and npx cdk.
# Exit 0 when done and nothing is left, 1 when something is left or a step failed, 2 for bad usage.
set -u

stack=${STACK_NAME:-MixedArchEks}
kubectl=${KUBECTL:-kubectl}
aws=${AWS_CLI:-aws}
cdk=${CDK:-npx cdk}
timeout=${TEARDOWN_TIMEOUT:-900}
interval=${POLL_INTERVAL:-10}
mode=destroy

case "${1:-}" in
  '') ;;
  --karpenter-off) mode=karpenter-off ;;
  *) echo "teardown: unknown argument $1 (use no argument to destroy the stack, or --karpenter-off)" >&2; exit 2 ;;
esac

if [ "$mode" = karpenter-off ]; then
  autoscaler=$(node -e 'const c = require(require("path").resolve("cdk.json")).context || {}; console.log(String(c.autoscaler || "none").toLowerCase())') || exit 2
  if [ "$autoscaler" = karpenter ] || [ "$autoscaler" = auto-mode ]; then
    echo "teardown: cdk.json still says \"autoscaler\": \"$autoscaler\"; set it to \"none\" first, so the deploy removes it and later deploys do not bring it back" >&2
    exit 2
  fi
fi

cluster=${CLUSTER_NAME:-}
if [ -z "$cluster" ]; then
  cluster=$($aws cloudformation describe-stacks --stack-name "$stack" \
    --query "Stacks[0].Outputs[?OutputKey=='ClusterName'].OutputValue" --output text) || {
    echo "teardown: cannot read the ClusterName output of stack $stack (deployed? AWS_REGION and credentials set?)" >&2
    exit 2
  }
fi
if [ -z "$cluster" ] || [ "$cluster" = None ]; then
  echo "teardown: stack $stack has no ClusterName output; set CLUSTER_NAME" >&2
  exit 2
fi

# Deleting NodePools on another cluster would be a disaster: the current context must be this cluster's.
context=$($kubectl config current-context 2>/dev/null) || context=''
case "$context" in
  */"$cluster"|"$cluster") ;;
  *)
    echo "teardown: the current kubectl context is '${context:-none}', not cluster $cluster; run the stack's KubeconfigCommand output first" >&2
    exit 2 ;;
esac

automode=''
if $kubectl get crd nodepools.karpenter.sh >/dev/null 2>&1; then
  # EKS Auto Mode serves the same NodePool API. Its built-in pools are EKS's own (they cannot be deleted): their
  # nodes go with the cluster, or when Auto Mode is turned off. Only the pools of karpenterNodePools are drained.
  selector=''
  if $kubectl get crd nodeclasses.eks.amazonaws.com >/dev/null 2>&1; then
    automode=yes
    selector=-lkarpenter.sh/nodepool!=system,karpenter.sh/nodepool!=general-purpose
    echo "deleting every NodePool of $cluster but EKS Auto Mode's built-in system and general-purpose"
    pools=$($kubectl get nodepools.karpenter.sh -o name) || exit 1
    pools=$(printf '%s\n' "$pools" | grep -v -x -E 'nodepool\.karpenter\.sh/(system|general-purpose)')
    # shellcheck disable=SC2086
    [ -z "$pools" ] || $kubectl delete $pools --wait=false || exit 1
  else
    echo "deleting every Karpenter NodePool of $cluster"
    $kubectl delete nodepools.karpenter.sh --all --wait=false || exit 1
  fi
  waited=0
  while :; do
    # shellcheck disable=SC2086
    left=$($kubectl get nodeclaims.karpenter.sh -o name $selector) || exit 1
    [ -z "$left" ] && break
    if [ "$waited" -ge "$timeout" ]; then
      echo "FAIL NodeClaims still there after ${timeout}s; nothing was destroyed (the controller must stay to terminate them):"
      printf '%s\n' "$left"
      echo "see why with: $kubectl describe nodeclaims; then run npm run teardown again"
      exit 1
    fi
    echo "waiting for $(printf '%s\n' "$left" | wc -l | tr -d ' ') NodeClaim(s) to go"
    sleep "$interval"
    waited=$((waited + interval))
  done
  echo "no NodeClaim left"
else
  echo "no Karpenter on $cluster: nothing to drain first"
fi

if [ "$mode" = karpenter-off ]; then
  # shellcheck disable=SC2086
  $cdk deploy "$stack" || exit 1
  if [ -n "$automode" ]; then echo "EKS Auto Mode is off; its NodePools' nodes were drained first"; else echo "Karpenter is off; its nodes are gone"; fi
  exit 0
fi

status=0
# shellcheck disable=SC2086
$cdk destroy --force "$stack" || { status=1; echo "FAIL cdk destroy did not finish (a subnet still in use? see docs/deploy.md, A destroy that stops at a subnet)"; }

# Anything still running for this cluster now costs money and keeps the VPC's subnets in use.
query='Reservations[].Instances[].[InstanceId,State.Name,InstanceType]'
states=Name=instance-state-name,Values=pending,running,stopping,stopped,shutting-down
by_karpenter=$($aws ec2 describe-instances --filters "Name=tag:eks:eks-cluster-name,Values=$cluster" "$states" --query "$query" --output text) &&
by_nodegroups=$($aws ec2 describe-instances --filters "Name=tag-key,Values=kubernetes.io/cluster/$cluster" "$states" --query "$query" --output text) || {
  echo "FAIL could not list the instances of $cluster"
  exit 1
}
left=$(printf '%s\n%s\n' "$by_karpenter" "$by_nodegroups" | grep . | sort -u)
if [ -n "$left" ]; then
  echo "LEFT instances still tagged for $cluster:"
  printf '%s\n' "$left"
  echo "terminate them with: $aws ec2 terminate-instances --instance-ids $(printf '%s\n' "$left" | awk '{ printf "%s%s", sep, $1; sep = " " }')"
  exit 1
fi
echo "no instance tagged for $cluster is left"
exit $status
