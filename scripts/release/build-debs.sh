#!/usr/bin/env bash
# Builds migratekit-server and migratekit-agent .deb files with dpkg-deb from the trees `npm run release`
# wrote to dist/release/ (built first when missing). Layout, users, units and configuration are described in
# docs/install.md; the packaging files live in packaging/debian/. Output: dist/release/*.deb.
# Usage: scripts/release/build-debs.sh [--out DIR] [--version V]   (V: the Debian version, default package.json's)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out="$root/dist/release"
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --version) deb_version=$2; shift 2 ;;
    *) echo "build-debs: unknown argument $1" >&2; exit 2 ;;
  esac
done
version=$(node -p "require('$root/package.json').version")
deb_version=${deb_version:-$version}
arch=$(dpkg --print-architecture)
maintainer='MigrateKit maintainers <maintainers@migratekit.org>'
if [ ! -d "$root/dist/release/migratekit-$version" ] || [ ! -d "$root/dist/release/migratekit-agent-$version" ]; then
  (cd "$root" && npm run release --silent)
fi
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# One timestamp for files and changelog: the commit's, so two builds of one commit are alike.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct 2>/dev/null || date +%s)}

# The shared-library dependencies of the native addons in a tree (libc6, libstdc++6), as dpkg computes them.
shlibs_of() {
  local tree=$1 files=()
  mapfile -t files < <(find "$tree" -name '*.node' -type f)
  mkdir -p "$work/shlibs/debian"
  printf 'Source: migratekit\n\nPackage: migratekit\nArchitecture: any\n' >"$work/shlibs/debian/control"
  (cd "$work/shlibs" && dpkg-shlibdeps -O "${files[@]/#/-e}" 2>/dev/null) | sed -n 's/^shlibs:Depends=//p'
}

# build_deb PACKAGE TREE COMMAND UNIT ENVFILE
build_deb() {
  local package=$1 tree=$2 command=$3 unit=$4 envfile=$5
  local stage="$work/$package" src="$root/packaging/debian/${package#migratekit-}"
  local lib="usr/lib/$tree"
  mkdir -p "$stage/DEBIAN" "$stage/usr/bin" "$stage/usr/lib" "$stage/lib/systemd/system" "$stage/etc/migratekit" \
    "$stage/usr/share/doc/$package"
  cp -a "$root/dist/release/$tree-$version" "$stage/$lib"
  ln -s "../lib/$tree/bin/$command" "$stage/usr/bin/$command"
  install -m 0644 "$src/$unit" "$stage/lib/systemd/system/$unit"
  install -m 0600 "$src/$envfile" "$stage/etc/migratekit/$envfile"
  install -m 0644 "$root/packaging/debian/copyright" "$stage/usr/share/doc/$package/copyright"
  printf '%s (%s) unstable; urgency=medium\n\n  * Release %s, built from commit %s.\n\n -- %s  %s\n' \
    "$package" "$deb_version" "$deb_version" "$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
    "$maintainer" "$(date -u -R -d "@$SOURCE_DATE_EPOCH")" | gzip -9n >"$stage/usr/share/doc/$package/changelog.gz"
  # Plain modes: directories 0755, files 0644 (npm tarballs vary; Node needs no execute bit to load a module),
  # the launcher 0755. Native addons are shared objects: stripped, not executable.
  find "$stage/usr" -type d -exec chmod 0755 {} +
  find "$stage/usr" -type f -exec chmod 0644 {} +
  chmod 0755 "$stage/$lib/bin/$command"
  find "$stage/$lib" -name '*.node' -type f -exec strip --strip-unneeded --remove-section=.comment --remove-section=.note {} +
  for script in postinst prerm postrm; do install -m 0755 "$src/$script" "$stage/DEBIAN/$script"; done
  echo "/etc/migratekit/$envfile" >"$stage/DEBIAN/conffiles"
  local size shlibs
  size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
  shlibs=$(shlibs_of "$stage/$lib")
  sed -e "s/@VERSION@/$deb_version/; s/@ARCH@/$arch/; s/@SIZE@/$size/; s/@SHLIBS@/$shlibs/" "$src/control.in" \
    >"$stage/DEBIAN/control"
  sed -i 's/, $//' "$stage/DEBIAN/control"
  find "$stage" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
  dpkg-deb --root-owner-group -Zgzip --build "$stage" "$out/${package}_${deb_version}_${arch}.deb" >/dev/null
  rm -rf "$stage"
  echo "build-debs: $out/${package}_${deb_version}_${arch}.deb"
}

build_deb migratekit-server migratekit migratekit migratekit-server.service server.env
build_deb migratekit-agent migratekit-agent migratekit-agent migratekit-agent.service agent.env
