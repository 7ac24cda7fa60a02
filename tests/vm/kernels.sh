#!/bin/bash
# Fetches Debian's stock cloud kernels that the VM test matrix boots, into a
# cache outside the repository, and prints where each one is.
#
#   tests/vm/kernels.sh [SERIES...]      SERIES: 5.10, 6.1, 6.12, sid (default: all four)
#
# For each series it prints one line "SERIES KDIR" on stdout, where KDIR holds
#   vmlinuz   config   release (the kernel release, e.g. 6.1.0-56-cloud-amd64)
#   root/     the package's files as dpkg-deb -x unpacked them (lib/modules/...)
# or "SERIES -  reason" when the kernel could not be had, and then exits 1.
#
# Why Debian's kernels: the host kernel has neither kprobes nor fentry, and the
# kprobe and fentry backends need both; Debian's kernels have them and BTF (see
# /work/shared/reference/kernel-facts.md). 6.1 and 6.12 come from the host's own
# suites (bookworm); 5.10 from bullseye (Debian 11) and "sid" is the newest
# kernel Debian ships (the unstable suite). Those two suites are read through an
# apt configuration of their own (APT_CONFIG: its own sources list, package
# lists and archive cache under the cache directory, an empty dpkg status), so
# the host's sources and lists stay as they are.
#
# Debian 7.x kernels split the image package: linux-image-REL is empty and
# depends on linux-binary-REL (vmlinuz, under usr/lib/modules/REL/),
# linux-modules-REL and linux-base-REL (config); all three are fetched and
# unpacked into one root, and files are looked for under usr/lib too.
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

ALL_SERIES=(5.10 6.1 6.12 sid)

# The metapackage that follows each series: its Depends names the current ABI.
meta_of() {
	case $1 in
	5.10 | 6.1 | sid) echo linux-image-cloud-amd64 ;;
	6.12) echo linux-image-6.12-cloud-amd64 ;;
	*) return 1 ;;
	esac
}

# The Debian suites a series comes from when they are not the host's own
# (bookworm): "" for the host's apt as it is configured.
suites_of() {
	case $1 in
	5.10) echo "debian bullseye bullseye-updates;debian-security bullseye-security" ;;
	sid) echo "debian sid" ;;
	*) echo "" ;;
	esac
}

# use_apt SERIES: exports APT_CONFIG for a series from another suite, making
# its configuration on first use. Everything lives in $CACHE/apt/SERIES.
use_apt() {
	local suites dir entry repo s
	suites=$(suites_of "$1")
	if [ -z "$suites" ]; then
		unset APT_CONFIG
		return 0
	fi
	dir=$CACHE/apt/$1
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial" "$dir/sources.list.d" "$dir/preferences.d" || return 1
	[ -f "$dir/status" ] || : >"$dir/status"
	: >"$dir/sources.list.tmp"
	IFS=';' read -ra entries <<<"$suites"
	for entry in "${entries[@]}"; do
		read -r repo s <<<"$entry"
		for s in $s; do
			echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/$repo $s main"
		done >>"$dir/sources.list.tmp"
	done
	mv "$dir/sources.list.tmp" "$dir/sources.list"
	cat >"$dir/apt.conf" <<-EOF
		Dir::State::Lists "$dir/lists";
		Dir::State::status "$dir/status";
		Dir::Cache "$dir/cache";
		Dir::Etc::SourceList "$dir/sources.list";
		Dir::Etc::SourceParts "$dir/sources.list.d";
		Dir::Etc::Preferences "$dir/preferences";
		Dir::Etc::PreferencesParts "$dir/preferences.d";
		APT::Architecture "amd64";
		APT::Architectures { "amd64"; };
		Acquire::Languages "none";
	EOF
	export APT_CONFIG=$dir/apt.conf
	# Its own lists: fetched once here, refreshed when older than a day.
	if [ -z "$(find "$dir/lists" -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null)" ]; then
		# A failed update is said (offline, the cached lists and kernels
		# still serve); a kernel then not found fails with its own line.
		apt-get update -q >"$dir/update.log" 2>&1 ||
			echo "kernels.sh: apt-get update for its own suite failed (see $dir/update.log); using what is cached" >&2
	fi
}

