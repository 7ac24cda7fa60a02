/* The one front end of pktpath's output. A live run (the ring buffer,
 * cmd/cli/main.c) and a replay (a recording, cmd/record/replay.c) feed it the same
 * events, so both count, filter, group and render them the same way: the
 * summary of a replay is the live run's. */
#ifndef PKTPATH_FRONT_H
#define PKTPATH_FRONT_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "bpf/event.h"
#include "cmd/model/carry.h"
#include "cmd/render/format.h"
#include "cmd/cli/options.h"
#include "cmd/util/strbuf.h"
#include "cmd/model/summary.h"
#include "cmd/render/timeline_out.h"

struct front {
	const struct options *opt;
	const struct renderer *r; /* render_pick(opt) */
	struct fmt_ctx fmt;
	struct summary sum;
	bool timelines; /* default; --stream prints one line an event */
	struct tl_out tl; /* timelines only */
	struct strbuf line;
	struct carry carry; /* --stream: each packet's header and owner for its later lines */
	bool t0_set;
	uint64_t printed;   /* events (--stream) or packets written */
	uint64_t unprinted; /* --stream: received past -c or a failed output */
	/* stdout: errno of its first failed write. EPIPE (the reader left,
	 * `| head -1`) is a quiet stop; anything else is said, once. */
	int out_err;
	uint64_t flushed; /* live: known written (an fflush succeeded after) */
};

enum front_verdict {
	FRONT_GO = 0,
	FRONT_LIMIT,  /* -c reached */
	FRONT_OUTPUT, /* a write failed just now */
};

/* One event, in the order they were produced. Every event is counted
 * before any output option filters it (events + lost = produced). */
enum front_verdict front_event(struct front *f, const struct pp_event *e);
/* Time passes (live: the poll loop; replay: the recording's ticks):
 * timelines idle past --idle are printed. */
enum front_verdict front_tick(struct front *f, uint64_t now_ns);
/* The first failed write to stdout (also the caller's own writes). */
void front_out_failed(struct front *f, int err);

/* The summary's line for what was received but not printed, so that the
 * counts add up: of the delivered events, these never reached the output.
 * verb: "received" (live) or "recorded" (replay); flushed: what is known
 * written when the output failed, NULL when it is not known. */
void front_report_unprinted(const struct front *f, FILE *log, const char *verb, const uint64_t *flushed);
/* Everything the front end holds (the packet table, the summary, buffers). */
void front_free(struct front *f);

#endif
