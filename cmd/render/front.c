#include "cmd/render/front.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd/util/escape.h"
#include "cmd/render/json.h"

void front_out_failed(struct front *f, int err)
{
	if (f->out_err)
		return;
	f->out_err = err ? err : EIO;
	f->tl.broken = true; /* no more writes from the timelines either */
	if (f->out_err == EPIPE)
		return;
	char target[256] = "", shown[USER_BUF];
	ssize_t n = readlink("/proc/self/fd/1", target, sizeof(target) - 1);
	target[n > 0 ? n : 0] = '\0';
	escape_user(target, shown, sizeof(shown), USER_SHOW);
	fprintf(stderr, "pktpath: cannot write to standard output%s%s%s: %s\n", n > 0 ? " (" : "", n > 0 ? shown : "",
		n > 0 ? ")" : "", strerror(f->out_err));
}

static enum front_verdict at_limit(const struct front *f)
{
	return f->opt->count && f->printed >= f->opt->count ? FRONT_LIMIT : FRONT_GO;
}

enum front_verdict front_event(struct front *f, const struct pp_event *e)
{
	if (!f->t0_set) {
		f->fmt.t0 = e->ts_ns;
		f->t0_set = true;
	}
	summary_add(&f->sum, e);
	if (f->timelines) {
		tl_out_event(&f->tl, e);
		f->printed = f->tl.printed;
		if (f->tl.broken && !f->out_err) {
			front_out_failed(f, f->tl.err);
			return FRONT_OUTPUT;
		}
		return at_limit(f);
	}
	/* Every event feeds the packet memory, printed or not. */
	struct ev_extra x;
	carry_stream(&f->carry, e, &x);
	/* --stream --drops loads only drop points, but the owner bookkeeping
	 * also reports deliveries: counted above, not printed. */
	if (f->opt->drops_only && e->probe != PP_PROBE_DROP)
		return FRONT_GO;
	if (f->out_err || at_limit(f)) {
		f->unprinted++; /* past -c or a failed output: counted, not printed */
		return FRONT_GO;
	}
	sb_reset(&f->line);
	f->r->event(&f->line, e, &f->fmt, &x);
	if (f->line.len && fwrite(f->line.s, 1, f->line.len, stdout) != f->line.len) {
		front_out_failed(f, errno);
		f->unprinted++;
		return FRONT_OUTPUT;
	}
	f->printed++;
	return at_limit(f);
}

enum front_verdict front_tick(struct front *f, uint64_t now_ns)
{
	if (!f->timelines)
		return FRONT_GO;
	tl_out_tick(&f->tl, now_ns);
	f->printed = f->tl.printed;
	if (f->tl.broken && !f->out_err) {
		front_out_failed(f, f->tl.err);
		return FRONT_OUTPUT;
	}
	return at_limit(f);
}

void front_report_unprinted(const struct front *f, FILE *log, const char *verb, const uint64_t *flushed)
{
	/* --stream: packets forgotten by the packet memory before their end
	 * was seen: a later line of theirs may lack the owner or a rewrite. */
	if (f->carry.evicted)
		fprintf(log, "pktpath: --stream remembers %d packets at a time for owners and rewrites; %llu were "
			     "forgotten before their end was seen (most ended where no probe looks)\n",
			CARRY_SETS * CARRY_WAYS, (unsigned long long)f->carry.evicted);
	const char *what = f->timelines ? "packets" : "events";
	uint64_t left = f->timelines ? f->tl.unprinted : f->unprinted;
	uint64_t lostout = left + (flushed ? f->printed - *flushed : 0);
	if (f->out_err == EPIPE) {
		fprintf(log, "pktpath: %llu %s not printed: the reader closed the output\n", (unsigned long long)lostout,
			what);
	} else if (f->out_err) {
		fprintf(log, "pktpath: %llu %s not written (standard output: %s)", (unsigned long long)lostout, what,
			strerror(f->out_err));
		if (flushed)
			fprintf(log, "; %llu written before", (unsigned long long)*flushed);
		fputc('\n', log);
	} else if (left) {
		fprintf(log, "pktpath: %llu more %s %s after -c %llu, not printed\n", (unsigned long long)left, what, verb,
			(unsigned long long)f->opt->count);
	}
}

void front_free(struct front *f)
{
	tl_out_free(&f->tl);
	summary_free(&f->sum);
	sb_free(&f->line);
	carry_free(&f->carry);
}
