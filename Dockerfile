# Godot in one container (docs/product.md#processes): redis-server with its AOF on
# the /data volume, the server on 0.0.0.0:9060 and the worker on
# 127.0.0.1:9061, all three under supervisord (deploy/supervisord.conf).
#
#   docker build -t godot .                                  # the runtime (last stage)
#   docker build --target emulator -t godot-dewey-emulator . # testkit Dewey emulator, for trials
#   docker run -p 9060:9060 -v godot-data:/data -e DEWEY_URL=ws://dewey-mcp:9020 godot
#
# Godot reads its settings from the environment (DEWEY_URL, REDIS_URL, PORT,
# QUEUE_NAME, LOG_LEVEL, ...: docs/product.md#configuration). The GODOT_*
# variables set below only place files for deploy/supervisord.conf (see its
# header); they rarely need changing. test/deploy/dockerfile.test.ts checks
# that every path copied here exists and that this file lints clean.

# The base of every stage. Production builds use the default; a machine that
# cannot pull it passes a local stand-in (scripts/container-base.sh, used by
# `pnpm container:test`): --build-arg NODE_IMAGE=localhost/godot-node-base:<key>.
ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: install from the lockfile, compile, cut one tree per service ----
FROM ${NODE_IMAGE} AS build
# Same pnpm as package.json's packageManager; corepack fails its signature
# check on some machines, npm does not.
ARG PNPM_VERSION=10.34.8
RUN npm install -g pnpm@${PNPM_VERSION}
WORKDIR /src
# Manifests and lockfile first, so this layer is reused until dependencies change.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml tsconfig.base.json ./
COPY packages/shared/package.json packages/shared/
COPY packages/server/package.json packages/server/
COPY packages/worker/package.json packages/worker/
COPY packages/testkit/package.json packages/testkit/
COPY packages/client/package.json packages/client/
COPY packages/wire/package.json packages/wire/
RUN pnpm install --frozen-lockfile
COPY packages/ packages/
# pnpm 10 deploys a workspace without injected packages only with --legacy.
# Each /out/<name> is self-contained: dist/, package.json and a node_modules
# with production dependencies only, @godot/shared (with its dist/) copied in.
RUN pnpm build \
  && pnpm --filter @godot/server deploy --prod --legacy /out/server \
  && pnpm --filter @godot/worker deploy --prod --legacy /out/worker \
  && pnpm --filter @godot/testkit deploy --prod --legacy /out/testkit

# ---- emulator: the testkit Dewey emulator (docker-compose profile "emulator") ----
FROM ${NODE_IMAGE} AS emulator
WORKDIR /app
COPY --from=build /out/testkit /app/testkit
ENV NODE_ENV=production \
    DEWEY_EMULATOR_HOST=0.0.0.0 \
    DEWEY_EMULATOR_PORT=9020
USER node
EXPOSE 9020
CMD ["node", "/app/testkit/dist/dewey/dewey-emulator-main.js"]

# ---- godot: the runtime image (default target) ----
FROM ${NODE_IMAGE} AS godot
# Redis and supervisord from Debian. The redis-tools package creates the
# `redis` user; `godot` runs the Node processes. /data holds the AOF.
RUN apt-get update \
  && apt-get install -y --no-install-recommends redis-server supervisor \
  && rm -rf /var/lib/apt/lists/* \
  && groupadd --system godot \
  && useradd --system --gid godot --home-dir /app --no-create-home --shell /usr/sbin/nologin godot \
  && mkdir -p /data /run/godot \
  && chown redis:redis /data \
  && chmod 0750 /data /run/godot
WORKDIR /app
# Owned by root: the godot user can read the code, not change it.
COPY --from=build /out/server /app/server
COPY --from=build /out/worker /app/worker
COPY deploy/supervisord.conf deploy/redis.conf /app/deploy/
# Paths for deploy/supervisord.conf. supervisord's own log goes to stdout as
# well in the foreground, so its log file is /dev/null.
ENV NODE_ENV=production \
    GODOT_SUPERVISOR_PIDFILE=/run/godot/supervisord.pid \
    GODOT_SUPERVISOR_LOGFILE=/dev/null \
    GODOT_SUPERVISOR_SOCKET=/run/godot/supervisor.sock \
    GODOT_REDIS_BIN=/usr/bin/redis-server \
    GODOT_REDIS_CONF=/app/deploy/redis.conf \
    GODOT_REDIS_DIR=/data \
    GODOT_REDIS_PORT=6379 \
    GODOT_REDIS_USER=redis \
    GODOT_APP_DIR=/app \
    GODOT_NODE=/usr/local/bin/node \
    GODOT_NODE_ARGS="" \
    GODOT_SERVER_MAIN=/app/server/dist/main.js \
    GODOT_WORKER_MAIN=/app/worker/dist/main.js \
    GODOT_NODE_USER=godot
VOLUME ["/data"]
EXPOSE 9060
# No curl in the slim image: node's fetch. 200 only with Redis up and a fresh
# worker heartbeat (docs/product.md#health).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||9060)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# supervisord stays root to manage its programs, which drop to `redis` and
# `godot` (user= in supervisord.conf). On SIGTERM it stops the server and the
# worker, then Redis, within 30 s (supervisord.conf's stop budget); give it
# that: `docker stop -t 30` (Docker's default is 10 s), stop_grace_period in
# docker-compose.yml.
STOPSIGNAL SIGTERM
CMD ["/usr/bin/supervisord", "-n", "-c", "/app/deploy/supervisord.conf"]
