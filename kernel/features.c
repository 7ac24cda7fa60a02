#include "kernel/features.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

bool feat_fentry(const struct btf *vmlinux, char *why, size_t len)
{
	/* r0 = 0; exit: the smallest fentry program, on a function every
	 * kernel with networking has. */
	const struct bpf_insn insns[] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0},
		{.code = BPF_JMP | BPF_EXIT},
	};
	int id = vmlinux ? btf__find_by_name_kind(vmlinux, "ip_rcv", BTF_KIND_FUNC) : -1;
	if (id < 0) {
		snprintf(why, len, "no BTF for ip_rcv");
		return false;
	}
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_FENTRY,
		    .attach_btf_id = (unsigned)id);
	int fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "pp_feat", "GPL", insns, 2, &opts);
	if (fd < 0) {
		int err = errno;
		if (err == EPERM || err == EACCES)
			snprintf(why, len, "tracing programs not permitted");
		else
			snprintf(why, len, "tracing program rejected (%s)", strerror(err));
		return false;
	}
	int link = bpf_raw_tracepoint_open(NULL, fd);
	int err = errno;
	close(fd);
	if (link < 0) {
		snprintf(why, len, "cannot attach a trampoline (%s)", strerror(err));
		return false;
	}
	close(link);
	return true;
}

bool feat_kprobe(char *why, size_t len)
{
	/* Test switch: kprobes taken as present, so that the kprobe programs
	 * go through this kernel's verifier (tests/e2e/verifier.sh); attaching
	 * them then fails, one warning each. */
	if (getenv("PKTPATH_TEST_KPROBES"))
		return true;
	/* The kprobe PMU exists exactly when the kernel has CONFIG_KPROBES. */
	if (access("/sys/bus/event_source/devices/kprobe/type", R_OK) != 0) {
		snprintf(why, len, "CONFIG_KPROBES not set");
		return false;
	}
	return true;
}

bool feat_helper(const struct btf *vmlinux, const char *name)
{
	int id = vmlinux ? btf__find_by_name_kind(vmlinux, "bpf_func_id", BTF_KIND_ENUM) : -1;
	const struct btf_type *t = id > 0 ? btf__type_by_id(vmlinux, (unsigned)id) : NULL;
	if (!t)
		return false;
	const struct btf_enum *e = btf_enum(t);
	for (int i = 0; i < btf_vlen(t); i++)
		if (!strcmp(btf__name_by_offset(vmlinux, e[i].name_off), name))
			return true;
	return false;
}

int feat_tp_nargs(const struct btf *vmlinux, const char *tp)
{
	char name[128];
	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	int id = btf__find_by_name_kind(vmlinux, name, BTF_KIND_TYPEDEF);
	if (id < 0)
		return -1;
	/* typedef -> pointer -> func_proto(void *__data, args...) */
	const struct btf_type *t = btf__type_by_id(vmlinux, id);
	t = btf__type_by_id(vmlinux, t->type);
	if (!t || !btf_is_ptr(t))
		return -1;
	t = btf__type_by_id(vmlinux, t->type);
	if (!t || !btf_is_func_proto(t))
		return -1;
	return btf_vlen(t) - 1;
}

bool feat_privileged(char *why, size_t len)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct data[2];
	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) != 0) {
		snprintf(why, len, "cannot read capabilities: %s", strerror(errno));
		return false;
	}
#define HAS(cap) (data[(cap) / 32].effective & (1u << ((cap) % 32)))
	if (HAS(CAP_SYS_ADMIN) || (HAS(CAP_BPF) && HAS(CAP_PERFMON)))
		return true;
#undef HAS
	snprintf(why, len, "needs root (CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN)");
	return false;
}

bool feat_kprobe_multi(char *why, size_t len)
{
	const struct bpf_insn insns[] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0},
		{.code = BPF_JMP | BPF_EXIT},
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_KPROBE_MULTI);
	int fd = bpf_prog_load(BPF_PROG_TYPE_KPROBE, "pp_feat_multi", "GPL", insns, 2, &opts);
	if (fd < 0) {
		snprintf(why, len, "kprobe.multi programs rejected (%s)", strerror(errno));
		return false;
	}
	const char *syms[] = {"ip_rcv"};
	LIBBPF_OPTS(bpf_link_create_opts, lopts, .kprobe_multi.syms = syms, .kprobe_multi.cnt = 1);
	int link = bpf_link_create(fd, 0, BPF_TRACE_KPROBE_MULTI, &lopts);
	int err = errno;
	close(fd);
	if (link < 0) {
		snprintf(why, len, "no kprobe.multi (%s)", strerror(err));
		return false;
	}
	close(link);
	return true;
}
