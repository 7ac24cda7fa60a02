/* Backends: how pktpath reaches the kernel. tracepoint (raw tracepoints:
 * every kernel), kprobe (kprobes/kretprobes with BPF cookies, kprobe.multi
 * for --wide) and fentry (BTF trampolines). Availability is found by
 * trying. The function points come from the catalog (cmd/attach/catalog.c);
 * this file resolves them for the running kernel, configures the BPF
 * object before load and attaches after. */
#ifndef PKTPATH_BACKEND_H
#define PKTPATH_BACKEND_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "cmd/attach/catalog.h"

struct btf;
struct bpf_link;
struct kfuncs;
struct pktpath_bpf;

enum backend { BK_TRACEPOINT, BK_KPROBE, BK_FENTRY };

struct backend_avail {
	bool fentry, kprobe, kprobe_multi, nflink;
	/* Helpers the generic programs prefer; without them, the variants in
	 * bpf/funcs.bpf.h (by address, per slot) serve. */
	bool func_arg, attach_cookie;
	char fentry_why[128], kprobe_why[128], multi_why[128], nflink_why[128];
};

/* One catalog row as this kernel has it. */
struct bk_point {
	const struct cat_point *row;
	const char *func;   /* the candidate that exists, NULL: none */
	int skb, aux, aux2; /* argument indexes, -1: none */
	const char *why;    /* why it cannot be used (func NULL or args not found) */
	uint16_t id;        /* function id in events (cmd/model/probes.c) */
	int slot;           /* fentry/fexit slot (kretprobe slot without cookies), -1 */
	int nargs;          /* the function's parameter count */
};

struct backend_plan {
	enum backend b;
	bool cookies; /* kprobes carry their point in a BPF cookie (5.15+) */
	struct bk_point *pts;
	size_t npts, used;
	/* --wide */
	bool wide;
	char **wide_syms;
	uint64_t *wide_cookies;
	size_t nwide;
	size_t wide_attached, wide_skipped;
	double attach_s, detach_s;
	struct bpf_link **links;
	size_t nlinks;
	/* Without cookies: function address -> packing (kp_points). */
	uint64_t *kp_addr, *kp_pt;
	size_t nkp;
};

const char *backend_name(enum backend b);
void backend_probe(const struct btf *vmlinux, struct backend_avail *a);
/* want: auto, fentry, kprobe, tracepoint. Returns 0, or writes one line
 * into err and returns -1 when the wanted backend is not available. */
int backend_choose(const char *want, bool wide, const struct backend_avail *a, enum backend *out, char *err,
		   size_t len);

/* Finds catalog row's function on this kernel and its argument indexes;
 * pt->func NULL and pt->why set when it cannot be used. */
void backend_resolve(struct bk_point *pt, const struct cat_point *row, struct kfuncs *kf);
/* Resolves the catalog (and --wide's function list) for backend b; one
 * warning line on warn for each point that cannot be reached. */
int backend_plan(struct backend_plan *p, enum backend b, const struct backend_avail *a, bool wide, bool drops_only,
		 struct kfuncs *kf, FILE *warn);
/* --backend auto after a refused load: the next backend to try, or -1. */
int backend_next(enum backend b, const struct backend_avail *a);
/* Before load: which programs load, fentry slots and their targets. */
int backend_configure(struct backend_plan *p, struct pktpath_bpf *skel, char *err, size_t len);
/* After load, before attach: fills what the programs look up (kp_points). */
int backend_fill(struct backend_plan *p, struct pktpath_bpf *skel, char *err, size_t len);
/* After load: attaches every loaded program. -1 with err on failure. */
int backend_attach(struct backend_plan *p, struct pktpath_bpf *skel, FILE *warn, char *err, size_t len);
void backend_detach(struct backend_plan *p);
void backend_plan_free(struct backend_plan *p);

/* cmd/attach/backend_list.c: what the kernel lacks for backend b, one line each, prefixed (start-up:
 * "pktpath: note: "): drop reasons, netfilter hooks. drop_reason: the
 * kfree_skb tracepoint carries a reason; netfilter: links were asked for. */
void backend_limits(FILE *out, const char *prefix, enum backend b, const struct backend_avail *a, bool drop_reason,
		    bool netfilter);

/* --list-probes: in one screen what this kernel gives with --backend want
 * (auto, or the one asked for when available) and what not, and why; then
 * every catalog point and how it is reached. */
void backend_list(FILE *out, const struct backend_avail *a, struct kfuncs *kf, bool drop_reason, const char *want);

#endif
