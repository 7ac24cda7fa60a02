/* SPDX-License-Identifier: GPL-2.0 */
/* Programs of the fentry and kprobe backends. Which kernel function a
 * program serves, and what it records there, is data from user space
 * (cmd/attach/catalog.c): a PP_PT() packing, in the kprobe's BPF cookie or in a
 * fentry slot's read-only configuration. The programs only fetch the
 * arguments the packing names; point_hit() does the rest.
 *
 * fentry programs are bound to one function at load, so the object has a
 * fixed number of identical slots; user space fills the ones it needs
 * and does not load the others. A kprobe program serves every function
 * of one kind (point_hit() says why one per kind).
 *
 * Older kernels lack two helpers these programs prefer: bpf_get_func_arg
 * (5.17) and bpf_get_attach_cookie (5.15). Which one runs is decided at
 * load by the running kernel's own BTF (bpf_core_enum_value_exists on
 * enum bpf_func_id); the verifier then drops the branch not taken, so a
 * helper the kernel does not know is never seen by it. Without them:
 * fentry reads the arguments the trampoline saved (ctx) with one
 * bpf_probe_read_kernel and the return value after the last argument;
 * kprobes find their point by the probed address (kp_points, filled by
 * user space), and kretprobes use slots like fentry (cfg_kret). */
#ifndef PKTPATH_FUNCS_BPF_H
#define PKTPATH_FUNCS_BPF_H

#include <bpf/bpf_tracing.h>

const volatile __u64 cfg_fentry[PP_FENTRY_SLOTS] = {};
const volatile __u64 cfg_fexit[PP_FEXIT_SLOTS] = {};
/* The function's argument count: where fexit finds the return value when
 * the kernel has no bpf_get_func_ret. */
const volatile __u8 cfg_fexit_nargs[PP_FEXIT_SLOTS] = {};

/* The benchmark's floor (make bench, guest half; PKTPATH_BENCH_HOLLOW):
 * every fentry and kprobe program returns at once, so a run measures what
 * attaching to the functions costs by itself. Read-only data: the
 * verifier drops the test from the programs of a normal run. */
const volatile bool cfg_hollow = false;

#define HAVE_FUNC_ARG bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_get_func_arg)       /* 5.17 */
#define HAVE_ATTACH_COOKIE bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_get_attach_cookie) /* 5.15 */

/* ---- fentry / fexit ---- */

static __always_inline __u64 fe_arg(void *ctx, __u8 n)
{
	__u64 v = 0;
	if (n != PP_ARG_NONE)
		bpf_get_func_arg(ctx, n, &v);
	return v;
}

/* Argument n from the trampoline's saved array, before 5.17. */
static __always_inline __u64 fe_arg_saved(void *ctx, __u8 n)
{
	__u64 v = 0;
	if (n != PP_ARG_NONE)
		bpf_probe_read_kernel(&v, sizeof(v), (__u64 *)ctx + (n & 7));
	return v;
}

static __always_inline int fentry_hit(void *ctx, __u64 pt, bool at_return, __u8 nargs)
{
	__u64 ret = 0;
	if (cfg_hollow)
		return 0;
	/* No caller address here: user space takes a drop's location from
	 * its stack. */
	if (HAVE_FUNC_ARG) {
		if (at_return)
			bpf_get_func_ret(ctx, &ret);
		return point_hit(ctx, PP_PT_KIND(pt), pt, fe_arg(ctx, PP_PT_SKB(pt)), fe_arg(ctx, PP_PT_AUX(pt)),
				 fe_arg(ctx, PP_PT_AUX2(pt)), at_return, (long)ret, 0);
	}
	/* The trampoline saved the arguments as an array of u64 at ctx (the
	 * return value follows them for fexit). Read one at a time as plain
	 * numbers (a direct ctx load would need a constant index): a copy of
	 * the whole array costs 64 bytes of stack, and with the filter's frame
	 * the programs would pass the kernel's 512-byte limit (seen on 5.10). */
	if (at_return)
		ret = fe_arg_saved(ctx, nargs);
	return point_hit(ctx, PP_PT_KIND(pt), pt, fe_arg_saved(ctx, PP_PT_SKB(pt)), fe_arg_saved(ctx, PP_PT_AUX(pt)),
			 fe_arg_saved(ctx, PP_PT_AUX2(pt)), at_return, (long)ret, 0);
}

