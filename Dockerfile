# syntax=docker/dockerfile:1
# One image for the web app (`npm start`, port 3000) and the speed-layer workers (`npm run worker`,
# metrics on 9464); docker-compose.yml picks the command per service. Runs as the non-root `node` user.

ARG NODE_IMAGE=node:20-bookworm-slim

# Dependencies only, so source edits do not re-run `npm ci`.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1 npm_config_update_notifier=false
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund

# `npm run build` = prisma generate (client into lib/generated) + next build.
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
# Root owns the code so the app cannot rewrite itself; only Next's cache and the lake are writable.
COPY --from=build /app /app
RUN mkdir -p /app/.next/cache /data/lake && chown -R node:node /app/.next/cache /data/lake
USER node
EXPOSE 3000 9464
CMD ["npm", "start"]
