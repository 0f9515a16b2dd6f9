# Flightdeck container image: the esbuild bundle and better-sqlite3 on Node 24 (LTS), non-root, for a read-only root filesystem.
# Build: docker build -t flightdeck .   Run: docker run --read-only --tmpfs /tmp -v flightdeck-data:/data -v ./flightdeck.yaml:/config/flightdeck.yaml:ro --env-file .env -p 3000:3000 flightdeck
# Node 24 is the Active LTS line (supported until April 2028); Node 20 reached its end of life on 2026-04-30 and Node 22
# is in maintenance until April 2027. The bundle targets node20 syntax, so it runs on both; CI tests on 20 and 24.
ARG NODE_IMAGE=node:24-bookworm-slim

# --- build: install, bundle, and compile better-sqlite3's native addon for this Node -------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /src
# better-sqlite3 compiles from source when no prebuilt binary for this Node and platform can be fetched.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
# Exactly what the runtime needs (scripts/image-contents.mjs; `npm run image:size` prints the same folder's size):
# dist/bundle/main.js without its source map, and better-sqlite3's JS and .node file without its build objects.
RUN node scripts/image-contents.mjs --out /runtime

# --- runtime: only what runs ----------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    MALLOC_ARENA_MAX=2 \
    PORT=3000 \
    DATABASE_URL=sqlite:/data/flightdeck.db \
    FLIGHTDECK_CONFIG=/config/flightdeck.yaml
# The bot needs node and nothing else of the base image's tooling: npm, corepack and yarn go (smaller, less to patch).
RUN rm -rf /usr/local/lib/node_modules /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
           /usr/local/bin/yarn /usr/local/bin/yarnpkg /opt/yarn-* \
 && groupadd --system --gid 10001 flightdeck \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin flightdeck \
 && mkdir -p /data /config \
 && chown 10001:10001 /data
WORKDIR /app
COPY --from=build --chown=root:root /runtime/ ./
# Everything under /app belongs to root and is read-only for the bot; it writes only the SQLite file under /data
# (a volume) and, through libraries, temporary files under /tmp (mount an emptyDir or tmpfs there with --read-only).
USER 10001:10001
VOLUME ["/data"]
EXPOSE 3000
# node is PID 1: Flightdeck handles SIGTERM itself (attached before the store and the port open) and exits 0 when stopped.
STOPSIGNAL SIGTERM
# No HEALTHCHECK: Kubernetes probes GET /healthz and /readyz (see helm/flightdeck).
CMD ["node", "--optimize-for-size", "dist/bundle/main.js"]