#define FENTRY_SLOT(i)                                                                                          \
	SEC("pktpath/fentry/" #i)                                                                               \
	int pp_fe_##i(void *ctx)                                                                                \
	{                                                                                                       \
		return fentry_hit(ctx, cfg_fentry[i], false, 0);                                                \
	}
#define FEXIT_SLOT(i)                                                                                           \
	SEC("pktpath/fexit/" #i)                                                                                \
	int pp_fx_##i(void *ctx)                                                                                \
	{                                                                                                       \
		return fentry_hit(ctx, cfg_fexit[i], true, cfg_fexit_nargs[i]);                                 \
	}

/* PP_FENTRY_SLOTS (32) and PP_FEXIT_SLOTS (8) of them. */
FENTRY_SLOT(0) FENTRY_SLOT(1) FENTRY_SLOT(2) FENTRY_SLOT(3) FENTRY_SLOT(4) FENTRY_SLOT(5) FENTRY_SLOT(6)
FENTRY_SLOT(7) FENTRY_SLOT(8) FENTRY_SLOT(9) FENTRY_SLOT(10) FENTRY_SLOT(11) FENTRY_SLOT(12) FENTRY_SLOT(13)
FENTRY_SLOT(14) FENTRY_SLOT(15) FENTRY_SLOT(16) FENTRY_SLOT(17) FENTRY_SLOT(18) FENTRY_SLOT(19)
FENTRY_SLOT(20) FENTRY_SLOT(21) FENTRY_SLOT(22) FENTRY_SLOT(23) FENTRY_SLOT(24) FENTRY_SLOT(25)
FENTRY_SLOT(26) FENTRY_SLOT(27) FENTRY_SLOT(28) FENTRY_SLOT(29) FENTRY_SLOT(30) FENTRY_SLOT(31)
FEXIT_SLOT(0) FEXIT_SLOT(1) FEXIT_SLOT(2) FEXIT_SLOT(3) FEXIT_SLOT(4) FEXIT_SLOT(5) FEXIT_SLOT(6)
FEXIT_SLOT(7)

/* ---- kprobe / kretprobe / kprobe.multi ---- */

/* Every argument register is read with a constant offset (the verifier
 * refuses a ctx pointer moved by a computed amount), then indexed. Five
 * slots, not eight: the stack is near its 512-byte limit. */
static __always_inline __u64 kp_arg(struct pt_regs *r, __u8 n)
{
	__u64 a[5] = {PT_REGS_PARM1(r), PT_REGS_PARM2(r), PT_REGS_PARM3(r), PT_REGS_PARM4(r), PT_REGS_PARM5(r)};
	if (n > 4)
		return 0;
	return a[n];
}

/* Before 5.15 (no cookies): function address -> packing. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1); /* sized by user space */
	__type(key, __u64);
	__type(value, __u64);
} kp_points SEC(".maps");

/* The point a kprobe serves: its cookie, else its address. A kprobe on a
 * function's first instruction (int3 or ftrace) sees ip = address + 1. */
static __always_inline __u64 kp_point(struct pt_regs *ctx)
{
	if (HAVE_ATTACH_COOKIE)
		return bpf_get_attach_cookie(ctx);
	__u64 ip = PT_REGS_IP(ctx) - 1;
	__u64 *pt = bpf_map_lookup_elem(&kp_points, &ip);
	return pt ? *pt : 0;
}

/* One kprobe program per kind (below): the kind is then a constant and
 * the verifier walks one path per program. A point whose packing names
 * another kind is not this program's: without cookies (before 5.15) the
 * packing is found by address, and --wide's plain program also fires on
 * catalog functions of other kinds (nft_do_chain's first argument is not
 * an skb), which must not be read as plain points. */
static __always_inline int kprobe_hit(struct pt_regs *ctx, __u8 kind)
{
	if (cfg_hollow)
		return 0;
	__u64 pt = kp_point(ctx);
	__u64 loc = 0;
	if (!pt || PP_PT_KIND(pt) != kind)
		return 0;
	/* At a function's first instruction the stack top is the return
	 * address: the drop's location, as the tracepoint reports it. */
	if (kind == PP_K_DROP)
		bpf_probe_read_kernel(&loc, sizeof(loc), (void *)PT_REGS_SP(ctx));
	return point_hit(ctx, kind, pt, kp_arg(ctx, PP_PT_SKB(pt)), kp_arg(ctx, PP_PT_AUX(pt)),
			 kp_arg(ctx, PP_PT_AUX2(pt)), false, 0, loc);
}

/* pp_kp_<kind>: user space attaches a point to the program of its kind
 * (cmd/attach/backend.c, kp_progs[]). */
#define KPROBE_KIND(k, name)                                                                                    \
	SEC("pktpath/kprobe/" #name)                                                                            \
	int pp_kp_##name(struct pt_regs *ctx)                                                                   \
	{                                                                                                       \
		return kprobe_hit(ctx, k);                                                                      \
	}
KPROBE_KIND(PP_K_PLAIN, plain)
KPROBE_KIND(PP_K_DROP, drop)
KPROBE_KIND(PP_K_UNTRACK, untrack)
KPROBE_KIND(PP_K_ROUTE_OUT, route_out)
KPROBE_KIND(PP_K_NF_HOOK, nf_hook)
KPROBE_KIND(PP_K_IPT, ipt)
KPROBE_KIND(PP_K_NFT, nft)
KPROBE_KIND(PP_K_BR_IN, br_in)
KPROBE_KIND(PP_K_BR_PORT, br_port)
KPROBE_KIND(PP_K_OWNER_SK, owner_sk)

/* --wide on kernels with kprobe.multi: one link for every function (all
 * plain points). */
SEC("pktpath/kprobe_multi/wide")
int pp_kpm(struct pt_regs *ctx)
{
	return kprobe_hit(ctx, PP_K_PLAIN);
}

/* Points seen at return: the entry saves the arguments for the return
 * probe, keyed by thread (by CPU for the idle threads, which all have
 * id 0 and run softirqs without migrating) and function. */
struct kp_saved {
	__u64 skb, aux, aux2;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct kp_saved);
} kp_args SEC(".maps");

static __always_inline __u64 kp_key(__u64 pt)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 who = tid ? tid : 0x80000000u | bpf_get_smp_processor_id();
	return who << 16 | PP_PT_FUNC(pt);
}

