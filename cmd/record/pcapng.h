/* -w FILE.pcapng: the bytes of each printed packet (captured in the kernel
 * at its first sighting, bpf/capture.bpf.h) with its one-line timeline summary
 * as the packet's comment, one interface block per (namespace, interface).
 * Every function accepts NULL (no -w) and does nothing then. */
#ifndef PKTPATH_PCAPNG_H
#define PKTPATH_PCAPNG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bpf/capture_rec.h"
#include "cmd/render/format.h"
#include "cmd/util/strbuf.h"
#include "cmd/model/timeline.h"

struct pcapng;

/* max_pending bounds the captures held while their packets are open.
 * NULL with a sentence in err. */
struct pcapng *pcapng_open(const char *path, int64_t wall_offset_ns, size_t max_pending, char *err,
			   size_t errlen);
/* Whether a ring-buffer record of this size is a capture record, and a
 * valid one (magic, version, caplen). */
bool pcapng_is_capture(size_t size);
bool pcapng_capture_ok(const struct pp_capture *c);
/* Holds a capture until its packet's timeline ends. */
void pcapng_capture(struct pcapng *p, const struct pp_capture *c);
/* A timeline ended: written (print) or forgotten (not printed). */
void pcapng_timeline(struct pcapng *p, const struct timeline *t, uint64_t seq, const struct fmt_ctx *ctx,
		     bool print);
/* Writes what is left, closes, says on report how many packets were
 * written; -1 with a sentence in err when a write failed. */
int pcapng_close(struct pcapng *p, FILE *report, char *err, size_t errlen);

/* The timeline in one line: header, then each step. */
void pcapng_summary(struct strbuf *sb, const struct timeline *t, uint64_t seq, const struct fmt_ctx *ctx);

#endif
