/**
 * The numeric user and group every workload container runs as. The print-platform-info Dockerfile sets the
 * same USER, and a test checks that they agree: a name would not satisfy `runAsNonRoot`, a number does.
 */
export const WORKLOAD_UID = 10001;
export const WORKLOAD_GID = 10001;
