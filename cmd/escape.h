/* Strings that come from the kernel or the file system (comm, ifname,
 * namespace names) are escaped before they reach a terminal: anything
 * outside printable ASCII, space and backslash become \xNN, so a hostile
 * process name cannot move the cursor or split a column. */
#ifndef PKTPATH_ESCAPE_H
#define PKTPATH_ESCAPE_H
#include <stddef.h>

/* Escapes at most inlen bytes of in (stopping at a NUL) into out, which
 * always ends NUL-terminated; output that does not fit is cut at a whole
 * escape. Returns the length written. */
size_t escape_field(const char *in, size_t inlen, char *out, size_t outlen);

#endif
