#!/bin/bash
# Builds the initramfs a test VM boots: a small root made from the host's own
# binaries, the kernel's modules and the repository's test scripts.
#
#   tests/vm/initramfs.sh KDIR OUT GUEST-SCRIPT...
#
# KDIR is a kernel directory printed by tests/vm/kernels.sh, OUT the cpio
# archive to write, GUEST-SCRIPTs the scripts /init runs in order.
#
# What goes in and why:
#  - busybox-static with a link per applet: init, mount, modprobe, poweroff and
#    the small tools the lab scripts call (grep, awk, seq, mktemp, sysctl, ...);
#  - real binaries where busybox would differ from what the tests expect: bash
#    (arrays), ip (iproute2: netns, veth), ping (iputils), iptables-nft, nft,
#    bpftool (check.sh lists loaded programs) and pktpath itself; every shared
#    library ldd lists for them, plus the dynamic loader;
#  - iptables' extensions (dlopen'ed, so ldd cannot see them);
#  - the kernel modules in $MODULES and whatever they depend on, decompressed
#    (6.12 ships .ko.xz) and indexed with depmod here, so busybox modprobe in
#    the guest needs neither xz nor a modules.dep of its own making.
#
# PKTPATH_VM_BIN overrides the pktpath binary (default build/pktpath-static).
# PKTPATH_VM_CMP: a second build, /usr/bin/pktpath-cmp in the guest, for
# benchmarks that compare two (tests/vm/bench/flood.sh).
set -u
cd "$(dirname "$0")/../.." || exit 1
repo=$PWD

