#include "cmd/render/format.h"
#include "cmd/render/evtext.h"
#include "cmd/util/strfmt.h"
#include "cmd/record/resolve.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cmd/util/escape.h"
#include "cmd/render/evtext.h"
#include "cmd/render/hints.h"
#include "cmd/render/pointtext.h"
#include "cmd/model/probes.h"
#include "cmd/model/carry.h"
#include "cmd/render/decode.h"
#include "cmd/model/rewrite.h"
#include "kernel/dropreason.h"
#include "kernel/kallsyms.h"
#include "netlib/netns.h"


/* Column layout; the header and every line share it. */
/* The --stream columns (width < 0: left-aligned). */
static const int col_width[] = {-12, -18, 3, -17, -12, -12, -9, 7, -16, -22, 0};
#define NCOLS (sizeof(col_width) / sizeof(col_width[0]))

/* One row, aligned by display width: an escaped name wider than its
 * column does not push the rest of the row out of line. */
static void row(struct strbuf *sb, const char *const v[NCOLS], const size_t *lens)
{
	struct sb_col c[NCOLS];
	for (size_t i = 0; i < NCOLS; i++)
		c[i] = (struct sb_col){v[i], col_width[i], 0};
	sb_columns_len(sb, c, lens, NCOLS);
	sb_append(sb, "\n", 1);
}

const char *pkt_type_name(uint8_t t)
{
	static const char *const names[] = {"HOST",     "BROADCAST", "MULTICAST", "OTHERHOST",
					    "OUTGOING", "LOOPBACK",  "USER",      "KERNEL"};
	return t < sizeof(names) / sizeof(names[0]) ? names[t] : "?";
}

void fmt_header(struct strbuf *sb)
{
	const char *const v[NCOLS] = {"TIME", "SKB", "CPU", "PROBE", "NETNS", "IFACE", "PKT_TYPE", "PID", "COMM",
				      "OWNER", "PACKET"};
	row(sb, v, NULL);
}

/* A byte in decimal, without dividing: two digits from the pairs table. */
static size_t octet(char *out, unsigned a)
{
	if (a < 10) {
		out[0] = (char)('0' + a);
		return 1;
	}
	if (a < 100) {
		memcpy(out, pp_digit_pairs + 2 * a, 2);
		return 2;
	}
	unsigned h = a >= 200 ? 2 : 1;
	out[0] = (char)('0' + h);
	memcpy(out + 1, pp_digit_pairs + 2 * (a - 100 * h), 2);
	return 3;
}

void fmt_addr(const struct pp_event *e, const uint8_t *a, char *out, size_t len)
{
	if (e->ipver != 6) { /* glibc's inet_ntop formats IPv4 with sprintf: by hand here */
		char v[16];
		size_t n = 0;
		char *o = len >= sizeof(v) ? out : v; /* room for the longest: written in place */
		for (int i = 0; i < 4; i++) {
			if (i)
				o[n++] = '.';
			n += octet(o + n, a[i]);
		}
		if (o == out) {
			out[n] = '\0';
		} else if (len) { /* cut to fit, as snprintf would */
			n = n < len - 1 ? n : len - 1;
			memcpy(out, v, n);
			out[n] = '\0';
		}
		return;
	}
	if (!inet_ntop(AF_INET6, a, out, (socklen_t)len))
		pp_snprintf(out, len, "?");
}

static void tcp_flags(uint8_t f, char *out)
{
	static const struct {
		uint8_t bit;
		char c;
	} map[] = {{0x02, 'S'}, {0x01, 'F'}, {0x04, 'R'}, {0x08, 'P'},
		   {0x20, 'U'}, {0x40, 'E'}, {0x80, 'W'}, {0x10, '.'}};
	size_t n = 0;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (f & map[i].bit)
			out[n++] = map[i].c;
	out[n] = '\0';
}

