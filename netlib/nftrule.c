#include "netlib/nftrule.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define NREGS 32
#define MAXSTMT 48
#define STMT_LEN 160

/* What a register holds: where it was loaded from. */
enum src { S_NONE = 0, S_PAYLOAD, S_META, S_CT, S_IMM };

struct reg {
	enum src src;
	uint32_t base, off, len; /* payload */
	uint32_t key;            /* meta / ct key */
	uint8_t mask[16];        /* bitwise mask applied, when masked */
	uint32_t masklen;
	bool masked, xored;
	uint8_t data[16]; /* immediate */
	uint32_t dlen;
};

/* A statement and what it depends on or provides, for hiding the
 * protocol matches nft hides ("meta l4proto udp" before "udp dport"). */
struct stmt {
	char text[STMT_LEN];
	int dep_kind;   /* 1: nfproto X, 2: l4proto X (ip protocol / ip6 nexthdr too) */
	uint32_t dep_val;
	int uses_nf;    /* network payload of NFPROTO_IPV4/IPV6, 0 none */
	int uses_l4;    /* transport payload of this protocol, 0 none */
};

struct render {
	uint32_t family; /* table family */
	uint32_t nfproto, l4proto; /* learnt from earlier matches */
	struct reg regs[NREGS];
	struct stmt st[MAXSTMT];
	size_t n;
	bool overflow;
};

/* Register numbers: NFT_REG_1..4 (16 bytes) and NFT_REG32_00.. (4 bytes)
 * name overlapping storage; index by the 32-bit slot. */
static struct reg *reg(struct render *r, uint32_t n)
{
	uint32_t slot;
	if (n >= NFT_REG32_00)
		slot = n - NFT_REG32_00;
	else if (n >= NFT_REG_1 && n <= NFT_REG_4)
		slot = (n - NFT_REG_1) * 4;
	else
		return NULL;
	return slot < NREGS ? &r->regs[slot] : NULL;
}

static struct stmt *add(struct render *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static struct stmt *add(struct render *r, const char *fmt, ...)
{
	if (r->n >= MAXSTMT) {
		r->overflow = true;
		return NULL;
	}
	struct stmt *s = &r->st[r->n++];
	memset(s, 0, sizeof(*s));
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->text, sizeof(s->text), fmt, ap);
	va_end(ap);
	return s;
}

static const char *proto_name(uint32_t p)
{
	switch (p) {
	case IPPROTO_TCP: return "tcp";
	case IPPROTO_UDP: return "udp";
	case IPPROTO_ICMP: return "icmp";
	case IPPROTO_ICMPV6: return "icmpv6";
	case IPPROTO_SCTP: return "sctp";
	case IPPROTO_UDPLITE: return "udplite";
	case IPPROTO_ESP: return "esp";
	case IPPROTO_AH: return "ah";
	case IPPROTO_GRE: return "gre";
	}
	return NULL;
}

/* The network family a payload load refers to. */
static uint32_t net_family(const struct render *r)
{
	if (r->family == NFPROTO_IPV4 || r->family == NFPROTO_IPV6)
		return r->family;
	return r->nfproto;
}

enum vtype { V_HEX, V_DEC, V_ADDR4, V_ADDR6, V_PROTO, V_NFPROTO, V_STR, V_MARK, V_ETHER };

