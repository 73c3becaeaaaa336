#!/usr/bin/env bash
# A local stand-in for the official node:24-bookworm-slim, for machines that reach no container registry (this
# project's CI): Debian bookworm (debootstrap's minbase), the official Node 24 linux binary as the npm package `node`
# ships it, npm, and the user `node` (uid/gid 1000) — the parts of the official image the Dockerfile relies on.
# Tagged docker.io/library/node:24-bookworm-slim, so the unchanged Dockerfile builds on it; labelled as a stand-in.
# Needs root (debootstrap); DEBIAN_MIRROR chooses the mirror. Built once per machine: an image of that name already in podman's store (the stand-in, or the real one) is kept.
set -euo pipefail
cd "$(dirname "$0")/../.."

image=docker.io/library/node:24-bookworm-slim
if podman image exists "$image"; then
  echo "base image: $image already in the store ($(podman image inspect --format '{{index .Labels "io.mesh-mall.stand-in"}}' "$image" | sed 's/^$/the real one/; s/^true$/the local stand-in/'))"
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"
arch=$(dpkg --print-architecture)
node_arch=$([ "$arch" = arm64 ] && echo arm64 || echo x64)

echo "base image: debootstrap bookworm (minbase, $arch)"
debootstrap --variant=minbase --arch "$arch" bookworm "$rootfs" "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" >"$work/debootstrap.log" 2>&1 \
  || { tail -20 "$work/debootstrap.log" >&2; exit 1; }

# Node: the official linux binary, as the npm package node-linux-<arch> (what `npm i node@24` installs) carries it;
# npm: the version this project pins in package.json's packageManager.
node_version=$(npm view "node-linux-${node_arch}@24" version --json | node -e '
  const versions = [].concat(JSON.parse(require("node:fs").readFileSync(0, "utf8")));
  const parts = (v) => v.split(".").map(Number);
  console.log(versions.sort((a, b) => parts(a).reduce((d, n, i) => d || n - parts(b)[i], 0)).at(-1));')
npm_version=$(node -p 'require("./package.json").packageManager.split("@")[1]')
echo "base image: node $node_version, npm $npm_version"
(cd "$work" && npm pack --silent "node-linux-${node_arch}@${node_version}" "npm@${npm_version}" >/dev/null)
mkdir -p "$work/node" "$rootfs/usr/local/lib/node_modules/npm"
tar -xzf "$work"/node-linux-*.tgz -C "$work/node"
install -m 0755 "$work/node/package/bin/node" "$rootfs/usr/local/bin/node"
tar -xzf "$work"/npm-*.tgz -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"

# The official image's user and group `node`, 1000:1000, with a home.
echo 'node:x:1000:' >>"$rootfs/etc/group"
echo 'node:x:1000:1000::/home/node:/bin/bash' >>"$rootfs/etc/passwd"
echo 'node:*:19000:0:99999:7:::' >>"$rootfs/etc/shadow"
install -d -o 1000 -g 1000 "$rootfs/home/node"
# What debootstrap leaves that an image does not need.
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/*

tar -C "$rootfs" -c . | podman import \
  --change 'ENV NODE_VERSION='"$node_version" \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["node"]' \
  --change 'LABEL io.mesh-mall.stand-in=true' \
  - "$image" >/dev/null
echo "base image: $image built ($(podman image inspect --format '{{.Size}}' "$image" | numfmt --to=iec))"
