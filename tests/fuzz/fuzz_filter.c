/* libFuzzer target: the filter translator. An expression — the input's
 * bytes as a string, or built from the input by a grammar of pcap-filter
 * primitives with numbers taken from the input — goes to filter_compile()
 * (filters/filter.c). Then either
 *   - it is refused: a FILTER_E* code and a message (one line when the
 *     expression itself has no line breaks), or
 *   - it compiles: its eBPF translation (filters/cbpf2ebpf.c) is injected
 *     into bpf/filter_harness.bpf.c exactly as tests/unit/test_filter_diff.c
 *     does, must pass the kernel's verifier, and must give libpcap's
 *     bpf_filter() verdict (filter_classic_match) on 8 packets built from
 *     the input (IPv4/IPv6 with TCP/UDP/ICMP, raw slices; L3 and Ethernet),
 *     run in the kernel with BPF_PROG_TEST_RUN.
 * Anything else aborts with the expression and the packet. Needs root.
 *
 * Input: byte 0 bit 0 selects grammar (1) or raw string (0); raw: bytes up
 * to the first NUL (at most 400) are the expression; the rest, in both
 * modes, is packet material. */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter_harness.skel.h"
#include "filters/filter.h"
#include "filters/inject.h"

#define PKT_MAX 2048 /* HARNESS_PKT_MAX */
#define NPKT 4       /* per layer */

struct pkt {
	uint32_t len;
	uint8_t data[PKT_MAX];
};

static int map_fd = -1;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;
	fputs("fuzz_filter: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

static int quiet(enum libbpf_print_level l, const char *fmt, va_list ap)
{
	(void)l, (void)fmt, (void)ap;
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	libbpf_set_print(quiet);
	if (inject_register())
		die("cannot register the section handler");
	map_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "pkts", sizeof(uint32_t), sizeof(struct pkt), 8192, NULL);
	if (map_fd < 0)
		die("packet map (needs root): %s", strerror(errno));
	return 0;
}

/* ---- a reader over the input ---- */

struct rd {
	const uint8_t *p;
	size_t n;
};

static unsigned byte(struct rd *r)
{
	if (!r->n)
		return 0;
	r->n--;
	return *r->p++;
}
static unsigned num(struct rd *r, unsigned mod)
{
	unsigned v = byte(r) | byte(r) << 8;
	return mod ? v % mod : v;
}

/* ---- the grammar ---- */

struct sbuf {
	char s[1024];
	size_t len;
};

