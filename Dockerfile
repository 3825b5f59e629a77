# syntax=docker/dockerfile:1
# Metrics pipeline service image for Cloud Run (see docs/operations.md).
# Node 22 LTS on Debian bookworm (glibc): @duckdb/node-api's prebuilt binaries
# (@duckdb/node-bindings-linux-x64 / -linux-arm64) need glibc, so no Alpine.
ARG NODE_IMAGE=node:22-bookworm-slim

# ---- build: all dependencies, compile TypeScript to dist/, bundle the entry points into dist/bundle ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would run tsc before the sources are here; the build runs below.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json bundle.js ./
COPY src ./src
COPY routes ./routes
COPY services ./services
RUN npm run build

# ---- runtime: production dependencies and the bundled entry points only ----
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts run (prepare would need tsc, a devDependency). DuckDB's native
# binding comes prebuilt inside its platform package, so nothing needs compiling.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
# The server, the CLI and the demo, bundled: a cold start reads a few files instead of
# hundreds (README, "Start-up"). Native DuckDB, Swagger UI's files and the Google clients
# still come from node_modules.
COPY --from=build /app/dist/bundle ./dist/bundle
# The demo config, so `docker run IMAGE node dist/bundle/demo.js` works with no cloud account (4 KB).
COPY examples ./examples
# A writable embedded-warehouse directory (METRICS_DUCKDB_DIR default ./data/warehouse) for local runs.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
# Cloud Run sets PORT; 8080 is also the service's default.
ENV PORT=8080
EXPOSE 8080
CMD ["node", "dist/bundle/server.js"]
