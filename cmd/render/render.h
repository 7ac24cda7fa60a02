/* The output formats on standard output behind one interface, chosen once
 * from the options: plain text and JSON, each with its --stream line and
 * its timeline. (-w's pcapng is not one of them: it is a second sink fed
 * the same finished timelines, cmd/record/pcapng.c.) A new format is one more
 * struct renderer here (docs/extending.md). */
#ifndef PKTPATH_RENDER_H
#define PKTPATH_RENDER_H
#include <stdbool.h>
#include <stdint.h>

#include "bpf/event.h"
#include "cmd/render/format.h"
#include "cmd/util/strbuf.h"
#include "cmd/model/timeline.h"

struct options;
struct ev_extra;

struct renderer {
	const char *name;
	/* --stream: the column header, once before the first line; NULL: none. */
	void (*stream_header)(struct strbuf *sb);
	/* --stream: one event, with what its packet's other events add
	 * (cmd/model/carry.h; x may be NULL). */
	void (*event)(struct strbuf *sb, const struct pp_event *e, const struct fmt_ctx *ctx,
		      const struct ev_extra *x);
	/* One finished packet, numbered seq. color: ANSI colors wanted. */
	void (*timeline)(struct strbuf *sb, const struct timeline *t, uint64_t seq, const struct fmt_ctx *ctx,
			 bool color);
	bool colors;           /* may color a terminal (NO_COLOR turns it off) */
	bool counters_on_out;  /* the run's kernel counters go on stdout too (a JSON line) */
};

extern const struct renderer render_text, render_json;

/* The renderer the options ask for. */
const struct renderer *render_pick(const struct options *o);
/* Whether r colors its output: it can, stdout is a terminal, no NO_COLOR. */
bool render_color(const struct renderer *r);

#endif
