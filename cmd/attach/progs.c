#include "cmd/attach/progs.h"

#include <bpf/libbpf.h>

#include "bpf/event.h"
#include "pktpath.skel.h"

struct prog_row {
	enum prog_role role;
	int arg;
	size_t off; /* of the program's field in struct pktpath_bpf */
};

#define PROG(role, arg, name) {role, arg, offsetof(struct pktpath_bpf, progs.name)}
#define SLOT(role, prefix, i) PROG(role, i, prefix##i)

static const struct prog_row rows[] = {
	PROG(PR_TP_EVENT, 0, pp_rx), PROG(PR_TP_EVENT, 0, pp_tx), PROG(PR_TP_DROP, 0, pp_drop),
	PROG(PR_TP_FREE, 0, pp_free), PROG(PR_TP_OWNER, 0, pp_own_recv),
	PROG(PR_TP_OWNER, 0, pp_own_copy), PROG(PR_TP_OWNER, 0, pp_own_state), PROG(PR_TP_OWNER, 0, pp_own_gone),
	PROG(PR_TP_FIB, 0, pp_fib),
	PROG(PR_NETFILTER, 0, pp_nf_first), PROG(PR_NETFILTER, 1, pp_nf_last), PROG(PR_NETFILTER, 2, pp_nf_probe),
	/* bpf/funcs.bpf.h: KPROBE_KIND, KRETPROBE_KIND */
	PROG(PR_KPROBE, PP_K_PLAIN, pp_kp_plain), PROG(PR_KPROBE, PP_K_DROP, pp_kp_drop),
	PROG(PR_KPROBE, PP_K_UNTRACK, pp_kp_untrack), PROG(PR_KPROBE, PP_K_ROUTE_OUT, pp_kp_route_out),
	PROG(PR_KPROBE, PP_K_NF_HOOK, pp_kp_nf_hook), PROG(PR_KPROBE, PP_K_IPT, pp_kp_ipt),
	PROG(PR_KPROBE, PP_K_NFT, pp_kp_nft), PROG(PR_KPROBE, PP_K_BR_IN, pp_kp_br_in),
	PROG(PR_KPROBE, PP_K_BR_PORT, pp_kp_br_port), PROG(PR_KPROBE, PP_K_OWNER_SK, pp_kp_owner_sk),
	PROG(PR_KRETPROBE, PP_K_PLAIN, pp_krp_plain), PROG(PR_KRETPROBE, PP_K_ROUTE_IN, pp_krp_route_in),
	PROG(PR_KRETPROBE, PP_K_CLONE, pp_krp_clone),
	PROG(PR_KPROBE_SAVE, 0, pp_kp_save), PROG(PR_KPROBE_MULTI, 0, pp_kpm),
	/* PP_FENTRY_SLOTS, PP_FEXIT_SLOTS, PP_KRET_SLOTS */
	SLOT(PR_FENTRY, pp_fe_, 0), SLOT(PR_FENTRY, pp_fe_, 1), SLOT(PR_FENTRY, pp_fe_, 2),
	SLOT(PR_FENTRY, pp_fe_, 3), SLOT(PR_FENTRY, pp_fe_, 4), SLOT(PR_FENTRY, pp_fe_, 5),
	SLOT(PR_FENTRY, pp_fe_, 6), SLOT(PR_FENTRY, pp_fe_, 7), SLOT(PR_FENTRY, pp_fe_, 8),
	SLOT(PR_FENTRY, pp_fe_, 9), SLOT(PR_FENTRY, pp_fe_, 10), SLOT(PR_FENTRY, pp_fe_, 11),
	SLOT(PR_FENTRY, pp_fe_, 12), SLOT(PR_FENTRY, pp_fe_, 13), SLOT(PR_FENTRY, pp_fe_, 14),
	SLOT(PR_FENTRY, pp_fe_, 15), SLOT(PR_FENTRY, pp_fe_, 16), SLOT(PR_FENTRY, pp_fe_, 17),
	SLOT(PR_FENTRY, pp_fe_, 18), SLOT(PR_FENTRY, pp_fe_, 19), SLOT(PR_FENTRY, pp_fe_, 20),
	SLOT(PR_FENTRY, pp_fe_, 21), SLOT(PR_FENTRY, pp_fe_, 22), SLOT(PR_FENTRY, pp_fe_, 23),
	SLOT(PR_FENTRY, pp_fe_, 24), SLOT(PR_FENTRY, pp_fe_, 25), SLOT(PR_FENTRY, pp_fe_, 26),
	SLOT(PR_FENTRY, pp_fe_, 27), SLOT(PR_FENTRY, pp_fe_, 28), SLOT(PR_FENTRY, pp_fe_, 29),
	SLOT(PR_FENTRY, pp_fe_, 30), SLOT(PR_FENTRY, pp_fe_, 31),
	SLOT(PR_FEXIT, pp_fx_, 0), SLOT(PR_FEXIT, pp_fx_, 1), SLOT(PR_FEXIT, pp_fx_, 2), SLOT(PR_FEXIT, pp_fx_, 3),
	SLOT(PR_FEXIT, pp_fx_, 4), SLOT(PR_FEXIT, pp_fx_, 5), SLOT(PR_FEXIT, pp_fx_, 6), SLOT(PR_FEXIT, pp_fx_, 7),
	SLOT(PR_KRET_SLOT, pp_krs_, 0), SLOT(PR_KRET_SLOT, pp_krs_, 1), SLOT(PR_KRET_SLOT, pp_krs_, 2),
	SLOT(PR_KRET_SLOT, pp_krs_, 3),
};

_Static_assert(PP_FENTRY_SLOTS == 32 && PP_FEXIT_SLOTS == 8 && PP_KRET_SLOTS == 4,
	       "the slots listed above are bpf/funcs.bpf.h's");

static struct bpf_program *at(const struct pktpath_bpf *skel, const struct prog_row *r)
{
	return *(struct bpf_program *const *)((const char *)skel + r->off);
}

struct bpf_program *prog_find(const struct pktpath_bpf *skel, enum prog_role role, int arg)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (rows[i].role == role && rows[i].arg == arg)
			return at(skel, &rows[i]);
	return NULL;
}

int prog_role(const struct pktpath_bpf *skel, const struct bpf_program *prog, int *arg)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (at(skel, &rows[i]) == prog) {
			if (arg)
				*arg = rows[i].arg;
			return (int)rows[i].role;
		}
	return -1;
}
