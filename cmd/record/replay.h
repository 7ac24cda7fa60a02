/* -r FILE: prints a recording (--record, cmd/record/record.h) again, offline, with
 * this run's output options, through the same output code as a live run;
 * every name and answer comes from the file (cmd/record/resolve.h). The file is
 * checked whole before anything is printed: a truncated or corrupt one
 * gets one line on stderr and exit status EXIT_BADFILE. */
#ifndef PKTPATH_REPLAY_H
#define PKTPATH_REPLAY_H
#include <stddef.h>
#include <stdint.h>

#include "cmd/cli/options.h"

/* The whole -r run; returns the exit status. */
int replay_run(const struct options *opt);

/* Checks (and loads, then forgets) a recording held in memory, for tests:
 * 0, or -1 with one sentence in err. Resets the resolver and the function
 * table. */
int replay_check(const uint8_t *buf, size_t len, char *err, size_t errlen);

#endif
