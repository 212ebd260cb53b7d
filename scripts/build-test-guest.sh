#!/usr/bin/env bash
# Builds the small bootable Debian guest the conversion tests convert (docs/conversion.md): debootstrap of
# Debian bookworm with its kernel, an initramfs that holds only the drivers a VMware guest boots from (no
# virtio, like a host-only initramfs), grub on an MBR disk and an fstab that names /dev/sda1, packed into a raw
# disk image with libguestfs' virt-make-fs and made bootable with guestfish. Everything comes from Debian's
# packages. The image is cached under $MIGRATEKIT_PEERS_DIR/guest, keyed by this script's content, so a
# machine builds it once; it prints the image's path on its last line.
set -euo pipefail

P=${MIGRATEKIT_PEERS_DIR:-/var/cache/migratekit-peers}
OUT_DIR="$P/guest"
KEY=$(sha256sum "$0" | cut -c1-12)
IMG="$OUT_DIR/debian-guest-$KEY.img"
mkdir -p "$OUT_DIR"
if [ -s "$IMG" ]; then
  ln -sfn "$IMG" "$OUT_DIR/debian-guest.img"
  echo "$IMG"
  exit 0
fi

for tool in debootstrap virt-make-fs guestfish; do
  command -v "$tool" >/dev/null || {
    echo "build-test-guest: $tool is missing (scripts/install-peers.sh installs it)" >&2
    exit 1
  }
done
# No KVM on these machines: libguestfs' appliance runs under TCG.
export LIBGUESTFS_BACKEND=direct LIBGUESTFS_BACKEND_SETTINGS=force_tcg

started=$(date +%s)
work=$(mktemp -d "$OUT_DIR/build.XXXXXX")
root="$work/root"
# debootstrap mounts /proc and /sys inside the root while it installs: never delete through a mount.
unmount_root() {
  findmnt -rn -o TARGET | { grep -F "$root/" || true; } | sort -r | while read -r mnt; do umount -l "$mnt"; done
}
trap 'unmount_root; rm -rf --one-file-system "$work"' EXIT
mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
mirror=${mirror:-http://deb.debian.org/debian}

echo "build-test-guest: debootstrap bookworm from $mirror"
debootstrap --variant=minbase --include=initramfs-tools,grub-pc,systemd-sysv,udev,kmod,e2fsprogs,ifupdown \
  bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -n 30 "$work/debootstrap.log" >&2
  exit 1
}
unmount_root
echo "migratekit-guest" >"$root/etc/hostname"
# A VMware guest's fstab names its disk by device: virt-v2v must rewrite it for virtio (/dev/vda1).
echo "/dev/sda1 / ext4 errors=remount-ro 0 1" >"$root/etc/fstab"
printf 'auto lo\niface lo inet loopback\n' >"$root/etc/network/interfaces"
# Only the drivers a VMware guest boots from, like an initramfs built host-only on VMware: no virtio. Set
# before the kernel is installed, so its initramfs is built once, small.
echo "MODULES=list" >"$root/etc/initramfs-tools/conf.d/migratekit-vmware"
printf '%s\n' vmw_pvscsi mptspi ahci ata_piix sd_mod ext4 >"$root/etc/initramfs-tools/modules"

echo "build-test-guest: installing the kernel"
mount -t proc proc "$root/proc"
{
  chroot "$root" apt-get update &&
    chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends linux-image-amd64
} >"$work/kernel.log" 2>&1 || {
  tail -n 30 "$work/kernel.log" >&2
  exit 1
}
kver=$(basename "$(ls -d "$root"/lib/modules/*)")
# Keep the image small: drop the kernel modules no server or VM disk needs (graphics, sound, wireless, ...).
for dir in drivers/gpu drivers/media drivers/net/wireless drivers/net/ethernet drivers/infiniband drivers/staging \
  drivers/bluetooth drivers/iio drivers/usb drivers/input drivers/hid drivers/video drivers/isdn drivers/mtd \
  drivers/md drivers/nvme drivers/firewire drivers/thunderbolt drivers/platform sound net/wireless \
  net/bluetooth net/mac80211 fs/btrfs fs/xfs fs/ocfs2 fs/nfs fs/cifs fs/smb fs/ceph fs/gfs2 fs/f2fs; do
  rm -rf "$root/lib/modules/$kver/kernel/$dir"
done
chroot "$root" depmod "$kver"
chroot "$root" update-initramfs -u -k "$kver" >"$work/initramfs.log" 2>&1 || {
  cat "$work/initramfs.log" >&2
  exit 1
}
# The conversion tests prove virt-v2v adds virtio to the initramfs: it must not be there before.
if chroot "$root" lsinitramfs "/boot/initrd.img-$kver" | grep -q 'virtio_blk'; then
  echo "build-test-guest: the guest's initramfs already holds virtio_blk; the image would prove nothing" >&2
  exit 1
fi
unmount_root
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* \
  "$root"/usr/share/man/* "$root"/usr/share/locale/*

echo "build-test-guest: packing the root file system ($(du -sxh "$root" | cut -f1)) into a disk image"
tar -C "$root" --one-file-system -cf "$work/root.tar" .
rm -rf "$root"
virt-make-fs --partition=mbr --type=ext4 --size=+192M --format=raw "$work/root.tar" "$work/disk.img"
guestfish -a "$work/disk.img" -m /dev/sda1 <<GF
part-set-bootable /dev/sda 1 true
command "grub-install --target=i386-pc --no-floppy /dev/sda"
command "grub-mkconfig -o /boot/grub/grub.cfg"
GF
mv "$work/disk.img" "$IMG"
ln -sfn "$IMG" "$OUT_DIR/debian-guest.img"
echo "build-test-guest: built in $(($(date +%s) - started)) s ($(du -h --apparent-size "$IMG" | cut -f1) apparent, $(du -h "$IMG" | cut -f1) used)"
echo "$IMG"