SEC("pktpath/kprobe/save")
int pp_kp_save(struct pt_regs *ctx)
{
	if (cfg_hollow)
		return 0;
	__u64 pt = kp_point(ctx);
	if (!pt)
		return 0;
	__u64 key = kp_key(pt);
	struct kp_saved s = {
		.skb = kp_arg(ctx, PP_PT_SKB(pt)),
		.aux = kp_arg(ctx, PP_PT_AUX(pt)),
		.aux2 = kp_arg(ctx, PP_PT_AUX2(pt)),
	};
	bpf_map_update_elem(&kp_args, &key, &s, BPF_ANY);
	return 0;
}

static __always_inline int kret_hit(struct pt_regs *ctx, __u8 kind, __u64 pt)
{
	if (cfg_hollow || PP_PT_KIND(pt) != kind)
		return 0;
	__u64 key = kp_key(pt);
	struct kp_saved *s = bpf_map_lookup_elem(&kp_args, &key);
	if (!s)
		return 0;
	struct kp_saved a = *s;
	bpf_map_delete_elem(&kp_args, &key);
	return point_hit(ctx, kind, pt, a.skb, a.aux, a.aux2, true, (long)PT_REGS_RC(ctx), 0);
}

/* pp_krp_<kind>: return probes, one per kind as at entry. */
#define KRETPROBE_KIND(k, name)                                                                                 \
	SEC("pktpath/kretprobe/" #name)                                                                         \
	int pp_krp_##name(struct pt_regs *ctx)                                                                  \
	{                                                                                                       \
		if (!HAVE_ATTACH_COOKIE)                                                                        \
			return 0; /* not loaded there: the slots below serve */                                 \
		return kret_hit(ctx, k, bpf_get_attach_cookie(ctx));                                            \
	}
KRETPROBE_KIND(PP_K_PLAIN, plain)
KRETPROBE_KIND(PP_K_ROUTE_IN, route_in)
KRETPROBE_KIND(PP_K_CLONE, clone)

/* Without cookies a return probe cannot find its point by address (it
 * fires in a trampoline), so each gets a slot, as fentry does. */
const volatile __u64 cfg_kret[PP_KRET_SLOTS] = {};

#define KRET_SLOT(i)                                                                                            \
	SEC("pktpath/kretprobe/" #i)                                                                            \
	int pp_krs_##i(struct pt_regs *ctx)                                                                     \
	{                                                                                                       \
		return kret_hit(ctx, PP_PT_KIND(cfg_kret[i]), cfg_kret[i]);                                                              \
	}
KRET_SLOT(0) KRET_SLOT(1) KRET_SLOT(2) KRET_SLOT(3)

#endif
