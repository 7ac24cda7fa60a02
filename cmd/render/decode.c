#include "cmd/render/decode.h"

#include <arpa/inet.h>
#include <string.h>

#include "cmd/util/strfmt.h"

#define ETH_P_ARP_ 0x0806
#define ETH_P_IP_ 0x0800
#define ETH_P_IPV6_ 0x86dd
#define ETH_P_8021Q_ 0x8100
#define ETH_P_8021AD_ 0x88a8

static unsigned be16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static void ip4(char *out, size_t len, const uint8_t *a)
{
	pp_snprintf(out, len, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
}

static void ip6(char *out, size_t len, const uint8_t *a)
{
	if (!inet_ntop(AF_INET6, a, out, (socklen_t)len))
		pp_snprintf(out, len, "?");
}

static void tag(struct strbuf *sb, unsigned tpid, unsigned tci)
{
	sb_printf(sb, "%svlan %u", tpid == ETH_P_8021AD_ ? "802.1ad " : "", tci & 0xfff);
	if (tci >> 13)
		sb_printf(sb, " p %u", tci >> 13);
	sb_printf(sb, ", ");
}

void dec_vlan_tag(struct strbuf *sb, const struct pp_event *e)
{
	if (e->vlan_proto)
		tag(sb, e->vlan_proto, e->vlan_tci);
}

/* ARP at p (n bytes): tcpdump's words for Ethernet/IPv4 ARP. */
static bool arp(struct strbuf *sb, const uint8_t *p, size_t n)
{
	if (n < 8)
		return false;
	unsigned op = be16(p + 6);
	if (be16(p) != 1 || be16(p + 2) != ETH_P_IP_ || p[4] != 6 || p[5] != 4 || n < 28) {
		sb_printf(sb, "ARP, hardware %u proto 0x%04x op %u", be16(p), be16(p + 2), op);
		return true;
	}
	char spa[16], tpa[16];
	ip4(spa, sizeof(spa), p + 14);
	ip4(tpa, sizeof(tpa), p + 24);
	const uint8_t *sha = p + 8;
	if (op == 1)
		sb_printf(sb, "ARP, Request who-has %s tell %s", tpa, spa);
	else if (op == 2)
		sb_printf(sb, "ARP, Reply %s is-at %02x:%02x:%02x:%02x:%02x:%02x", spa, sha[0], sha[1], sha[2], sha[3],
			  sha[4], sha[5]);
	else
		sb_printf(sb, "ARP, op %u %s > %s", op, spa, tpa);
	return true;
}

/* IPv6 extension headers that may precede the L4 header: hop-by-hop
 * options, routing, fragment, destination options (what bpf/parse.bpf.h
 * skips to find the ports). */
static bool ext6(unsigned nh)
{
	return nh == 0 || nh == 43 || nh == 44 || nh == 60;
}

/* The options of a hop-by-hop or destination options header (TLVs from
 * p, n bytes), in tcpdump's words. */
static void opts6(struct strbuf *sb, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned t = p[i];
		if (t == 0) { /* Pad1: a single byte, no length */
			sb_printf(sb, " (pad1)");
			i++;
			continue;
		}
		if (i + 2 > n || i + 2 + p[i + 1] > n) {
			sb_printf(sb, " (option cut short)");
			return;
		}
		unsigned l = p[i + 1];
		const uint8_t *v = p + i + 2;
		if (t == 1)
			sb_printf(sb, " (padn)");
		else if (t == 5 && l == 2)
			sb_printf(sb, " (rtalert: 0x%04x)", be16(v));
		else if (t == 0xc2 && l == 4)
			sb_printf(sb, " (jumbo: %u)", (unsigned)v[0] << 24 | (unsigned)v[1] << 16 | be16(v + 2));
		else
			sb_printf(sb, " (type 0x%02x: len=%u)", t, l);
		i += 2 + l;
	}
}

/* A routing header at p (hl bytes, n read): its type, segments left and
 * the addresses it lists (type 0, 2: after 8 bytes; type 4, segment
 * routing: after 8 bytes too, last-entry, flags and tag before). */
static void rt6(struct strbuf *sb, const uint8_t *p, size_t hl, size_t n)
{
	sb_printf(sb, " srcrt (len=%u, type=%u, segleft=%u", p[1], p[2], p[3]);
	if (p[2] == 4)
		sb_printf(sb, ", last-entry=%u, flags=0x%x, tag=%x", p[4], p[5], be16(p + 6));
	if (p[2] == 0 || p[2] == 2 || p[2] == 4) {
		size_t end = hl < n ? hl : n;
		for (size_t a = 8, i = 0; a + 16 <= end; a += 16, i++) {
			char s[64];
			ip6(s, sizeof(s), p + a);
			sb_printf(sb, ", [%zu]%s", i, s);
		}
		if (hl > n)
			sb_printf(sb, ", ...");
	}
	sb_printf(sb, ")");
}