kdir=$1 out=$2
shift 2
scripts=("$@")
[ ${#scripts[@]} -gt 0 ] || { echo "initramfs: no guest scripts given" >&2; exit 1; }
release=$(cat "$kdir/release") || exit 1
kroot=$kdir/root
pktpath=${PKTPATH_VM_BIN:-$repo/build/pktpath-static}
[ -x "$pktpath" ] || { echo "initramfs: no pktpath binary at $pktpath (run make static)" >&2; exit 1; }

# Modules the tests need: the lab (veth, bridge) and iptables-nft rules
# (filter DROP/REJECT on ports, conntrack and NAT for tracking tests), plus
# small devices and netem for later tests. Dependencies come along by themselves.
MODULES=(veth bridge dummy
	nf_tables nft_compat x_tables xt_tcpudp xt_multiport
	nf_reject_ipv4 nf_reject_ipv6 nft_reject_inet nft_reject_ipv4 ipt_REJECT
	nf_conntrack nft_ct xt_conntrack xt_state
	nft_chain_nat nft_nat xt_nat nft_masq xt_MASQUERADE
	sch_netem)
# Loaded where the kernel has them as modules: before 5.14 nft_counter is a
# module, and iptables-nft gives every rule a counter; xt_bpf runs the
# expression in pktpath's nftables trace table (without it that table
# traces every packet, which is not what a Debian system with its modules
# does: nft_compat loads it on demand there).
OPTIONAL_MODULES=(nft_counter xt_bpf)

root=$(mktemp -d /tmp/pktpath-vm-root.XXXXXX) || exit 1
trap 'rm -rf "$root"' EXIT

mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,lib64,etc/pktpath-vm,proc,sys,dev,run,tmp,root,var} \
	"$root/pktpath/tests/lib" "$root/pktpath/tests/vm/guest" || exit 1
ln -s ../run "$root/var/run"
ln -s ../tmp "$root/var/tmp"

# copy_elf FILE[:DEST]...: the files (DEST: path in the guest, default the
# same) and every library ldd resolves for any of them, at the host's paths
# (the loader's default search path finds them there). One ldd for all: it
# runs the loader once a file, which adds up on a busy machine.
copy_elf() {
	local f src dest srcs=() lib
	for f in "$@"; do
		src=${f%%:*} dest=${f#*:}
		mkdir -p "$root$(dirname "$dest")"
		cp -L "$src" "$root$dest" || return 1
		srcs+=("$src")
	done
	for lib in $(ldd "${srcs[@]}" 2>/dev/null | awk '/=> \// { print $3 } /^\t\/[^ ]+ \(/ { print $1 }' | sort -u); do
		[ -e "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib" || return 1
	done
}

# busybox first, real tools after: /usr/{s,}bin come first in the guest PATH.
cp /bin/busybox "$root/bin/busybox" || { echo "initramfs: no /bin/busybox (busybox-static)" >&2; exit 1; }
ldd /bin/busybox >/dev/null 2>&1 && { # ldd fails on a static binary
	echo "initramfs: /bin/busybox is dynamically linked; install busybox-static" >&2
	exit 1
}
for a in $(/bin/busybox --list); do
	[ -e "$root/bin/$a" ] || ln -s busybox "$root/bin/$a"
done

# Real tools, pktpath, and iptables' extensions (dlopen'ed: ldd on the
# binary cannot see them).
elfs=()
for b in /usr/bin/bash /usr/bin/ip /usr/bin/ping /usr/sbin/xtables-nft-multi /usr/sbin/nft /usr/sbin/bpftool; do
	[ -x "$b" ] || { echo "initramfs: $b missing on the host" >&2; exit 1; }
	elfs+=("$b:$b")
done
elfs+=("$pktpath:/usr/bin/pktpath")
if [ -n "${PKTPATH_VM_CMP:-}" ]; then
	[ -x "$PKTPATH_VM_CMP" ] || { echo "initramfs: no pktpath binary at $PKTPATH_VM_CMP (PKTPATH_VM_CMP)" >&2; exit 1; }
	elfs+=("$PKTPATH_VM_CMP:/usr/bin/pktpath-cmp")
fi
# The tests' small traffic tools (tests/tools, built by make tests), for
# the guest scripts that need a reader or a stream (guest/identity.sh).
for t in "$repo"/build/tools/*; do
	[ -x "$t" ] && elfs+=("$t:/usr/bin/$(basename "$t")")
done
for so in /usr/lib/x86_64-linux-gnu/xtables/*.so; do
	[ -f "$so" ] && elfs+=("$so:$so")
done
copy_elf "${elfs[@]}" || { echo "initramfs: could not copy the binaries and their libraries" >&2; exit 1; }
ln -sf /usr/bin/bash "$root/bin/bash" # scripts start with #!/bin/bash
for l in iptables iptables-save iptables-restore ip6tables ip6tables-save ip6tables-restore \
	iptables-nft iptables-nft-save iptables-nft-restore ip6tables-nft; do
	ln -s xtables-nft-multi "$root/usr/sbin/$l"
done

# /etc: users for tests that drop privileges, protocol names for iptables.
printf 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
for f in /etc/protocols /etc/services; do
	[ -f "$f" ] && cp "$f" "$root$f"
done
[ -d /etc/iproute2 ] && cp -r /etc/iproute2 "$root/etc/"

# Modules: resolve dependencies on the unpacked package, copy them
# decompressed, then index the guest's tree.
moddir=lib/modules/$release
[ -f "$kroot/$moddir/modules.dep" ] || { echo "initramfs: $kroot/$moddir has no modules.dep (kernels.sh makes it)" >&2; exit 1; }
mkdir -p "$root/$moddir"
for f in modules.order modules.builtin modules.builtin.modinfo; do
	[ -f "$kroot/$moddir/$f" ] && cp "$kroot/$moddir/$f" "$root/$moddir/"
done
loaded=()
for m in "${MODULES[@]}" "${OPTIONAL_MODULES[@]}"; do
	deps=$(modprobe -d "$kroot" -S "$release" --show-depends "$m" 2>&1) || {
		[[ " ${OPTIONAL_MODULES[*]} " == *" $m "* ]] && continue
		echo "initramfs: $release has no module $m: $deps" >&2
		exit 1
	}
	grep -q '^insmod ' <<<"$deps" || continue # built in: nothing to load
	while read -r kind path _; do
		[ "$kind" = insmod ] || continue # "builtin NAME": nothing to copy
		rel=${path#"$kroot"/}
		rel=${rel#./}
		dest=$root/${rel%.xz}
		[ -f "$dest" ] && continue
		mkdir -p "$(dirname "$dest")"
		case $path in
		*.xz) xz -dc "$path" >"$dest" || exit 1 ;;
		*.zst) zstd -qdc "$path" >"$dest" || exit 1 ;;
		*) cp "$path" "$dest" || exit 1 ;;
		esac
	done <<<"$deps"
	loaded+=("$m")
done
depmod -b "$root" "$release" || exit 1
printf '%s\n' "${loaded[@]}" >"$root/etc/pktpath-vm/modules"

# The repository's test helpers and the guest scripts.
cp tests/lib/*.sh "$root/pktpath/tests/lib/" || exit 1
: >"$root/etc/pktpath-vm/scripts"
for s in "${scripts[@]}"; do
	cp "$s" "$root/pktpath/tests/vm/guest/" || exit 1
	basename "$s" >>"$root/etc/pktpath-vm/scripts"
done
echo "${PKTPATH_VM_SCRIPT_TIMEOUT:-120}" >"$root/etc/pktpath-vm/script-timeout"
cp tests/vm/init.sh "$root/init" && chmod 755 "$root/init" || exit 1
# A console node lets the kernel hand init its stdio; init re-opens it
# after mounting devtmpfs anyway, so not being able to make it is fine.
mknod -m 600 "$root/dev/console" c 5 1 2>/dev/null

# Uncompressed newc: the kernel unpacks it without a decompressor, which
# under TCG is faster than gzip's saving in bytes copied.
mkdir -p "$(dirname "$out")"
(cd "$root" && find . -print0 | cpio --null -o -H newc -R 0:0 --quiet) >"$out.tmp" && mv "$out.tmp" "$out"
