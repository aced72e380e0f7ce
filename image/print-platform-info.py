"""Print where this process runs: platform.uname(), then the CPU architecture in Kubernetes terms.

The second line is the one to grep in pod logs: on a mixed arm64/amd64 cluster it shows which kind of node
ran the pod. Standard library only, writes nothing to disk (the container's root filesystem is read-only).
"""
import platform

# platform.machine() names, lower-cased, mapped to the kubernetes.io/arch label values.
KUBERNETES_ARCH = {
    "aarch64": "arm64",
    "arm64": "arm64",
    "x86_64": "amd64",
    "amd64": "amd64",
}


def kubernetes_arch(machine):
    """Return the kubernetes.io/arch name of a platform.machine() value, or None if it is not arm64/amd64."""
    return KUBERNETES_ARCH.get(machine.strip().lower())


def arch_line(machine, node):
    arch = kubernetes_arch(machine)
    if arch is None:
        return f"kubernetes.io/arch={machine} (machine={machine} is not arm64 or amd64, printed as-is; node={node})"
    return f"kubernetes.io/arch={arch} (machine={machine}, node={node})"


def main():
    uname = platform.uname()
    print(uname)
    print(arch_line(uname.machine, uname.node))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
