/* What an event's own record does not say but its packet's other events
 * do: the header before a rewrite (NAT, cmd/model/rewrite.h) and the owner
 * learned at another step. Timelines have the whole packet at hand
 * (carry_in_timeline); --stream prints each event as it comes, so a small
 * bounded cache keyed by skb address remembers, per packet, its latest
 * header and its owner for the events that follow (carry_stream). What the
 * stream cannot name: an owner learned only after the event printed, and
 * packets pushed out of the cache (CARRY_SETS x CARRY_WAYS open at once).
 *
 * The owner a packet carries is its sender: the owner learned before the
 * packet was first received on a device. On the receiving side skb->sk is
 * the receiving socket (early demux), whose owner is then said as the
 * receiver; a delivery names its reader, as ever. A packet whose sender is
 * not known carries the first owner any of its steps knew. */
#ifndef PKTPATH_CARRY_H
#define PKTPATH_CARRY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf/event.h"
#include "bpf/ident.h"

struct timeline;

/* Extras for rendering one event; NULL members: nothing to add. */
struct ev_extra {
	const struct pp_event *before;     /* the packet's previous header (a rewrite may show) */
	const struct pp_event *owner_from; /* the step its packet's owner was learned at, when not e */
	const struct pp_event *receiver;   /* e's own owner is the receiving socket's (owner_from the sender) */
	/* A rewrite seen at a step that is not a netfilter link's: the
	 * netfilter hook seen since the previous header (fentry/kprobe's
	 * nf_hook_slow, ipt_do_table, nft_do_chain), which made it. */
	bool nf_seen;
	uint8_t nf_pf, nf_hook;
};

/* For event i of timeline t. */
void carry_in_timeline(const struct timeline *t, size_t i, struct ev_extra *x);

#define CARRY_SETS 1024
#define CARRY_WAYS 4

struct carry_ent {
	uint64_t skb; /* 0: free */
	uint64_t used;
	struct pp_ident id;
	bool has_hdr, has_owner, owner_sent, rx_seen, nf_seen;
	uint8_t nf_pf, nf_hook; /* the latest netfilter hook since hdr */
	struct pp_event hdr, owner;
};

struct carry {
	struct carry_ent *v; /* CARRY_SETS * CARRY_WAYS, allocated at first use */
	uint64_t clock;
	uint64_t carried;   /* events that got their packet's owner from an earlier step */
	uint64_t evicted;   /* packets pushed out while still open */
	/* The copies x points to (valid until the next call). */
	struct pp_event before, owner_from;
	uint64_t receivers; /* lines whose own owner was the receiving socket's */
};

/* --stream: looks e's packet up, fills x, then remembers e. */
void carry_stream(struct carry *c, const struct pp_event *e, struct ev_extra *x);
void carry_free(struct carry *c);

/* Owners by socket, for timelines: a packet sent (or received) before its
 * socket's owner was learned — the kernel's first packets on a socket in
 * softirq, a server's ACKs before its process touched the new socket —
 * gets that owner when it prints, if another packet of the same socket
 * named it by then. Keyed by the socket's address and the flow (protocol,
 * both ends, either direction; ICMP echo by its id), so an address reused
 * by another socket of another flow is not taken for it. Bounded like the
 * stream's cache; the least recently learned is pushed out. */
#define SKO_SETS 1024
#define SKO_WAYS 4

struct sko_key {
	uint64_t sk;
	uint8_t ipver, proto;
	uint16_t pa, pb;   /* the ends' ports (ICMP echo: the id twice) */
	uint8_t a[16], b[16]; /* the ends' addresses, the lower first */
};

struct sko_ent {
	struct sko_key k; /* k.sk 0: free */
	uint64_t used;
	struct pp_owner owner;
};

struct sk_owners {
	struct sko_ent *v; /* SKO_SETS * SKO_WAYS, allocated at first use */
	uint64_t clock;
	uint64_t filled; /* events that got their owner at print time */
};

/* Remembers e's socket owner (any event whose record names one). */
void sko_learn(struct sk_owners *s, const struct pp_event *e);
/* Gives each event of t with a socket but no owner the owner learned for
 * its socket and flow (PP_HAVE_OWNER | PP_HAVE_OWNER_SOCKET), unless a step
 * of t itself knew that socket's owner (carried from there as ever). */
void sko_fill(struct sk_owners *s, struct timeline *t);
void sko_free(struct sk_owners *s);

#endif
