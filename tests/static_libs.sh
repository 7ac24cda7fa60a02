#!/bin/bash
# Builds the static libraries `make static` needs that Debian 12 does not
# ship as .a files usable here, from Debian's own source packages:
#   - libmnl: bookworm's libmnl-dev has no libmnl.a. Built from Debian's
#     source package when the archive serves its files; where it does not
#     (the archive reachable from the development machines serves the .dsc
#     but not libmnl's tarballs), the libmnl.a that trixie's libmnl-dev
#     ships (1.0.5, API-compatible with bookworm's 1.0.4 headers) is taken
#     from that package instead;
#   - libpcap: libpcap.a exists but needs D-Bus and libsystemd
#     (`pkg-config --static --libs libpcap`), and libsystemd has no .a; pktpath
#     only compiles filters (pcap_compile on a dead handle), so libpcap is
#     rebuilt without the D-Bus, RDMA, Bluetooth, USB and netmap capture modules.
# libbpf.a, libelf.a (needs only zlib: `pkg-config --static --libs libelf`) and
# libz.a come from the -dev packages as they are.
#
#   tests/static_libs.sh OUTDIR      -> OUTDIR/lib/libmnl.a OUTDIR/lib/libpcap.a
#
# The sources are fetched with `apt-get source` through an apt configuration
# of its own (APT_CONFIG under OUTDIR: a deb-src entry for the host's suite,
# its own lists and cache), so the host's apt sources stay as they are. The
# version fetched is the one of the installed -dev package, so the headers
# pktpath compiles against match the library it links. Nothing is copied
# into the repository; OUTDIR is under build/.
set -eu
out=$(mkdir -p "$1" && cd "$1" && pwd)
[ -f "$out/lib/libmnl.a" ] && [ -f "$out/lib/libpcap.a" ] && exit 0

apt_dir=$out/apt
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/sources.parts" "$apt_dir/src"
: >"$apt_dir/status"
suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
cat >"$apt_dir/sources.list" <<EOF
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $suite main
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $suite-updates main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main
EOF
cat >"$apt_dir/apt.conf" <<EOF
Dir::State::Lists "$apt_dir/lists";
Dir::State::status "$apt_dir/status";
Dir::Cache "$apt_dir/cache";
Dir::Etc::SourceList "$apt_dir/sources.list";
Dir::Etc::SourceParts "$apt_dir/sources.parts";
Dir::Etc::Preferences "$apt_dir/preferences";
Dir::Etc::PreferencesParts "$apt_dir/sources.parts";
APT::Architecture "amd64";
APT::Architectures { "amd64"; };
Acquire::Languages "none";
EOF
export APT_CONFIG=$apt_dir/apt.conf
apt-get update -q >"$apt_dir/update.log" 2>&1 || { echo "static: apt-get update for deb-src failed: $(tail -n 1 "$apt_dir/update.log")" >&2; exit 1; }

# fetch SRCPKG DEVPKG: unpacks Debian's source (patches applied) into src/, prints the directory.
fetch() {
	local src=$1 dev=$2 ver
	ver=$(dpkg-query -W -f='${source:Version}' "$dev" 2>/dev/null) || { echo "static: $dev is not installed" >&2; return 1; }
	rm -rf "$apt_dir/src/$src"
	mkdir -p "$apt_dir/src/$src"
	(cd "$apt_dir/src/$src" && apt-get source -q --download-only "$src=$ver" >fetch.log 2>&1 &&
		dpkg-source -x --skip-debianization ./*.dsc tree >>fetch.log 2>&1 ||
		dpkg-source -x ./*.dsc tree >>fetch.log 2>&1) ||
		{ echo "static: apt-get source $src=$ver failed: $(tail -n 1 "$apt_dir/src/$src/fetch.log")" >&2; return 1; }
	echo "$apt_dir/src/$src/tree"
}

jobs=$(nproc 2>/dev/null || echo 2)
prefix=$out

mkdir -p "$prefix/lib"
if d=$(fetch libmnl libmnl-dev 2>"$apt_dir/libmnl.err"); then
	(cd "$d" && ./configure -q --prefix="$prefix" --disable-shared --enable-static >configure.log 2>&1 &&
		make -s -j"$jobs" >make.log 2>&1 && make -s install >>make.log 2>&1) ||
		{ echo "static: building libmnl failed (see $d/*.log)" >&2; exit 1; }
	echo "static: libmnl.a built from Debian's source package"
else
	# The source is not served: the static library trixie's package ships.
	rm -rf "$apt_dir/mnl-deb"
	mkdir -p "$apt_dir/mnl-deb"
	(cd "$apt_dir/mnl-deb" && apt-get download -q -t trixie libmnl-dev >download.log 2>&1 &&
		dpkg-deb -x ./libmnl-dev_*.deb root) ||
		{ echo "static: $(cat "$apt_dir/libmnl.err"); and apt-get download libmnl-dev (trixie) failed" >&2; exit 1; }
	a=$(find "$apt_dir/mnl-deb/root" -name libmnl.a | head -n 1)
	[ -n "$a" ] || { echo "static: trixie's libmnl-dev has no libmnl.a" >&2; exit 1; }
	cp "$a" "$prefix/lib/libmnl.a"
	echo "static: libmnl source not served ($(cat "$apt_dir/libmnl.err")); libmnl.a from trixie's $(basename "$apt_dir"/mnl-deb/libmnl-dev_*.deb)"
fi

d=$(fetch libpcap libpcap0.8-dev)
(cd "$d" && ./configure -q --prefix="$prefix" --disable-shared --enable-static --with-pcap=linux \
	--disable-dbus --disable-rdma --disable-bluetooth --disable-usb --disable-netmap --without-libnl \
	--without-dag --without-septel --without-snf --without-turbocap >configure.log 2>&1 &&
	make -s -j"$jobs" libpcap.a >make.log 2>&1 && install -D -m 0644 libpcap.a "$prefix/lib/libpcap.a") ||
	{ echo "static: building libpcap failed (see $d/*.log)" >&2; exit 1; }
echo "static: libpcap.a built from Debian's source package"
