# AgencyGrid API server.
# Single stage on purpose: the server runs TypeScript directly through tsx (a
# runtime dependency), so there is no build output to copy between stages.
# Node 20 is the supported baseline (package.json "engines": >=20.19; the 20
# tag is the newest 20.x). test/unit/docker.node-baseline.spec.ts keeps the two equal.
FROM node:20-bookworm-slim

# better-sqlite3 is a native addon: when its prebuilt binary cannot be fetched
# (offline/registry-only builds, as in our CI) node-gyp compiles it from source,
# which needs python3, make and a C++ compiler.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, so code edits do not invalidate the (slow) install layer.
# --omit=dev is fine: tsx is in "dependencies"; typescript/vitest are not needed to run.
# .npmrc sets engine-strict: a locked package that does not support this Node fails the build.
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force

COPY . .

ENV HOST=0.0.0.0 PORT=8080 DATA_DIR=/data

# The app runs unprivileged; only its data directory is writable by it.
# (A fresh named volume takes this ownership from the image.)
RUN mkdir -p /data && chown node:node /data
VOLUME /data
EXPOSE 8080
USER node

# GET /health on the server's own HOST/PORT, by node (the slim image has no curl or wget); see docs/docker.md.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ["node", "/app/bin/healthcheck.mjs"]

CMD ["node", "--import", "tsx", "bin/agencygrid.ts", "serve"]
