/* The story of a packet: NAT rewrites between sightings (cmd/model/rewrite.c),
 * decoding beyond IP (cmd/render/decode.c), owners and headers carried along a
 * packet in --stream (cmd/model/carry.c). */
#include <arpa/inet.h>
#include <stdlib.h>

#include "cmd/model/carry.h"
#include "cmd/render/decode.h"
#include "cmd/render/format.h"
#include "cmd/render/pointtext.h"
#include "cmd/model/rewrite.h"
#include "cmd/model/timeline.h"
#include "unit.h"

static struct pp_event ip4(const char *s, unsigned sp, const char *d, unsigned dp, unsigned proto)
{
	struct pp_event e = {0};
	e.skb = 0xffff888100b84c00ull;
	e.head = 0xffff888100c00000ull;
	e.probe = PP_PROBE_NETFILTER;
	e.have = PP_HAVE_L3 | PP_HAVE_L4 | PP_HAVE_NETNS;
	e.netns = 4026532000u;
	e.ethertype = 0x0800;
	e.ipver = 4;
	e.l4proto = (uint8_t)proto;
	inet_pton(AF_INET, s, e.saddr);
	inet_pton(AF_INET, d, e.daddr);
	e.sport = (uint16_t)sp;
	e.dport = (uint16_t)dp;
	e.id_have = PP_ID_IPID;
	e.ip_id = 4242;
	e.len = 60;
	return e;
}

static const char *rw(const struct pp_event *a, const struct pp_event *b)
{
	static struct strbuf sb;
	struct rewrite r;
	sb_reset(&sb);
	if (!rw_find(a, b, &r))
		return "(none)";
	rw_text(&sb, a, b, &r);
	return sb.s ? sb.s : "";
}

static const char *pkt(const struct pp_event *e)
{
	static struct strbuf sb;
	sb_reset(&sb);
	fmt_packet(&sb, e);
	return sb.s ? sb.s : "";
}

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

