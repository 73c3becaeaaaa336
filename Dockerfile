# One Dockerfile for every service:
#   docker buildx build --platform linux/amd64,linux/arm64 --build-arg SERVICE=recommend -t <registry>/mesh-mall/recommend:<tag> --push .
# The version (v1/v2/v3) is not baked in: pods get APP_VERSION from their `version` label (see install/).
# `npm run images` builds them all; `npm run test:images` builds and runs them with podman.
ARG NODE_IMAGE=node:24-bookworm-slim

# The build stage runs on the builder's own platform even for another target: there are no native addons, so what
# it produces (JavaScript and its node_modules) is the same for amd64 and arm64, without npm and tsc under emulation.
FROM --platform=$BUILDPLATFORM ${NODE_IMAGE} AS build
ENV TURBO_TELEMETRY_DISABLED=1 NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
# A CA bundle for npm behind a TLS-inspecting proxy: pass its path with --build-arg and bind-mount the file for the
# build (`podman build --volume`); only this stage sees it, and it is never copied into the image.
ARG NODE_EXTRA_CA_CERTS
WORKDIR /src
# The manifests first: the development install is one layer, shared by every service's build and kept until a
# package.json or the lock file changes (every workspace's package.json is needed by `npm ci`).
COPY package.json package-lock.json .npmrc ./
COPY packages/kit/package.json packages/kit/
COPY packages/runtime/package.json packages/runtime/
COPY services/discount/package.json services/discount/
COPY services/echo/package.json services/echo/
COPY services/favorites/package.json services/favorites/
COPY services/mall/package.json services/mall/
COPY services/products/package.json services/products/
COPY services/recommend/package.json services/recommend/
COPY services/scores/package.json services/scores/
COPY services/users/package.json services/users/
COPY load/package.json load/
COPY bench/package.json bench/
RUN npm ci --ignore-scripts
COPY . .
# Declared here, not above: a different SERVICE must not invalidate the shared install.
ARG SERVICE
RUN test -n "${SERVICE}" && test -f "services/${SERVICE}/package.json" \
  || { echo "--build-arg SERVICE=<name> must name a folder of services/: $(ls services | tr '\n' ' ')" >&2; exit 1; }
RUN npx turbo run build --filter="@mesh-mall/${SERVICE}"
# Production dependencies of that one service (and the kit it links), nothing else.
RUN npm ci --ignore-scripts --omit=dev --workspace="@mesh-mall/${SERVICE}"
# users' embedded store (when there is no MONGO_URL), owned by the user the image runs as; made here, so the final
# stage has no RUN to emulate for another platform.
RUN mkdir -p /image-root/data

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
COPY --from=build --chown=1000:1000 /image-root/ /
# install/ mounts an emptyDir there: with a read-only root filesystem, the only place users can write.
ENV DATA_DIR=/data
# The official image's unprivileged user `node`, by number: a runtime enforcing runAsNonRoot can verify a uid, not a
# name (install/ runs it as 1000:1000 too).
USER 1000:1000
EXPOSE 7000
CMD ["node", "--import", "@mesh-mall/kit/telemetry", "dist/main.js"]
