/* Names of the points a record can come from: the tracepoints of the
 * tracepoint backend, and the kernel functions a run attached to (the
 * fentry/kprobe backends), which records refer to by index. */
#ifndef PKTPATH_PROBES_H
#define PKTPATH_PROBES_H
#include <stddef.h>
#include <stdint.h>

#include "bpf/event.h"

struct probe_info {
	const char *name;   /* as printed: the tracepoint's name */
	const char *tp;     /* "group:name" */
};

/* NULL for an id this build does not know (e.g. from a newer record). */
const struct probe_info *probe_info(uint16_t id);

/* The run's function table. Ids start at 1 (0 means "a tracepoint") and
 * follow the order of registration; returns the id, 0 when out of memory
 * or the table (65535 entries) is full. */
uint16_t probes_add_func(const char *name);
const char *probes_func_name(uint16_t id); /* NULL if unknown */
size_t probes_nfuncs(void);
void probes_free(void);

/* What to print for the point an event came from: the function's name,
 * else the group's tracepoint, else "probe#N". buf holds the fallback. */
const char *probe_point_name(const struct pp_event *e, char *buf, size_t len);

#endif
