/* Live context that makes a drop specific, gathered while pktpath runs:
 * the nftables rule behind a netfilter drop (netlib/nftrace.c). The
 * output code asks through the resolver (cmd/record/resolve.c), so recordings
 * keep the answers and -r gives them back. */
#ifndef PKTPATH_EXPLAIN_H
#define PKTPATH_EXPLAIN_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bpf/event.h"

struct explain_cfg {
	bool rules;        /* add the nftables trace table (not --no-rules) */
	bool all;          /* own namespace and every one in /run/netns */
	int nsfd;          /* else: --netns file, or -1 for pktpath's own */
	uint32_t netns;    /* its inode */
	uint32_t ifindex;  /* -i, 0 without */
	const void *cbpf;  /* the expression's classic BPF from the IP header, or NULL */
	size_t ncbpf;
};

/* Sets up what the configuration asks for; says on log what it added to
 * the system and what it could not. */
void explain_start(const struct explain_cfg *c, FILE *log);
/* Reads what arrived meanwhile (call once a poll round). */
void explain_tick(void);
/* Undoes what explain_start added, says on log what it could not or
 * what was lost. */
void explain_stop(FILE *log);

/* The nft rule that dropped e, "FAMILY\tTABLE\tCHAIN\tHANDLE\tRULE";
 * 0, or -1 with why not in out. */
int explain_nft_live(const struct pp_event *e, char *out, size_t len);

/* After the summary: the loss counters that moved, as text on f, or with
 * json as one {"type":"counters"} line per namespace there (live through
 * the resolver; replay from the recording). */
void explain_report(FILE *f, FILE *json);

/* Loss counters (netlib/nstat.h) that rose since start, one
 * "NETNS\tNAME\tDELTA\n" line each. */
int explain_counters_live(char *out, size_t len);

/* For a consumed TCP SYN (a pure SYN freed with consume_skb at a
 * listener): 0 when the namespace's TcpExtListenOverflows rose since the
 * last SYN this was said of, with its value now in out: the kernel freed
 * that SYN unanswered because the accept queue was full. -1 otherwise. */
int explain_silent_live(const struct pp_event *e, char *out, size_t len);

#endif
