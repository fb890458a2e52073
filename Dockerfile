# syntax=docker/dockerfile:1
# Two targets from one build. `runtime`: the web app (`npm start`, port 3000), the speed-layer
# workers (`npm run worker:start`: the worker `npm run build` bundled, metrics on 9464) and the migrator; `jobs`: the same plus Python and
# the dbt/delta-rs virtualenv, for the jobs worker (`npm run jobs:bare`, /healthz on 9465), which
# runs the lake export and the models. docker-compose.yml picks target and command per service.
# Both run as the non-root `node` user.

ARG NODE_IMAGE=node:20-bookworm-slim

# Dependencies only, so source edits do not re-run `npm ci`.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1 npm_config_update_notifier=false
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund

# `npm run build` = prisma generate (client into lib/generated) + next build + the speed worker
# bundled into .build/worker.mjs (scripts/build-worker.ts).
FROM deps AS build
COPY . .
RUN npm run build && rm -rf .next/cache

FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    npm_config_update_notifier=false \
    PORT=3000 \
    METRICS_PORT=9464 \
    LAKE_URI=/data/lake
# The whole tree, dev dependencies included: the services run TypeScript through tsx, and the
# migrator and build-time tools (prisma, typescript) are not worth a second, pruned install to split.
# Root owns the code so the app cannot rewrite itself; only Next's cache, the lake, the models'
# warehouse and dbt's output (target: the docs site the web serves; logs) are writable.
COPY --from=build /app /app
RUN mkdir -p /app/.next/cache /data/lake /data/warehouse /app/dbt/target /app/dbt/logs \
    && chown -R node:node /app/.next/cache /data/lake /data/warehouse /app/dbt/target /app/dbt/logs
USER node
EXPOSE 3000 9464
CMD ["npm", "start"]

# The jobs worker: Debian's Python and the project's .venv (scripts/python/requirements.txt,
# pinned), installed at build time; the worker's start-up check then finds it current.
FROM runtime AS jobs
USER root
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 python3-venv \
    && rm -rf /var/lib/apt/lists/*
RUN node --import tsx --eval "import('./scripts/python-env.ts').then((m) => m.ensurePythonEnv())"
USER node
EXPOSE 9465
CMD ["npm", "run", "jobs:bare"]
