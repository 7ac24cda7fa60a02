#!/bin/bash
# Fetches Debian's stock cloud kernels that the VM test matrix boots, into a
# cache outside the repository, and prints where each one is.
#
#   tests/vm/kernels.sh [SERIES...]      SERIES: 6.1, 6.12 (default: both)
#
# For each series it prints one line "SERIES KDIR" on stdout, where KDIR holds
#   vmlinuz   config   release (the kernel release, e.g. 6.1.0-56-cloud-amd64)
#   root/     the package's files as dpkg-deb -x unpacked them (lib/modules/...)
# or "SERIES -  reason" when the kernel could not be had, and then exits 1.
#
# Why Debian's kernels: the host kernel has neither kprobes nor fentry, and the
# kprobe and fentry backends need both; Debian 12's 6.1 and 6.12 have them and
# BTF (see /work/shared/reference/kernel-facts.md).
#
# The ABI name (6.1.0-56, 6.12.117+deb12) moves with security updates, so it
# is resolved through apt each time; a kernel already unpacked in the cache is
# re-used, and when apt cannot resolve the name (offline, no lists) the newest
# cached kernel of that series is used instead.
#
# PKTPATH_VM_CACHE overrides the cache (default /var/cache/pktpath-vm when
# writable, else ~/.cache/pktpath-vm).
set -u

cache_dir() {
	if [ -n "${PKTPATH_VM_CACHE:-}" ]; then
		echo "$PKTPATH_VM_CACHE"
	elif mkdir -p /var/cache/pktpath-vm 2>/dev/null && [ -w /var/cache/pktpath-vm ]; then
		echo /var/cache/pktpath-vm
	else
		echo "${XDG_CACHE_HOME:-$HOME/.cache}/pktpath-vm"
	fi
}
CACHE=$(cache_dir)
mkdir -p "$CACHE" || { echo "kernels: cannot create cache $CACHE" >&2; exit 1; }

# The metapackage that follows each series: its Depends names the current ABI.
meta_of() {
	case $1 in
	6.1) echo linux-image-cloud-amd64 ;;
	6.12) echo linux-image-6.12-cloud-amd64 ;;
	*) return 1 ;;
	esac
}

# The concrete image package (e.g. linux-image-6.1.0-56-cloud-amd64) that the
# series' metapackage depends on right now; empty when apt does not know it.
resolve_pkg() {
	local meta=$1 pkg
	pkg=$(apt-cache depends "$meta" 2>/dev/null | awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')
	if [ -z "$pkg" ] && [ "$(id -u)" -eq 0 ] && [ -z "${PKTPATH_VM_TRIED_UPDATE:-}" ]; then
		# Package lists missing or stale: one update, then ask again.
		export PKTPATH_VM_TRIED_UPDATE=1
		apt-get update -q >/dev/null 2>&1
		pkg=$(apt-cache depends "$meta" 2>/dev/null | awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')
	fi
	echo "$pkg"
}

# fetch SERIES: prints "SERIES KDIR" or "SERIES - reason".
fetch() {
	local series=$1 meta pkg release kdir tmp deb
	meta=$(meta_of "$series") || { echo "$series - unknown series (known: 6.1, 6.12)"; return 1; }
	pkg=$(resolve_pkg "$meta")
	if [ -z "$pkg" ]; then
		# No apt answer: fall back to what an earlier run left in the cache.
		kdir=$(ls -d "$CACHE/$series"/*/ 2>/dev/null | sort -V | tail -n 1)
		if [ -n "$kdir" ] && [ -f "$kdir/release" ] && [ -f "$kdir/root/lib/modules/$(cat "$kdir/release")/modules.dep" ]; then
			echo "$series ${kdir%/}"
			return 0
		fi
		echo "$series - apt-cache does not know $meta and nothing is cached in $CACHE/$series"
		return 1
	fi
	release=${pkg#linux-image-}
	kdir=$CACHE/$series/$release
	if [ -f "$kdir/release" ] && [ -f "$kdir/vmlinuz" ] && [ -f "$kdir/root/lib/modules/$release/modules.dep" ]; then
		echo "$series $kdir"
		return 0
	fi
	# The -unsigned package carries the same image without the signed-shim
	# indirection; fall back to the plain name if a series has no -unsigned.
	tmp=$(mktemp -d "$CACHE/.fetch.XXXXXX") || return 1
	if ! (cd "$tmp" && { apt-get download -q "$pkg-unsigned" || apt-get download -q "$pkg"; } >download.log 2>&1); then
		echo "$series - apt-get download $pkg-unsigned failed: $(tail -n 1 "$tmp/download.log")"
		rm -rf "$tmp"
		return 1
	fi
	deb=$(ls "$tmp"/*.deb | head -n 1)
	mkdir -p "$tmp/k/root"
	if ! dpkg-deb -x "$deb" "$tmp/k/root"; then
		echo "$series - dpkg-deb -x $(basename "$deb") failed"
		rm -rf "$tmp"
		return 1
	fi
	if [ ! -f "$tmp/k/root/boot/vmlinuz-$release" ] || [ ! -d "$tmp/k/root/lib/modules/$release" ]; then
		echo "$series - $(basename "$deb") has no boot/vmlinuz-$release or lib/modules/$release"
		rm -rf "$tmp"
		return 1
	fi
	# Index the modules once here (the package leaves that to its postinst),
	# so initramfs.sh can resolve dependencies with modprobe --show-depends.
	if ! depmod -b "$tmp/k/root" "$release"; then
		echo "$series - depmod on $release failed"
		rm -rf "$tmp"
		return 1
	fi
	ln -s "root/boot/vmlinuz-$release" "$tmp/k/vmlinuz"
	ln -s "root/boot/config-$release" "$tmp/k/config"
	echo "$release" >"$tmp/k/release"
	mkdir -p "$CACHE/$series"
	rm -rf "$kdir"
	mv "$tmp/k" "$kdir" # whole or not at all: a run killed midway leaves only .fetch.*
	rm -rf "$tmp"
	echo "$series $kdir"
}

series=("$@")
[ ${#series[@]} -gt 0 ] || series=(6.1 6.12)
# Several clones may run the tests at once: one fetch at a time per cache.
exec 9>"$CACHE/.lock"
flock -w 600 9 || { echo "kernels: cache $CACHE stayed locked for 10 minutes" >&2; exit 1; }
rc=0
for s in "${series[@]}"; do
	fetch "$s" || rc=1
done
exit $rc
