#!/usr/bin/env bash
# Installs the real peers the test suites run against (DESIGN.md §5), from Debian's packages only,
# and builds vcsim and govc from Debian's govmomi source package. dpkg-dev, lintian and systemd (for
# systemd-analyze) build and check the Debian packages (scripts/check-packages.sh). Idempotent; safe to run on every CI start.
set -euo pipefail

P=${MIGRATEKIT_PEERS_DIR:-/var/cache/migratekit-peers}
APT_PACKAGES=(nbdkit libnbd-bin qemu-utils nbd-server python3-cs python3-pyvmomi python3-libcloud chromium gnutls-bin
  openssl golang-go golang-github-vmware-govmomi-dev golang-github-kr-pretty-dev xz-utils
  # Guest conversion (docs/conversion.md): virt-v2v-in-place, libguestfs' inspection and image tools, the kernel
  # libguestfs boots as its appliance, and debootstrap + initramfs-tools for the Debian test guest.
  virt-v2v libguestfs-tools linux-image-amd64 initramfs-tools debootstrap
  # The release's Debian packages (scripts/check-packages.sh): build, lint, unit verification, system user.
  dpkg-dev lintian systemd adduser)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-peers: apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

mkdir -p "$P/bin"
if [ ! -x "$P/bin/vcsim" ] || [ ! -x "$P/bin/govc" ]; then
  echo "install-peers: building vcsim and govc from Debian's govmomi source package"
  mkdir -p "$P/aptsrc/parts" "$P/aptsrc/lists" "$P/src"
  sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources > "$P/aptsrc/parts/src.sources"
  O=(-o Dir::Etc::sourcelist=/dev/null -o "Dir::Etc::sourceparts=$P/aptsrc/parts" -o "Dir::State::Lists=$P/aptsrc/lists")
  apt-get "${O[@]}" update -qq
  if ! ls "$P"/src/govmomi-*/vcsim/main.go >/dev/null 2>&1; then
    (cd "$P/src" && apt-get "${O[@]}" source --download-only golang-github-vmware-govmomi >/dev/null &&
      tar xJf golang-github-vmware-govmomi_*.orig.tar.xz)
  fi
  export GO111MODULE=off GOPROXY=off GOCACHE="$P/gocache"
  mkdir -p "$P/gopath/src/vcsim"
  cp "$P"/src/govmomi-*/vcsim/main.go "$P/gopath/src/vcsim/"
  (cd "$P/gopath/src/vcsim" && GOPATH="$P/gopath:/usr/share/gocode" go build -o "$P/bin/vcsim" .)
  G="$P/gopath-govc/src/github.com/vmware"
  rm -rf "$G" && mkdir -p "$G"
  cp -rL /usr/share/gocode/src/github.com/vmware/govmomi "$G/"
  cp -r "$P"/src/govmomi-*/govc "$G/govmomi/"
  (cd "$G/govmomi/govc" && GOPATH="$P/gopath-govc:/usr/share/gocode" go build -o "$P/bin/govc" .)
fi
echo "install-peers: vcsim and govc in $P/bin"

# The Debian guest the conversion tests convert: built once per machine, cached under $P/guest.
bash "$(dirname "$0")/build-test-guest.sh"