/* Walks the extension headers of the IPv6 packet at p (n bytes read),
 * saying each in sb when sb is not NULL. Returns the offset of what
 * follows them, 0 when it is not in the bytes read or is not there (a
 * later fragment); *proto is the header that follows. */
static size_t walk6(struct strbuf *sb, const uint8_t *p, size_t n, unsigned *proto, bool *frag)
{
	*proto = 255; /* none */
	if (n < 40 || p[0] >> 4 != 6)
		return 0;
	unsigned nh = p[6];
	size_t off = 40;
	*proto = nh;
	for (int i = 0; i < 8 && ext6(nh); i++) {
		if (off + 8 > n) {
			*proto = nh;
			if (sb)
				sb_printf(sb, " (extension header %u not read)", nh);
			return 0;
		}
		const uint8_t *h = p + off;
		size_t hl = nh == 44 ? 8 : ((size_t)h[1] + 1) * 8;
		if (nh == 44) {
			/* Offset | this fragment's data: the payload after this header. */
			unsigned fo = be16(h + 2) & 0xfff8, plen = be16(p + 4);
			size_t after = off + 8 - 40;
			if (sb)
				sb_printf(sb, " frag (%u|%zu)", fo, plen > after ? plen - after : 0);
			if (frag)
				*frag = true;
			if (fo) {
				*proto = h[0];
				return 0; /* a later fragment: no L4 header here */
			}
		} else if (sb) {
			if (nh == 43)
				rt6(sb, h, hl, n - off);
			else {
				sb_printf(sb, " %s", nh == 0 ? "HBH" : "DSTOPT");
				opts6(sb, h + 2, (off + hl <= n ? hl : n - off) - 2);
			}
		}
		nh = h[0];
		off += hl;
	}
	*proto = nh;
	if (ext6(nh)) {
		if (sb)
			sb_printf(sb, " (more extension headers)");
		return 0;
	}
	return off <= n ? off : 0;
}

bool dec_ext6(struct strbuf *sb, const struct pp_event *e)
{
	const uint8_t *p = e->raw;
	size_t n = e->raw_len < PP_RAW_LEN ? e->raw_len : PP_RAW_LEN;
	unsigned proto;
	bool frag = false;
	if (e->ipver != 6 || n < 40 || p[0] >> 4 != 6 || !ext6(p[6]))
		return false;
	walk6(sb, p, n, &proto, &frag);
	return frag;
}

/* "ICMP 198.18.0.1 > 198.18.0.2", "UDP 198.18.0.1:5 > 198.18.0.2:7": an IP
 * header at p (n bytes) and its ports when they are there. */
static bool ip_summary(struct strbuf *sb, const uint8_t *p, size_t n)
{
	char s[64], d[64];
	unsigned proto;
	size_t l4;
	if (n >= 20 && p[0] >> 4 == 4) {
		ip4(s, sizeof(s), p + 12);
		ip4(d, sizeof(d), p + 16);
		proto = p[9];
		l4 = (size_t)(p[0] & 0xf) * 4;
		if (be16(p + 6) & 0x1fff)
			l4 = (size_t)-1; /* a later fragment: no ports */
	} else if (n >= 40 && p[0] >> 4 == 6) {
		ip6(s, sizeof(s), p + 8);
		ip6(d, sizeof(d), p + 24);
		proto = p[6];
		l4 = 40;
		if (ext6(proto) && !(l4 = walk6(NULL, p, n, &proto, NULL)))
			l4 = (size_t)-1; /* behind extension headers not read, or a later fragment */
	} else {
		return false;
	}
	const char *name = proto == 6 ? "TCP" : proto == 17 ? "UDP" : proto == 1 ? "ICMP" : proto == 58 ? "ICMP6" : NULL;
	bool ports = (proto == 6 || proto == 17) && l4 != (size_t)-1 && l4 + 4 <= n;
	bool v6 = p[0] >> 4 == 6;
	if (name && ports)
		sb_printf(sb, "%s %s%s%s:%u > %s%s%s:%u", name, v6 ? "[" : "", s, v6 ? "]" : "", be16(p + l4),
			  v6 ? "[" : "", d, v6 ? "]" : "", be16(p + l4 + 2));
	else if (name)
		sb_printf(sb, "%s %s > %s", name, s, d);
	else
		sb_printf(sb, "IPv%u %s > %s proto %u", v6 ? 6 : 4, s, d, proto);
	/* An echo inside a tunnel: which one. */
	bool icmp = proto == 1 || proto == 58;
	if (icmp && l4 != (size_t)-1 && l4 + 8 <= n) {
		unsigned t = p[l4], req = proto == 1 ? 8 : 128, rep = proto == 1 ? 0 : 129;
		if (t == req || t == rep)
			sb_printf(sb, " %s id %u seq %u", t == req ? "echo-request" : "echo-reply", be16(p + l4 + 4),
				  be16(p + l4 + 6));
		else
			sb_printf(sb, " type %u code %u", t, p[l4 + 1]);
	}
	return true;
}

