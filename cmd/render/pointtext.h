/* What kernel-function points and netfilter hooks add to an event, as
 * text: the route, the netfilter hook, table and verdict, the bridge port,
 * a return value. One place, so the stream, timelines and JSON agree. */
#ifndef PKTPATH_POINTTEXT_H
#define PKTPATH_POINTTEXT_H
#include "bpf/event.h"
#include "cmd/util/strbuf.h"
#include <stdbool.h>
#include <stddef.h>

/* Appends " key value" pairs (leading space each); nothing if the event
 * has no such fields. Kernel strings are escaped. */
void point_detail(struct strbuf *sb, const struct pp_event *e);
/* The route part of it, and the gateway alone (false: none, on-link). */
void route_detail(struct strbuf *sb, const struct pp_event *e);
bool route_gateway(const struct pp_event *e, char *buf, size_t len);
/* The routing table ("main", "local", "default" or its id); false: not known. */
bool route_table(const struct pp_event *e, char *buf, size_t len);

const char *nf_hook_name(unsigned pf, unsigned hook); /* "INPUT", or NULL */
const char *nf_family_name(unsigned pf);              /* "ipv4", or NULL */
const char *nf_verdict_name(unsigned verdict);        /* "DROP", or NULL */
const char *rt_type_name(unsigned type);              /* "unicast", or NULL */

#endif
