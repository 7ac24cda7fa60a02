/* tcpdump-like words for what the IP summary fields of an event do not
 * cover, decoded from the bytes the BPF side keeps for such packets
 * (pp_event.raw: ARP, in-band VLAN tags, ICMP and ICMPv6 messages other
 * than echo) and from the out-of-band VLAN tag. Every length is checked
 * against raw_len: a record is input. Used by fmt_packet (cmd/render/format.c),
 * so text, --stream, JSON and pcapng comments say the same. */
#ifndef PKTPATH_DECODE_H
#define PKTPATH_DECODE_H
#include <stdbool.h>

#include "bpf/event.h"
#include "cmd/util/strbuf.h"

/* "vlan 100, " (802.1Q) or "802.1ad vlan 200, " for an out-of-band tag. */
void dec_vlan_tag(struct strbuf *sb, const struct pp_event *e);
/* A packet without an IP header: ARP ("ARP, Request who-has A tell B"),
 * in-band VLAN tags and what they carry. False when raw says nothing. */
bool dec_l2(struct strbuf *sb, const struct pp_event *e);
/* After an ICMP or ICMPv6 message's type: the neighbour discovery target,
 * an error's reason and the packet it quotes, packet-too-big's MTU. */
void dec_icmp(struct strbuf *sb, const struct pp_event *e);

/* After an IPv6 packet's addresses: its extension headers as tcpdump says
 * them (" HBH (rtalert: 0x0000) (padn)", " frag (0|1448)", " srcrt (...)",
 * " DSTOPT ..."), from raw. Returns whether a fragment header was said. */
bool dec_ext6(struct strbuf *sb, const struct pp_event *e);

/* After a tunnel's outer summary (VXLAN, Geneve, GRE, IP in IP):
 * " vxlan vni 42: ICMP 10.0.0.1 > 10.0.0.2 echo-request id 1 seq 1". */
void dec_tunnel(struct strbuf *sb, const struct pp_event *e);

#endif
