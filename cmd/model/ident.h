/* Packet identity on the user-space side: whether an event belongs to the
 * packet a timeline holds, or its address now carries another packet. The
 * path rules are bpf/ident.h's, shared with the kernel's tracking; the
 * header comparisons (addresses, IPv4 id, TCP sequence) are user space's
 * alone. The one place timelines decide it. */
#ifndef PKTPATH_IDENT_USER_H
#define PKTPATH_IDENT_USER_H
#include <stdbool.h>
#include <stdint.h>

#include "bpf/ident.h"

struct timeline;

/* The event as the path rules see it. */
struct pp_sight ident_sight(const struct pp_event *e);
/* Whether e (not yet added) can belong to x's packet. */
bool ident_same(const struct timeline *x, const struct pp_event *e);
/* e joined x: update what x knows of its packet's place. */
void ident_note(struct timeline *x, const struct pp_event *e);
/* Whether a packet's first seen event e can be where it began (receive,
 * local output): otherwise events before it may have been lost. */
bool ident_can_begin(const struct pp_event *e);
/* Whether e ends the packet in practice: a UDP datagram copied to its
 * reader is freed where no tracepoint looks (its memory release is seen by
 * fentry and kprobe only). */
bool ident_delivery_ends(const struct timeline *x, const struct pp_event *e);
/* For a free of an address with no timeline: whether it is a copy of x's
 * packet: 0, or the step flags to mark it with (PP_STEP_COPY, and
 * PP_STEP_NEIGH for the neighbour probe's copy). */
uint8_t ident_copy_of(const struct timeline *x, const struct pp_event *e);

#endif