/* Field name and value type of what a register holds; "" when unknown. */
static enum vtype field(const struct render *r, const struct reg *g, char *name, size_t len, int *uses_nf,
			int *uses_l4, int *dep)
{
	*uses_nf = *uses_l4 = *dep = 0;
	name[0] = '\0';
	if (g->src == S_META) {
		static const struct {
			uint32_t key;
			const char *name;
			enum vtype t;
		} m[] = {
			{NFT_META_LEN, "meta length", V_DEC},     {NFT_META_PROTOCOL, "meta protocol", V_HEX},
			{NFT_META_PRIORITY, "meta priority", V_HEX}, {NFT_META_MARK, "meta mark", V_MARK},
			{NFT_META_IIF, "iif", V_DEC},             {NFT_META_OIF, "oif", V_DEC},
			{NFT_META_IIFNAME, "iifname", V_STR},     {NFT_META_OIFNAME, "oifname", V_STR},
			{NFT_META_IIFTYPE, "iiftype", V_DEC},     {NFT_META_OIFTYPE, "oiftype", V_DEC},
			{NFT_META_SKUID, "meta skuid", V_DEC},    {NFT_META_SKGID, "meta skgid", V_DEC},
			{NFT_META_NFTRACE, "meta nftrace", V_DEC}, {NFT_META_NFPROTO, "meta nfproto", V_NFPROTO},
			{NFT_META_L4PROTO, "meta l4proto", V_PROTO}, {NFT_META_PKTTYPE, "meta pkttype", V_DEC},
			{NFT_META_CPU, "meta cpu", V_DEC},        {NFT_META_CGROUP, "meta cgroup", V_DEC},
		};
		for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
			if (m[i].key == g->key) {
				snprintf(name, len, "%s", m[i].name);
				if (g->key == NFT_META_NFPROTO)
					*dep = 1;
				if (g->key == NFT_META_L4PROTO)
					*dep = 2;
				return m[i].t;
			}
		snprintf(name, len, "meta key %u", g->key);
		return V_HEX;
	}
	if (g->src == S_CT) {
		if (g->key == NFT_CT_STATE)
			snprintf(name, len, "ct state");
		else if (g->key == NFT_CT_MARK)
			snprintf(name, len, "ct mark");
		else
			snprintf(name, len, "ct key %u", g->key);
		return V_HEX;
	}
	if (g->src != S_PAYLOAD)
		return V_HEX;
	if (g->base == NFT_PAYLOAD_NETWORK_HEADER) {
		uint32_t f = net_family(r);
		if (f != NFPROTO_IPV6) { /* IPv4, or unknown with IPv4 offsets */
			static const struct {
				uint32_t off, len;
				const char *name;
				enum vtype t;
			} v4[] = {{12, 4, "ip saddr", V_ADDR4}, {16, 4, "ip daddr", V_ADDR4}, {9, 1, "ip protocol", V_PROTO},
				  {8, 1, "ip ttl", V_DEC},      {2, 2, "ip length", V_DEC},   {4, 2, "ip id", V_DEC}};
			for (size_t i = 0; i < sizeof(v4) / sizeof(v4[0]); i++)
				if (v4[i].off == g->off && v4[i].len == g->len) {
					snprintf(name, len, "%s", v4[i].name);
					*uses_nf = NFPROTO_IPV4;
					if (g->off == 9)
						*dep = 2;
					return v4[i].t;
				}
			/* iptables-nft reads a prefix's first bytes only: 127.0.0.0/8 is one byte at 12. */
			if ((g->off == 12 || g->off == 16) && g->len < 4) {
				snprintf(name, len, "ip %s", g->off == 12 ? "saddr" : "daddr");
				*uses_nf = NFPROTO_IPV4;
				return V_ADDR4;
			}
		}
		if (f != NFPROTO_IPV4) {
			static const struct {
				uint32_t off, len;
				const char *name;
				enum vtype t;
			} v6[] = {{8, 16, "ip6 saddr", V_ADDR6}, {24, 16, "ip6 daddr", V_ADDR6}, {6, 1, "ip6 nexthdr", V_PROTO},
				  {7, 1, "ip6 hoplimit", V_DEC}, {4, 2, "ip6 length", V_DEC}};
			for (size_t i = 0; i < sizeof(v6) / sizeof(v6[0]); i++)
				if (v6[i].off == g->off && v6[i].len == g->len) {
					snprintf(name, len, "%s", v6[i].name);
					*uses_nf = NFPROTO_IPV6;
					if (g->off == 6)
						*dep = 2;
					return v6[i].t;
				}
			if ((g->off == 8 || g->off == 24) && g->len < 16) {
				snprintf(name, len, "ip6 %s", g->off == 8 ? "saddr" : "daddr");
				*uses_nf = NFPROTO_IPV6;
				return V_ADDR6;
			}
		}
		snprintf(name, len, "@nh,%u,%u", g->off * 8, g->len * 8);
		return V_HEX;
	}
	if (g->base == NFT_PAYLOAD_TRANSPORT_HEADER) {
		const char *p = proto_name(r->l4proto);
		bool ports = r->l4proto == IPPROTO_TCP || r->l4proto == IPPROTO_UDP || r->l4proto == IPPROTO_SCTP ||
			     r->l4proto == IPPROTO_UDPLITE;
		if (g->len == 2 && (g->off == 0 || g->off == 2)) {
			snprintf(name, len, "%s %s", ports ? p : "th", g->off == 0 ? "sport" : "dport");
			*uses_l4 = ports ? (int)r->l4proto : 0;
			return V_DEC;
		}
		if (r->l4proto == IPPROTO_TCP && g->off == 13 && g->len == 1) {
			snprintf(name, len, "tcp flags");
			*uses_l4 = IPPROTO_TCP;
			return V_HEX;
		}
		if ((r->l4proto == IPPROTO_ICMP || r->l4proto == IPPROTO_ICMPV6) && g->len == 1 && g->off <= 1) {
			snprintf(name, len, "%s %s", p, g->off == 0 ? "type" : "code");
			*uses_l4 = (int)r->l4proto;
			return V_DEC;
		}
		snprintf(name, len, "@th,%u,%u", g->off * 8, g->len * 8);
		return V_HEX;
	}
	if (g->base == NFT_PAYLOAD_LL_HEADER) {
		if (g->len == 6 && (g->off == 0 || g->off == 6)) {
			snprintf(name, len, "ether %s", g->off == 0 ? "daddr" : "saddr");
			return V_ETHER;
		}
		if (g->len == 2 && g->off == 12) {
			snprintf(name, len, "ether type");
			return V_HEX;
		}
		snprintf(name, len, "@ll,%u,%u", g->off * 8, g->len * 8);
		return V_HEX;
	}
	snprintf(name, len, "@payload base %u,%u,%u", g->base, g->off * 8, g->len * 8);
	return V_HEX;
}

