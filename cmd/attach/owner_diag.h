/* Owner fallback for events whose socket the kernel owner map never saw:
 * asks sock_diag (netlib/sockdiag.h) about the flow's local socket. */
#ifndef PKTPATH_OWNER_DIAG_H
#define PKTPATH_OWNER_DIAG_H
#include <stdbool.h>

#include "bpf/event.h"
#include "netlib/sockdiag.h"

/* Entries cmd/attach/owner_seed.c put into the kernel owner map carry this in
 * pp_owner.flags' low 16 bits (the kernel writes 0 there when it learns an owner), so
 * their events can say the owner was found in user space. */
#define OWNER_SEED_MARK 0x5eedu

/* Whether e is one the fallback would look up (a socket, no owner, TCP or
 * UDP ports, or an ICMP echo) or whose owner was seeded. Cheap; the hot
 * path tests it before copying the event. */
bool owner_diag_wanted(const struct pp_event *e);

/* Fills e->owner and sets PP_HAVE_OWNER | PP_HAVE_OWNER_DIAG when the
 * socket is found (ICMP echo: on the requester's side, the request's
 * source, the reply's destination), or marks a seeded owner as found in
 * user space. Look-up failures are said on stderr, each distinct one
 * once. Returns whether the owner was filled. */
bool owner_diag_fill(struct sockdiag *sd, struct pp_event *e);

#endif