static const char *icmp_name(const struct pp_event *e)
{
	if (e->l4proto == IPPROTO_ICMP) {
		switch (e->icmp_type) {
		case 0: return "echo-reply";
		case 3: return "unreachable";
		case 4: return "source-quench";
		case 5: return "redirect";
		case 8: return "echo-request";
		case 11: return "time-exceeded";
		case 12: return "parameter-problem";
		}
	} else {
		switch (e->icmp_type) {
		case 1: return "unreachable";
		case 2: return "packet-too-big";
		case 3: return "time-exceeded";
		case 4: return "parameter-problem";
		case 128: return "echo-request";
		case 129: return "echo-reply";
		case 133: return "router-solicit";
		case 134: return "router-advert";
		case 135: return "neighbor-solicit";
		case 136: return "neighbor-advert";
		case 130: return "multicast-listener-query";
		case 131: return "multicast-listener-report";
		case 132: return "multicast-listener-done";
		case 143: return "multicast-listener-report-v2";
		}
	}
	return NULL;
}

static int is_echo(const struct pp_event *e)
{
	return e->l4proto == IPPROTO_ICMP ? (e->icmp_type == 0 || e->icmp_type == 8)
					  : (e->icmp_type == 128 || e->icmp_type == 129);
}

void fmt_packet(struct strbuf *sb, const struct pp_event *e)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	int l4 = (e->have & PP_HAVE_L4) != 0;

	dec_vlan_tag(sb, e);
	if (!(e->have & PP_HAVE_L3) && dec_l2(sb, e))
		goto tail;
	if (!(e->have & PP_HAVE_L3)) {
		const char *name = e->ethertype == 0x0806 ? " (ARP)" : e->ethertype == 0x0800 ? " (IPv4)"
				 : e->ethertype == 0x86dd ? " (IPv6)" : "";
		sb_printf(sb, "ethertype 0x%04x%s", e->ethertype, name);
		goto tail;
	}
	fmt_addr(e, e->saddr, src, sizeof(src));
	fmt_addr(e, e->daddr, dst, sizeof(dst));
	const char *lb = e->ipver == 6 ? "[" : "", *rb = e->ipver == 6 ? "]" : "";
	bool frag = false; /* a fragment header said (IPv6 extension headers) */
	switch (e->l4proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
		if (l4) { /* "%s %s%s%s:%u > %s%s%s:%u", piece by piece: every packet's header */
			sb_puts(sb, e->l4proto == IPPROTO_TCP ? "TCP " : "UDP ");
			sb_puts(sb, lb);
			sb_puts(sb, src);
			sb_puts(sb, rb);
			sb_append(sb, ":", 1);
			sb_putu(sb, e->sport);
			sb_puts(sb, " > ");
			sb_puts(sb, lb);
			sb_puts(sb, dst);
			sb_puts(sb, rb);
			sb_append(sb, ":", 1);
			sb_putu(sb, e->dport);
			frag = dec_ext6(sb, e);
			if (e->l4proto == IPPROTO_TCP) {
				char f[9];
				tcp_flags(e->tcp_flags, f);
				sb_printf(sb, " [%s]", f);
			} else {
				dec_tunnel(sb, e);
			}
		} else {
			sb_printf(sb, "%s %s > %s", e->l4proto == IPPROTO_TCP ? "TCP" : "UDP", src, dst);
			frag = dec_ext6(sb, e);
		}
		break;
	case IPPROTO_ICMP:
	case 58: {
		sb_printf(sb, "%s %s > %s", e->l4proto == IPPROTO_ICMP ? "ICMP" : "ICMP6", src, dst);
		frag = dec_ext6(sb, e);
		if (!l4)
			break;
		const char *n = icmp_name(e);
		if (n)
			sb_printf(sb, " %s", n);
		else
			sb_printf(sb, " type %u", e->icmp_type);
		if (is_echo(e))
			sb_printf(sb, " id %u seq %u", e->sport, e->dport);
		else if (e->icmp_code)
			sb_printf(sb, " code %u", e->icmp_code);
		dec_icmp(sb, e);
		break;
	}
	default:
		sb_printf(sb, "IPv%u %s > %s proto %u", e->ipver, src, dst, e->l4proto);
		frag = dec_ext6(sb, e);
		dec_tunnel(sb, e);
	}
	if ((e->have & PP_HAVE_FRAG) && !frag)
		sb_printf(sb, " frag");
