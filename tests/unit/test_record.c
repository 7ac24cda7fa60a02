/* Recordings: what the recorder writes, the checking reader accepts;
 * every truncation and many corruptions of it are refused with a sentence
 * or accepted, never a crash or an overrun (this runs under ASan/UBSan);
 * the resolver gives back in replay what it answered while recording. */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "cmd/model/probes.h"
#include "cmd/record/record.h"
#include "cmd/record/replay.h"
#include "cmd/record/resolve.h"
#include "kernel/kallsyms.h"
#include "unit.h"

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *b = malloc(n > 0 ? (size_t)n : 1);
	if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		b = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return b;
}

/* Answers captured from the recorder's sink, for the replay half. */
static struct {
	uint16_t kind;
	uint64_t seq;
	uint8_t key[64], val[600];
	uint32_t klen, vlen;
} ans[16];
static int nans;

static void sink(void *arg, uint16_t kind, uint64_t seq, const void *key, uint32_t klen, const void *val,
		 uint32_t vlen)
{
	(void)arg;
	if (nans < 16 && klen <= 64 && vlen <= 600) {
		ans[nans].kind = kind;
		ans[nans].seq = seq;
		memcpy(ans[nans].key, key, klen);
		memcpy(ans[nans].val, val, vlen);
		ans[nans].klen = klen;
		ans[nans].vlen = vlen;
		nans++;
	}
}

int main(void)
{
	char dir[] = "/tmp/pktpath-test-record.XXXXXX", path[128], syms[128], err[512], buf[256];
	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/r.rec", dir);
	snprintf(syms, sizeof(syms), "%s/kallsyms", dir);
	FILE *k = fopen(syms, "w");
	fputs("ffffffff81000000 T _stext\nffffffff81000100 t ip_rcv\nffffffff81000200 T udp_rcv\t[udp]\n", k);
	fclose(k);
	struct ksyms *ks = ksyms_load(syms);
	CHECK("test symbols load", ks != NULL);

	/* Resolver: record two answers, replay them; an address never
	 * recorded falls back to hex. */
	rs_record(sink, NULL);
	rs_ksym(ks, 0xffffffff81000110ull, buf, sizeof(buf));
	CHECK_STR("recording: live answer passes through", buf, "ip_rcv+0x10");
	rs_ksym(ks, 0xffffffff81000110ull, buf, sizeof(buf));
	rs_ksym(ks, 0xffffffff81000208ull, buf, sizeof(buf));
	CHECK("recording: a repeated answer is written once", nans == 2);
	rs_free();
	rs_replay();
	for (int i = 0; i < nans; i++)
		rs_replay_add(ans[i].kind, ans[i].seq, ans[i].key, ans[i].klen, ans[i].val, ans[i].vlen);
	rs_ksym(NULL, 0xffffffff81000110ull, buf, sizeof(buf));
	CHECK_STR("replay: the recorded symbol", buf, "ip_rcv+0x10");
	rs_ksym(NULL, 0xffffffff81000110ull, buf, sizeof(buf));
	rs_ksym(NULL, 0xffffffff81000208ull, buf, sizeof(buf));
	CHECK_STR("replay: module symbol", buf, "udp_rcv+0x8 [udp]");
	rs_ksym(NULL, 0x1234, buf, sizeof(buf));
	CHECK_STR("replay: unrecorded address prints as hex", buf, "0x1234");
	rs_free();

	/* A small recording: header, description, reasons, functions,
	 * events, a capture, ticks, answers, end. */
	probes_add_func("ip_rcv");
	probes_add_func("ip_forward");
	struct recorder *r = rec_open(path, NULL, 42, err, sizeof(err));
	CHECK("recorder opens", r != NULL);
	struct pp_event e;
	memset(&e, 0, sizeof(e));
	e.probe = PP_PROBE_DROP;
	e.stack_id = -1;
	for (int i = 0; i < 3; i++) {
		e.ts_ns = 1000 + (uint64_t)i;
		rec_event(r, &e);
		rs_ksym(ks, 0xffffffff81000100ull + (uint64_t)i, buf, sizeof(buf));
		rec_tick(r, 2000 + (uint64_t)i);
	}
	struct pp_capture c;
	memset(&c, 0, sizeof(c));
	c.magic = PP_CAPTURE_MAGIC;
	c.version = PP_CAPTURE_VERSION;
	c.caplen = 20;
	rec_capture(r, &c);
	rec_end(r, 1, 2, 3);
	CHECK("recorder closes", rec_close(r, err, sizeof(err)) == 0);
	probes_free();

	size_t len;
	uint8_t *good = slurp(path, &len);
	CHECK("recording written", good && len > sizeof(struct rec_header));
	if (!good)
		return 1;
	CHECK("a whole recording is accepted", replay_check(good, len, err, sizeof(err)) == 0);

	int all_refused = 1, all_said = 1;
	for (size_t n = 0; n < len; n++) {
		uint8_t *cut = malloc(n ? n : 1); /* exact size: ASan sees any overrun */
		memcpy(cut, good, n);
		err[0] = '\0';
		if (replay_check(cut, n, err, sizeof(err)) == 0)
			all_refused = 0;
		if (!err[0] || strchr(err, '\n'))
			all_said = 0;
		free(cut);
	}
	CHECK("every truncation is refused", all_refused);
	CHECK("every refusal says why, on one line", all_said);

	/* Every byte changed to a few values: accepted or refused, no crash. */
	const uint8_t vals[] = {0x00, 0xff, 0x7f, 0x80, 0x01};
	uint8_t *bad = malloc(len);
	size_t refused = 0;
	for (size_t i = 0; i < len; i++)
		for (size_t v = 0; v < sizeof(vals); v++) {
			memcpy(bad, good, len);
			if (bad[i] == vals[v])
				continue;
			bad[i] = vals[v];
			refused += replay_check(bad, len, err, sizeof(err)) != 0;
		}
	CHECK("corrupted bytes are survived (and many refused)", refused > 0);
	/* Random garbage after a good header. */
	srand(7);
	int garbage_ok = 1;
	for (int round = 0; round < 2000; round++) {
		size_t n = sizeof(struct rec_header) + (size_t)(rand() % 200);
		uint8_t *g = malloc(n);
		memcpy(g, good, sizeof(struct rec_header));
		for (size_t i = sizeof(struct rec_header); i < n; i++)
			g[i] = (uint8_t)(rand() % 4 == 0 ? rand() % 9 : rand());
		err[0] = '\0';
		if (replay_check(g, n, err, sizeof(err)) == 0 || !err[0])
			garbage_ok = 0;
		free(g);
	}
	CHECK("random records after a good header are refused with a sentence", garbage_ok);
	free(bad);
	free(good);
	ksyms_free(ks);
	unlink(path);
	unlink(syms);
	rmdir(dir);
	return unit_failed;
}
