# Flightdeck container image: built with the toolchain for better-sqlite3, run as a non-root user.

# --- build: type-check, bundle, and compile the native SQLite binding --------------------------
FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary can be fetched.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
COPY bench ./bench
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# --- runtime: only what runs ----------------------------------------------------------
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    MALLOC_ARENA_MAX=2 \
    PORT=3000 \
    DATABASE_URL=sqlite:/data/flightdeck.db \
    FLIGHTDECK_CONFIG=/config/flightdeck.yaml
WORKDIR /app
RUN groupadd --system --gid 10001 flightdeck \
 && useradd --system --uid 10001 --gid 10001 --home-dir /app --shell /usr/sbin/nologin flightdeck \
 && mkdir -p /data /config \
 && chown 10001:10001 /data
COPY --from=build --chown=root:root /app/package.json ./package.json
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist/bundle ./dist/bundle
USER 10001:10001
VOLUME ["/data"]
EXPOSE 3000
# No HEALTHCHECK: Kubernetes probes GET /healthz and /readyz (see helm/flightdeck).
# The bundle holds everything but better-sqlite3's native addon, which is in node_modules.
CMD ["node", "--optimize-for-size", "dist/bundle/main.js"]
