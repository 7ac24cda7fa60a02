/* JSON output, schema version JSON_SCHEMA_VERSION (docs/json-schema.md): one object per
 * timeline, or per event with --stream, one per line. */
#ifndef PKTPATH_JSON_H
#define PKTPATH_JSON_H
#include <stddef.h>
#include <stdint.h>

#include "cmd/render/format.h"
#include "cmd/model/timeline.h"

#define JSON_SCHEMA_VERSION 3

/* Appends "..." for at most len bytes of s (stopping at a NUL). Control
 * characters, quote and backslash are escaped, and so is every byte above
 * 0x7e (as \u00XX), so that kernel bytes that are not UTF-8 still give
 * valid JSON. */
void json_str(struct strbuf *sb, const char *s, size_t len);
/* One line: the event as a schema object ("type":"event"). */
void json_event_line(struct strbuf *sb, const struct pp_event *e, const struct fmt_ctx *ctx);
struct ev_extra;
/* The same with what the packet's other events add (cmd/model/carry.h); x may be NULL. */
void json_event_line_x(struct strbuf *sb, const struct pp_event *e, const struct fmt_ctx *ctx,
		       const struct ev_extra *x);
/* One line: the timeline ("type":"packet") with its events. */
void json_timeline_line(struct strbuf *sb, const struct timeline *t, uint64_t seq, const struct fmt_ctx *ctx);

#endif