bool dec_l2(struct strbuf *sb, const struct pp_event *e)
{
	const uint8_t *p = e->raw;
	size_t n = e->raw_len < PP_RAW_LEN ? e->raw_len : PP_RAW_LEN;
	unsigned type = e->ethertype;
	bool said = false;
	/* In-band tags: raw starts at the first tag's TCI. */
	for (int depth = 0; depth < 2 && (type == ETH_P_8021Q_ || type == ETH_P_8021AD_) && n >= 4; depth++) {
		tag(sb, type, be16(p));
		type = be16(p + 2);
		p += 4;
		n -= 4;
		said = true;
	}
	if (type == ETH_P_ARP_ && arp(sb, p, n))
		return true;
	if ((type == ETH_P_IP_ || type == ETH_P_IPV6_) && said && ip_summary(sb, p, n))
		return true;
	if (said)
		sb_printf(sb, "ethertype 0x%04x", type);
	return said;
}

/* The L4 header of the IP packet in raw: its offset, 0 when not there. */
static size_t l4_off(const struct pp_event *e, const uint8_t *p, size_t n)
{
	if (e->ipver == 4 && n >= 20 && p[0] >> 4 == 4 && !(be16(p + 6) & 0x1fff))
		return (size_t)(p[0] & 0xf) * 4;
	unsigned proto;
	size_t off;
	if (e->ipver == 6 && (off = walk6(NULL, p, n, &proto, NULL)) && proto == e->l4proto)
		return off;
	return 0;
}

/* An Ethernet frame at p: its tag-less ethertype's payload summarized. */
static void inner_frame(struct strbuf *sb, const uint8_t *p, size_t n)
{
	if (n < 14) {
		sb_printf(sb, "(inner frame not read)");
		return;
	}
	unsigned type = be16(p + 12);
	if (type == ETH_P_ARP_ && arp(sb, p + 14, n - 14))
		return;
	if ((type == ETH_P_IP_ || type == ETH_P_IPV6_) && ip_summary(sb, p + 14, n - 14))
		return;
	sb_printf(sb, "ethertype 0x%04x", type);
}

void dec_tunnel(struct strbuf *sb, const struct pp_event *e)
{
	const uint8_t *p = e->raw;
	size_t n = e->raw_len < PP_RAW_LEN ? e->raw_len : PP_RAW_LEN;
	size_t off = l4_off(e, p, n);
	if (!off)
		return;
	if (e->l4proto == 17 && (e->dport == 4789 || e->dport == 8472) && off + 16 <= n) {
		const uint8_t *v = p + off + 8; /* VXLAN: flags, 3 reserved, VNI (24 bits), 1 reserved */
		if (!(v[0] & 0x08))
			return;
		sb_printf(sb, " vxlan vni %u: ", (unsigned)v[4] << 16 | (unsigned)v[5] << 8 | v[6]);
		inner_frame(sb, v + 8, n - off - 16);
	} else if (e->l4proto == 17 && e->dport == 6081 && off + 16 <= n) {
		const uint8_t *g = p + off + 8; /* Geneve: ver/opt len, flags, protocol, VNI, reserved, options */
		size_t hl = 8 + (size_t)(g[0] & 0x3f) * 4;
		sb_printf(sb, " geneve vni %u: ", (unsigned)g[4] << 16 | (unsigned)g[5] << 8 | g[6]);
		if (be16(g + 2) == 0x6558)
			inner_frame(sb, g + hl, off + 8 + hl <= n ? n - off - 8 - hl : 0);
		else if (off + 8 + hl > n || !ip_summary(sb, g + hl, n - off - 8 - hl))
			sb_printf(sb, "protocol 0x%04x", be16(g + 2));
	} else if (e->l4proto == 47 && off + 4 <= n) {
		const uint8_t *g = p + off; /* GRE: flags (C, K, S add 4 bytes each), protocol */
		size_t hl = 4 + ((g[0] & 0x80) ? 4 : 0) + ((g[0] & 0x20) ? 4 : 0) + ((g[0] & 0x10) ? 4 : 0);
		unsigned proto = be16(g + 2);
		sb_printf(sb, " gre");
		if (g[0] & 0x20 && off + 8 + ((g[0] & 0x80) ? 4 : 0) <= n) {
			const uint8_t *k = g + 4 + ((g[0] & 0x80) ? 4 : 0);
			sb_printf(sb, " key %u", (unsigned)k[0] << 24 | (unsigned)k[1] << 16 | be16(k + 2));
		}
		sb_printf(sb, ": ");
		size_t left = off + hl <= n ? n - off - hl : 0;
		if (proto == 0x6558)
			inner_frame(sb, g + hl, left);
		else if ((proto == ETH_P_IP_ || proto == ETH_P_IPV6_) && ip_summary(sb, g + hl, left))
			;
		else
			sb_printf(sb, "protocol 0x%04x", proto);
	} else if (e->l4proto == 4 || e->l4proto == 41) {
		sb_printf(sb, " %s: ", e->l4proto == 4 ? "ipip" : "6in4");
		if (!ip_summary(sb, p + off, n - off))
			sb_printf(sb, "(inner packet not read)");
	}
}

