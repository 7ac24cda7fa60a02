/* nftables rules rendered as `nft list ruleset` prints them (the
 * expression lists are what nft --debug=netlink shows for the rules in
 * the comments, Debian 12's nft 1.0.6), and kernel counter files parsed
 * as nstat names them. */
#include <arpa/inet.h>
#include <stdio.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <stdio.h>
#include <string.h>

#include "netlib/nftrule.h"
#include "netlib/nstat.h"
#include "tests/unit/unit.h"

static struct nftnl_rule *r;

static void meta(uint32_t key)
{
	struct nftnl_expr *e = nftnl_expr_alloc("meta");
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
	nftnl_rule_add_expr(r, e);
}

static void payload(uint32_t base, uint32_t off, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("payload");
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	nftnl_rule_add_expr(r, e);
}

static void cmp(uint32_t op, const void *data, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("cmp");
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
	nftnl_rule_add_expr(r, e);
}

static void verdict(int32_t v)
{
	struct nftnl_expr *e = nftnl_expr_alloc("immediate");
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)v);
	nftnl_rule_add_expr(r, e);
}

static void counter(void)
{
	struct nftnl_expr *e = nftnl_expr_alloc("counter");
	nftnl_expr_set_u64(e, NFTNL_EXPR_CTR_PACKETS, 3);
	nftnl_expr_set_u64(e, NFTNL_EXPR_CTR_BYTES, 111);
	nftnl_rule_add_expr(r, e);
}

static void xt(const char *kind, const char *name)
{
	struct nftnl_expr *e = nftnl_expr_alloc(kind);
	nftnl_expr_set_str(e, strcmp(kind, "match") ? NFTNL_EXPR_TG_NAME : NFTNL_EXPR_MT_NAME, name);
	nftnl_rule_add_expr(r, e);
}

static const char *render(uint32_t family)
{
	static char out[512];
	nftrule_render(r, family, out, sizeof(out));
	nftnl_rule_free(r);
	r = nftnl_rule_alloc();
	return out;
}

int main(void)
{
	uint8_t v4 = NFPROTO_IPV4, udp = IPPROTO_UDP, tcp = IPPROTO_TCP, net8 = 127;
	uint32_t a9, a8;
	uint16_t p9999 = htons(9999), p9998 = htons(9998);
	inet_pton(AF_INET, "127.0.0.9", &a9);
	inet_pton(AF_INET, "127.0.0.8", &a8);
	r = nftnl_rule_alloc();

	/* nft add rule inet t c ip daddr 127.0.0.9 udp dport 9999 drop */
	meta(NFT_META_NFPROTO);
	cmp(NFT_CMP_EQ, &v4, 1);
	payload(NFT_PAYLOAD_NETWORK_HEADER, 16, 4);
	cmp(NFT_CMP_EQ, &a9, 4);
	meta(NFT_META_L4PROTO);
	cmp(NFT_CMP_EQ, &udp, 1);
	payload(NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2);
	cmp(NFT_CMP_EQ, &p9999, 2);
	verdict(NF_DROP);
	CHECK_STR("inet rule: dependencies hidden as nft hides them", render(NFPROTO_INET),
		  "ip daddr 127.0.0.9 udp dport 9999 drop");

	/* iptables -A OUTPUT -d 127.0.0.8 -p udp --dport 9998 -j DROP */
	meta(NFT_META_L4PROTO);
	cmp(NFT_CMP_EQ, &udp, 1);
	payload(NFT_PAYLOAD_NETWORK_HEADER, 16, 4);
	cmp(NFT_CMP_EQ, &a8, 4);
	payload(NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2);
	cmp(NFT_CMP_EQ, &p9998, 2);
	counter();
	verdict(NF_DROP);
	CHECK_STR("iptables-nft rule", render(NFPROTO_IPV4),
		  "ip daddr 127.0.0.8 udp dport 9998 counter packets 3 bytes 111 drop");

	/* iptables -A OUTPUT -s 127.0.0.0/8 -p tcp -m multiport --dports 1,2 -j REJECT */
	meta(NFT_META_L4PROTO);
	cmp(NFT_CMP_EQ, &tcp, 1);
	payload(NFT_PAYLOAD_NETWORK_HEADER, 12, 1);
	cmp(NFT_CMP_EQ, &net8, 1);
	xt("match", "multiport");
	counter();
	xt("target", "REJECT");
	CHECK_STR("xt compat: kept as nft prints it without libxtables", render(NFPROTO_IPV4),
		  "meta l4proto tcp ip saddr 127.0.0.0/8 xt match \"multiport\" counter packets 3 bytes 111 "
		  "xt target \"REJECT\"");

	/* nft add rule ip t c iifname "veth-b" ip protocol udp accept (protocol kept: no udp field follows) */
	meta(NFT_META_IIFNAME);
	char ifn[16] = "veth-b";
	cmp(NFT_CMP_EQ, ifn, sizeof(ifn));
	payload(NFT_PAYLOAD_NETWORK_HEADER, 9, 1);
	cmp(NFT_CMP_EQ, &udp, 1);
	verdict(NF_ACCEPT);
	CHECK_STR("strings quoted; a protocol nothing depends on stays", render(NFPROTO_IPV4),
		  "iifname \"veth-b\" ip protocol udp accept");

	struct nftnl_expr *unk = nftnl_expr_alloc("fib");
	nftnl_rule_add_expr(r, unk);
	verdict(NF_DROP);
	CHECK_STR("an expression not understood is shown as such, not guessed", render(NFPROTO_INET), "[fib] drop");

	char small[8];
	meta(NFT_META_L4PROTO);
	cmp(NFT_CMP_EQ, &udp, 1);
	verdict(NF_DROP);
	size_t need = nftrule_render(r, NFPROTO_INET, small, sizeof(small));
	CHECK("a short buffer is cut and terminated", strlen(small) == sizeof(small) - 1 && need > sizeof(small));
	nftnl_rule_free(r);

	struct nstat s = {0};
	int rc = nstat_parse("Ip: Forwarding InReceives\nIp: 1 42\nUdp: InDatagrams NoPorts\nUdp: 5 7\n"
			     "TcpExt: ListenOverflows ListenDrops\nTcpExt: 3 4\n",
			     &s);
	uint64_t v = 0;
	CHECK("netstat pairs parsed", rc == 0 && s.n == 6);
	CHECK("named as nstat names them", nstat_get(&s, "TcpExtListenOverflows", &v) && v == 3);
	CHECK("UdpNoPorts", nstat_get(&s, "UdpNoPorts", &v) && v == 7);
	rc = nstat_parse("Ip6InReceives                   	12\nIp6InNoRoutes 2\n", &s);
	CHECK("snmp6 lines parsed", rc == 0 && nstat_get(&s, "Ip6InNoRoutes", &v) && v == 2);
	CHECK("a missing counter is said", !nstat_get(&s, "NoSuch", &v));
	nstat_free(&s);
	CHECK("loss counters recognised", nstat_is_loss("TcpExtListenOverflows") && nstat_is_loss("UdpNoPorts") &&
						  nstat_is_loss("IpInDiscards") && !nstat_is_loss("IpInReceives") &&
						  !nstat_is_loss("TcpExtTCPBacklogCoalesce"));
	return unit_failed;
}