int main(void)
{
	/* Rewrites. */
	struct pp_event a = ip4("198.18.81.2", 40000, "198.18.82.2", 8080, 6), b = a;
	CHECK_STR("no change: no rewrite", rw(&a, &b), "(none)");
	inet_pton(AF_INET, "198.18.82.1", b.saddr);
	CHECK_STR("SNAT, port kept", rw(&a, &b), "SNAT 198.18.81.2 -> 198.18.82.1");
	b.sport = 1024;
	CHECK_STR("SNAT with the port", rw(&a, &b), "SNAT 198.18.81.2:40000 -> 198.18.82.1:1024");
	b = a;
	inet_pton(AF_INET, "198.18.82.9", a.daddr);
	a.dport = 80;
	CHECK_STR("DNAT with the port", rw(&a, &b), "DNAT 198.18.82.9:80 -> 198.18.82.2:8080");
	inet_pton(AF_INET, "198.18.82.1", b.saddr);
	CHECK_STR("both sides", rw(&a, &b), "SNAT 198.18.81.2 -> 198.18.82.1, DNAT 198.18.82.9:80 -> 198.18.82.2:8080");
	b.ip_id = 1;
	CHECK_STR("another IPv4 id: not NAT (an encapsulation, another packet)", rw(&a, &b), "(none)");
	b.ip_id = a.ip_id;
	b.l4proto = 17;
	CHECK_STR("another protocol: not NAT", rw(&a, &b), "(none)");
	b.l4proto = 6;
	b.step = PP_STEP_COPY;
	CHECK_STR("a copy is not compared", rw(&a, &b), "(none)");
	b.step = 0;
	b.have &= ~PP_HAVE_L4;
	CHECK_STR("no L4 at one step: addresses only", rw(&a, &b),
		  "SNAT 198.18.81.2 -> 198.18.82.1, DNAT 198.18.82.9 -> 198.18.82.2");
	struct pp_event p = ip4("198.18.81.2", 77, "198.18.82.2", 1, 1), q;
	p.icmp_type = 8;
	q = p;
	inet_pton(AF_INET, "198.18.82.1", q.saddr);
	q.sport = 78;
	CHECK_STR("ICMP echo: the id is the rewritten port", rw(&p, &q), "SNAT 198.18.81.2 id 77 -> 198.18.82.1 id 78");
	q.sport = 77;
	q.dport = 9; /* the sequence is not a port */
	CHECK_STR("ICMP echo: the sequence is not rewritten", rw(&p, &q), "SNAT 198.18.81.2 -> 198.18.82.1");
	struct pp_event ev[3] = {a, a, b};
	ev[1].have = PP_HAVE_NETNS; /* no header read at that step */
	CHECK("rw_before skips steps without a header", rw_before(ev, 2) == &ev[0]);
	ev[1] = a;
	ev[1].l4proto = 17;
	CHECK("rw_before: the latest header not comparable stops the search", rw_before(ev, 2) == NULL);

	/* fentry/kprobe: the hook's entry sees the header before NAT, the next
	 * function after it: the rewrite names the hook. */
	struct pp_event fe[2] = {a, a};
	fe[0] = ip4("198.18.81.2", 40000, "198.18.82.2", 8080, 6);
	fe[0].func = 3;
	fe[0].have |= PP_HAVE_NF;
	fe[0].nf_pf = 2;
	fe[0].nf_hook = 4;
	fe[1] = fe[0];
	fe[1].probe = PP_PROBE_ROUTE;
	fe[1].func = 4;
	fe[1].have &= ~PP_HAVE_NF;
	inet_pton(AF_INET, "198.18.82.1", fe[1].saddr);
	struct timeline tl = {.ev = fe, .n = 2};
	struct ev_extra tx;
	carry_in_timeline(&tl, 1, &tx);
	struct strbuf w = {0};
	rw_step_text(&w, &fe[1], &tx);
	CHECK_STR("fentry: the rewrite after nf_hook_slow names its hook", w.s ? w.s : "",
		  " SNAT 198.18.81.2 -> 198.18.82.1 in hook POSTROUTING");
	fe[1].probe = PP_PROBE_NETFILTER;
	fe[1].func = 0; /* a netfilter link's own step: the hook is in its name */
	fe[1].have |= PP_HAVE_NF;
	carry_in_timeline(&tl, 1, &tx);
	sb_reset(&w);
	rw_step_text(&w, &fe[1], &tx);
	CHECK_STR("a netfilter link's step says no hook again", w.s ? w.s : "", " SNAT 198.18.81.2 -> 198.18.82.1");
	sb_free(&w);

	/* Decoding. */
	struct pp_event r = {0};
	r.ethertype = 0x0806;
	r.len = 28;
	uint8_t arp[28] = {0, 1, 8, 0, 6, 4, 0, 1, 0xde, 0xad, 0xbe, 0xef, 0, 1, 198, 18, 60, 1,
			   0, 0, 0, 0, 0, 0, 198, 18, 60, 2};
	memcpy(r.raw, arp, sizeof(arp));
	r.raw_len = 28;
	CHECK_STR("ARP request", pkt(&r), "ARP, Request who-has 198.18.60.2 tell 198.18.60.1 len 28");
	r.raw[7] = 2;
	CHECK_STR("ARP reply", pkt(&r), "ARP, Reply 198.18.60.1 is-at de:ad:be:ef:00:01 len 28");
	r.raw_len = 20;
	CHECK_STR("ARP cut short: only what was read", pkt(&r), "ARP, hardware 1 proto 0x0800 op 2 len 28");
	r.raw_len = 0;
	CHECK_STR("ARP without bytes: the ethertype as before", pkt(&r), "ethertype 0x0806 (ARP) len 28");
	r.raw_len = 200; /* a corrupt record: bounded by the array */
	CHECK("raw_len beyond the array is bounded", strstr(pkt(&r), "ARP, Reply") != NULL);
	/* In-band 802.1Q inside an out-of-band 802.1ad tag, carrying ARP. */
	struct pp_event v = {0};
	v.ethertype = 0x8100;
	v.vlan_proto = 0x88a8;
	v.vlan_tci = 200 | 3 << 13;
	put16(v.raw, 100);
	put16(v.raw + 2, 0x0806);
	memcpy(v.raw + 4, arp, sizeof(arp));
	v.raw[4 + 7] = 1;
	v.raw_len = 32;
	v.len = 46;
	CHECK_STR("802.1ad out of band, 802.1Q in band, ARP inside", pkt(&v),
		  "802.1ad vlan 200 p 3, vlan 100, ARP, Request who-has 198.18.60.2 tell 198.18.60.1 len 46");
	struct pp_event t = ip4("198.18.85.1", 5, "198.18.85.2", 0, 1);
	t.vlan_proto = 0x8100;
	t.vlan_tci = 100;
	t.icmp_type = 8;
	t.sport = 9;
	t.dport = 1;
	CHECK_STR("an out-of-band tag before the IP summary", pkt(&t),
		  "vlan 100, ICMP 198.18.85.1 > 198.18.85.2 echo-request id 9 seq 1 len 60");
	/* ICMP port unreachable quoting a UDP datagram. */
	struct pp_event u = ip4("198.18.85.2", 0, "198.18.85.1", 0, 1);
	u.icmp_type = 3;
	u.icmp_code = 3;
	uint8_t *x = u.raw;
	x[0] = 0x45;
	x[9] = 1;
	x[20] = 3;
	x[21] = 3;
	x[28] = 0x45;
	x[28 + 9] = 17;
	memcpy(x + 28 + 12, u.daddr, 4);
	memcpy(x + 28 + 16, u.saddr, 4);
	put16(x + 48, 34760);
	put16(x + 50, 7779);
	u.raw_len = 56;
	CHECK_STR("ICMP unreachable: reason and the quoted datagram", pkt(&u),
		  "ICMP 198.18.85.2 > 198.18.85.1 unreachable code 3 (port) for UDP 198.18.85.1:34760 > 198.18.85.2:7779 len 60");
	u.raw_len = 50;
	CHECK_STR("ICMP unreachable, quote cut before the ports", pkt(&u),
		  "ICMP 198.18.85.2 > 198.18.85.1 unreachable code 3 (port) for UDP 198.18.85.1 > 198.18.85.2 len 60");
	/* ICMPv6 neighbour solicitation. */
	struct pp_event n = {0};
	n.have = PP_HAVE_L3 | PP_HAVE_L4;
	n.ethertype = 0x86dd;
	n.ipver = 6;
	n.l4proto = 58;
	n.icmp_type = 135;
	inet_pton(AF_INET6, "2001:2:0:85::1", n.saddr);
	inet_pton(AF_INET6, "ff02::1:ff00:2", n.daddr);
	n.raw[0] = 0x60;
	n.raw[6] = 58;
	n.raw[40] = 135;
	inet_pton(AF_INET6, "2001:2:0:85::2", n.raw + 48);
	n.raw_len = 64;
	n.len = 72;
	CHECK_STR("ICMPv6 neighbour solicitation names its target", pkt(&n),
		  "ICMP6 2001:2:0:85::1 > ff02::1:ff00:2 neighbor-solicit who has 2001:2:0:85::2 len 72");
	n.raw_len = 60;
	CHECK_STR("ICMPv6 NS cut short: no target", pkt(&n), "ICMP6 2001:2:0:85::1 > ff02::1:ff00:2 neighbor-solicit len 72");

	/* IPv6 extension headers, said where tcpdump says them (after the
	 * addresses), the L4 header found behind them. */
	struct pp_event f6 = n;
	memset(f6.raw, 0, sizeof(f6.raw));
	inet_pton(AF_INET6, "2001:2:0:85::2", f6.daddr);
	f6.have |= PP_HAVE_EXT6;
	f6.icmp_type = 128;
	f6.sport = 7;
	f6.dport = 1;
	f6.len = 1496;
	uint8_t *z = f6.raw;
	z[0] = 0x60;
	put16(z + 4, 8 + 1448); /* payload: the fragment header and 1448 bytes */
	z[6] = 44;
	z[40] = 58;
	put16(z + 42, 0 | 1); /* offset 0, more fragments */
	z[48] = 128;
	put16(z + 52, 7);
	put16(z + 54, 1);
	f6.raw_len = 56;
	CHECK_STR("IPv6 first fragment: the fragment header, then the echo behind it", pkt(&f6),
		  "ICMP6 2001:2:0:85::1 > 2001:2:0:85::2 frag (0|1448) echo-request id 7 seq 1 len 1496");
	put16(z + 42, 1448 | 1);
	f6.have = (f6.have & ~PP_HAVE_L4) | PP_HAVE_FRAG;
	f6.raw_len = 48;
	CHECK_STR("IPv6 later fragment: its offset and length, no L4 (and no second 'frag')", pkt(&f6),
		  "ICMP6 2001:2:0:85::1 > 2001:2:0:85::2 frag (1448|1448) len 1496");
	f6.raw_len = 44;
	CHECK_STR("IPv6 fragment header cut short: said so, 'frag' from the BPF side", pkt(&f6),
		  "ICMP6 2001:2:0:85::1 > 2001:2:0:85::2 (extension header 44 not read) frag len 1496");
	/* MLDv2 report behind a hop-by-hop header with router alert. */
	struct pp_event m6 = n;
	memset(m6.raw, 0, sizeof(m6.raw));
	inet_pton(AF_INET6, "fe80::1", m6.saddr);
	inet_pton(AF_INET6, "ff02::16", m6.daddr);
	m6.have |= PP_HAVE_EXT6;
	m6.icmp_type = 143;
	m6.len = 76;
	z = m6.raw;
	z[0] = 0x60;
	put16(z + 4, 36);
	z[6] = 0;
	z[40] = 58;
	z[41] = 0;
	z[42] = 5; /* router alert, 2 bytes: MLD */
	z[43] = 2;
	z[46] = 1; /* PadN, 0 bytes */
	z[47] = 0;
	z[48] = 143;
	put16(z + 54, 1);
	z[56] = 4;
	inet_pton(AF_INET6, "ff02::1:ff00:3", z + 60);
	m6.raw_len = 76;
	CHECK_STR("MLDv2 report behind hop-by-hop: the options, the report and its group", pkt(&m6),
		  "ICMP6 fe80::1 > ff02::16 HBH (rtalert: 0x0000) (padn) multicast-listener-report-v2 1 group record(s): "
		  "ff02::1:ff00:3 len 76");
	put16(z + 54, 3);
	CHECK_STR("MLDv2 report with more records than the bytes kept: '...'", pkt(&m6),
		  "ICMP6 fe80::1 > ff02::16 HBH (rtalert: 0x0000) (padn) multicast-listener-report-v2 3 group record(s): "
		  "ff02::1:ff00:3, ... len 76");
	put16(z + 54, 1);
	m6.raw_len = 60;
	CHECK_STR("MLDv2 report cut before its record: the count only", pkt(&m6),
		  "ICMP6 fe80::1 > ff02::16 HBH (rtalert: 0x0000) (padn) multicast-listener-report-v2 1 group record(s) len 76");
	/* UDP behind destination options and a segment routing header. */
	struct pp_event r6 = f6;
	memset(r6.raw, 0, sizeof(r6.raw));
	r6.have = PP_HAVE_L3 | PP_HAVE_L4 | PP_HAVE_EXT6;
	r6.l4proto = 17;
	r6.sport = 5000;
	r6.dport = 7000;
	r6.len = 80;
	z = r6.raw;
	z[0] = 0x60;
	put16(z + 4, 40);
	z[6] = 60;
	z[40] = 43;
	z[41] = 0;
	z[42] = 1; /* PadN, 4 bytes */
	z[43] = 4;
	z[48] = 17;
	z[49] = 2;
	z[50] = 4; /* segment routing */
	z[51] = 0;
	inet_pton(AF_INET6, "2001:2::9", z + 56);
	put16(z + 72, 5000);
	put16(z + 74, 7000);
	r6.raw_len = 80;
	CHECK_STR("UDP behind destination options and a routing header", pkt(&r6),
		  "UDP [2001:2:0:85::1]:5000 > [2001:2:0:85::2]:7000 DSTOPT (padn) srcrt (len=2, type=4, segleft=0, "
		  "last-entry=0, flags=0x0, tag=0, [0]2001:2::9) len 80");
	r6.raw_len = 64;
	CHECK_STR("a routing header cut short lists what was read", pkt(&r6),
		  "UDP [2001:2:0:85::1]:5000 > [2001:2:0:85::2]:7000 DSTOPT (padn) srcrt (len=2, type=4, segleft=0, "
		  "last-entry=0, flags=0x0, tag=0, ...) len 80");
	r6.have &= ~PP_HAVE_EXT6;
	r6.raw_len = 0;
	CHECK_STR("no bytes kept (an older recording): the summary as before", pkt(&r6),
		  "UDP [2001:2:0:85::1]:5000 > [2001:2:0:85::2]:7000 len 80");
	/* A quoted packet behind a fragment header: its ports found. */
	struct pp_event q6 = n;
	memset(q6.raw, 0, sizeof(q6.raw));
	q6.icmp_type = 1;
	q6.icmp_code = 4;
	z = q6.raw;
	z[0] = 0x60;
	z[6] = 58;
	z[40] = 1;
	z[41] = 4;
	uint8_t *qq = z + 48;
	qq[0] = 0x60;
	qq[6] = 44;
	inet_pton(AF_INET6, "2001:2:0:85::2", qq + 8);
	inet_pton(AF_INET6, "2001:2:0:85::1", qq + 24);
	qq[40] = 17;
	q6.raw_len = 96;
	CHECK_STR("ICMPv6 error quoting a first fragment: UDP found behind it, its ports not kept", pkt(&q6),
		  "ICMP6 2001:2:0:85::1 > ff02::1:ff00:2 unreachable code 4 (port) for UDP 2001:2:0:85::2 > 2001:2:0:85::1 len 72");
	qq[40] = 0;
	CHECK_STR("... and a hop-by-hop header beyond the bytes kept: the quoted header's words only", pkt(&q6),
		  "ICMP6 2001:2:0:85::1 > ff02::1:ff00:2 unreachable code 4 (port) for IPv6 2001:2:0:85::2 > 2001:2:0:85::1 proto 0 len 72");

	/* An IPv6 route: its gateway and table (the tracepoint backend's rt6_info). */
	struct pp_event rt = {0};
	rt.have = PP_HAVE_ROUTE;
	memcpy(rt.out_dev, "veth-a", 7);
	rt.rt_gw_family = 10;
	inet_pton(AF_INET6, "2001:2:0:134::2", rt.rt_gw);
	rt.rt_type = 1;
	rt.rt_table = 254;
	rt.rt_mtu = 1500;
	struct strbuf rs = {0};
	route_detail(&rs, &rt);
	CHECK_STR("IPv6 route: gateway, type and table main", rs.s ? rs.s : "",
		  " dev veth-a via 2001:2:0:134::2 type unicast table main mtu 1500");
	rt.rt_table = 100;
	rt.rt_gw_family = 0;
	sb_reset(&rs);
	route_detail(&rs, &rt);
	CHECK_STR("a table by its number, on-link", rs.s ? rs.s : "", " dev veth-a on-link type unicast table 100 mtu 1500");
	rt.rt_table = 0;
	sb_reset(&rs);
	route_detail(&rs, &rt);
	CHECK_STR("no table known (IPv4): none said", rs.s ? rs.s : "", " dev veth-a on-link type unicast mtu 1500");
	sb_free(&rs);

	/* VXLAN: outer IPv4/UDP to 4789, VXLAN header, inner Ethernet + IPv4 + ICMP echo. */
	struct pp_event vx = ip4("198.18.85.1", 44237, "198.18.85.2", 4789, 17);
	uint8_t *y = vx.raw;
	y[0] = 0x45;
	y[9] = 17;
	y[28] = 0x08; /* VXLAN flags: VNI valid */
	y[32] = 0;
	y[33] = 0;
	y[34] = 42;
	put16(y + 36 + 12, 0x0800);
	uint8_t *in = y + 50;
	in[0] = 0x45;
	in[9] = 1;
	inet_pton(AF_INET, "198.18.88.1", in + 12);
	inet_pton(AF_INET, "198.18.88.2", in + 16);
	in[20] = 8;
	put16(in + 24, 7);
	put16(in + 26, 1);
	vx.raw_len = 78;
	CHECK_STR("VXLAN: the inner packet after the outer", pkt(&vx),
		  "UDP 198.18.85.1:44237 > 198.18.85.2:4789 vxlan vni 42: ICMP 198.18.88.1 > 198.18.88.2 echo-request id 7 seq 1 len 60");
	vx.raw_len = 60;
	CHECK_STR("VXLAN cut inside the inner IP header: its ethertype only", pkt(&vx),
		  "UDP 198.18.85.1:44237 > 198.18.85.2:4789 vxlan vni 42: ethertype 0x0800 len 60");
	vx.raw_len = 40;
	CHECK_STR("VXLAN cut inside the inner Ethernet header", pkt(&vx),
		  "UDP 198.18.85.1:44237 > 198.18.85.2:4789 vxlan vni 42: (inner frame not read) len 60");
	vx.raw_len = 74;
	CHECK_STR("VXLAN: inner header without its ICMP", pkt(&vx),
		  "UDP 198.18.85.1:44237 > 198.18.85.2:4789 vxlan vni 42: ICMP 198.18.88.1 > 198.18.88.2 len 60");
	struct pp_event gre = ip4("198.18.85.1", 0, "198.18.85.2", 0, 47);
	gre.have &= ~PP_HAVE_L4;
	gre.raw[0] = 0x45;
	gre.raw[9] = 47;
	gre.raw[20] = 0x20; /* key present */
	put16(gre.raw + 22, 0x0800);
	put16(gre.raw + 26, 5);
	memcpy(gre.raw + 28, in, 28);
	gre.raw_len = 56;
	CHECK_STR("GRE with a key: the inner packet", pkt(&gre),
		  "IPv4 198.18.85.1 > 198.18.85.2 proto 47 gre key 5: ICMP 198.18.88.1 > 198.18.88.2 echo-request id 7 seq 1 len 60");

	/* Print time: a server's ACK sent in softirq before its process
	 * touched the new socket names it once a later packet of that socket
	 * and flow did. */
	struct ev_extra ex;
	struct sk_owners so = {0};
	struct pp_event pt[3];
	pt[0] = ip4("198.18.87.2", 8090, "198.18.87.1", 45288, 6); /* the server's ACK, sent */
	pt[0].probe = PP_PROBE_TX;
	pt[0].step = PP_STEP_DEV_TX;
	pt[0].sk = 0xffff888111110000ull;
	pt[0].have |= PP_HAVE_SK;
	pt[1] = pt[0]; /* received by the client: its socket, its owner */
	pt[1].probe = PP_PROBE_RX;
	pt[1].step = PP_STEP_DEV_RX;
	pt[1].sk = 0xffff888122220000ull;
	pt[1].have |= PP_HAVE_OWNER;
	pt[1].owner.tgid = 300;
	pt[2] = pt[1];
	pt[2].probe = PP_PROBE_NETFILTER;
	pt[2].step = 0;
	struct pp_event later = ip4("198.18.87.1", 45288, "198.18.87.2", 8090, 6); /* the other way, same socket */
	later.sk = pt[0].sk;
	later.have |= PP_HAVE_SK | PP_HAVE_OWNER;
	later.owner.tgid = 400;
	memcpy(later.owner.comm, "server", 7);
	struct pp_event other = later; /* the same address, another flow */
	other.sport = 45289;
	other.sk = 0xffff888133330000ull;
	sko_learn(&so, &other);
	struct timeline pl = {.ev = pt, .n = 3};
	sko_fill(&so, &pl);
	CHECK("print time: nothing learned for its socket and flow, nothing filled", !(pt[0].have & PP_HAVE_OWNER));
	sko_learn(&so, &pt[1]);
	sko_learn(&so, &later);
	sko_fill(&so, &pl);
	CHECK("print time: the sent step gets its socket's owner, marked",
	      pt[0].owner.tgid == 400 && (pt[0].have & PP_HAVE_OWNER_SOCKET) && !strcmp(pt[0].owner.comm, "server"));
	CHECK("print time: steps with their own owner are left as they are",
	      pt[1].owner.tgid == 300 && !(pt[1].have & PP_HAVE_OWNER_SOCKET) && so.filled == 1);
	carry_in_timeline(&pl, 2, &ex);
	CHECK("print time: the receiving side then names the sender, the client as receiver",
	      ex.owner_from == &pt[0] && ex.receiver == &pt[2]);
	struct pp_event reuse[1] = {pt[0]};
	reuse[0].have &= ~(PP_HAVE_OWNER | PP_HAVE_OWNER_SOCKET);
	reuse[0].sport = 8091; /* the socket's address, another flow: another socket */
	struct timeline rl = {.ev = reuse, .n = 1};
	sko_fill(&so, &rl);
	CHECK("print time: an address with another flow is not taken for the socket", !(reuse[0].have & PP_HAVE_OWNER));
	struct pp_event own[2] = {pt[0], pt[0]}; /* the packet knows its socket's owner at a later step */
	own[0].have &= ~(PP_HAVE_OWNER | PP_HAVE_OWNER_SOCKET);
	own[1].have = (own[1].have & ~PP_HAVE_OWNER_SOCKET) | PP_HAVE_OWNER;
	own[1].owner.tgid = 500;
	struct timeline ol = {.ev = own, .n = 2};
	sko_fill(&so, &ol);
	CHECK("print time: a packet that knew its socket's owner itself keeps carrying it from there",
	      !(own[0].have & PP_HAVE_OWNER));
	carry_in_timeline(&ol, 0, &ex);
	CHECK("... as before: from its later step", ex.owner_from == &own[1]);
	sko_free(&so);

	/* --stream: the owner travels, receivers are said, rewrites show. */
	struct carry c = {0};
	struct pp_event s1 = ip4("198.18.84.1", 5000, "198.18.84.2", 8090, 6);
	s1.probe = PP_PROBE_TX;
	s1.step = PP_STEP_DEV_TX;
	s1.have |= PP_HAVE_OWNER | PP_HAVE_DEV;
	s1.owner.tgid = 100;
	memcpy(s1.owner.comm, "client", 7);
	carry_stream(&c, &s1, &ex);
	CHECK("stream: the first line has nothing to carry", !ex.owner_from && !ex.before);
	struct pp_event s2 = s1;
	s2.probe = PP_PROBE_RX;
	s2.step = PP_STEP_DEV_RX;
	s2.netns = 4026532001u;
	s2.have &= ~PP_HAVE_OWNER;
	carry_stream(&c, &s2, &ex);
	CHECK("stream: a receive line without owner gets the sender's", ex.owner_from && ex.owner_from->owner.tgid == 100);
	struct pp_event s3 = s2;
	s3.probe = PP_PROBE_NETFILTER;
	s3.step = 0;
	s3.have |= PP_HAVE_OWNER;
	s3.owner.tgid = 200;
	carry_stream(&c, &s3, &ex);
	CHECK("stream: the receiving socket's owner is the receiver, the sender stays",
	      ex.owner_from && ex.owner_from->owner.tgid == 100 && ex.receiver == &s3);
	struct pp_event s4 = s2;
	s4.probe = PP_PROBE_NETFILTER;
	s4.step = 0;
	inet_pton(AF_INET, "198.18.84.9", s4.daddr);
	carry_stream(&c, &s4, &ex);
	struct rewrite rr;
	CHECK("stream: the previous header is there for a rewrite", ex.before && rw_find(ex.before, &s4, &rr) && rr.dst);
	struct pp_event s5 = s4;
	s5.probe = PP_PROBE_FREE;
	carry_stream(&c, &s5, &ex);
	struct pp_event s6 = s1;
	s6.have &= ~PP_HAVE_OWNER;
	s6.ip_id = 1; /* the next packet at the address */
	carry_stream(&c, &s6, &ex);
	CHECK("stream: after its free the address forgets the packet", !ex.owner_from && !ex.before);
	/* Another packet at the same address, its end not seen. */
	struct pp_event s7 = s6;
	s7.step = 0;
	s7.probe = PP_PROBE_NETFILTER;
	s7.have |= PP_HAVE_OWNER;
	carry_stream(&c, &s7, &ex);
	struct pp_event s8 = s7;
	s8.have &= ~PP_HAVE_OWNER;
	s8.head = 0xffff888100d00000ull; /* another data buffer */
	s8.step = PP_STEP_DEV_TX;
	carry_stream(&c, &s8, &ex);
	CHECK("stream: another packet at the address carries nothing of the last", !ex.owner_from);
	/* Many packets: bounded, the least recent pushed out. */
	for (uint64_t i = 0; i < CARRY_SETS * CARRY_WAYS * 2; i++) {
		struct pp_event m = s1;
		m.skb = 0xffff888200000000ull + i * 256;
		carry_stream(&c, &m, &ex);
	}
	CHECK("stream: the cache stays bounded and counts what it pushed out", c.evicted >= CARRY_SETS * CARRY_WAYS);
	carry_free(&c);
	return unit_failed;
}