static const char *unreach4(unsigned code)
{
	static const char *const c[] = {"net",	"host",		"protocol",	"port",	   "need-frag",
					"source-route", "net-unknown", "host-unknown", "isolated", "net-prohibited",
					"host-prohibited", "net-tos", "host-tos", "admin-prohibited"};
	return code < sizeof(c) / sizeof(c[0]) ? c[code] : NULL;
}

static const char *unreach6(unsigned code)
{
	static const char *const c[] = {"no-route", "admin-prohibited", "beyond-scope", "address", "port",
					"policy-failed", "reject-route"};
	return code < sizeof(c) / sizeof(c[0]) ? c[code] : NULL;
}

void dec_icmp(struct strbuf *sb, const struct pp_event *e)
{
	const uint8_t *p = e->raw;
	size_t n = e->raw_len < PP_RAW_LEN ? e->raw_len : PP_RAW_LEN;
	size_t off; /* the ICMP header in raw */
	if (e->l4proto == 1 && n >= 20 && p[0] >> 4 == 4)
		off = (size_t)(p[0] & 0xf) * 4;
	else if (e->l4proto == 58 && (off = l4_off(e, p, n)))
		; /* ICMPv6 after the fixed header (ND always is) or extension headers (MLD) */
	else
		return;
	if (off + 8 > n)
		return;
	unsigned type = p[off], code = p[off + 1];
	bool err;
	if (e->l4proto == 1) {
		err = type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
		const char *u = type == 3 ? unreach4(code) : NULL;
		if (u)
			sb_printf(sb, " (%s)", u);
		if (type == 3 && code == 4 && be16(p + off + 6))
			sb_printf(sb, " mtu %u", be16(p + off + 6));
	} else {
		err = type < 128;
		const char *u = type == 1 ? unreach6(code) : NULL;
		if (u)
			sb_printf(sb, " (%s)", u);
		if (type == 2)
			sb_printf(sb, " mtu %u", (unsigned)p[off + 4] << 24 | (unsigned)p[off + 5] << 16 | be16(p + off + 6));
		if ((type == 130 || type == 131 || type == 132) && off + 24 <= n) {
			char g[64]; /* MLDv1 (and the query's): the multicast address */
			ip6(g, sizeof(g), p + off + 8);
			sb_printf(sb, " group %s", g);
		}
		if (type == 143) { /* MLDv2 report: records of 20 bytes and their sources */
			unsigned nrec = be16(p + off + 6);
			sb_printf(sb, " %u group record(s)", nrec);
			size_t r = off + 8;
			unsigned i = 0;
			for (; i < nrec && r + 20 <= n; i++) {
				char g[64];
				ip6(g, sizeof(g), p + r + 4);
				sb_printf(sb, "%s%s", i ? ", " : ": ", g);
				r += 20 + (size_t)p[r + 1] * 4 + (size_t)be16(p + r + 2) * 16;
			}
			if (i && i < nrec)
				sb_printf(sb, ", ..."); /* the rest beyond the bytes kept */
		}
		if ((type == 135 || type == 136) && off + 24 <= n) {
			char t[64];
			ip6(t, sizeof(t), p + off + 8);
			sb_printf(sb, type == 135 ? " who has %s" : " tgt is %s", t);
		}
	}
	if (err && off + 8 < n) {
		sb_printf(sb, " for ");
		if (!ip_summary(sb, p + off + 8, n - off - 8))
			sb_printf(sb, "(quoted packet not read)");
	}
}