/* Host-order number of up to 4 bytes in the register's byte order: the
 * kernel compares payload bytes as they are (network order) and meta
 * values in host order. */
static uint32_t num(const uint8_t *d, uint32_t n, bool net)
{
	uint32_t v = 0;
	if (net) {
		for (uint32_t i = 0; i < n && i < 4; i++)
			v = v << 8 | d[i];
	} else {
		memcpy(&v, d, n < 4 ? n : 4);
	}
	return v;
}

/* Prefix length of a contiguous mask of ones, -1 when it is not one. */
static int prefix_len(const uint8_t *m, uint32_t n)
{
	int bits = 0;
	uint32_t i = 0;
	for (; i < n && m[i] == 0xff; i++)
		bits += 8;
	if (i < n) {
		uint8_t b = m[i];
		while (b & 0x80) {
			bits++;
			b <<= 1;
		}
		if (b)
			return -1;
		for (i++; i < n; i++)
			if (m[i])
				return -1;
	}
	return bits;
}

static void value(char *out, size_t len, enum vtype t, const struct reg *g, const uint8_t *d, uint32_t n)
{
	bool net = g->src == S_PAYLOAD;
	switch (t) {
	case V_ADDR4:
	case V_ADDR6: {
		uint8_t a[16] = {0};
		uint32_t full = t == V_ADDR4 ? 4 : 16;
		memcpy(a, d, n < full ? n : full);
		char s[INET6_ADDRSTRLEN];
		inet_ntop(t == V_ADDR4 ? AF_INET : AF_INET6, a, s, sizeof(s));
		int pl = -1;
		if (g->masked)
			pl = prefix_len(g->mask, g->masklen);
		else if (g->len < full) /* a shorter load is a whole-byte prefix */
			pl = (int)g->len * 8;
		if (pl >= 0 && pl < (int)full * 8)
			snprintf(out, len, "%s/%d", s, pl);
		else
			snprintf(out, len, "%s", s);
		return;
	}
	case V_PROTO: {
		const char *p = proto_name(num(d, n, true));
		if (p)
			snprintf(out, len, "%s", p);
		else
			snprintf(out, len, "%u", num(d, n, true));
		return;
	}
	case V_NFPROTO: {
		uint32_t v = d[0];
		snprintf(out, len, "%s", v == NFPROTO_IPV4 ? "ipv4" : v == NFPROTO_IPV6 ? "ipv6" : "?");
		if (v != NFPROTO_IPV4 && v != NFPROTO_IPV6)
			snprintf(out, len, "%u", v);
		return;
	}
	case V_STR: {
		size_t l = strnlen((const char *)d, n);
		char s[64];
		size_t o = 0;
		for (size_t i = 0; i < l && o + 5 < sizeof(s); i++) {
			unsigned char c = d[i];
			if (c < 0x20 || c > 0x7e || c == '"' || c == '\\')
				o += (size_t)snprintf(s + o, sizeof(s) - o, "\\x%02x", c);
			else
				s[o++] = (char)c;
		}
		s[o] = '\0';
		snprintf(out, len, "\"%s\"", s);
		return;
	}
	case V_MARK:
		snprintf(out, len, "0x%08x", num(d, n, net));
		return;
	case V_DEC:
		snprintf(out, len, "%u", num(d, n, net));
		return;
	case V_ETHER:
		if (n >= 6) {
			snprintf(out, len, "%02x:%02x:%02x:%02x:%02x:%02x", d[0], d[1], d[2], d[3], d[4], d[5]);
			return;
		}
		/* fall through */
	case V_HEX: {
		size_t o = (size_t)snprintf(out, len, "0x");
		for (uint32_t i = 0; i < n && o + 3 < len; i++)
			o += (size_t)snprintf(out + o, len - o, "%02x", d[i]);
		return;
	}
	}
}

