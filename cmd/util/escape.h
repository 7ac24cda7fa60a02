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

/* The same for a kernel name of 16 bytes (comm, ifname): the last few
 * escaped are kept, since every line names the same few processes and
 * devices. Any other length is escaped afresh. */
size_t escape_name16(const char *in, size_t inlen, char *out, size_t outlen);

/* Text the user gave (an expression, a name, a path), for an error line:
 * printable ASCII and space kept, other bytes and backslash as \xNN, cut
 * after maxshow input bytes (and to fit outlen) with "... (N bytes in
 * all)" so a 20 KB expression does not become a 20 KB line. */
size_t escape_user(const char *in, char *out, size_t outlen, size_t maxshow);
/* Enough for escape_user(.., USER_SHOW) */
#define USER_SHOW 80
#define USER_BUF (4 * USER_SHOW + 48)

#endif
