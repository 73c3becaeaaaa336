#!/usr/bin/env bash
# npm run images: builds every service image for amd64 and arm64 and pushes it as
#   $MESH_MALL_REGISTRY/mesh-mall/<service>:<version>   for each version install/ uses (the same image: the version
#                                                         comes from the pod's label), plus :$MESH_MALL_TAG if set.
# Needs docker with buildx and a builder that can target both platforms (docker buildx create --use).
set -euo pipefail
cd "$(dirname "$0")/.."

registry=${MESH_MALL_REGISTRY:?set MESH_MALL_REGISTRY, e.g. ghcr.io/acme (images are pushed there)}
platforms=${MESH_MALL_PLATFORMS:-linux/amd64,linux/arm64}
extra_tag=${MESH_MALL_TAG:-}
output=${MESH_MALL_OUTPUT:---push}

for dir in services/*/; do
  service=$(basename "$dir")
  tags=()
  for version in $(grep -rhoE "image: mesh-mall/${service}:[A-Za-z0-9._-]+" install/ | sed 's/.*://' | sort -u); do
    tags+=(--tag "${registry}/mesh-mall/${service}:${version}")
  done
  [ -n "$extra_tag" ] && tags+=(--tag "${registry}/mesh-mall/${service}:${extra_tag}")
  [ ${#tags[@]} -gt 0 ] || { echo "skipping ${service}: no install/ manifest uses it" >&2; continue; }
  echo "building ${service} for ${platforms}: ${tags[*]}"
  docker buildx build --platform "$platforms" --build-arg "SERVICE=${service}" "${tags[@]}" "$output" .
done
