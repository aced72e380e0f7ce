# arch-guard: the admission webhook server (docs/arch-guard.md). Built for linux/amd64 and linux/arm64 by the image
# stage of .gitlab-ci.yml, natively on each architecture's runner and run there before the merge, like
# print-platform-info. The build context is the repository root:
#   docker buildx build --file image/arch-guard.Dockerfile .
# and image/arch-guard.Dockerfile.dockerignore lists what is sent (the sources and the lockfile, nothing else).

# The Node.js the pipeline's own jobs run (.node in .gitlab-ci.yml), by its exact version tag; a test keeps the
# stages and the pipeline on one version. To pin the content too, append the digest of the multi-arch index (see
# image/Dockerfile): FROM node:<version>-bookworm-slim@sha256:<index digest>.
FROM node:24.21.0-bookworm-slim AS build
WORKDIR /src
# Dependencies first: they change less often than the code, so their layer is reused. --omit=dev: the bundle needs
# the runtime libraries and esbuild only. --ignore-scripts: no install script runs (esbuild's binary for the
# build's platform comes from its optional dependency).
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY bin/ bin/
COPY lib/ lib/
# One file: the server and every library it uses; Node.js's built-in modules stay outside, and so does aws-cdk-lib,
# which only the configuration code needs, and the server never loads it when the stack passes --arch
# (docs/arch-guard.md, interface notes: 1.6 MB instead of 11.6 MB).
RUN node_modules/.bin/esbuild bin/arch-guard.ts --bundle --platform=node --target=node24 --format=cjs --legal-comments=none --log-level=warning --external:aws-cdk-lib --outfile=/out/arch-guard.js

FROM node:24.21.0-bookworm-slim
ENV NODE_ENV=production
# Owned by root and read-only, so the unprivileged user below cannot change the program; nothing else is added,
# and the server writes nothing, so the container runs with a read-only root filesystem.
COPY --from=build --chown=0:0 --chmod=0444 /out/arch-guard.js /app/arch-guard.js
# Numeric, so Kubernetes can verify runAsNonRoot; equals WORKLOAD_UID/WORKLOAD_GID in lib/config/workload-identity.ts.
USER 10001:10001
EXPOSE 8443
# Exec form: node is PID 1 and gets SIGTERM directly. The stack passes the server's flags as args.
ENTRYPOINT ["node", "/app/arch-guard.js"]
