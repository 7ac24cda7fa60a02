/* --summary-by owner|cgroup: packets and drops by reason per owning
 * process (pid, command, cgroup) or per cgroup, counted per timeline and
 * printed at exit, the groups with the most drops first. */
#ifndef PKTPATH_OWNER_SUM_H
#define PKTPATH_OWNER_SUM_H
#include <stdbool.h>
#include <stdio.h>

#include "cmd/model/timeline.h"

struct dropreasons;
struct osum;

/* NULL when out of memory. by_cgroup: group by cgroup only. */
struct osum *osum_new(bool by_cgroup);
void osum_timeline(struct osum *s, const struct timeline *t);
void osum_print(FILE *f, const struct osum *s, const struct dropreasons *dr);
void osum_free(struct osum *s);

#endif
