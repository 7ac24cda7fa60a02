/* The probe catalog: one row per point pktpath can observe, as data. The
 * backends (cmd/attach/backend.c) are generic over it: adding a point is adding
 * a row; only a point that records something new needs a new kind
 * (enum pp_kind, bpf/points.bpf.h). */
#ifndef PKTPATH_CATALOG_H
#define PKTPATH_CATALOG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf/event.h"

struct cat_point {
	const char *group;      /* rx, route, netfilter, bridge, tx, drop, free, owner */
	const char *funcs[4];   /* candidate kernel functions, newest first: the first that exists is used */
	enum pp_kind kind;      /* what the point records */
	uint16_t probe;         /* enum pp_probe of its events */
	uint8_t layout;         /* enum pp_layout: where L3 is */
	bool at_return;         /* needs the return value: fexit / kretprobe */
	const char *skb_struct; /* the packet argument: pointer to this struct ("sk_buff"), NULL: none */
	int skb_depth;          /* 1: struct X *, 2: struct X ** */
	const char *aux;        /* argument recorded too, by name ("priv|table"), NULL: none */
	const char *aux2;
	const char *tracepoint; /* equivalent tracepoint, NULL if none */
	const char *records;    /* what it adds to an event, for --list-probes */
};

extern const struct cat_point catalog[];
extern const size_t catalog_len;

#endif
