/* A finished timeline -> a text block: a header line for the packet, one
 * line per step with the time since the first step and since the last,
 * and for a drop its stack and a hint. */
#ifndef PKTPATH_TIMELINE_TEXT_H
#define PKTPATH_TIMELINE_TEXT_H
#include <stdbool.h>
#include <stdint.h>

#include "cmd/render/format.h"
#include "cmd/model/timeline.h"

/* "6.2us", "1.250ms", "2.000s" */
void fmt_duration(struct strbuf *sb, uint64_t ns);
/* seq: the number printed after '#'. color: ANSI colours for a terminal. */
/* " owner PID (comm)": the first socket owner any step saw; nothing if none. */
void fmt_timeline_owner(struct strbuf *sb, const struct timeline *t);
void fmt_timeline(struct strbuf *sb, const struct timeline *t, uint64_t seq, const struct fmt_ctx *ctx,
		  bool color);

#endif