static void put(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(b->s + b->len, sizeof(b->s) - b->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len = b->len + (size_t)n < sizeof(b->s) ? b->len + (size_t)n : sizeof(b->s) - 1;
}

static const char *const protos[] = {"ip", "ip6", "tcp", "udp", "icmp", "icmp6", "arp", "rarp", "sctp", "igmp"};
static const char *const dirs[] = {"", "src ", "dst ", "src or dst ", "src and dst "};
static const char *const relops[] = {"=", "!=", "<", "<=", ">", ">="};
static const char *const binops[] = {"+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>"};
static const char *const hdrs[] = {"ip", "ip6", "tcp", "udp", "icmp", "ether", "icmp6", "arp"};

static void arith(struct sbuf *b, struct rd *r, int depth)
{
	switch (depth > 2 ? byte(r) % 3 : byte(r) % 6) {
	case 0: put(b, "%u", num(r, 0) * (byte(r) & 1 ? 1 : 65537u)); break;
	case 1: {
		unsigned size = (unsigned[]){1, 1, 2, 4}[byte(r) % 4];
		put(b, "%s[%u", hdrs[byte(r) % 8], num(r, byte(r) & 1 ? 64 : 2000));
		if (size > 1 || byte(r) & 1)
			put(b, ":%u", size);
		put(b, "]");
		break;
	}
	case 2: put(b, "%s", (const char *[]){"len", "tcpflags", "icmptype", "tcp-syn", "0x1fff", "icmp-echo"}[byte(r) % 6]); break;
	case 3: put(b, "("); arith(b, r, depth + 1); put(b, ")"); break;
	case 4: put(b, "-"); arith(b, r, depth + 1); break;
	default:
		arith(b, r, depth + 1);
		put(b, " %s ", binops[byte(r) % 10]);
		arith(b, r, depth + 1);
	}
}

static void prim(struct sbuf *b, struct rd *r)
{
	unsigned a = byte(r), c = byte(r), d = byte(r), e = byte(r);
	switch (byte(r) % 18) {
	case 0: put(b, "%s", protos[a % 10]); break;
	case 1: put(b, "%shost %u.%u.%u.%u", dirs[a % 5], c, d, e, byte(r)); break;
	case 2: put(b, "%snet %u.%u.%u.0/%u", dirs[a % 5], c, d, e, byte(r) % 33); break;
	case 3: put(b, "%s%sport %u", a & 1 ? "tcp " : a & 2 ? "udp " : "", dirs[c % 5], num(r, 0)); break;
	case 4: put(b, "%sportrange %u-%u", dirs[a % 5], num(r, 0), num(r, 0)); break;
	case 5: put(b, "%shost %x:%x::%x", dirs[a % 5], num(r, 0), num(r, 0), num(r, 0)); break;
	case 6: put(b, "%snet %x:%x::/%u", dirs[a % 5], num(r, 0), num(r, 0), byte(r) % 129); break;
	case 7: put(b, "ether %shost %02x:%02x:%02x:%02x:%02x:%02x", dirs[a % 3], c, d, e, byte(r), byte(r), byte(r)); break;
	case 8: put(b, "%s", (const char *[]){"ether broadcast", "ether multicast", "ip broadcast", "ip multicast", "ip6 multicast", "vlan", "mpls", "pppoes"}[a % 8]); break;
	case 9: put(b, "vlan %u", num(r, 5000)); break;
	case 10: put(b, "%s %u", a & 1 ? "less" : "greater", num(r, 0)); break;
	case 11: put(b, "%s proto %u", a & 1 ? "ip" : "ip6", c); break;
	case 12: put(b, "ether proto %u", num(r, 0)); break;
	case 13: put(b, "%s", (const char *[]){"tcp[tcpflags] & tcp-syn != 0", "icmp[icmptype] = icmp-echo", "ip[6:2] & 0x1fff = 0", "ip6[6] = 44"}[a % 4]); break;
	case 14: put(b, "ip protochain %u", c); break; /* must be refused */
	case 15: put(b, "mpls %u", num(r, 0) * 17); break;
	default:
		arith(b, r, 0);
		put(b, " %s ", relops[a % 6]);
		arith(b, r, 0);
	}
}

static void expr(struct sbuf *b, struct rd *r, int depth)
{
	unsigned k = depth > 3 ? 0 : byte(r) % 5;
	if (k == 0 || b->len > 700) {
		prim(b, r);
	} else if (k == 1) {
		put(b, "not ");
		expr(b, r, depth + 1);
	} else if (k == 2) {
		put(b, "(");
		expr(b, r, depth + 1);
		put(b, ")");
	} else {
		expr(b, r, depth + 1);
		put(b, k == 3 ? " and " : " or ");
		expr(b, r, depth + 1);
	}
}

/* ---- packets ---- */

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8), p[1] = (uint8_t)v;
}

/* An IP packet at p from the input, or a raw slice; returns its length. */
static size_t l3(uint8_t *p, size_t room, struct rd *r)
{
	unsigned kind = byte(r) % 4;
	size_t n;
	if (kind == 0) { /* raw bytes */
		n = byte(r) % 100;
		for (size_t i = 0; i < n; i++)
			p[i] = (uint8_t)byte(r);
		return n;
	}
	unsigned proto = (unsigned[]){6, 17, 1, 58, 47, 132, 0, 44}[byte(r) % 8];
	size_t h;
	if (kind == 1) { /* IPv6 */
		memset(p, 0, 40);
		p[0] = 0x60;
		p[6] = (uint8_t)proto;
		p[7] = 64;
		for (int i = 8; i < 40; i++)
			p[i] = (i % 16 > 11 || i % 16 < 2) ? (uint8_t)byte(r) : 0;
		h = 40;
	} else {
		unsigned ihl = byte(r) % 8 ? 5 : 5 + byte(r) % 11;
		memset(p, 0, ihl * 4);
		p[0] = (uint8_t)(0x40 | ihl);
		p[1] = (uint8_t)byte(r);
		put16(p + 6, byte(r) % 4 ? 0x4000 : num(r, 0));
		p[8] = (uint8_t)byte(r);
		p[9] = (uint8_t)proto;
		for (int i = 12; i < 20; i++)
			p[i] = (uint8_t)byte(r);
		h = ihl * 4;
	}
	n = h + 20 + byte(r) % 64;
	if (n > room)
		n = room;
	for (size_t i = h; i < n; i++)
		p[i] = (uint8_t)byte(r);
	if (kind == 1)
		put16(p + 4, (unsigned)(n - 40));
	else
		put16(p + 2, (unsigned)n);
	if (byte(r) % 8 == 0)
		n = byte(r) % (n + 1); /* truncated */
	return n;
}

