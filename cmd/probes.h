/* Names of the probe points a record can come from. */
#ifndef PKTPATH_PROBES_H
#define PKTPATH_PROBES_H
#include <stdint.h>

struct probe_info {
	const char *name;   /* as printed: the tracepoint's name */
	const char *tp;     /* "group:name" */
};

/* NULL for an id this build does not know (e.g. from a newer record). */
const struct probe_info *probe_info(uint16_t id);

#endif
