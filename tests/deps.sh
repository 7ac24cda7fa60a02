#!/bin/bash
# Installs the Debian packages pktpath's build, tests and demo need, if any
# is missing. Used by `make test`, `make demo` and .ci/run.
set -eu
pkgs=(make gcc clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev libpcap-dev libmnl-dev libnftnl-dev
      iproute2 iptables iputils-ping util-linux jq tcpdump curl
      # for the kernel matrix in tests/vm: QEMU, and what the guest initramfs is made of
      qemu-system-x86 busybox-static xz-utils kmod cpio nftables
      # pcapng checks
      tshark
      # libFuzzer's runtime (make fuzz, tests/fuzz); make bench: a contender, the plot
      libclang-rt-14-dev bpftrace gnuplot-nox
      # make static: libpcap and libmnl rebuilt from Debian's source packages
      dpkg-dev flex bison)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages (${missing[*]}) and not root: install them with apt-get" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q "${missing[@]}" >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q "${missing[@]}" >/dev/null; }
