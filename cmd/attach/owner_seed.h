/* Sockets older than pktpath, in the kernel's owner map: at start, after
 * load and before attach, every socket of the traced namespace(s) that a
 * process holds is entered with that process, so the in-kernel --pid and
 * --comm selection sees them too. Kernel addresses come from /proc/net
 * (netlib/procnet.h), processes from the /proc/PID/fd walk of
 * netlib/sockdiag.h. */
#ifndef PKTPATH_OWNER_SEED_H
#define PKTPATH_OWNER_SEED_H
#include <stdbool.h>

/* map_fd: the owners map; nsfd: the namespace traced (-1: every one named
 * in /run/netns, and pktpath's own). Entries already there are kept.
 * Problems are said on stderr, one line each; that the kernel hides socket
 * addresses (kptr_restrict) only when by_owner (--pid/--comm) makes it
 * matter: otherwise the user-space fallback names those owners anyway.
 * Returns the number of sockets seeded, or -1 when seeding was impossible. */
int owner_seed(int map_fd, int nsfd, bool by_owner);

#endif
