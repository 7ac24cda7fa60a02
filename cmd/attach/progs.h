/* Every program of the BPF object with its role, by skeleton field: a
 * program renamed or removed in bpf/ is a compile error here, not a
 * program silently never loaded. Backends choose programs by role, never
 * by name. */
#ifndef PKTPATH_PROGS_H
#define PKTPATH_PROGS_H
#include <stdbool.h>
#include <stddef.h>

struct bpf_program;
struct pktpath_bpf;

enum prog_role {
	PR_TP_EVENT,     /* raw tracepoint of the event path (rx, tx) */
	PR_TP_DROP,      /* skb:kfree_skb */
	PR_TP_FREE,      /* skb:consume_skb */
	PR_TP_OWNER,     /* owner bookkeeping: optional, older kernels lack some */
	PR_TP_FIB,       /* fib:fib_table_lookup: the table of a received packet's IPv4 route (optional) */
	PR_FENTRY,       /* arg: slot */
	PR_FEXIT,        /* arg: slot */
	PR_KPROBE,       /* arg: enum pp_kind */
	PR_KRETPROBE,    /* arg: enum pp_kind (with BPF cookies) */
	PR_KRET_SLOT,    /* arg: slot (without cookies) */
	PR_KPROBE_SAVE,  /* entry half of every return probe */
	PR_KPROBE_MULTI, /* --wide through one kprobe.multi link */
	PR_NETFILTER,    /* BPF netfilter links (kernel/nflink.c) */
};

/* The program with this role (and arg), or NULL when there is none. */
struct bpf_program *prog_find(const struct pktpath_bpf *skel, enum prog_role role, int arg);
/* The role of prog, -1 for a program not in the table. arg: its slot or
 * kind, when not NULL. */
int prog_role(const struct pktpath_bpf *skel, const struct bpf_program *prog, int *arg);

#endif