tail:
	sb_puts(sb, " len ");
	sb_putu(sb, e->len);
	if (e->mark)
		sb_printf(sb, " mark 0x%x", e->mark);
}

void fmt_reason(struct strbuf *sb, const struct dropreasons *dr, const struct pp_event *e)
{
	if (!(e->have & PP_HAVE_REASON)) {
		sb_printf(sb, "(no reason: kernel before 5.17)");
		return;
	}
	const char *n = dropreasons_name(dr, e->reason);
	if (n)
		sb_puts(sb, n);
	else
		sb_printf(sb, "reason %u", e->reason);
}

void fmt_stack_indent(struct strbuf *sb, const struct pp_event *e, const struct fmt_ctx *ctx, int indent)
{
	if (e->stack_id < 0 || !ctx->read_stack) {
		/* -errno from bpf_get_stackid; anything else from a corrupt
		 * record is said as a number (and INT32_MIN cannot be negated). */
		if (e->stack_id < -1 && e->stack_id > -4096)
			sb_printf(sb, "%*sstack: not recorded (%s)\n", indent, "", strerror((int)-e->stack_id));
		else if (e->stack_id < -1)
			sb_printf(sb, "%*sstack: not recorded (error %d)\n", indent, "", (int)e->stack_id);
		return;
	}
	/* The same frames, from the same rule, as JSON and the hints; the
	 * line written first, taken back when there is none. */
	size_t at = sb->len;
	sb_pad(sb, ' ', indent > 0 ? (size_t)indent : 0);
	sb_puts(sb, "stack: ");
	if (!ev_frames_joined(sb, e, ctx)) {
		sb->len = at;
		if (sb->s)
			sb->s[at] = '\0';
		sb_printf(sb, "%*sstack: id %d no longer in the stack map\n", indent, "", e->stack_id);
		return;
	}
	if (e->have & PP_HAVE_STACK_SITE) /* bpf/emit.bpf.h, drop_stack */
		sb_printf(sb, " (this site's stack, walked at a drop less than %d ms before)", PP_SITE_STACK_MS);
	sb_append(sb, "\n", 1);
}

/* n bytes of s into out (len bytes), cut to fit as snprintf cuts;
 * returns the length written. */
static size_t cut_copy(char *out, size_t len, const char *s, size_t n)
{
	if (!len)
		return 0;
	n = n < len - 1 ? n : len - 1;
	memcpy(out, s, n);
	out[n] = '\0';
	return n;
}

/* "%u" / "%" PRIu64 into out (len bytes), cut to fit: a few a line. */
static size_t u_str(char *out, size_t len, uint64_t v)
{
	char d[20];
	return cut_copy(out, len, d, pp_utoa(d, v));
}

size_t fmt_owner(char *out, size_t len, const struct pp_event *e)
{
	char comm[72];
	if (!(e->have & PP_HAVE_OWNER)) {
		/* "sk" says a socket was there but its user never showed up. */
		return cut_copy(out, len, (e->have & PP_HAVE_SK) ? "?" : "-", 1);
	}
	char v[20 + 1 + sizeof(comm)]; /* "%u/%s", cut to fit len */
	size_t n = pp_utoa(v, e->owner.tgid);
	v[n++] = '/';
	n += escape_name16(e->owner.comm, sizeof(e->owner.comm), v + n, sizeof(comm));
	return cut_copy(out, len, v, n);
}

void fmt_owner_learned(struct strbuf *sb, const struct pp_event *from)
{
	char pbuf[24], ns[64];
	ev_netns(from, ns, sizeof(ns));
	sb_puts(sb, " owner learned at ");
	sb_puts(sb, probe_point_name(from, pbuf, sizeof(pbuf)));
	sb_puts(sb, " (");
	sb_puts(sb, ns);
	sb_append(sb, ")", 1);
}

void fmt_event(struct strbuf *sb, const struct pp_event *e, const struct fmt_ctx *ctx)
{
	fmt_event_x(sb, e, ctx, NULL);
}

