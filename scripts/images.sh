#!/usr/bin/env bash
# npm run images -- --push REGISTRY [--tag TAG] [--platforms LIST]
#   Builds every service image install/ uses for linux/amd64 and linux/arm64 (docker buildx) and pushes it as
#   REGISTRY/mesh-mall/<service>:TAG.
# npm run images -- --load kind|minikube [--tag TAG]
#   Builds for this machine (docker, else podman) and side-loads into the kind or minikube cluster's nodes, as
#   mesh-mall/<service>:TAG and as mesh-mall/<service>:<each version install/ uses> (what the plain files name).
# Either way it then points install/images/kustomization.yaml at what it built, so `kubectl apply -k install/` (and the
# acts' kustomizations) run exactly these images. TAG defaults to the commit (plus a timestamp if the tree is dirty):
# a new tag per build, since nodes pull a tag once (imagePullPolicy: IfNotPresent).
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
mode="" target="" tag="" platforms="linux/amd64,linux/arm64"
while [ $# -gt 0 ]; do
  case "$1" in
    --push) mode=push target=${2:?--push needs a registry, e.g. ghcr.io/acme}; shift 2 ;;
    --load) mode=load target=${2:?--load needs kind or minikube}; shift 2 ;;
    --tag) tag=${2:?--tag needs a value}; shift 2 ;;
    --platforms) platforms=${2:?--platforms needs a list}; shift 2 ;;
    *) usage ;;
  esac
done
[ -n "$mode" ] || usage
case "$mode:$target" in push:*|load:kind|load:minikube) ;; *) echo "--load takes kind or minikube, not '$target'" >&2; exit 2 ;; esac
if [ -z "$tag" ]; then
  tag=$(git rev-parse --short=12 HEAD)
  # The component this script writes is not a change to the images.
  [ -z "$(git status --porcelain -- . ':!install/images/kustomization.yaml')" ] || tag="$tag-dirty-$(date -u +%Y%m%dT%H%M%S)"
fi

services=()
for dir in services/*/; do
  service=$(basename "$dir")
  grep -rqE "image: mesh-mall/${service}:" install/ && services+=("$service")
done

builder=docker
[ "$mode" = load ] && ! command -v docker >/dev/null && command -v podman >/dev/null && builder=podman
for service in "${services[@]}"; do
  if [ "$mode" = push ]; then
    image="${target}/mesh-mall/${service}"
    echo "building ${image}:${tag} for ${platforms}"
    docker buildx build --platform "$platforms" --build-arg "SERVICE=${service}" --tag "${image}:${tag}" --push .
  else
    # Under the name a node's container runtime looks up for `mesh-mall/x` (podman would store localhost/mesh-mall/x).
    image="docker.io/mesh-mall/${service}"
    tags=(--tag "${image}:${tag}")
    for version in $(grep -rhoE "image: mesh-mall/${service}:[A-Za-z0-9._-]+" install/ | sed 's/.*://' | sort -u); do
      tags+=(--tag "${image}:${version}")
    done
    refs=($(printf '%s\n' "${tags[@]}" | grep -v '^--tag$'))
    echo "building ${image} (${refs[*]}) with ${builder}, loading into ${target}"
    if [ "$builder" = docker ]; then
      # --load: out of a buildx builder's cache into the engine, where kind and minikube read images.
      docker build --load --build-arg "SERVICE=${service}" "${tags[@]}" .
      for ref in "${refs[@]}"; do
        if [ "$target" = kind ]; then kind load docker-image "$ref"; else minikube image load "$ref"; fi
      done
    else
      podman build --build-arg "SERVICE=${service}" "${tags[@]}" .
      archive=$(mktemp --suffix=.tar)
      podman save --multi-image-archive --output "$archive" "${refs[@]}"
      if [ "$target" = kind ]; then kind load image-archive "$archive"; else minikube image load "$archive"; fi
      rm -f "$archive"
    fi
  fi
done

component=install/images/kustomization.yaml
{
  echo "# Written by \`npm run images\` (${mode} ${target}, $(date -u +%Y-%m-%dT%H:%M:%SZ)): the images \`kubectl apply -k\` runs."
  echo "apiVersion: kustomize.config.k8s.io/v1alpha1"
  echo "kind: Component"
  echo "images:"
  for service in "${services[@]}"; do
    echo "  - name: mesh-mall/${service}"
    if [ "$mode" = push ]; then echo "    newName: ${target}/mesh-mall/${service}"; else echo "    newName: mesh-mall/${service}"; fi
    echo "    newTag: \"${tag}\""
  done
} >"$component"
echo "${component} now names these images: kubectl apply -k install/"
