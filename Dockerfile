# syntax=docker/dockerfile:1.7
# One Dockerfile for every service:
#   docker buildx build --platform linux/amd64,linux/arm64 --build-arg SERVICE=recommend -t mesh-mall/recommend:v1 .
# The version (v1/v2/v3) is not baked in: pods get APP_VERSION from their `version` label (see install/).
# `npm run images` builds and pushes them all. No native addons, so both architectures build the same way.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
ARG SERVICE
ENV TURBO_TELEMETRY_DISABLED=1 NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
WORKDIR /src
COPY . .
RUN test -n "${SERVICE}" && test -f "services/${SERVICE}/package.json" \
  || { echo "--build-arg SERVICE=<name> must name a folder of services/: $(ls services | tr '\n' ' ')" >&2; exit 1; }
RUN npm ci --ignore-scripts
RUN npx turbo run build --filter="@mesh-mall/${SERVICE}"
# Production dependencies of that one service (and the kit it links), nothing else.
RUN npm ci --ignore-scripts --omit=dev --workspace="@mesh-mall/${SERVICE}"

FROM ${NODE_IMAGE}
ARG SERVICE
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/packages/kit/package.json ./packages/kit/
COPY --from=build /src/packages/kit/dist ./packages/kit/dist
COPY --from=build /src/services/${SERVICE}/package.json ./services/${SERVICE}/
COPY --from=build /src/services/${SERVICE}/dist ./services/${SERVICE}/dist
WORKDIR /app/services/${SERVICE}
# The official image's unprivileged user (uid 1000, as runAsUser in install/).
USER node
EXPOSE 7000
CMD ["node", "--import", "@mesh-mall/kit/telemetry", "dist/main.js"]
