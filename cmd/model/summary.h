/* Counts kept while running, printed when pktpath stops. */
#ifndef PKTPATH_SUMMARY_H
#define PKTPATH_SUMMARY_H
#include <stdint.h>
#include <stdio.h>

#include "bpf/event.h"

struct dropreasons;

struct summary {
	uint64_t events;
	uint64_t by_probe[PP_PROBE_MAX];
	uint64_t *by_reason; /* indexed by reason value, grown on demand */
	uint32_t nreasons;
	uint64_t drops_no_reason;
	uint64_t malformed;  /* ring-buffer records of the wrong size */
};

void summary_add(struct summary *s, const struct pp_event *e);
/* lost: failed ring-buffer reservations (events the kernel produced that
 * never reached us); produced: events that passed selection in the kernel.
 * Once the buffer is drained, events + lost = produced. produced
 * SUMMARY_UNKNOWN: neither is known (a replay of a recording cut short). */
#define SUMMARY_UNKNOWN UINT64_MAX
void summary_print(FILE *f, const struct summary *s, const struct dropreasons *dr, uint64_t lost,
		   uint64_t produced);
void summary_free(struct summary *s);

#endif
