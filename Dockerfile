# AgencyGrid API server.
# Single stage on purpose: the server runs TypeScript directly through tsx (a
# runtime dependency), so there is no build output to copy between stages.
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
COPY package.json package-lock.json ./
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

CMD ["node", "--import", "tsx", "bin/agencygrid.ts", "serve"]
