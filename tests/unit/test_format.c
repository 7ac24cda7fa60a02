/* Event lines: packet summaries, escaping of kernel strings, columns. */
#include <arpa/inet.h>

#include "cmd/util/escape.h"
#include "cmd/render/format.h"
#include "cmd/model/probes.h"
#include "unit.h"

static struct pp_event udp_event(void)
{
	struct pp_event e = {0};
	e.ts_ns = 2500000;
	e.skb = 0xffff888100b84c00ull;
	e.probe = PP_PROBE_RX;
	e.cpu = 1;
	e.tgid = 4121;
	memcpy(e.comm, "nc", 3);
	memcpy(e.ifname, "veth-b", 7);
	e.have = PP_HAVE_DEV | PP_HAVE_L3 | PP_HAVE_L4;
	e.ethertype = 0x0800;
	e.ipver = 4;
	e.l4proto = 17;
	inet_pton(AF_INET, "198.18.0.1", e.saddr);
	inet_pton(AF_INET, "198.18.0.2", e.daddr);
	e.sport = 40312;
	e.dport = 7778;
	e.len = 33;
	return e;
}

int main(void)
{
	char out[128];
	struct strbuf sb = {0};

	escape_field("ab\x1b[2Jc d\\", 16, out, sizeof(out));
	CHECK_STR("escape: control, space and backslash", out, "ab\\x1b[2Jc\\x20d\\x5c");
	escape_field("0123456789abcdef", 16, out, sizeof(out));
	CHECK_STR("escape: a full 16-byte comm without NUL stays bounded", out, "0123456789abcdef");
	escape_field("\x01\x02\x03", 3, out, 6);
	CHECK_STR("escape: cut at a whole escape", out, "\\x01");

	/* escape_name16 keeps names it escaped: the same text as escape_field,
	 * whatever follows a name's NUL, whatever room, whichever came first. */
	static const char *const names[][2] = {
		{"veth-b\0\0\0\0\0\0\0\0\0", "veth-b"}, {"veth-b\0old-name", "veth-b"},
		{"udpflood\0\0\0\0\0\0\0", "udpflood"}, {"ab\x1b[2Jc d\\\0\0\0\0\0", "ab\\x1b[2Jc\\x20d\\x5c"},
		{"0123456789abcdef", "0123456789abcdef"},       {"\0veth-b\0\0\0\0\0\0\0\0", ""},
		{"eth0\0\0\0\0\0\0\0\0\0\0\0", "eth0"}, {"eth1\0\0\0\0\0\0\0\0\0\0\0", "eth1"},
	};
	int same = 1;
	for (int round = 0; round < 3; round++)
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			size_t n = escape_name16(names[i][0], 16, out, sizeof(out));
			same &= !strcmp(out, names[i][1]) && n == strlen(out);
			char cut[8]; /* a smaller room: cut as escape_field cuts */
			char want[8];
			escape_field(names[i][0], 16, want, sizeof(want));
			n = escape_name16(names[i][0], 16, cut, sizeof(cut));
			same &= !strcmp(cut, want) && n == strlen(cut);
		}
	CHECK("escape_name16: kept names give escape_field's text", same);

	struct pp_event e = udp_event();
	fmt_packet(&sb, &e);
	CHECK_STR("UDP summary", sb.s, "UDP 198.18.0.1:40312 > 198.18.0.2:7778 len 33");

	sb_reset(&sb);
	e.l4proto = 6;
	e.tcp_flags = 0x12;
	fmt_packet(&sb, &e);
	CHECK_STR("TCP flags as tcpdump writes them", sb.s, "TCP 198.18.0.1:40312 > 198.18.0.2:7778 [S.] len 33");

	sb_reset(&sb);
	e.l4proto = 1;
	e.icmp_type = 8;
	e.sport = 7;
	e.dport = 1;
	e.mark = 0x2a;
	fmt_packet(&sb, &e);
	CHECK_STR("ICMP echo with id, seq and mark", sb.s,
		  "ICMP 198.18.0.1 > 198.18.0.2 echo-request id 7 seq 1 len 33 mark 0x2a");

	sb_reset(&sb);
	e = udp_event();
	e.ipver = 6;
	e.ethertype = 0x86dd;
	inet_pton(AF_INET6, "2001:db8::1", e.saddr);
	inet_pton(AF_INET6, "2001:db8::2", e.daddr);
	fmt_packet(&sb, &e);
	CHECK_STR("IPv6 addresses bracketed with ports", sb.s, "UDP [2001:db8::1]:40312 > [2001:db8::2]:7778 len 33");

	sb_reset(&sb);
	e.have = 0;
	e.ethertype = 0x0806;
	fmt_packet(&sb, &e);
	CHECK_STR("non-IP: ethertype", sb.s, "ethertype 0x0806 (ARP) len 33");

	/* A whole line: columns split on white space even with a hostile comm. */
	sb_reset(&sb);
	e = udp_event();
	memcpy(e.comm, "evil name\n", 11);
	struct fmt_ctx ctx = {.t0 = 1000000};
	fmt_event(&sb, &e, &ctx);
	char probe[32], ns[32], ifn[32], pt[32], comm[64];
	unsigned pid = 0;
	int n = sscanf(sb.s, "%*s %*s %*s %31s %31s %31s %31s %u %63s", probe, ns, ifn, pt, &pid, comm);
	CHECK("line has every column", n == 6);
	CHECK_STR("probe column", probe, "netif_receive_skb");
	CHECK_STR("netns column without a namespace", ns, "-");
	CHECK_STR("iface column", ifn, "veth-b");
	CHECK("pid column", pid == 4121);
	CHECK_STR("comm escaped into one column", comm, "evil\\x20name\\x0a");
	CHECK("time relative to the first event", strncmp(sb.s, "0.001500 ", 9) == 0);
	CHECK("one line, no stack for a non-drop", strchr(sb.s, '\n') == sb.s + sb.len - 1);

	sb_reset(&sb);
	e.probe = PP_PROBE_DROP;
	e.have |= PP_HAVE_REASON;
	e.reason = 3;
	e.location = 0x1234;
	fmt_event(&sb, &e, &ctx);
	CHECK("a drop without a reason table prints the number", strstr(sb.s, "DROP reason 3 at 0x1234") != NULL);

	/* A BPF netfilter link's event: the point names hook and end. */
	struct pp_event nf = udp_event();
	nf.probe = PP_PROBE_NETFILTER;
	nf.have |= PP_HAVE_NF;
	nf.nf_pf = 2;
	nf.nf_hook = 1;
	nf.nf_prio = -2147483647;
	sb_reset(&sb);
	fmt_event(&sb, &nf, &ctx);
	n = sscanf(sb.s, "%*s %*s %*s %31s %31s", probe, ns);
	CHECK_STR("netfilter link: hook and end in one probe column", probe, "nf:INPUT:first");
	CHECK("netfilter link: family and priority, no repeated hook",
	      strstr(sb.s, "len 33 ipv4 prio -2147483647") != NULL && !strstr(sb.s, "hook INPUT"));
	nf.nf_prio = 2147483646;
	nf.nf_hook = 4;
	sb_reset(&sb);
	fmt_event(&sb, &nf, &ctx);
	CHECK("netfilter link: last end", strstr(sb.s, " nf:POSTROUTING:last ") != NULL);
	/* A kernel function's netfilter event keeps its hook words. */
	nf.func = probes_add_func("nf_hook_slow");
	nf.nf_prio = 0;
	sb_reset(&sb);
	fmt_event(&sb, &nf, &ctx);
	CHECK("nf_hook_slow: function name and hook word", strstr(sb.s, "nf_hook_slow") && strstr(sb.s, "hook POSTROUTING"));
	probes_free();
	sb_free(&sb);
	return unit_failed;
}