static const char *ct_states(uint32_t v, char *out, size_t len)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} s[] = {{1, "invalid"}, {2, "established"}, {4, "related"}, {8, "new"}, {64, "untracked"}};
	size_t o = 0;
	out[0] = '\0';
	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		if (v & s[i].bit)
			o += (size_t)snprintf(out + o, o < len ? len - o : 0, "%s%s", o ? "," : "", s[i].name);
	return out;
}

static void on_cmp(struct render *r, const struct nftnl_expr *e)
{
	static const char *const ops[] = {"", "!= ", "< ", "<= ", "> ", ">= "};
	struct reg *g = reg(r, nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_SREG));
	uint32_t op = nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_OP);
	uint32_t n = 0;
	const uint8_t *d = nftnl_expr_get(e, NFTNL_EXPR_CMP_DATA, &n);
	if (!g || !d) {
		add(r, "[cmp]");
		return;
	}
	char name[64], val[96];
	int uses_nf, uses_l4, dep;
	enum vtype t = field(r, g, name, sizeof(name), &uses_nf, &uses_l4, &dep);
	if (!name[0] || g->xored) {
		add(r, "[cmp]");
		return;
	}
	/* ct state established,related: a mask and "!= 0". */
	if (g->src == S_CT && g->key == NFT_CT_STATE && g->masked && op == NFT_CMP_NEQ && num(d, n, false) == 0) {
		char st[96];
		add(r, "ct state %s", ct_states(num(g->mask, g->masklen, false), st, sizeof(st)));
		return;
	}
	value(val, sizeof(val), t, g, d, n);
	struct stmt *s = add(r, "%s %s%s", name, op < 6 ? ops[op] : "? ", val);
	if (!s)
		return;
	s->uses_nf = uses_nf;
	s->uses_l4 = uses_l4;
	if (dep && op == NFT_CMP_EQ) {
		s->dep_kind = dep;
		s->dep_val = dep == 1 ? d[0] : num(d, n, g->src == S_PAYLOAD);
		if (dep == 1)
			r->nfproto = s->dep_val;
		else
			r->l4proto = s->dep_val;
	}
}

