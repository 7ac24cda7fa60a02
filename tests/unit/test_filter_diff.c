/* Differential test of the filter translation: for every (expression,
 * packet) pair, libpcap's bpf_filter verdict must equal the verdict of
 * the translated eBPF injected into bpf/filter_harness.bpf.c and run in
 * the kernel with BPF_PROG_TEST_RUN. L3 (raw IP packets) and L2
 * (Ethernet frames) both. Needs root. */
#include <bpf/bpf.h>
#include <errno.h>
#include <bpf/libbpf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "filter_harness.skel.h"
#include "filters/filter.h"
#include "filters/inject.h"
#include "filters/cbpf2ebpf.h"
#include "bpf/event.h"

#define PKT_MAX 2048

struct pkt {
	uint32_t len;
	uint8_t data[PKT_MAX];
};

static int failures;
static size_t compared, skipped; /* expressions */
static unsigned long matches;     /* cases libpcap accepted */

static void check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check(bool ok, const char *fmt, ...)
{
	va_list ap;
	fputs(ok ? "PASS " : "FAIL ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!ok)
		failures++;
}

/* ---- packets ---- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}
static uint32_t pick(uint32_t n)
{
	return rnd() % n;
}

static struct pkt *l3s, *l2s;
static size_t n3, n2;

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static const uint8_t v4addrs[][4] = {
	{10, 0, 0, 1}, {10, 0, 0, 2}, {192, 168, 1, 7}, {192, 168, 2, 9}, {172, 16, 0, 5}, {8, 8, 8, 8}, {255, 255, 255, 255},
};
static const uint16_t ports[] = {22, 53, 80, 443, 8080, 1000, 1023, 1024, 1050, 65535, 0, 2049};
static const uint8_t v6a[][16] = {
	{0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
	{0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2},
	{0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10},
	{0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5},
};

static size_t ipv4(uint8_t *p);
static int in_tunnel; /* building a tunnel's inner packet: no tunnel in it */

/* A tunnel header after a UDP header whose destination port is at dport,
 * and the inner packet: Geneve (port 6081; options, an Ethernet frame or
 * IPv4 directly; `geneve` shifts libpcap's offsets to it) or VXLAN (port
 * 4789, an Ethernet frame). Returns bytes written. */
static size_t tunnel(uint8_t *p, uint8_t *dport)
{
	size_t h;
	bool eth = true;
	if (pick(2)) {
		put16(dport, 6081);
		size_t opt = pick(3) * 4;
		p[0] = (uint8_t)(opt / 4);
		p[1] = pick(4) ? 0 : 0x80; /* O (control packet) */
		eth = pick(4);
		put16(p + 2, eth ? 0x6558 : 0x0800);
		p[4] = 0, p[5] = 0, p[6] = (uint8_t)pick(8), p[7] = 0; /* VNI 0-7 */
		for (size_t i = 0; i < opt; i++)
			p[8 + i] = (uint8_t)rnd();
		h = 8 + opt;
	} else {
		put16(dport, 4789);
		memset(p, 0, 8);
		p[0] = 0x08;
		p[6] = (uint8_t)pick(8);
		h = 8;
	}
	if (eth) {
		memset(p + h, 2, 12);
		put16(p + h + 12, 0x0800);
		h += 14;
	}
	in_tunnel = 1;
	h += ipv4(p + h);
	in_tunnel = 0;
	return h;
}

/* L4 header + payload at p, returns bytes written. */
static size_t l4(uint8_t *p, uint8_t proto, size_t room)
{
	size_t n = 0;
	if (proto == 6) {
		put16(p, ports[pick(12)]);
		put16(p + 2, pick(4) ? ports[pick(12)] : (uint16_t)(1000 + pick(100)));
		for (int i = 4; i < 12; i++)
			p[i] = (uint8_t)rnd();
		p[12] = (uint8_t)((5 + pick(3)) << 4);
		p[13] = (uint8_t)(pick(3) ? (1u << pick(6)) | (pick(2) ? 0x10 : 0) : rnd());
		memset(p + 14, 0, 6);
		n = 20;
	} else if (proto == 17) {
		put16(p, ports[pick(12)]);
		put16(p + 2, ports[pick(12)]);
		put16(p + 4, 8);
		p[6] = p[7] = 0;
		n = 8;
		if (!in_tunnel && !pick(5)) {
			n += tunnel(p + 8, p + 2);
			put16(p + 4, (uint16_t)n);
			return n;
		}
	} else if (proto == 1 || proto == 58) {
		static const uint8_t types[] = {0, 3, 8, 11, 128, 129, 135};
		p[0] = types[pick(7)];
		p[1] = (uint8_t)pick(4);
		for (int i = 2; i < 8; i++)
			p[i] = (uint8_t)rnd();
		n = 8;
	}
	size_t pay = pick(4) ? pick(64) : pick(400);
	if (n + pay > room)
		pay = room - n;
	for (size_t i = 0; i < pay; i++)
		p[n + i] = (uint8_t)rnd();
	return n + pay;
}

static size_t ipv4(uint8_t *p)
{
	static const uint8_t protos[] = {6, 17, 1, 6, 17, 47, 132};
	size_t ihl = pick(5) ? 5 : 5 + pick(11);
	uint8_t proto = protos[pick(7)];
	p[0] = (uint8_t)(0x40 | ihl);
	p[1] = (uint8_t)(pick(4) ? 0 : rnd());
	put16(p + 4, (uint16_t)rnd());
	uint16_t frag = 0;
	switch (pick(6)) {
	case 0: frag = 0x2000; break;                                   /* MF, first */
	case 1: frag = (uint16_t)(1 + pick(0x1fff)) | (pick(2) ? 0x2000 : 0); break;
	case 2: frag = 0x4000; break;                                   /* DF */
	}
	put16(p + 6, frag);
	p[8] = (uint8_t)(1 + pick(64));
	p[9] = proto;
	p[10] = p[11] = 0;
	memcpy(p + 12, v4addrs[pick(7)], 4);
	memcpy(p + 16, v4addrs[pick(7)], 4);
	for (size_t i = 20; i < ihl * 4; i++)
		p[i] = (uint8_t)(pick(3) ? 1 : rnd()); /* NOPs or junk options */
	size_t n = ihl * 4 + l4(p + ihl * 4, proto, 1400);
	put16(p + 2, (uint16_t)n);
	return n;
}

static size_t ipv6(uint8_t *p)
{
	static const uint8_t protos[] = {6, 17, 58, 6, 17};
	static const uint8_t exts[] = {0, 43, 44, 60};
	p[0] = 0x60;
	p[1] = (uint8_t)(pick(2) ? 0 : rnd());
	p[2] = p[3] = 0;
	p[7] = 64;
	memcpy(p + 8, v6a[pick(4)], 16);
	memcpy(p + 24, v6a[pick(4)], 16);
	size_t off = 40;
	uint8_t *nextp = p + 6;
	for (int e = pick(3) ? 0 : 1 + (int)pick(2); e > 0; e--) {
		uint8_t t = exts[pick(4)];
		*nextp = t;
		nextp = p + off;
		p[off + 1] = 0;
		memset(p + off + 2, 0, 6);
		if (t == 44)
			put16(p + off + 2, (uint16_t)(pick(2) ? 0 : (pick(100) << 3)));
		off += 8;
	}
	uint8_t proto = protos[pick(5)];
	*nextp = proto;
	size_t n = off + l4(p + off, proto, 1400);
	put16(p + 4, (uint16_t)(n - 40));
	return n;
}

static void add(struct pkt *set, size_t *n, const uint8_t *b, size_t len)
{
	set[*n].len = (uint32_t)len;
	memcpy(set[*n].data, b, len);
	(*n)++;
}

static size_t l3_packet(uint8_t *b)
{
	size_t len;
	switch (pick(10)) {
	case 0: /* random bytes */
		len = pick(120);
		for (size_t i = 0; i < len; i++)
			b[i] = (uint8_t)rnd();
		if (len && pick(2))
			b[0] = (uint8_t)((pick(2) ? 0x40 : 0x60) | (b[0] & 0xf));
		return len;
	case 1: case 2: case 3:
		len = ipv6(b);
		break;
	default:
		len = ipv4(b);
	}
	if (!pick(6)) /* truncated */
		len = pick((uint32_t)len + 1);
	return len;
}

static void make_packets(size_t want)
{
	uint8_t b[PKT_MAX];
	static const uint8_t macs[][6] = {
		{0x02, 0, 0, 0, 0, 1}, {0x02, 0, 0, 0, 0, 2}, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, {0x01, 0, 0x5e, 0, 0, 1},
	};
	l3s = calloc(want, sizeof(*l3s));
	l2s = calloc(want, sizeof(*l2s));
	if (!l3s || !l2s)
		exit(1);
	while (n3 < want)
		add(l3s, &n3, b, l3_packet(b));
	while (n2 < want) {
		size_t h = 14;
		memcpy(b, macs[pick(4)], 6);
		memcpy(b + 6, macs[pick(4)], 6);
		int kind = (int)pick(10);
		if (kind == 0) { /* VLAN-tagged */
			put16(b + 12, 0x8100);
			put16(b + 14, (uint16_t)pick(8));
			h = 18;
		}
		size_t len;
		if (kind == 1) { /* ARP */
			put16(b + h - 2, 0x0806);
			len = 28;
			for (size_t i = 0; i < len; i++)
				b[h + i] = (uint8_t)rnd();
			put16(b + h, 1);
			put16(b + h + 2, 0x0800);
			b[h + 4] = 6, b[h + 5] = 4;
			memcpy(b + h + 14, v4addrs[pick(7)], 4);
			memcpy(b + h + 24, v4addrs[pick(7)], 4);
		} else {
			len = l3_packet(b + h);
			put16(b + h - 2, len && (b[h] >> 4) == 6 ? 0x86dd : pick(8) ? 0x0800 : (uint16_t)rnd());
		}
		len += h;
		if (!pick(10))
			len = pick((uint32_t)len + 1);
		add(l2s, &n2, b, len);
	}
}

/* ---- expressions ---- */

static const char *const atoms[] = {
	"ip", "ip6", "tcp", "udp", "icmp", "icmp6", "arp", "vlan", "vlan 3",
	"host 10.0.0.1", "src host 10.0.0.2", "dst host 192.168.1.7", "net 192.168.0.0/16", "src net 10.0.0.0/8",
	"dst net 172.16.0.0/12", "host fd00::1", "src host fd00::2", "net 2001:db8::/32", "ip6 dst net fe80::/10",
	"port 80", "tcp port 443", "udp port 53", "src port 22", "dst port 8080", "portrange 1000-1050",
	"tcp dst portrange 1024-2048", "udp src portrange 0-100",
	"tcp[tcpflags] & tcp-syn != 0", "tcp[tcpflags] & (tcp-syn|tcp-ack) = tcp-syn", "tcp[13] = 0x12",
	"ip[6:2] & 0x1fff = 0", "ip[6:2] & 0x1fff != 0", "icmp[icmptype] = icmp-echo", "icmp[icmptype] = icmp-echoreply",
	"icmp6 and ip6[40] = 128", "len < 100", "greater 200", "less 60", "len >= 41", "ip[8] > 32",
	"ip[1] & 0xfc = 0xb8", "ip proto 47", "ip6 proto 17", "ether host 02:00:00:00:00:01", "ether broadcast",
	"ether multicast", "ether src 02:00:00:00:00:02", "ip multicast", "ip6 multicast",
	"tcp[2:2] > 1023", "udp[4:2] = 8", "ip[2:2] - ((ip[0] & 0xf) << 2) > 40", "tcp[12] >> 4 > 5",
	"ip[9] * 2 = 12", "ip[8] / ip[1] = 1", "ip[8] % ip[1] = 0", "ip[8] << ip[1] != 0", "ip[2:2] >> ip[9] = 0",
	"ip[16:4] = 0xffffffff", "ip[12:4] > 0x80000000", "ip[4:2] & 0x8000 != 0", "-ip[8] & 0xff = 0xc0",
	"ip[8] ^ 0x40 = 0", "ip[8] | 1 = 65", "ether[12:2] = 0x86dd", "ip6[6] = 44",
	/* VXLAN's inner packet by fixed offsets from its UDP header (inner
	 * ethertype at 20, IPv4 destination at 46). */
	"udp dst port 4789 and udp[46:4] = 0x0a000001", "udp port 4789 and udp[28:2] = 0x0800",
};

/* The inner packet of a Geneve tunnel: libpcap's geneve shifts the offsets
 * of what follows it (a variable-length header: indexed loads, scratch
 * memory). Compared as written, never combined: what follows `geneve` is
 * read from the inner packet on every branch, and libpcap's own code then
 * reads scratch memory the geneve branch alone sets (`geneve and X or Y`
 * has no defined meaning; pcap-filter(7) says the same of vlan). */
static const char *const tunnel_exprs[] = {
	"geneve", "geneve 3", "geneve and host 10.0.0.1", "geneve and udp port 53", "geneve and not ip",
	"geneve and (ip or ip6)", "geneve 5 and icmp", "udp and geneve and dst net 192.168.0.0/16",
};

static char **exprs;
static size_t nexprs;

static void add_expr(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void add_expr(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		exit(1);
	va_end(ap);
	exprs = realloc(exprs, (nexprs + 1) * sizeof(*exprs));
	if (!exprs)
		exit(1);
	exprs[nexprs++] = s;
}

static void make_exprs(size_t want)
{
	size_t na = sizeof(atoms) / sizeof(atoms[0]);
	for (size_t i = 0; i < na; i++)
		add_expr("%s", atoms[i]);
	for (size_t i = 0; i < na; i++)
		add_expr("not %s", atoms[i]);
	for (size_t i = 0; i < sizeof(tunnel_exprs) / sizeof(tunnel_exprs[0]); i++)
		add_expr("%s", tunnel_exprs[i]);
	while (nexprs < want) {
		const char *a = atoms[pick((uint32_t)na)], *b = atoms[pick((uint32_t)na)], *c = atoms[pick((uint32_t)na)];
		switch (pick(4)) {
		case 0: add_expr("%s and %s", a, b); break;
		case 1: add_expr("%s or not %s", a, b); break;
		case 2: add_expr("(%s or %s) and not (%s)", a, b, c); break;
		default: add_expr("not (%s and %s) or %s", a, b, c); break;
		}
	}
}

/* ---- kernel side ---- */

static int load_packets(int map_fd)
{
	struct pkt *sets[2] = {l3s, l2s};
	size_t ns[2] = {n3, n2};
	uint32_t key = 0;
	for (int s = 0; s < 2; s++)
		for (size_t i = 0; i < ns[s]; i++, key++)
			if (bpf_map_update_elem(map_fd, &key, &sets[s][i], 0))
				return -1;
	return 0;
}

static int run_prog(int fd, uint32_t idx)
{
	uint64_t args[1] = {idx};
	LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = args, .ctx_size_in = sizeof(args));
	if (bpf_prog_test_run_opts(fd, &o))
		return -1;
	return (int)o.retval;
}

/* Compares both layers for one expression; returns disagreements. */
static long compare(const char *expr, int map_fd, unsigned long *cases)
{
	char err[512];
	struct pp_filter *f;
	long bad = 0;

	int rc = filter_compile(expr, &f, err, sizeof(err));
	if (rc == FILTER_ESYNTAX && strstr(err, "rejects all packets")) {
		skipped++; /* libpcap refuses it too, as tcpdump would */
		return 0;
	}
	if (rc) {
		check(false, "compile '%s': %s", expr, err);
		return 1;
	}
	compared++;
	struct filter_harness_bpf *skel = filter_harness_bpf__open();
	if (!skel) {
		check(false, "open harness");
		filter_free(f);
		return 1;
	}
	inject_set(f, bpf_object__btf(skel->obj));
	bpf_map__reuse_fd(skel->maps.pkts, map_fd);
	int lerr = filter_harness_bpf__load(skel);
	inject_release();
	inject_set(NULL, NULL);
	if (lerr) {
		check(false, "load harness for '%s': %s", expr, strerror(-lerr));
		bad = 1;
		goto out;
	}
	int fds[2] = {bpf_program__fd(skel->progs.harness_l3), bpf_program__fd(skel->progs.harness_l2)};
	struct pkt *sets[2] = {l3s, l2s};
	size_t ns[2] = {n3, n2};
	uint32_t base = 0;
	for (int l = 0; l < 2; l++) {
		for (size_t i = 0; i < ns[l]; i++) {
			int want = filter_classic_match(f, (enum pp_layer)l, sets[l][i].data, sets[l][i].len);
			int got = run_prog(fds[l], base + (uint32_t)i);
			(*cases)++;
			matches += want == 1;
			if (got != want) {
				if (bad < 3)
					check(false, "'%s' %s packet %zu (%u bytes): libpcap %d, eBPF %d", expr,
					      l ? "L2" : "L3", i, sets[l][i].len, want, got);
				bad++;
			}
		}
		base += (uint32_t)ns[l];
	}
out:
	filter_harness_bpf__destroy(skel);
	filter_free(f);
	return bad;
}

static void unit_checks(void)
{
	char err[512];
	struct pp_filter *f = NULL;
	int rc = filter_compile("tcp port and", &f, err, sizeof(err));
	check(rc == FILTER_ESYNTAX && strstr(err, "tcp port and") && strstr(err, "syntax error"),
	      "syntax error: code %d, message: %s", rc, err);
	rc = filter_compile("ip protochain 6", &f, err, sizeof(err));
	check(rc == FILTER_EUNSUPPORTED && strstr(err, "protochain"), "protochain rejected: code %d, message: %s", rc, err);
	rc = filter_compile("arp", &f, err, sizeof(err));
	check(rc == 0 && f && !filter_has_layer(f, PP_L3) && filter_has_layer(f, PP_L2), "arp: L2 only");
	filter_free(f);
	rc = filter_compile("tcp", &f, err, sizeof(err));
	check(rc == 0 && f && filter_has_layer(f, PP_L3) && filter_has_layer(f, PP_L2), "tcp: both layers");
	filter_free(f);
	rc = filter_compile("tcp", &f, err, sizeof(err));
	check(rc == 0 && !filter_ip_needs_l2(f), "tcp: IP packets need L3 only");
	filter_free(f);
	static const char *const l2_too[] = {"vlan and tcp", "greater 100", "udp and len < 60", "link[0] = 2",
					     "ether[0] & 1 = 1 or udp", "ether host 02:00:00:00:00:01 and tcp"};
	for (size_t i = 0; i < sizeof(l2_too) / sizeof(l2_too[0]); i++) {
		rc = filter_compile(l2_too[i], &f, err, sizeof(err));
		check(rc == 0 && filter_ip_needs_l2(f), "%s: IP packets are tried at L2 too", l2_too[i]);
		filter_free(f);
	}
}

/* cbpf_reach() bounds what a filter reads: bytes past it cannot change
 * libpcap's verdict on an L3 packet (bpf/decided.bpf.h remembers a packet
 * turned away by its first PP_DECIDED_FP_BYTES). Every byte from the
 * reach on is inverted, the length kept. */
static long reach_holds(const char *expr, unsigned long *cases)
{
	char err[512];
	struct pp_filter *f = NULL;
	long bad = 0;
	static uint8_t b[PKT_MAX];
	if (filter_compile(expr, &f, err, sizeof(err)))
		return 0;
	size_t n = 0;
	const struct cbpf_insn *c = filter_classic(f, PP_L3, &n);
	uint32_t reach = c ? cbpf_reach(c, n) : 0;
	for (size_t i = 0; c && reach < PKT_MAX && i < n3; i++) {
		uint32_t len = l3s[i].len;
		if (len <= reach)
			continue;
		memcpy(b, l3s[i].data, len);
		for (uint32_t j = reach; j < len; j++)
			b[j] = (uint8_t)~b[j];
		int before = filter_classic_match(f, PP_L3, l3s[i].data, len), after = filter_classic_match(f, PP_L3, b, len);
		++*cases;
		if (before != after && bad++ < 3)
			check(false, "'%s': reach %u, yet bytes past it changed the verdict on packet %zu (%u bytes)", expr,
			      reach, i, len);
	}
	filter_free(f);
	return bad;
}

static void reach_checks(void)
{
	static const struct {
		const char *expr;
		uint32_t most; /* the reach is at most this (UINT32_MAX: unbounded) */
		bool within_fp;
	} want[] = {
		{"udp port 7002", 64, true},
		{"host 198.18.0.1", 40, true},
		{"tcp[tcpflags] & tcp-syn != 0", 74, false},
		{"ip[2:2] - ((ip[0] & 0xf) << 2) - ((tcp[12] & 0xf0) >> 2) != 0", UINT32_MAX, false},
		{"arp", 0, true},
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		char err[512];
		struct pp_filter *f = NULL;
		if (filter_compile(want[i].expr, &f, err, sizeof(err))) {
			check(false, "compile '%s': %s", want[i].expr, err);
			continue;
		}
		uint32_t r = filter_l3_reach(f);
		bool within = r <= PP_DECIDED_FP_BYTES;
		check(r <= want[i].most && (want[i].most != UINT32_MAX || r == UINT32_MAX) && within == want[i].within_fp,
		      "'%s': L3 reach %u (at most %u), within the fingerprint's %d bytes: %s", want[i].expr, r,
		      want[i].most, PP_DECIDED_FP_BYTES, within ? "yes" : "no");
		filter_free(f);
	}
}

/* Where filter_ip_needs_l2() says no, the kernel runs only L3 on IP
 * packets: libpcap must then give the same verdict on an IP packet's L3
 * view as on its Ethernet frame (ethertype agreeing with the version, as
 * the kernel's skb->protocol does). */
static long views_agree(const char *expr, unsigned long *cases)
{
	char err[512];
	struct pp_filter *f = NULL;
	long bad = 0;
	if (filter_compile(expr, &f, err, sizeof(err)))
		return 0;
	for (size_t i = 0; !filter_ip_needs_l2(f) && i < n2; i++) {
		const uint8_t *b = l2s[i].data;
		uint32_t len = l2s[i].len;
		uint16_t type = len >= 15 ? (uint16_t)(b[12] << 8 | b[13]) : 0;
		if (!((type == 0x0800 && b[14] >> 4 == 4) || (type == 0x86dd && b[14] >> 4 == 6)))
			continue;
		int l3 = filter_classic_match(f, PP_L3, b + 14, len - 14), l2 = filter_classic_match(f, PP_L2, b, len);
		++*cases;
		if (l3 != l2 && bad++ < 3)
			check(false, "'%s': L3 says %d, L2 says %d on IP packet %zu (%u bytes)", expr, l3, l2, i, len);
	}
	filter_free(f);
	return bad;
}

int main(void)
{
	unit_checks();
	if (inject_register()) {
		check(false, "register the section handler");
		return 1;
	}
	make_packets(1500);
	make_exprs(300);

	int map_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "pkts", sizeof(uint32_t), sizeof(struct pkt), 8192, NULL);
	if (map_fd < 0 || load_packets(map_fd)) {
		check(false, "packet map (needs root): %s", strerror(errno));
		return 1;
	}
	unsigned long cases = 0;
	long bad = 0;
	for (size_t i = 0; i < nexprs; i++)
		bad += compare(exprs[i], map_fd, &cases);
	/* The tunnel expressions met packets they select (not only rejections). */
	static const char *const inner[] = {"geneve and host 10.0.0.1", "geneve and (ip or ip6)",
					    "udp dst port 4789 and udp[46:4] = 0x0a000001"};
	for (size_t i = 0; i < sizeof(inner) / sizeof(inner[0]); i++) {
		struct pp_filter *f = NULL;
		char err[512];
		size_t m = 0;
		if (!filter_compile(inner[i], &f, err, sizeof(err)))
			for (size_t j = 0; j < n3; j++)
				m += filter_classic_match(f, PP_L3, l3s[j].data, l3s[j].len) == 1;
		filter_free(f);
		check(m > 0, "'%s' selects some of the tunnelled packets (%zu)", inner[i], m);
	}
	check(matches > cases / 50 && matches < cases - cases / 50, "verdicts are mixed: %lu of %lu cases match", matches, cases);
	check(compared >= 200, "%zu expressions compared (%zu refused by libpcap as rejecting all packets)", compared, skipped);
	check(bad == 0, "differential: %zu expressions x %zu packets (%zu L3 + %zu L2): %lu cases, %ld disagreements",
	      compared, n3 + n2, n3, n2, cases, bad);
	unsigned long vcases = 0;
	long vbad = 0;
	for (size_t i = 0; i < nexprs; i++)
		vbad += views_agree(exprs[i], &vcases);
	unsigned long rcases = 0;
	long rbad = 0;
	reach_checks();
	for (size_t i = 0; i < nexprs; i++)
		rbad += reach_holds(exprs[i], &rcases);
	check(rcases > 10000 && rbad == 0, "no byte past a filter's reach changes its verdict: %lu cases, %ld disagreements",
	      rcases, rbad);
	check(vcases > 10000 && vbad == 0, "L3 alone suffices for IP packets where the filter says so: %lu cases, %ld disagreements",
	      vcases, vbad);
	close(map_fd);
	for (size_t i = 0; i < nexprs; i++)
		free(exprs[i]);
	free(exprs);
	free(l3s);
	free(l2s);
	return failures ? 1 : 0;
}
