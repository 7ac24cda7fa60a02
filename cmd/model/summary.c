#include "cmd/model/summary.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/model/probes.h"
#include "kernel/dropreason.h"

void summary_add(struct summary *s, const struct pp_event *e)
{
	s->events++;
	if (e->probe < PP_PROBE_MAX)
		s->by_probe[e->probe]++;
	if (e->probe != PP_PROBE_DROP)
		return;
	if (!(e->have & PP_HAVE_REASON) || e->reason >= 65536) {
		s->drops_no_reason++;
		return;
	}
	if (e->reason >= s->nreasons) {
		uint32_t n = e->reason + 16;
		uint64_t *v = realloc(s->by_reason, n * sizeof(*v));
		if (!v) {
			s->drops_no_reason++;
			return;
		}
		memset(v + s->nreasons, 0, (n - s->nreasons) * sizeof(*v));
		s->by_reason = v;
		s->nreasons = n;
	}
	s->by_reason[e->reason]++;
}

void summary_print(FILE *f, const struct summary *s, const struct dropreasons *dr, uint64_t lost,
		   uint64_t produced)
{
	fprintf(f, "pktpath: %" PRIu64 " events", s->events);
	const char *sep = " (";
	for (int p = 1; p < PP_PROBE_MAX; p++) {
		const struct probe_info *pi = probe_info((uint16_t)p);
		if (pi && s->by_probe[p]) {
			fprintf(f, "%s%s %" PRIu64, sep, pi->name, s->by_probe[p]);
			sep = ", ";
		}
	}
	if (produced == SUMMARY_UNKNOWN) /* a recording cut short has no end record */
		fprintf(f, "%s; lost and produced unknown (the recording was cut short)\n", s->events ? ")" : "");
	else
		fprintf(f, "%s, %" PRIu64 " lost, %" PRIu64 " produced\n", s->events ? ")" : "", lost, produced);
	if (s->malformed)
		fprintf(f, "pktpath: %" PRIu64 " malformed records ignored\n", s->malformed);

	uint64_t drops = s->by_probe[PP_PROBE_DROP];
	if (!drops)
		return;
	fprintf(f, "drops by reason:");
	/* Largest first; the reason table is small, so selection is enough. */
	uint8_t *done = calloc(s->nreasons ? s->nreasons : 1, 1);
	for (;;) {
		uint32_t best = UINT32_MAX;
		for (uint32_t r = 0; r < s->nreasons; r++)
			if (s->by_reason[r] && !(done && done[r]) &&
			    (best == UINT32_MAX || s->by_reason[r] > s->by_reason[best]))
				best = r;
		if (best == UINT32_MAX)
			break;
		const char *n = dropreasons_name(dr, best);
		if (n)
			fprintf(f, " %s %" PRIu64 ",", n, s->by_reason[best]);
		else
			fprintf(f, " reason#%u %" PRIu64 ",", best, s->by_reason[best]);
		if (!done)
			break;
		done[best] = 1;
	}
	free(done);
	if (s->drops_no_reason)
		fprintf(f, " unknown %" PRIu64 ",", s->drops_no_reason);
	fprintf(f, " total %" PRIu64 "\n", drops);
}

void summary_free(struct summary *s)
{
	free(s->by_reason);
	s->by_reason = NULL;
	s->nreasons = 0;
}