static void make_packets(struct pkt *pk, struct rd *r)
{
	for (int i = 0; i < NPKT; i++)
		pk[i].len = (uint32_t)l3(pk[i].data, 400, r);
	for (int i = NPKT; i < 2 * NPKT; i++) {
		uint8_t *d = pk[i].data;
		for (int j = 0; j < 12; j++)
			d[j] = (uint8_t)(byte(r) % 3 ? 0x02 : 0xff);
		size_t h = 14;
		unsigned k = byte(r) % 8;
		if (k == 0) {
			put16(d + 12, 0x8100);
			put16(d + 14, num(r, 0));
			h = 18;
		}
		size_t n = l3(d + h, 400, r);
		put16(d + h - 2, k == 1 ? num(r, 0) : k == 2 ? 0x0806 : (n && (d[h] >> 4) == 6) ? 0x86dd : 0x0800);
		pk[i].len = (uint32_t)(h + n);
	}
}

static int run_prog(int fd, uint32_t idx)
{
	uint64_t args[1] = {idx};
	LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = args, .ctx_size_in = sizeof(args));
	if (bpf_prog_test_run_opts(fd, &o))
		return -1;
	return (int)o.retval;
}

static void hexdump(const struct pkt *p)
{
	for (uint32_t i = 0; i < p->len; i++)
		fprintf(stderr, "%02x", p->data[i]);
	fputc('\n', stderr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct rd r = {data + 1, size - 1};
	struct sbuf b = {.len = 0};
	if (data[0] & 1) {
		expr(&b, &r, 0);
	} else {
		size_t n = 0;
		while (n < r.n && n < 400 && r.p[n])
			n++;
		memcpy(b.s, r.p, n);
		b.s[n] = 0;
		b.len = n;
		r.p += n, r.n -= n;
	}

	char err[512] = "";
	struct pp_filter *f = NULL;
	int rc = filter_compile(b.s, &f, err, sizeof(err));
	if (rc) {
		if (rc != FILTER_ESYNTAX && rc != FILTER_EUNSUPPORTED && rc != FILTER_ERR)
			die("'%s': unknown error code %d", b.s, rc);
		if (!err[0])
			die("'%s' refused (code %d) without a message", b.s, rc);
		if (!strpbrk(b.s, "\n\r") && strpbrk(err, "\n\r"))
			die("'%s' refused with a message of several lines: %s", b.s, err);
		if (f)
			die("'%s' refused but a filter returned", b.s);
		return 0;
	}

	static struct pkt pk[2 * NPKT];
	make_packets(pk, &r);
	for (uint32_t i = 0; i < 2 * NPKT; i++)
		if (bpf_map_update_elem(map_fd, &i, &pk[i], 0))
			die("packet map update: %s", strerror(errno));

	struct filter_harness_bpf *skel = filter_harness_bpf__open();
	if (!skel)
		die("open the harness: %s", strerror(errno));
	inject_set(f, bpf_object__btf(skel->obj));
	bpf_map__reuse_fd(skel->maps.pkts, map_fd);
	int lerr = filter_harness_bpf__load(skel);
	inject_release();
	inject_set(NULL, NULL);
	if (lerr) {
		filter_dump(stderr, f);
		die("'%s' compiled, but the kernel refused its translation: %s", b.s, strerror(-lerr));
	}
	int fds[2] = {bpf_program__fd(skel->progs.harness_l3), bpf_program__fd(skel->progs.harness_l2)};
	for (uint32_t i = 0; i < 2 * NPKT; i++) {
		enum pp_layer l = i < NPKT ? PP_L3 : PP_L2;
		int want = filter_classic_match(f, l, pk[i].data, pk[i].len);
		int got = run_prog(fds[l], i);
		if (got != want) {
			filter_dump(stderr, f);
			hexdump(&pk[i]);
			die("'%s' on %s packet %u (%u bytes, above): libpcap %d, eBPF %d", b.s, l ? "L2" : "L3", i,
			    pk[i].len, want, got);
		}
	}
	filter_harness_bpf__destroy(skel);
	filter_free(f);
	return 0;
}
