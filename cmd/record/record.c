#include "cmd/record/record.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include "cmd/cli/paths.h"
#include "cmd/model/probes.h"
#include "cmd/record/resolve.h"
#include "kernel/dropreason.h"

struct recorder {
	FILE *f;
	char *path;
	int err;          /* first errno of a failed write */
	int funcs_done;   /* REC_FUNCS written */
	uint64_t events, events_lost; /* events written before the first failure, and after it */
	uint64_t last_flush; /* ns, REC_TICK time */
	char *iobuf;
};

static void put(struct recorder *r, const void *p, size_t n)
{
	if (!r->err && n && fwrite(p, 1, n, r->f) != n)
		r->err = errno ? errno : EIO;
}

static void record(struct recorder *r, uint16_t type, const void *p, uint32_t len)
{
	struct rec_hdr h = {type, 0, len};
	put(r, &h, sizeof(h));
	put(r, p, len);
}

/* A record whose payload is built in pieces; len known first. */
static void begin(struct recorder *r, uint16_t type, uint32_t len)
{
	struct rec_hdr h = {type, 0, len};
	put(r, &h, sizeof(h));
}

static uint16_t name_len(const char *s)
{
	size_t n = strlen(s);
	return (uint16_t)(n > 4096 ? 4096 : n);
}

static void write_funcs(struct recorder *r)
{
	size_t n = probes_nfuncs();
	uint64_t len = 0;
	for (size_t i = 1; i <= n; i++)
		len += 2 + name_len(probes_func_name((uint16_t)i));
	if (len > REC_MAX_PAYLOAD) {
		r->err = E2BIG;
		return;
	}
	begin(r, REC_FUNCS, (uint32_t)len);
	for (size_t i = 1; i <= n; i++) {
		const char *s = probes_func_name((uint16_t)i);
		uint16_t l = name_len(s);
		put(r, &l, 2);
		put(r, s, l);
	}
	r->funcs_done = 1;
}

static void write_reasons(struct recorder *r, const struct dropreasons *dr)
{
	uint32_t span = dropreasons_span(dr);
	uint64_t len = 4;
	for (uint32_t v = 0; v < span; v++) {
		const char *s = dropreasons_name(dr, v);
		if (s)
			len += 6 + name_len(s);
	}
	if (len > REC_MAX_PAYLOAD) {
		r->err = E2BIG;
		return;
	}
	begin(r, REC_REASONS, (uint32_t)len);
	put(r, &span, 4);
	for (uint32_t v = 0; v < span; v++) {
		const char *s = dropreasons_name(dr, v);
		if (!s)
			continue;
		uint16_t l = name_len(s);
		put(r, &v, 4);
		put(r, &l, 2);
		put(r, s, l);
	}
}

static void on_answer(void *arg, uint16_t kind, uint64_t seq, const void *key, uint32_t klen, const void *val,
		      uint32_t vlen)
{
	struct recorder *r = arg;
	uint64_t len = 16ull + klen + vlen;
	if (len > REC_MAX_PAYLOAD)
		return; /* cannot happen with today's kinds; a replay prints the fallback */
	begin(r, REC_ANSWER, (uint32_t)len);
	uint16_t k[2] = {kind, 0};
	put(r, k, 4);
	put(r, &klen, 4);
	put(r, &seq, 8);
	put(r, key, klen);
	put(r, val, vlen);
}

int64_t rec_wall_offset(void)
{
	struct timespec rt, mono;
	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &rt);
	return ((int64_t)rt.tv_sec - mono.tv_sec) * 1000000000ll + (rt.tv_nsec - mono.tv_nsec);
}

struct recorder *rec_open(const char *path, const struct dropreasons *dr, int64_t wall_offset_ns, char *err,
			  size_t errlen)
{
	struct recorder *r = calloc(1, sizeof(*r));
	if (!r || !(r->path = path_shown(path)) || !(r->iobuf = malloc(1 << 20))) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	r->f = path_create(path, err, errlen); /* never blocks on a FIFO */
	if (!r->f)
		goto fail;
	setvbuf(r->f, r->iobuf, _IOFBF, 1 << 20);
	struct rec_header h;
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, REC_MAGIC, 8);
	h.bom = REC_BOM;
	h.version = REC_VERSION;
	h.header_len = sizeof(h);
	h.event_size = sizeof(struct pp_event);
	h.capture_size = sizeof(struct pp_capture);
	put(r, &h, sizeof(h));

	struct utsname u;
	const char *rel = uname(&u) == 0 ? u.release : "unknown";
	uint16_t rl = name_len(rel);
	begin(r, REC_META, 8 + rl);
	put(r, &wall_offset_ns, 8);
	put(r, rel, rl);
	write_reasons(r, dr);
	if (r->err) {
		snprintf(err, errlen, "writing %s: %s", r->path, strerror(r->err));
		goto fail;
	}
	rs_record(on_answer, r);
	return r;
fail:
	if (r) {
		if (r->f)
			fclose(r->f);
		free(r->iobuf);
		free(r->path);
		free(r);
	}
	return NULL;
}

void rec_event(struct recorder *r, const struct pp_event *e)
{
	if (!r)
		return;
	if (!r->funcs_done)
		write_funcs(r); /* by the first event, every backend has attached */
	record(r, REC_EVENT, e, sizeof(*e));
	if (r->err)
		r->events_lost++;
	else
		r->events++;
}

void rec_capture(struct recorder *r, const struct pp_capture *c)
{
	if (r)
		record(r, REC_CAPTURE, c, sizeof(*c));
}

void rec_tick(struct recorder *r, uint64_t now_ns)
{
	if (!r)
		return;
	record(r, REC_TICK, &now_ns, sizeof(now_ns));
	/* Once a second to the file: a run killed (SIGKILL, OOM) leaves a
	 * recording readable up to about a second before its end. */
	if (now_ns - r->last_flush >= 1000000000ull) {
		r->last_flush = now_ns;
		if (!r->err && fflush(r->f) == EOF)
			r->err = errno ? errno : EIO;
	}
}

void rec_end(struct recorder *r, uint64_t lost, uint64_t produced, uint64_t untracked)
{
	if (!r)
		return;
	if (!r->funcs_done)
		write_funcs(r);
	uint64_t v[3] = {lost, produced, untracked};
	record(r, REC_END, v, sizeof(v));
}

int rec_close(struct recorder *r, char *err, size_t errlen)
{
	if (!r)
		return 0;
	rs_free(); /* no more answers into this file */
	/* After a failed write nothing more goes out: bytes written after a
	 * gap (space freed meanwhile) would turn a recording cut short,
	 * readable to its last complete record, into a corrupt one. */
	if (r->err)
		__fpurge(r->f);
	else if (fflush(r->f) == EOF)
		r->err = errno ? errno : EIO;
	if (fclose(r->f) == EOF && !r->err)
		r->err = errno ? errno : EIO;
	int rc = 0;
	if (r->err) {
		snprintf(err, errlen,
			 "writing %s: %s: the recording holds %" PRIu64 " events at most, %" PRIu64
			 " later ones were not written (-r reads it up to its last complete record)",
			 r->path, strerror(r->err), r->events, r->events_lost);
		rc = -1;
	}
	free(r->iobuf);
	free(r->path);
	free(r);
	return rc;
}
