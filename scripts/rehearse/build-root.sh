#!/bin/bash
# Builds the Debian 12 root the boot rehearsal boots: debootstrap from Debian's archive, plus
# what Debian's EC2 image carries that the boot relies on (systemd, cloud-init, curl, CA
# certificates, an en_US.UTF-8 locale for cloud-init's locale module). The Debian packages the user data installs are downloaded into apt's cache
# (not installed), so each boot installs them as on EC2 without fetching them again.
# Usage: build-root.sh DIR MIRROR PACKAGE...   (DIR is complete once DIR/.complete exists; run
# under a lock, as scripts/rehearse/root.ts does)
set -euo pipefail
dir=$1 mirror=$2
shift 2
[[ -e $dir/.complete ]] && exit 0
rm -rf -- "$dir"
work="$dir.partial"
rm -rf -- "$work"
debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,ca-certificates,curl,iproute2,netbase,procps,locales \
  bookworm "$work" "$mirror"
mount -t proc proc "$work/proc"
trap 'umount "$work/proc" 2>/dev/null || true' EXIT
cat >"$work/etc/apt/sources.list" <<SOURCES
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb ${mirror%/debian}/debian-security bookworm-security main
SOURCES
chroot "$work" apt-get update -q
# Debian's cloud images are rebuilt with the point release's updates: so is this root.
chroot "$work" env DEBIAN_FRONTEND=noninteractive apt-get upgrade -y -q
# debootstrap does not resolve virtual packages, which cloud-init's dependencies need: apt does.
chroot "$work" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends cloud-init sudo
chroot "$work" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends --download-only "$@"
# As in Debian's cloud images: cloud-init finds its data source; here the NoCloud seed the
# rehearsal writes, and no network configuration (the test's namespace is already configured).
cat >"$work/etc/cloud/cloud.cfg.d/90-rehearsal.cfg" <<'CFG'
datasource_list: [NoCloud, None]
network: {config: disabled}
CFG
# cloud-init sets en_US.UTF-8 and Debian's locale-gen only builds what locale.gen lists.
sed -i 's/^# *en_US.UTF-8 UTF-8/en_US.UTF-8 UTF-8/' "$work/etc/locale.gen"
chroot "$work" locale-gen
# The machine id is made at first boot, as on a fresh EC2 instance.
: >"$work/etc/machine-id"
rm -f "$work/var/lib/dbus/machine-id"
echo rehearsal >"$work/etc/hostname"
umount "$work/proc"
touch "$work/.complete"
mv -- "$work" "$dir"
