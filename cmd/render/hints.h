/* Plain-language hints for common drop reasons, keyed by the reason's
 * name (the numbers differ between kernels), naming the specifics of the
 * event: port, namespace, hook, address, interface. */
#ifndef PKTPATH_HINTS_H
#define PKTPATH_HINTS_H
#include <stddef.h>

#include "bpf/event.h"
#include "cmd/util/strbuf.h"

struct hint_in {
	const char *reason;         /* "NO_SOCKET"; NULL when unknown */
	const struct pp_event *e;   /* the drop event */
	const char *netns;          /* escaped namespace name or inode, or NULL */
	const char *ifname;         /* escaped interface name, or NULL */
	const char *const *frames;  /* stack symbols "func+0xoff", innermost first */
	size_t nframes;
};

/* Appends one line of hint text (no newline); returns 0 when there is no
 * hint for this reason, and then appends nothing. */
int hint_format(struct strbuf *sb, const struct hint_in *in);

/* For a consume_skb event: 1 when the kernel counted it as a loss it
 * does not report as a drop (a SYN at a listener with a full accept
 * queue), and then, with sb, says so (netns: escaped name or NULL). */
int hint_silent(struct strbuf *sb, const struct pp_event *e, const char *netns);

/* 1 when the reason has a hint built from the drop's details (else its
 * hint is the reason's meaning, cmd/render/reasons.c). */
int hint_is_specific(const char *reason);

/* The netfilter hook that called nf_hook_slow in frames ("INPUT", ...),
 * and the caller's name in *via; NULL when the stack does not say. */
const char *hint_nf_hook(const char *const *frames, size_t nframes, char *via, size_t vialen);

/* Kernel text for a hint: spaces kept, anything else outside printable
 * ASCII, and backslashes, as \xNN. */
void hint_text(const char *in, char *out, size_t len);

/* The nftables rule behind a NETFILTER_DROP event (through the
 * resolver); the strings point into buf. 0, or -1 when not known. */
struct nft_rule_info {
	char buf[512];
	const char *family, *table, *chain, *handle, *rule;
};
int hint_nft_rule(const struct pp_event *e, struct nft_rule_info *ri);
/* " by rule 'RULE' (table F T, chain C, handle H)" for a NETFILTER_DROP
 * whose rule is known (the stream line, the pcapng comment); else nothing. */
void hint_nft_suffix(struct strbuf *sb, const struct pp_event *e, const char *reason);

#endif
