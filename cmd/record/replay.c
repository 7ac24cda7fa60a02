#include "cmd/record/replay.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/util/bigcopy.h"
#include "cmd/util/escape.h"
#include "cmd/cli/exitcodes.h"
#include "cmd/attach/explain.h"
#include "cmd/render/format.h"
#include "cmd/render/front.h"
#include "cmd/render/json.h"
#include "cmd/record/pcapng.h"
#include "cmd/model/probes.h"
#include "cmd/record/record.h"
#include "cmd/record/resolve.h"
#include "cmd/model/summary.h"
#include "cmd/render/timeline_out.h"
#include "kernel/dropreason.h"

/* What the checking pass found. */
struct scan {
	const uint8_t *buf;
	size_t len;
	int64_t wall;
	char release[128];
	struct dropreasons *reasons;
	uint64_t events, end[3];
	bool load; /* register functions, reasons and answers while checking */
	/* A recording cut short (its writer killed, its disk full) is read up
	 * to its last complete record: cut is where that ends, partial the
	 * bytes after it, truncated says whether it happened. */
	bool tolerate_cut, truncated;
	size_t cut, partial;
	char *err;
	size_t errlen;
};

static int bad(struct scan *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(struct scan *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->err, s->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static uint16_t rd16(const uint8_t *p)
{
	uint16_t v;
	memcpy(&v, p, 2);
	return v;
}

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static int load_funcs(struct scan *s, const uint8_t *p, uint32_t len, size_t at)
{
	for (uint32_t o = 0; o < len;) {
		if (len - o < 2)
			return bad(s, "corrupt: function table at byte %zu ends inside an entry", at);
		uint16_t l = rd16(p + o);
		o += 2;
		if (l == 0 || l > len - o)
			return bad(s, "corrupt: function table at byte %zu has an entry of %u bytes", at, l);
		if (memchr(p + o, '\0', l))
			return bad(s, "corrupt: function name with a NUL byte at byte %zu", at);
		if (s->load) {
			char *name = strndup((const char *)p + o, l);
			uint16_t id = name ? probes_add_func(name) : 0;
			free(name);
			if (!id)
				return bad(s, "out of memory for the function table");
		}
		o += l;
	}
	return 0;
}

static int load_reasons(struct scan *s, const uint8_t *p, uint32_t len, size_t at)
{
	if (len < 4)
		return bad(s, "corrupt: drop-reason table at byte %zu is too short", at);
	uint32_t span = rd32(p);
	if (span > 65536)
		return bad(s, "corrupt: drop-reason table at byte %zu claims %u reasons", at, span);
	if (s->load && !(s->reasons = dropreasons_new(span)))
		return bad(s, "out of memory for the drop-reason table");
	for (uint32_t o = 4; o < len;) {
		if (len - o < 6)
			return bad(s, "corrupt: drop-reason table at byte %zu ends inside an entry", at);
		uint32_t v = rd32(p + o);
		uint16_t l = rd16(p + o + 4);
		o += 6;
		if (v >= span || l == 0 || l > len - o || memchr(p + o, '\0', l))
			return bad(s, "corrupt: drop-reason entry at byte %zu", at + 8 + o - 6);
		if (s->load) {
			char *name = strndup((const char *)p + o, l);
			int rc = name ? dropreasons_set(s->reasons, v, name) : -1;
			free(name);
			if (rc)
				return bad(s, "out of memory for the drop-reason table");
		}
		o += l;
	}
	return 0;
}

static int cut_short(struct scan *s, size_t off)
{
	s->truncated = true;
	s->cut = off;
	s->partial = s->len - off;
	return 0;
}

/* The checking pass: every length bounded by what is left, every record
 * of a known type and size, in an order a recorder writes. */
static int scan(struct scan *s)
{
	const uint8_t *b = s->buf;
	struct rec_header h;
	if (s->len < sizeof(h))
		return bad(s, "truncated: %zu bytes, shorter than a recording's header", s->len);
	memcpy(&h, b, sizeof(h));
	if (memcmp(h.magic, REC_MAGIC, 8) != 0)
		return bad(s, "not a pktpath recording (no %s magic at the start)", REC_MAGIC);
	if (h.bom != REC_BOM)
		return bad(s, "recorded on a machine of the other byte order");
	if (h.version < REC_VERSION_MIN || h.version > REC_VERSION)
		return bad(s, "recording format version %u; this pktpath reads versions %u to %u", h.version,
			   REC_VERSION_MIN, REC_VERSION);
	if (h.header_len != sizeof(h))
		return bad(s, "corrupt: header length %u", h.header_len);
	if (h.event_size != sizeof(struct pp_event) || h.capture_size != sizeof(struct pp_capture))
		return bad(s, "recorded by a pktpath with another event layout (%u/%u bytes, this one has %zu/%zu)",
			   h.event_size, h.capture_size, sizeof(struct pp_event), sizeof(struct pp_capture));

	size_t off = sizeof(h);
	bool meta = false, funcs = false, reasons = false, end = false;
	uint64_t last_seq = 0;
	while (off < s->len) {
		/* The records are far apart: ask for what comes a page on early
		 * (a prefetch never faults, past the end included), and for the
		 * header 64 records on if they are all events (most are): each
		 * header read here is a cache miss, and the next one's place is
		 * known only once this one is read (62 -> 40 ms on 1 M events). */
		__builtin_prefetch(b + off + 4096);
		__builtin_prefetch(b + off + 64 * (sizeof(struct rec_hdr) + sizeof(struct pp_event)));
		size_t left = s->len - off;
		if (end)
			return bad(s, "corrupt: %zu bytes after the end record, at byte %zu", left, off);
		if (left < sizeof(struct rec_hdr)) {
			if (s->tolerate_cut && meta)
				return cut_short(s, off);
			return bad(s, "truncated at byte %zu: a record header needs %zu bytes, %zu left", off,
				   sizeof(struct rec_hdr), left);
		}
		struct rec_hdr r;
		memcpy(&r, b + off, sizeof(r));
		left -= sizeof(r);
		if (r.zero != 0 || r.type == 0 || r.type >= REC_TYPE_MAX)
			return bad(s, "corrupt: unknown record type %u at byte %zu", r.type, off);
		if (r.len > REC_MAX_PAYLOAD)
			return bad(s, "corrupt: record at byte %zu claims %u bytes", off, r.len);
		if (r.len > left) {
			if (s->tolerate_cut && meta)
				return cut_short(s, off);
			return bad(s, "truncated at byte %zu: the record there needs %u bytes, %zu left", off, r.len, left);
		}
		const uint8_t *p = b + off + sizeof(r);
		if (!meta && r.type != REC_META)
			return bad(s, "corrupt: the first record (byte %zu) is not the run's description", off);
		switch (r.type) {
		case REC_META:
			if (meta || r.len < 8 || r.len > 8 + 4096)
				return bad(s, "corrupt: run description at byte %zu", off);
			meta = true;
			s->wall = (int64_t)rd64(p);
			snprintf(s->release, sizeof(s->release), "%.*s", (int)(r.len - 8), (const char *)p + 8);
			break;
		case REC_FUNCS:
			if (funcs || s->events)
				return bad(s, "corrupt: function table at byte %zu out of place", off);
			funcs = true;
			if (load_funcs(s, p, r.len, off))
				return -1;
			break;
		case REC_REASONS:
			if (reasons)
				return bad(s, "corrupt: second drop-reason table at byte %zu", off);
			reasons = true;
			if (load_reasons(s, p, r.len, off))
				return -1;
			break;
		case REC_EVENT:
			if (r.len != sizeof(struct pp_event))
				return bad(s, "corrupt: event at byte %zu has %u bytes, not %zu", off, r.len,
					   sizeof(struct pp_event));
			s->events++;
			break;
		case REC_CAPTURE: {
			struct pp_capture c;
			if (r.len != sizeof(c))
				return bad(s, "corrupt: packet bytes at byte %zu: %u bytes, not %zu", off, r.len, sizeof(c));
			memcpy(&c, p, sizeof(c));
			if (!pcapng_capture_ok(&c))
				return bad(s, "corrupt: packet bytes at byte %zu", off);
			break;
		}
		case REC_TICK:
			if (r.len != 8)
				return bad(s, "corrupt: timer record at byte %zu", off);
			break;
		case REC_ANSWER: {
			if (r.len < 16)
				return bad(s, "corrupt: answer at byte %zu is too short", off);
			uint16_t kind = rd16(p);
			uint32_t klen = rd32(p + 4);
			uint64_t seq = rd64(p + 8);
			if (kind == 0 || kind >= RS_KIND_MAX || rd16(p + 2) != 0 || klen > r.len - 16 || seq < last_seq)
				return bad(s, "corrupt: answer at byte %zu", off);
			last_seq = seq;
			if (s->load && rs_replay_add(kind, seq, p + 16, klen, p + 16 + klen, r.len - 16 - klen))
				return bad(s, "out of memory for the recorded answers");
			break;
		}
		case REC_END:
			if (r.len != 24)
				return bad(s, "corrupt: end record at byte %zu", off);
			for (int i = 0; i < 3; i++)
				s->end[i] = rd64(p + 8 * i);
			end = true;
			break;
		}
		off += sizeof(r) + r.len;
	}
	if (!end) {
		if (s->tolerate_cut && meta)
			return cut_short(s, off);
		return bad(s, "truncated: no end record after byte %zu (the recording stopped early)", off);
	}
	s->cut = off;
	return 0;
}

int replay_check(const uint8_t *buf, size_t len, char *err, size_t errlen)
{
	/* Loading too: that is where lengths become allocations. */
	struct scan s = {.buf = buf, .len = len, .load = true, .err = err, .errlen = errlen};
	int rc = scan(&s);
	dropreasons_free(s.reasons);
	probes_free();
	rs_free();
	return rc;
}

static int say(int status, const char *file, const char *msg)
{
	fprintf(stderr, "pktpath: %s%s%s\n", file ? file : "", file ? ": " : "", msg);
	return status;
}

int replay_run(const struct options *opt)
{
	char err[512];
	if (opt->expr || opt->netns || opt->ifname || opt->owner_pid || opt->owner_comm || opt->record_file ||
	    opt->dump_filter || opt->cgroup || opt->container || opt->cmd)
		return say(EXIT_USAGE, NULL,
			   "-r prints what was recorded: selection options, EXPRESSION and --record do not go with it");
	if (opt->write_file && opt->stream)
		return say(EXIT_USAGE, NULL, "-w writes each packet when its timeline ends: it does not go with --stream");
	char shown[USER_BUF];
	escape_user(opt->replay_file, shown, sizeof(shown), USER_SHOW);
	/* O_NONBLOCK: a FIFO with no writer must not hang the open. */
	int fd = open(opt->replay_file, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(err, sizeof(err), "cannot open: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return say(EXIT_BADFILE, shown, err);
	}
	if (!S_ISREG(st.st_mode) || st.st_size == 0) {
		close(fd);
		return say(EXIT_BADFILE, shown, !S_ISREG(st.st_mode) ? "not a regular file"
								     : "empty file: not a recording");
	}
	size_t len = (size_t)st.st_size;
	const uint8_t *buf = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (buf == MAP_FAILED) {
		snprintf(err, sizeof(err), "cannot map: %s", strerror(errno));
		return say(EXIT_BADFILE, shown, err);
	}
	madvise((void *)buf, len, MADV_SEQUENTIAL);

	int status = EXIT_OK;
	struct front p = {.opt = opt, .r = render_pick(opt), .timelines = !opt->stream};
	struct pcapng *pcap = NULL;
	rs_replay();
	struct scan s = {.buf = buf, .len = len, .load = true, .tolerate_cut = true, .err = err, .errlen = sizeof(err)};
	if (scan(&s)) {
		status = say(EXIT_BADFILE, shown, err);
		goto out;
	}
	p.fmt.reasons = s.reasons;
	rs_wrap_stacks(&p.fmt);
	if (opt->write_file && !(pcap = pcapng_open(opt->write_file, s.wall, opt->max_open, err, sizeof(err)))) {
		status = say(EXIT_RUNTIME, NULL, err);
		goto out;
	}
	if (p.timelines) {
		if (tl_out_init(&p.tl, &p.fmt, stdout, opt->max_open, opt->idle_ms, p.r, opt->drops_only)) {
			status = say(EXIT_RUNTIME, NULL, "cannot set up the packet table");
			goto out;
		}
		p.tl.limit = opt->count;
		p.tl.pcap = pcap;
		p.tl.by_owner = opt->summary_by ? osum_new(strcmp(opt->summary_by, "cgroup") == 0) : NULL;
	}
	if (!p.timelines && p.r->stream_header) {
		p.r->stream_header(&p.line);
		if (fwrite(p.line.s, 1, p.line.len, stdout) != p.line.len)
			front_out_failed(&p, errno);
	}

	struct pp_event e; /* records are not aligned in the file */
	struct pp_capture c;
	for (size_t off = sizeof(struct rec_header); off < s.cut;) {
		/* Every line of the record a few ahead: each is copied whole. */
		for (size_t k = 0; k < sizeof(struct pp_event) + 64; k += 64)
			__builtin_prefetch(buf + off + 2048 + k);
		struct rec_hdr r;
		memcpy(&r, buf + off, sizeof(r));
		const uint8_t *q = buf + off + sizeof(r);
		off += sizeof(r) + r.len;
		if (r.type == REC_EVENT) {
			big_copy(&e, q, sizeof(e));
			front_event(&p, &e);
		} else if (r.type == REC_TICK) {
			front_tick(&p, rd64(q));
		} else if (r.type == REC_CAPTURE && pcap) {
			memcpy(&c, q, sizeof(c));
			pcapng_capture(pcap, &c);
		}
	}
	if (p.timelines) {
		tl_out_finish(&p.tl);
		p.printed = p.tl.printed;
		if (p.tl.broken)
			front_out_failed(&p, p.tl.err);
	}
	if (fflush(stdout) == EOF)
		front_out_failed(&p, errno);
	else if (ferror(stdout))
		front_out_failed(&p, EIO);
	summary_print(stderr, &p.sum, s.reasons, s.end[0], s.truncated ? SUMMARY_UNKNOWN : s.end[1]);
	front_report_unprinted(&p, stderr, "recorded", NULL);
	if (p.out_err && p.out_err != EPIPE)
		status = EXIT_RUNTIME;
	clearerr(stdout); /* said: main.c's last check of stdout must not say it again */
	if (s.truncated) {
		fprintf(stderr,
			"pktpath: %s: cut short at byte %zu (its run was killed or its disk filled): printed up to its "
			"last complete record; %zu bytes of a partial record ignored, later events and the end counts are missing\n",
			shown, s.cut, s.partial);
		if (status == EXIT_OK)
			status = EXIT_CUTSHORT;
	}
	if (s.end[2])
		fprintf(stderr, "tracking table full: %llu matched packets were not followed after their first event\n",
			(unsigned long long)s.end[2]);
	if (p.timelines)
		tl_out_report(stderr, &p.tl);
	explain_report(stderr, p.r->counters_on_out ? stdout : NULL);
	if (pcapng_close(pcap, stderr, err, sizeof(err)))
		status = say(EXIT_RUNTIME, NULL, err);
	pcap = NULL;
out:
	pcapng_close(pcap, NULL, err, sizeof(err));
	front_free(&p);
	dropreasons_free(s.reasons);
	probes_free();
	rs_free();
	munmap((void *)buf, len);
	return status;
}
