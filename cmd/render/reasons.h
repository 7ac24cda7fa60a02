/* What each kernel drop reason means, by its name (the numbers differ
 * between kernels): the hint for reasons without a specific one. */
#ifndef PKTPATH_REASONS_H
#define PKTPATH_REASONS_H

/* NULL for a name this table does not know. */
const char *reason_meaning(const char *name);

/* --reasons: every reason the kernel's BTF (btf_path) defines, with its
 * meaning. Returns how many have none, -1 when the BTF has no reasons. */
#include <stdio.h>
int reasons_print(FILE *f, const char *btf_path);

#endif