# The concrete image package (e.g. linux-image-6.1.0-56-cloud-amd64) that the
# series' metapackage depends on right now; empty when apt does not know it.
resolve_pkg() {
	local meta=$1 pkg
	pkg=$(apt-cache depends "$meta" 2>/dev/null | awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')
	if [ -z "$pkg" ] && [ -z "${APT_CONFIG:-}" ] && [ "$(id -u)" -eq 0 ] && [ -z "${PKTPATH_VM_TRIED_UPDATE:-}" ]; then
		# Package lists missing or stale: one update, then ask again.
		export PKTPATH_VM_TRIED_UPDATE=1
		apt-get update -q >/dev/null 2>&1
		pkg=$(apt-cache depends "$meta" 2>/dev/null | awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')
	fi
	echo "$pkg"
}

# The first of the given paths (relative to ROOT) that exists, else empty.
first_file() { # ROOT PATH...
	local r=$1 f
	shift
	for f in "$@"; do
		[ -e "$r/$f" ] && { echo "$f"; return 0; }
	done
	return 1
}

# fetch SERIES: prints "SERIES KDIR" or "SERIES - reason".
fetch() {
	local series=$1 meta pkg release kdir tmp deb pkgs=() p vml cfg
	meta=$(meta_of "$series") || { echo "$series - unknown series (known: ${ALL_SERIES[*]})"; return 1; }
	use_apt "$series" || { echo "$series - cannot set up apt for its suite under $CACHE/apt"; return 1; }
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
	if [ -f "$kdir/release" ] && [ -e "$kdir/vmlinuz" ] && [ -f "$kdir/root/lib/modules/$release/modules.dep" ]; then
		echo "$series $kdir"
		return 0
	fi
	# Split packaging (7.x): the image package only depends on the parts.
	if apt-cache depends "$pkg" 2>/dev/null | grep -q "Depends: linux-binary-$release\$"; then
		pkgs=("linux-binary-unsigned-$release|linux-binary-$release" "linux-modules-$release" "linux-base-$release")
	else
		# The -unsigned package carries the same image without the
		# signed-shim indirection; the plain name if there is none.
		pkgs=("$pkg-unsigned|$pkg")
	fi
	tmp=$(mktemp -d "$CACHE/.fetch.XXXXXX") || return 1
	for p in "${pkgs[@]}"; do
		if ! (cd "$tmp" && { apt-get download -q "${p%%|*}" || apt-get download -q "${p#*|}"; } >>download.log 2>&1); then
			echo "$series - apt-get download ${p%%|*} failed: $(tail -n 1 "$tmp/download.log")"
			rm -rf "$tmp"
			return 1
		fi
	done
	mkdir -p "$tmp/k/root"
	for deb in "$tmp"/*.deb; do
		if ! dpkg-deb -x "$deb" "$tmp/k/root"; then
			echo "$series - dpkg-deb -x $(basename "$deb") failed"
			rm -rf "$tmp"
			return 1
		fi
	done
	# Merged /usr: modules under usr/lib/modules; one lib/ path for the rest.
	if [ ! -e "$tmp/k/root/lib" ] && [ -d "$tmp/k/root/usr/lib" ]; then
		ln -s usr/lib "$tmp/k/root/lib"
	fi
	vml=$(first_file "$tmp/k/root" "boot/vmlinuz-$release" "usr/lib/modules/$release/vmlinuz" \
		"usr/lib/modules/$release/vmlinuz.unsigned" "lib/modules/$release/vmlinuz")
	cfg=$(first_file "$tmp/k/root" "boot/config-$release" "usr/lib/modules/$release/config" "lib/modules/$release/config")
	if [ -z "$vml" ] || [ ! -d "$tmp/k/root/lib/modules/$release" ]; then
		echo "$series - ${pkgs[*]} have no vmlinuz or lib/modules/$release"
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
	ln -s "root/$vml" "$tmp/k/vmlinuz"
	[ -n "$cfg" ] && ln -s "root/$cfg" "$tmp/k/config"
	echo "$release" >"$tmp/k/release"
	mkdir -p "$CACHE/$series"
	rm -rf "$kdir"
	mv "$tmp/k" "$kdir" # whole or not at all: a run killed midway leaves only .fetch.*
	rm -rf "$tmp"
	echo "$series $kdir"
}

series=("$@")
[ ${#series[@]} -gt 0 ] || series=("${ALL_SERIES[@]}")
# Several clones may run the tests at once: one fetch at a time per cache.
exec 9>"$CACHE/.lock"
flock -w 600 9 || { echo "kernels: cache $CACHE stayed locked for 10 minutes" >&2; exit 1; }
rc=0
for s in "${series[@]}"; do
	fetch "$s" || rc=1
done
exit $rc
