/* The kernel's own route look-up (RTM_GETROUTE, as `ip route get` does)
 * inside a packet's network namespace, for the drop hints. */
#ifndef PKTPATH_ROUTE_H
#define PKTPATH_ROUTE_H
#include <stddef.h>
#include <stdint.h>

/* Describes the route to dst (4 or 16 bytes per family AF_INET/AF_INET6)
 * in the namespace with inode netns, in `ip route get` words: "via GW dev
 * IF", "dev IF", "unreachable", or the kernel's error ("Network is
 * unreachable"). Returns 0, or -1 with a reason in out when the look-up
 * itself could not be made. Answers are cached for a second. */
int route_describe(uint32_t netns, int family, const uint8_t *dst, char *out, size_t len);

/* The kind of route dst falls under in that namespace, for drops at
 * ip_error: "blackhole 198.18.99.0/24 table main", "prohibit ...",
 * "unreachable ...", "throw ...", else "unicast", "local", "other" or the
 * kernel's error. Not cached. 0, or -1 with why in out. */
int route_kind(uint32_t netns, int family, const uint8_t *dst, char *out, size_t len);

#endif
