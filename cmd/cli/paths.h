/* Files the user names (-w, --record, -r, --btf): checked for what they
 * must be before anything can block on them. A FIFO without a reader
 * would hang open(2) for writing, one without a writer open(2) for
 * reading; both are opened non-blocking here, so pktpath either refuses
 * with one line or goes on. */
#ifndef PKTPATH_PATHS_H
#define PKTPATH_PATHS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Creates or truncates path for writing (mode "wb"), never blocking: a
 * FIFO with no reader is refused. NULL with a sentence in err. */
FILE *path_create(const char *path, char *err, size_t errlen);
/* Do a and b name the same file, now or once created (hard links,
 * symlinks and other spellings of one path included)? */
bool path_same(const char *a, const char *b);
/* path exists and is not a regular file: a sentence in err, true. */
bool path_not_regular(const char *path, char *err, size_t errlen);

/* path escaped for messages (cmd/util/escape.h), malloc'ed; NULL without memory. */
char *path_shown(const char *path);

#endif
