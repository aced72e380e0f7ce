#!/bin/sh
# Waits for every Job of a manifest folder (default dist/) to complete in the cluster of the current kubeconfig
# context, then checks what each printed: a Job pinned with a kubernetes.io/arch nodeSelector must print
# `kubernetes.io/arch=<that architecture>`; an unpinned Job must print one of the pinned Jobs' architectures
# (the cluster's, as configured). The article's last step, automated. Needs kubectl only (the pipeline's
# deploy job and `npm run check-workloads`); it reads the Jobs, their status and their logs, nothing cluster-wide.
# Exit 0 when every Job passed, 1 when one did not, 2 for bad usage.
set -u

dir=${1:-dist}
kubectl=${KUBECTL:-kubectl}
timeout=${WAIT_TIMEOUT:-360s}

if [ ! -d "$dir" ]; then
  echo "check-workloads: no folder $dir (run npm run synth first, or give the manifest folder)" >&2
  exit 2
fi
files=$(grep -l '^kind: Job$' "$dir"/*.yaml "$dir"/*.yml 2>/dev/null)
if [ -z "$files" ]; then
  echo "check-workloads: no Job manifests in $dir" >&2
  exit 2
fi

# namespace, name and pinned architecture (<none> when unpinned) of each Job, as the cluster holds it.
rows=""
for file in $files; do
  out=$($kubectl get -f "$file" --no-headers \
    -o 'custom-columns=NAMESPACE:.metadata.namespace,NAME:.metadata.name,ARCH:.spec.template.spec.nodeSelector.kubernetes\.io/arch') || {
    echo "FAIL $file: its Job is not in the cluster (apply $dir first)"
    exit 1
  }
  rows="$rows$out
"
done

pinned=$(printf '%s' "$rows" | awk '$3 != "<none>" && NF == 3 { print $3 }' | sort -u)
if [ -z "$pinned" ]; then
  echo "check-workloads: no Job in $dir is pinned to an architecture, so the cluster's architectures are unknown" >&2
  exit 2
fi

failed=0
newline='
'
IFS=$newline
for row in $rows; do
  IFS=' '
  # shellcheck disable=SC2086
  set -- $row
  IFS=$newline
  [ $# -eq 3 ] || continue
  namespace=$1 name=$2 arch=$3
  if ! $kubectl wait --for=condition=complete --timeout="$timeout" -n "$namespace" "job/$name" >/dev/null; then
    echo "FAIL $namespace/$name: did not complete within $timeout"
    $kubectl get -n "$namespace" "job/$name" -o wide || true
    failed=1
    continue
  fi
  printed=$($kubectl logs -n "$namespace" "job/$name" | sed -n 's|^kubernetes\.io/arch=\([^ ]*\).*|\1|p' | head -n 1)
  if [ "$arch" != "<none>" ]; then
    if [ "$printed" = "$arch" ]; then
      echo "ok   $namespace/$name: pinned to $arch, ran on $printed"
    else
      echo "FAIL $namespace/$name: pinned to $arch, but printed kubernetes.io/arch=${printed:-nothing}"
      failed=1
    fi
  elif [ -n "$printed" ] && printf '%s\n' "$pinned" | grep -qxF "$printed"; then
    echo "ok   $namespace/$name: not pinned, ran on $printed (a cluster architecture)"
  else
    echo "FAIL $namespace/$name: not pinned, printed kubernetes.io/arch=${printed:-nothing}; the cluster has $(printf '%s' "$pinned" | tr '\n' ' ')"
    failed=1
  fi
done
exit $failed
