#include "cmd/record/resolve.h"
#include "cmd/util/strfmt.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <string.h>

#include "cmd/attach/cgroup.h"
#include "cmd/attach/explain.h"
#include "kernel/kallsyms.h"
#include "netlib/netns.h"
#include "netlib/route.h"
#include "netlib/tcinfo.h"

enum { MODE_LIVE = 0, MODE_RECORD, MODE_REPLAY };

#define MAX_STACK 127
#define MAX_TEXT 512

struct answer {
	uint64_t seq;
	uint32_t vlen;
	uint8_t *val;
};

struct entry {
	struct entry *next;
	uint16_t kind;
	uint32_t klen;
	uint8_t *key;
	struct answer *a; /* in seq order */
	size_t n, cap;
};

/* Outside R: it survives rs_free, so an epoch is never seen twice. */
static uint64_t epoch = 1;

static struct {
	int mode;
	rs_sink sink;
	void *arg;
	uint64_t seq; /* look-ups so far */
	struct entry **b;
	size_t nb, count;
	stack_reader live_reader;
	void *live_arg;
} R;

static inline uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	return h ^ (h >> 33);
}

/* Word at a time, with the commonest key sizes (an address, a stack id or
 * inode) apart: a replay looks up a key per stack frame it prints. */
static inline size_t hash(uint16_t kind, const void *key, uint32_t klen)
{
	uint64_t h = (kind + 1) * 0x9e3779b97f4a7c15ull ^ klen;
	if (klen == 8) {
		uint64_t w;
		memcpy(&w, key, 8);
		return (size_t)mix(h ^ w);
	}
	if (klen == 4) {
		uint32_t w;
		memcpy(&w, key, 4);
		return (size_t)mix(h ^ w);
	}
	const uint8_t *p = key;
	uint32_t i = 0;
	for (; i + 8 <= klen; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		h = mix(h ^ w);
	}
	for (; i < klen; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return (size_t)mix(h);
}

static inline bool same_key(const uint8_t *a, const void *b, uint32_t klen)
{
	if (klen == 8) {
		uint64_t x, y;
		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		return x == y;
	}
	return memcmp(a, b, klen) == 0;
}

static int grow(void)
{
	size_t nb = R.nb ? R.nb * 2 : 1024;
	struct entry **b = calloc(nb, sizeof(*b));
	if (!b)
		return -1;
	for (size_t i = 0; i < R.nb; i++)
		for (struct entry *e = R.b[i], *nx; e; e = nx) {
			nx = e->next;
			size_t s = hash(e->kind, e->key, e->klen) & (nb - 1);
			e->next = b[s];
			b[s] = e;
		}
	free(R.b);
	R.b = b;
	R.nb = nb;
	return 0;
}

static struct entry *find(uint16_t kind, const void *key, uint32_t klen, bool create)
{
	if (R.nb) {
		for (struct entry *e = R.b[hash(kind, key, klen) & (R.nb - 1)]; e; e = e->next)
			if (e->kind == kind && e->klen == klen && same_key(e->key, key, klen))
				return e;
	}
	if (!create)
		return NULL;
	if (R.count >= R.nb / 2 && grow())
		return NULL;
	struct entry *e = calloc(1, sizeof(*e));
	if (!e || !(e->key = malloc(klen ? klen : 1))) {
		free(e);
		return NULL;
	}
	memcpy(e->key, key, klen);
	e->kind = kind;
	e->klen = klen;
	size_t s = hash(kind, key, klen) & (R.nb - 1);
	e->next = R.b[s];
	R.b[s] = e;
	R.count++;
	return e;
}

static int append(struct entry *e, uint64_t seq, const void *val, uint32_t vlen)
{
	if (e->n == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 1;
		struct answer *a = realloc(e->a, cap * sizeof(*a));
		if (!a)
			return -1;
		e->a = a;
		e->cap = cap;
	}
	uint8_t *v = malloc(vlen ? vlen : 1);
	if (!v)
		return -1;
	memcpy(v, val, vlen);
	e->a[e->n++] = (struct answer){seq, vlen, v};
	return 0;
}

/* Recording: remembers and writes an answer unless it is what was last
 * recorded for its key. */
static void note(uint16_t kind, const void *key, uint32_t klen, const void *val, uint32_t vlen)
{
	struct entry *e = find(kind, key, klen, true);
	if (e && e->n && e->a[e->n - 1].vlen == vlen && memcmp(e->a[e->n - 1].val, val, vlen) == 0)
		return;
	if (e)
		append(e, R.seq, val, vlen);
	if (R.sink)
		R.sink(R.arg, kind, R.seq, key, klen, val, vlen);
}

/* Replay: the answer current at this look-up; the first one when the
 * replay asks earlier than the recording did (other output options). */
static const uint8_t *answer(uint16_t kind, const void *key, uint32_t klen, uint32_t *vlen)
{
	struct entry *e = find(kind, key, klen, false);
	if (!e || !e->n)
		return NULL;
	if (e->n == 1) { /* the common case: one answer, whatever the look-up's number */
		*vlen = e->a[0].vlen;
		return e->a[0].val;
	}
	size_t lo = 0, hi = e->n; /* the last answer with seq <= R.seq */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (e->a[mid].seq <= R.seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	const struct answer *a = &e->a[lo ? lo - 1 : 0];
	*vlen = a->vlen;
	return a->val;
}

void rs_record(rs_sink sink, void *arg)
{
	epoch++;
	R.mode = MODE_RECORD;
	R.sink = sink;
	R.arg = arg;
}

void rs_replay(void)
{
	epoch++;
	R.mode = MODE_REPLAY;
	R.seq = 0;
}

int rs_replay_add(uint16_t kind, uint64_t seq, const void *key, uint32_t klen, const void *val, uint32_t vlen)
{
	epoch++;
	struct entry *e = find(kind, key, klen, true);
	if (!e)
		return -1;
	return append(e, seq, val, vlen);
}

void rs_free(void)
{
	for (size_t i = 0; i < R.nb; i++)
		for (struct entry *e = R.b[i], *nx; e; e = nx) {
			nx = e->next;
			for (size_t j = 0; j < e->n; j++)
				free(e->a[j].val);
			free(e->a);
			free(e->key);
			free(e);
		}
	free(R.b);
	memset(&R, 0, sizeof(R));
	epoch++;
}

/* Values that are an i32 and a text. */
static uint32_t pack_text(uint8_t *out, int32_t rc, const char *s)
{
	size_t n = strnlen(s, MAX_TEXT);
	memcpy(out, &rc, 4);
	memcpy(out + 4, s, n);
	return (uint32_t)(4 + n);
}

static int unpack_text(const uint8_t *v, uint32_t vlen, char *buf, size_t len)
{
	int32_t rc;
	if (vlen < 4)
		return -2;
	memcpy(&rc, v, 4);
	if (len) {
		size_t n = strnlen((const char *)v + 4, vlen - 4);
		n = n < len - 1 ? n : len - 1;
		memcpy(buf, v + 4, n);
		buf[n] = '\0';
	}
	return rc;
}

int rs_ksym(const struct ksyms *ks, uint64_t addr, char *buf, size_t len)
{
	if (R.mode == MODE_LIVE)
		return ksyms_format(ks, addr, buf, len);
	R.seq++;
	if (R.mode == MODE_REPLAY) {
		uint32_t vlen;
		const uint8_t *v = answer(RS_KSYM, &addr, sizeof(addr), &vlen);
		int rc = v ? unpack_text(v, vlen, buf, len) : -2;
		if (rc == -2) {
			pp_snprintf(buf, len, "0x%" PRIx64, addr);
			rc = -1;
		}
		return rc;
	}
	char tmp[MAX_TEXT];
	uint8_t val[4 + MAX_TEXT];
	int rc = ksyms_format(ks, addr, tmp, sizeof(tmp));
	note(RS_KSYM, &addr, sizeof(addr), val, pack_text(val, rc, tmp));
	pp_snprintf(buf, len, "%s", tmp);
	return rc;
}

/* A name that may be missing (a namespace's, a cgroup's path): stored as
 * found (1 byte) and the name with its NUL. */
static const char *answer_name(enum rs_kind kind, const void *key, uint32_t klen)
{
	uint32_t vlen;
	const uint8_t *v = answer(kind, key, klen, &vlen);
	if (!v || vlen < 2 || v[0] != 1 || v[vlen - 1] != '\0')
		return NULL;
	return (const char *)v + 1;
}

static void note_name(enum rs_kind kind, const void *key, uint32_t klen, const char *name, size_t max)
{
	size_t l = name ? strnlen(name, max) : 0;
	uint8_t *val = malloc(l + 2);
	if (!val)
		return;
	val[0] = name != NULL;
	memcpy(val + 1, name ? name : "", l);
	val[1 + l] = '\0';
	note(kind, key, klen, val, (uint32_t)(l + 2));
	free(val);
}

const char *rs_netns_name(uint32_t inode)
{
	if (R.mode == MODE_LIVE)
		return netns_name(inode);
	R.seq++;
	if (R.mode == MODE_REPLAY)
		return answer_name(RS_NETNS, &inode, sizeof(inode));
	const char *n = netns_name(inode);
	note_name(RS_NETNS, &inode, sizeof(inode), n, MAX_TEXT - 1);
	return n;
}

const char *rs_cgroup_path(uint64_t id)
{
	if (R.mode == MODE_LIVE)
		return cg_path(id);
	R.seq++;
	if (R.mode == MODE_REPLAY)
		return answer_name(RS_CGROUP, &id, sizeof(id));
	const char *p = cg_path(id);
	note_name(RS_CGROUP, &id, sizeof(id), p, 4095);
	return p;
}

struct route_key {
	uint32_t netns;
	uint32_t family;
	uint8_t dst[16];
};

/* A look-up whose answer is an i32 and a text, keyed by bytes. */
static int text_lookup(uint16_t kind, const void *key, uint32_t klen, char *out, size_t len,
		       int (*live)(const void *arg, char *out, size_t len), const void *arg)
{
	if (R.mode == MODE_LIVE)
		return live(arg, out, len);
	R.seq++;
	if (R.mode == MODE_REPLAY) {
		uint32_t vlen;
		const uint8_t *v = answer(kind, key, klen, &vlen);
		int rc = v ? unpack_text(v, vlen, out, len) : -2;
		if (rc == -2) {
			pp_snprintf(out, len, "not in the recording");
			rc = -1;
		}
		return rc;
	}
	char tmp[MAX_TEXT];
	uint8_t val[4 + MAX_TEXT];
	int rc = live(arg, tmp, sizeof(tmp));
	note(kind, key, klen, val, pack_text(val, rc, tmp));
	pp_snprintf(out, len, "%s", tmp);
	return rc;
}

static int route_live(const void *arg, char *out, size_t len)
{
	const struct route_key *k = arg;
	return route_describe(k->netns, (int)k->family, k->dst, out, len);
}

int rs_route(uint32_t netns, int family, const uint8_t *dst, char *out, size_t len)
{
	struct route_key k;
	memset(&k, 0, sizeof(k));
	k.netns = netns;
	k.family = (uint32_t)family;
	memcpy(k.dst, dst, family == AF_INET6 ? 16 : 4);
	return text_lookup(RS_ROUTE, &k, sizeof(k), out, len, route_live, &k);
}

struct event_key {
	uint32_t netns;
	uint32_t zero;
	uint64_t ts;
	uint64_t skb;
};

static struct event_key event_key(const struct pp_event *e)
{
	struct event_key k;
	memset(&k, 0, sizeof(k));
	k.netns = e->netns;
	k.ts = e->ts_ns;
	k.skb = e->skb;
	return k;
}

static int nft_live(const void *arg, char *out, size_t len)
{
	return explain_nft_live(arg, out, len);
}

int rs_nft(const struct pp_event *e, char *out, size_t len)
{
	struct event_key k = event_key(e);
	return text_lookup(RS_NFT, &k, sizeof(k), out, len, nft_live, e);
}

static int counters_live(const void *arg, char *out, size_t len)
{
	(void)arg;
	return explain_counters_live(out, len);
}

int rs_counters(char *out, size_t len)
{
	uint32_t k = 0;
	return text_lookup(RS_COUNTERS, &k, sizeof(k), out, len, counters_live, NULL);
}

static int silent_live(const void *arg, char *out, size_t len)
{
	return explain_silent_live(arg, out, len);
}

int rs_silent(const struct pp_event *e, char *out, size_t len)
{
	struct event_key k = event_key(e);
	return text_lookup(RS_SILENT, &k, sizeof(k), out, len, silent_live, e);
}

struct route_q {
	uint32_t netns;
	int family;
	const uint8_t *dst;
};

static int route_kind_live(const void *arg, char *out, size_t len)
{
	const struct route_q *q = arg;
	return route_kind(q->netns, q->family, q->dst, out, len);
}

int rs_route_kind(uint32_t netns, int family, const uint8_t *dst, char *out, size_t len)
{
	struct route_key k;
	memset(&k, 0, sizeof(k));
	k.netns = netns;
	k.family = (uint32_t)family;
	memcpy(k.dst, dst, family == AF_INET6 ? 16 : 4);
	struct route_q q = {netns, family, dst};
	return text_lookup(RS_ROUTE_KIND, &k, sizeof(k), out, len, route_kind_live, &q);
}

struct tc_q {
	uint32_t netns, ifindex, ingress;
};

static int tc_live(const void *arg, char *out, size_t len)
{
	const struct tc_q *q = arg;
	return tc_describe(q->netns, q->ifindex, q->ingress, out, len);
}

int rs_tc(uint32_t netns, uint32_t ifindex, bool ingress, char *out, size_t len)
{
	struct tc_q q = {netns, ifindex, ingress};
	return text_lookup(RS_TC, &q, sizeof(q), out, len, tc_live, &q);
}

static int qdisc_live(const void *arg, char *out, size_t len)
{
	const struct tc_q *q = arg;
	return qdisc_describe(q->netns, q->ifindex, out, len);
}

int rs_qdisc(uint32_t netns, uint32_t ifindex, char *out, size_t len)
{
	struct tc_q q = {netns, ifindex, 0};
	return text_lookup(RS_QDISC, &q, 8, out, len, qdisc_live, &q);
}

static size_t rs_read_stack(void *arg, int32_t id, uint64_t *ips, size_t max)
{
	(void)arg;
	if (R.mode == MODE_LIVE)
		return R.live_reader ? R.live_reader(R.live_arg, id, ips, max) : 0;
	R.seq++;
	size_t n = 0;
	if (R.mode == MODE_REPLAY) {
		uint32_t vlen;
		const uint8_t *v = answer(RS_STACK, &id, sizeof(id), &vlen);
		if (v)
			for (n = 0; n < vlen / 8 && n < max; n++)
				memcpy(&ips[n], v + n * 8, 8);
		return n;
	}
	uint64_t all[MAX_STACK] = {0};
	size_t got = R.live_reader ? R.live_reader(R.live_arg, id, all, MAX_STACK) : 0;
	if (got > MAX_STACK)
		got = MAX_STACK;
	note(RS_STACK, &id, sizeof(id), all, (uint32_t)(got * 8));
	for (n = 0; n < got && n < max; n++)
		ips[n] = all[n];
	return n;
}

void rs_wrap_stacks(struct fmt_ctx *ctx)
{
	if (ctx->read_stack != rs_read_stack) {
		R.live_reader = ctx->read_stack;
		R.live_arg = ctx->stack_arg;
	}
	ctx->read_stack = rs_read_stack;
	ctx->stack_arg = NULL;
}

uint64_t rs_fixed_epoch(void)
{
	return R.mode == MODE_REPLAY ? epoch : 0;
}

/* At most one answer: the same for every look-up number (none: none). */
static bool one_answer(uint16_t kind, const void *key, uint32_t klen)
{
	const struct entry *e = find(kind, key, klen, false);
	return !e || e->n <= 1;
}

bool rs_frames_fixed(const struct fmt_ctx *ctx, int32_t id, const uint64_t *ips, size_t n)
{
	if (R.mode != MODE_REPLAY || ctx->read_stack != rs_read_stack || !one_answer(RS_STACK, &id, sizeof(id)))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!one_answer(RS_KSYM, &ips[i], sizeof(ips[i])))
			return false;
	return true;
}

bool rs_netns_fixed(uint32_t inode)
{
	return R.mode == MODE_REPLAY && one_answer(RS_NETNS, &inode, sizeof(inode));
}

void rs_skip(uint64_t n)
{
	if (R.mode != MODE_LIVE)
		R.seq += n;
}