static void on_immediate(struct render *r, const struct nftnl_expr *e)
{
	uint32_t dreg = nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_DREG);
	if (dreg != NFT_REG_VERDICT) {
		struct reg *g = reg(r, dreg);
		uint32_t n = 0;
		const void *d = nftnl_expr_get(e, NFTNL_EXPR_IMM_DATA, &n);
		if (g) {
			memset(g, 0, sizeof(*g));
			g->src = S_IMM;
			g->dlen = d && n <= sizeof(g->data) ? n : 0;
			if (g->dlen)
				memcpy(g->data, d, g->dlen);
		}
		return;
	}
	int32_t v = (int32_t)nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_VERDICT);
	const char *chain = nftnl_expr_get_str(e, NFTNL_EXPR_IMM_CHAIN);
	switch (v) {
	case NF_DROP: add(r, "drop"); break;
	case NF_ACCEPT: add(r, "accept"); break;
	case NF_QUEUE: add(r, "queue"); break;
	case NFT_CONTINUE: add(r, "continue"); break;
	case NFT_RETURN: add(r, "return"); break;
	case NFT_JUMP: add(r, "jump %s", chain ? chain : "?"); break;
	case NFT_GOTO: add(r, "goto %s", chain ? chain : "?"); break;
	default: add(r, "verdict %d", v);
	}
}

static void on_meta(struct render *r, const struct nftnl_expr *e)
{
	uint32_t key = nftnl_expr_get_u32(e, NFTNL_EXPR_META_KEY);
	if (nftnl_expr_is_set(e, NFTNL_EXPR_META_DREG)) {
		struct reg *g = reg(r, nftnl_expr_get_u32(e, NFTNL_EXPR_META_DREG));
		if (g) {
			memset(g, 0, sizeof(*g));
			g->src = S_META;
			g->key = key;
		}
		return;
	}
	struct reg *g = reg(r, nftnl_expr_get_u32(e, NFTNL_EXPR_META_SREG));
	struct reg tmp = {.src = S_META, .key = key};
	char name[64], val[96] = "?";
	int a, b, c;
	field(r, &tmp, name, sizeof(name), &a, &b, &c);
	if (g && g->src == S_IMM)
		value(val, sizeof(val), key == NFT_META_MARK ? V_MARK : V_DEC, &tmp, g->data, g->dlen);
	add(r, "%s set %s", name, val);
}

static void on_bitwise(struct render *r, const struct nftnl_expr *e)
{
	struct reg *s = reg(r, nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_SREG));
	struct reg *d = reg(r, nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_DREG));
	if (!s || !d)
		return;
	struct reg g = *s;
	uint32_t mn = 0, xn = 0;
	const uint8_t *m = nftnl_expr_get(e, NFTNL_EXPR_BITWISE_MASK, &mn);
	const uint8_t *x = nftnl_expr_get(e, NFTNL_EXPR_BITWISE_XOR, &xn);
	if (nftnl_expr_is_set(e, NFTNL_EXPR_BITWISE_OP) && nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_OP) != 0)
		g.xored = true; /* shifts: not rendered */
	if (m && mn <= sizeof(g.mask)) {
		memcpy(g.mask, m, mn);
		g.masklen = mn;
		g.masked = true;
	}
	for (uint32_t i = 0; x && i < xn; i++)
		if (x[i])
			g.xored = true;
	*d = g;
}

