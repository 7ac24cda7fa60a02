/* One event -> one human-readable line (plus a stack line for drops). */
#ifndef PKTPATH_FORMAT_H
#define PKTPATH_FORMAT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf/event.h"
#include "cmd/util/strbuf.h"

struct ksyms;
struct dropreasons;

/* Fills ips with up to max frames of stack id; returns how many. */
typedef size_t (*stack_reader)(void *arg, int32_t id, uint64_t *ips, size_t max);

struct fmt_ctx {
	const struct ksyms *ksyms;
	const struct dropreasons *reasons;
	uint64_t t0; /* time of the first event: TIME is relative to it */
	stack_reader read_stack;
	void *stack_arg;
};

void fmt_header(struct strbuf *sb);
void fmt_event(struct strbuf *sb, const struct pp_event *e, const struct fmt_ctx *ctx);
struct ev_extra;
/* The same with what the packet's other events add (cmd/model/carry.h); x may be NULL. */
void fmt_event_x(struct strbuf *sb, const struct pp_event *e, const struct fmt_ctx *ctx, const struct ev_extra *x);
/* " owner learned at net_dev_queue (netns)" for an owner carried from event `from`. */
void fmt_owner_learned(struct strbuf *sb, const struct pp_event *from);

/* Pieces shared with the summary. */
const char *pkt_type_name(uint8_t t);
void fmt_reason(struct strbuf *sb, const struct dropreasons *dr, const struct pp_event *e);
void fmt_packet(struct strbuf *sb, const struct pp_event *e);
/* One of e's addresses (IPv4 or IPv6 by e->ipver) as text; "?" if it cannot be. */
void fmt_addr(const struct pp_event *e, const uint8_t *a, char *out, size_t len);
/* "PID/comm" of the socket's owning process, "?" for a socket whose owner
 * is unknown, "-" for no socket. */
size_t fmt_owner(char *out, size_t len, const struct pp_event *e);
/* "stack: f+0x1 < g+0x2 ..." line(s), indented; nothing without a stack. */
void fmt_stack_indent(struct strbuf *sb, const struct pp_event *e, const struct fmt_ctx *ctx, int indent);

#endif
