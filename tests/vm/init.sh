#!/bin/sh
# PID 1 of the test VM (busybox sh; copied to /init by tests/vm/initramfs.sh).
#
# Mounts what pktpath and the lab need, loads the kernel modules listed in
# /etc/pktpath-vm/modules, runs the guest scripts listed in
# /etc/pktpath-vm/scripts one after another, then powers off. The host
# (tests/vm/run.sh) reads the serial console and relies on these markers:
#   PKTPATH-VM-BOOTED uptime=SECONDS release=RELEASE   user space reached
#   PKTPATH-VM-SCRIPT-BEGIN NAME / PKTPATH-VM-SCRIPT-END NAME rc=N
#   PKTPATH-VM-END status=N                            all done (N: worst rc)
# and on the guest scripts' own "PASS what" / "FAIL what" lines.
# If this script dies, the kernel panics and panic=-1 with qemu -no-reboot
# ends the VM; the host then reports the missing end marker.

export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb
export PKTPATH=/usr/bin/pktpath # tests/lib/check.sh runs this one
# fentry and kprobe take 9-13 s to get ready under TCG, more on a loaded host
# and on kernels without kprobe cookies (5.10); the kprobe program with a filter
# took over 60 s to verify on 6.12 once: wait up to 120 s for "ready".
export PP_START_TRIES=${PP_START_TRIES:-1200}

mount -t devtmpfs devtmpfs /dev 2>/dev/null
# The kernel gives init /dev/console only when the archive has that node;
# re-open it here so output always reaches the serial line.
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mount -t bpf bpf /sys/fs/bpf
mount -t tracefs tracefs /sys/kernel/tracing
mount -t debugfs debugfs /sys/kernel/debug
mkdir -p /dev/pts /dev/shm /run/netns
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
# Keep kernel messages off the console, so they cannot split a PASS/FAIL line.
echo 1 >/proc/sys/kernel/printk

read -r up _ </proc/uptime
# A newline first: the firmware's last line ("Booting from ROM...") may lack one.
echo
echo "PKTPATH-VM-BOOTED uptime=$up release=$(uname -r)"

ip link set lo up
hostname pktpath-vm

# Modules: a failed load is a FAIL line (the tests that need the module would
# fail too, but less clearly).
loaded=0
for m in $(cat /etc/pktpath-vm/modules); do
	if modprobe "$m"; then
		loaded=$((loaded + 1))
	else
		echo "FAIL vm: modprobe $m"
	fi
done
read -r up _ </proc/uptime
echo "PKTPATH-VM-MODULES loaded=$loaded uptime=$up"

script_timeout=$(cat /etc/pktpath-vm/script-timeout 2>/dev/null || echo 120)
status=0
for s in $(cat /etc/pktpath-vm/scripts); do
	name=$(basename "$s" .sh)
	echo "PKTPATH-VM-SCRIPT-BEGIN $name"
	# Each script starts in a fresh scratch directory and gets a hard limit,
	# so one hung script still lets the others run and the end marker appear.
	(cd /tmp && exec timeout "$script_timeout" bash "/pktpath/tests/vm/guest/$s")
	rc=$?
	echo "PKTPATH-VM-SCRIPT-END $name rc=$rc"
	[ "$rc" -gt "$status" ] && status=$rc
done

read -r up _ </proc/uptime
echo "PKTPATH-VM-END status=$status uptime=$up"
sync
poweroff -f