static int on_expr(struct nftnl_expr *e, void *arg)
{
	struct render *r = arg;
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
	if (!name)
		return 0;
	if (!strcmp(name, "payload")) {
		if (!nftnl_expr_is_set(e, NFTNL_EXPR_PAYLOAD_DREG)) {
			add(r, "[payload set]");
			return 0;
		}
		struct reg *g = reg(r, nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_DREG));
		if (g) {
			memset(g, 0, sizeof(*g));
			g->src = S_PAYLOAD;
			g->base = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_BASE);
			g->off = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET);
			g->len = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_LEN);
		}
	} else if (!strcmp(name, "meta")) {
		on_meta(r, e);
	} else if (!strcmp(name, "ct")) {
		if (nftnl_expr_is_set(e, NFTNL_EXPR_CT_DREG)) {
			struct reg *g = reg(r, nftnl_expr_get_u32(e, NFTNL_EXPR_CT_DREG));
			if (g) {
				memset(g, 0, sizeof(*g));
				g->src = S_CT;
				g->key = nftnl_expr_get_u32(e, NFTNL_EXPR_CT_KEY);
			}
		} else {
			add(r, "[ct set]");
		}
	} else if (!strcmp(name, "cmp")) {
		on_cmp(r, e);
	} else if (!strcmp(name, "bitwise")) {
		on_bitwise(r, e);
	} else if (!strcmp(name, "immediate")) {
		on_immediate(r, e);
	} else if (!strcmp(name, "counter")) {
		add(r, "counter packets %" PRIu64 " bytes %" PRIu64, nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_PACKETS),
		    nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_BYTES));
	} else if (!strcmp(name, "lookup")) {
		struct reg *g = reg(r, nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_SREG));
		const char *set = nftnl_expr_get_str(e, NFTNL_EXPR_LOOKUP_SET);
		char f[64] = "";
		int a, b, c;
		if (g)
			field(r, g, f, sizeof(f), &a, &b, &c);
		bool inv = nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_FLAGS) &&
			   (nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_FLAGS) & NFT_LOOKUP_F_INV);
		struct stmt *s = add(r, "%s %s@%s", f[0] ? f : "[lookup]", inv ? "!= " : "", set ? set : "?");
		if (s && g) {
			s->uses_nf = a;
			s->uses_l4 = b;
		}
	} else if (!strcmp(name, "match")) {
		add(r, "xt match \"%s\"", nftnl_expr_get_str(e, NFTNL_EXPR_MT_NAME));
	} else if (!strcmp(name, "target")) {
		add(r, "xt target \"%s\"", nftnl_expr_get_str(e, NFTNL_EXPR_TG_NAME));
	} else if (!strcmp(name, "reject")) {
		bool rst = nftnl_expr_get_u32(e, NFTNL_EXPR_REJECT_TYPE) == NFT_REJECT_TCP_RST;
		add(r, "reject%s", rst ? " with tcp reset" : "");
	} else if (!strcmp(name, "log") || !strcmp(name, "limit") || !strcmp(name, "notrack") ||
		   !strcmp(name, "masq") || !strcmp(name, "queue") || !strcmp(name, "quota")) {
		add(r, "%s", name);
	} else {
		add(r, "[%s]", name);
	}
	return 0;
}

size_t nftrule_render(const struct nftnl_rule *rule, uint32_t family, char *out, size_t len)
{
	static struct render r; /* 8 KB: off the stack; single-threaded caller */
	memset(&r, 0, sizeof(r));
	r.family = family;
	if (family == NFPROTO_IPV4 || family == NFPROTO_IPV6)
		r.nfproto = family;
	nftnl_expr_foreach((struct nftnl_rule *)rule, on_expr, &r);
	/* Hide dependencies a later statement implies, as nft does. */
	for (size_t i = 0; i < r.n; i++) {
		struct stmt *s = &r.st[i];
		if (!s->dep_kind)
			continue;
		for (size_t j = i + 1; j < r.n; j++)
			if ((s->dep_kind == 1 && r.st[j].uses_nf == (int)s->dep_val) ||
			    (s->dep_kind == 2 && r.st[j].uses_l4 == (int)s->dep_val)) {
				s->text[0] = '\0';
				break;
			}
	}
	size_t o = 0;
	if (len)
		out[0] = '\0';
	for (size_t i = 0; i < r.n; i++) {
		if (!r.st[i].text[0])
			continue;
		int w = snprintf(out + (o < len ? o : len ? len - 1 : 0), o < len ? len - o : 0, "%s%s", o ? " " : "",
				 r.st[i].text);
		o += (size_t)(w > 0 ? w : 0);
	}
	if (r.overflow) {
		int w = snprintf(out + (o < len ? o : len ? len - 1 : 0), o < len ? len - o : 0, " ...");
		o += (size_t)(w > 0 ? w : 0);
	}
	return o;
}