void fmt_event_x(struct strbuf *sb, const struct pp_event *e, const struct fmt_ctx *ctx, const struct ev_extra *x)
{
	char t[32], skb[24], cpu[8], probe[64], ns[64], ifn[72], pid[16], comm[72], owner[96];
	static struct strbuf pkt; /* reused line after line: no allocation each */
	sb_reset(&pkt);

	size_t l[NCOLS]; /* each cell's length, known as it is made */
	uint64_t rel = e->ts_ns >= ctx->t0 ? e->ts_ns - ctx->t0 : 0;
	{ /* "%" PRIu64 ".%06" PRIu64: seconds and microseconds */
		char d[32];
		size_t n = pp_utoa(d, rel / 1000000000);
		uint64_t us = rel % 1000000000 / 1000;
		d[n++] = '.';
		for (int k = 5; k >= 0; k--, us /= 10)
			d[n + (size_t)k] = (char)('0' + us % 10);
		l[0] = cut_copy(t, sizeof(t), d, n + 6);
	}
	{ /* "0x%" PRIx64 */
		char d[20];
		size_t n = 16;
		uint64_t v = e->skb;
		do {
			d[--n + 2] = "0123456789abcdef"[v & 15];
			v >>= 4;
		} while (v);
		d[n] = '0';
		d[n + 1] = 'x';
		l[1] = cut_copy(skb, sizeof(skb), d + n, 18 - n);
	}
	l[2] = u_str(cpu, sizeof(cpu), e->cpu);
	char pbuf[32];
	const char *pname = probe_point_name(e, pbuf, sizeof(pbuf));
	l[3] = cut_copy(probe, sizeof(probe), pname, strlen(pname));
	/* One column: "nf INPUT first" prints as nf:INPUT:first. */
	for (size_t i = 0; i < l[3]; i++)
		if (probe[i] == ' ')
			probe[i] = ':';
	l[4] = ev_netns(e, ns, sizeof(ns)); /* the same text, and the same look-up */
	if (e->have & PP_HAVE_DEV)
		l[5] = escape_name16(e->ifname, sizeof(e->ifname), ifn, sizeof(ifn));
	else
		l[5] = cut_copy(ifn, sizeof(ifn), "-", 1);
	const char *ptype = pkt_type_name(e->pkt_type);
	l[6] = strlen(ptype);
	l[7] = u_str(pid, sizeof(pid), e->tgid);
	l[8] = escape_name16(e->comm, sizeof(e->comm), comm, sizeof(comm));
	if (!comm[0])
		l[8] = cut_copy(comm, sizeof(comm), "-", 1);

	const struct pp_event *ofrom = x && (!(e->have & PP_HAVE_OWNER) || x->receiver) ? x->owner_from : NULL;
	l[9] = fmt_owner(owner, sizeof(owner), ofrom ? ofrom : e);
	fmt_packet(&pkt, e);
	if (e->probe == PP_PROBE_DROP) {
		char loc[256];
		sb_puts(&pkt, " DROP ");
		fmt_reason(&pkt, ctx->reasons, e);
		rs_ksym(ctx->ksyms, (uint64_t)e->location, loc, sizeof(loc));
		sb_puts(&pkt, " at ");
		sb_puts(&pkt, loc);
		hint_nft_suffix(&pkt, e, ev_reason(e, ctx));
	}
	point_detail(&pkt, e);
	rw_step_text(&pkt, e, x);
	if (ofrom)
		fmt_owner_learned(&pkt, ofrom);
	if (ofrom && x->receiver) {
		char rcv[96];
		fmt_owner(rcv, sizeof(rcv), x->receiver);
		sb_printf(&pkt, "; %s %s", e->probe == PP_PROBE_DELIVER ? "delivered to" : "receiving socket's", rcv);
	}
	const char *const v[NCOLS] = {t, skb, cpu, probe, ns, ifn, ptype, pid, comm, owner, pkt.s ? pkt.s : ""};
	l[10] = pkt.len;
	row(sb, v, l);
	fmt_stack_indent(sb, e, ctx, 13);
}
