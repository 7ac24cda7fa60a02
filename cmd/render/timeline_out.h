/* The timeline front end: feeds events into the timeline table, prints
 * each finished packet (text or JSON, all or only drops) and keeps the
 * counts for the end report. */
#ifndef PKTPATH_TIMELINE_OUT_H
#define PKTPATH_TIMELINE_OUT_H
#include <stdbool.h>
#include <stdio.h>

#include "cmd/render/format.h"
#include "cmd/model/carry.h"
#include "cmd/model/owner_sum.h"
#include "cmd/record/pcapng.h"
#include "cmd/render/render.h"
#include "cmd/model/timeline.h"

struct drop_site {
	uint32_t reason; /* UINT32_MAX: no reason */
	uint64_t location;
	uint64_t count;
};

struct tl_out {
	struct tl_table tab;
	const struct fmt_ctx *fmt;
	FILE *out;
	const struct renderer *r;
	bool color, drops_only;
	uint64_t printed;     /* timelines written */
	uint64_t limit;       /* -c: print no more than this (0: no limit) */
	bool broken;          /* a write failed: stop */
	int err;              /* its errno */
	uint64_t unprinted;   /* ended after -c was reached or the output failed */
	struct strbuf buf;
	struct drop_site *sites; /* drop timelines by (reason, location) */
	size_t nsites, capsites;
	uint64_t sites_other; /* beyond the site table's bound */
	struct pcapng *pcap;  /* -w: each ended packet goes there too; NULL without */
	struct osum *by_owner; /* --summary-by: counts per owner, freed here; NULL without */
	struct sk_owners owners; /* socket owners learned so far, for print time */
};

int tl_out_init(struct tl_out *o, const struct fmt_ctx *fmt, FILE *out, size_t max_open, uint64_t idle_ms,
		const struct renderer *r, bool drops_only);
void tl_out_event(struct tl_out *o, const struct pp_event *e);
void tl_out_tick(struct tl_out *o, uint64_t now_ns);
void tl_out_finish(struct tl_out *o);
/* Packets, how they ended, early flushes, top drop locations by reason. */
void tl_out_report(FILE *f, const struct tl_out *o);
void tl_out_free(struct tl_out *o);

#endif
