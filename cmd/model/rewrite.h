/* Header rewrites (NAT) between two sightings of one packet: the step
 * where a packet's addresses or ports first appear changed says so
 * ("SNAT 198.18.81.2 -> 198.18.82.1"). Decided from the headers each event
 * carries, in user space, so timelines, --stream, JSON and pcapng comments
 * say the same words from one place. */
#ifndef PKTPATH_REWRITE_H
#define PKTPATH_REWRITE_H
#include <stdbool.h>

#include "bpf/event.h"
#include "cmd/util/strbuf.h"

/* What changed from `before` to `after` (sightings of one packet). */
struct rewrite {
	bool src, dst;             /* the source (SNAT) or destination (DNAT) side changed */
	bool src_port, dst_port;   /* ...and its port (TCP, UDP; ICMP echo: the id) */
};

/* Whether the two events' headers can be compared: both decoded with an
 * IP header, the same IP version and protocol, the same IPv4
 * identification and TCP sequence number where both carry them (NAT keeps
 * those; an encapsulation or another packet does not), neither a copy. */
bool rw_comparable(const struct pp_event *before, const struct pp_event *after);
/* True and *rw filled when after's addresses or ports differ from before's. */
bool rw_find(const struct pp_event *before, const struct pp_event *after, struct rewrite *rw);
/* "SNAT 198.18.81.2 -> 198.18.82.1", "DNAT 198.18.82.9:80 -> 198.18.82.2:8080",
 * both separated by ", " when both sides changed. */
void rw_text(struct strbuf *sb, const struct pp_event *before, const struct pp_event *after,
	     const struct rewrite *rw);
struct ev_extra;
/* The rewrite event e shows (x->before, from cmd/model/carry.h), as text with a
 * leading space, and " in hook POSTROUTING" when the step is not the hook's
 * own; nothing when there is none. */
void rw_step_text(struct strbuf *sb, const struct pp_event *e, const struct ev_extra *x);
/* JSON members ,"rewrite":{"text":…,"snat":{"from":…,"to":…},"dnat":…,"hook":…}
 * for after, x->before its previous header. */
void rw_json(struct strbuf *sb, const struct pp_event *after, const struct ev_extra *x, const struct rewrite *rw);
/* True when no step of ev[0..n) can show a rewrite: every decoded event
 * carries the same addresses and ports (most packets' timelines), so
 * rw_find would find nothing for any pair. False is only "maybe". */
bool rw_none(const struct pp_event *ev, size_t n);
/* The latest of ev[0..n) comparable with ev[n] (its previous header), or NULL. */
const struct pp_event *rw_before(const struct pp_event *ev, size_t n);

#endif
