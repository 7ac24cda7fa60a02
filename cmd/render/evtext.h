/* Pieces of one event that several renderers need: the namespace and
 * interface names (escaped), the symbolized stack and the drop hint. */
#ifndef PKTPATH_EVTEXT_H
#define PKTPATH_EVTEXT_H
#include <stdbool.h>
#include <stddef.h>

#include "cmd/render/format.h"

#define EV_SYM_LEN 256
#define EV_MAX_FRAMES 127

/* Escaped namespace name, else its inode, else "-". */
size_t ev_netns(const struct pp_event *e, char *out, size_t len); /* returns strlen(out) */
/* Escaped interface name, else "-". */
size_t ev_ifname(const struct pp_event *e, char *out, size_t len); /* returns strlen(out) */
/* Stack symbols, innermost first. The one rule every renderer uses: the
 * leading frames of pktpath's own program and of the tracepoint or
 * trampoline dispatch that called it are skipped, the kernel's story
 * starts after them. Returns how many were pointed to in list. */
size_t ev_frame_list(const struct pp_event *e, const struct fmt_ctx *ctx, const char **list, size_t max);
/* The names in list stay valid until the next call of either. */
/* The same frames appended to sb joined by " < "; returns how many. */
size_t ev_frames_joined(struct strbuf *sb, const struct pp_event *e, const struct fmt_ctx *ctx);
/* Appends the hint for a drop event; 0 when there is none. */
/* A consumed packet the kernel counted as lost (cmd/render/hints.h hint_silent):
 * 1 and the text, else 0. */
int ev_silent(struct strbuf *sb, const struct pp_event *e, const struct fmt_ctx *ctx, uint32_t netns);
/* The namespace of the last of n events that has one, 0 when none. */
uint32_t ev_last_netns(const struct pp_event *ev, size_t n);
int ev_hint(struct strbuf *sb, const struct pp_event *e, const struct fmt_ctx *ctx);
/* Drop reason name, or NULL when unknown. */
const char *ev_reason(const struct pp_event *e, const struct fmt_ctx *ctx);

/* fentry drops carry no caller address: take it from the drop's stack,
 * the first frame past the freeing functions. False if it cannot. */
bool ev_location_from_stack(struct pp_event *e, const struct fmt_ctx *ctx);

#endif
