#include "cmd/render/reasons.h"

#include <bpf/btf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd/render/hints.h"
#include "kernel/dropreason.h"

/* What each kernel drop reason means, in our words, for the reasons
 * without a specific hint in cmd/render/hints.c and as the base of those. Names
 * as the BTF enum skb_drop_reason spells them without SKB_DROP_REASON_.
 * tests/e2e/reasons.sh (and the VM guest) fail for any reason the running
 * kernel defines that is missing here. */
static const struct {
	const char *name, *meaning;
} meanings[] = {
	{"NOT_DROPPED_YET", "not a drop: the kernel's marker for an skb whose fate is not decided yet"},
	{"CONSUMED", "not a drop: the packet was used up normally (consume_skb)"},
	{"NOT_SPECIFIED", "the code that freed it gave no reason; the location and stack say where"},
	{"NO_SOCKET", "no socket was listening or connected for the packet's address and port"},
	{"SOCKET_CLOSE", "the socket was closed while the packet was queued to it"},
	{"SOCKET_FILTER", "a socket filter (SO_ATTACH_FILTER / BPF socket filter) rejected it"},
	{"SOCKET_RCVBUFF", "the receiving socket's buffer was full: the application reads too slowly"},
	{"UNIX_DISCONNECT", "a Unix socket was disconnected with data still queued"},
	{"UNIX_SKIP_OOB", "a Unix stream socket skipped out-of-band data it was not asked to read"},
	{"PKT_TOO_SMALL", "the packet is shorter than its headers say"},
	{"TCP_CSUM", "bad TCP checksum"},
	{"UDP_CSUM", "bad UDP checksum"},
	{"NETFILTER_DROP", "a netfilter rule (nftables, iptables) or hook returned DROP"},
	{"OTHERHOST", "the frame was addressed to another host's MAC address"},
	{"IP_CSUM", "bad IPv4 header checksum"},
	{"IP_INHDR", "invalid IPv4 header: version, length or other fields"},
	{"IP_RPFILTER", "reverse-path filter: the source address is not routed back through the receiving interface"},
	{"UNICAST_IN_L2_MULTICAST", "a unicast IP packet arrived in a link-layer broadcast or multicast frame"},
	{"XFRM_POLICY", "an IPsec (xfrm) policy check refused it"},
	{"IP_NOPROTO", "no handler in this kernel for its IP protocol number"},
	{"PROTO_MEM", "the protocol's memory limit was reached (net.ipv4.tcp_mem / udp_mem)"},
	{"TCP_AUTH_HDR", "TCP-MD5 or TCP-AO option problem (missing, unexpected or both present)"},
	{"TCP_MD5NOTFOUND", "TCP-MD5 signature expected but absent"},
	{"TCP_MD5UNEXPECTED", "TCP-MD5 signature present but not configured for this peer"},
	{"TCP_MD5FAILURE", "TCP-MD5 signature wrong"},
	{"TCP_AONOTFOUND", "TCP-AO option expected but absent"},
	{"TCP_AOUNEXPECTED", "TCP-AO option present but not configured for this peer"},
	{"TCP_AOKEYNOTFOUND", "TCP-AO key id unknown"},
	{"TCP_AOFAILURE", "TCP-AO MAC wrong"},
	{"SOCKET_BACKLOG", "the socket's backlog (packets queued while the socket was busy) was full"},
	{"TCP_FLAGS", "TCP flags not valid for the connection's state"},
	{"TCP_ABORT_ON_DATA", "data arrived for a socket the application had already closed: the connection is aborted"},
	{"TCP_ZEROWINDOW", "the receive window was zero: the sender ignored it"},
	{"TCP_OLD_DATA", "TCP data already received (a retransmission of what was acknowledged)"},
	{"TCP_OVERWINDOW", "TCP data beyond the receive window"},
	{"TCP_OFOMERGE", "an out-of-order segment overlapped data already queued"},
	{"TCP_RFC7323_PAWS", "PAWS: the segment's timestamp is older than the connection's (RFC 7323)"},
	{"TCP_RFC7323_PAWS_ACK", "PAWS: an old duplicate ACK by its timestamp (RFC 7323)"},
	{"TCP_RFC7323_TW_PAWS", "PAWS on a TIME-WAIT socket: old timestamp"},
	{"TCP_RFC7323_TSECR", "the echoed timestamp (TSecr) is not one this host sent"},
	{"TCP_LISTEN_OVERFLOW", "the listener's accept queue was full"},
	{"TCP_OLD_SEQUENCE", "TCP segment entirely before the receive window (old duplicate)"},
	{"TCP_INVALID_SEQUENCE", "TCP sequence number outside the receive window"},
	{"TCP_INVALID_END_SEQUENCE", "TCP segment ends outside the receive window"},
	{"TCP_INVALID_ACK_SEQUENCE", "TCP acknowledges data never sent, or too old"},
	{"TCP_RESET", "a TCP reset was received and the connection closed"},
	{"TCP_INVALID_SYN", "a SYN where none is allowed (in an established connection)"},
	{"TCP_CLOSE", "the TCP socket was already closed"},
	{"TCP_FASTOPEN", "TCP Fast Open: the SYN's data could not be accepted"},
	{"TCP_OLD_ACK", "TCP ACK older than what was already acknowledged"},
	{"TCP_TOO_OLD_ACK", "TCP ACK far older than the send window"},
	{"TCP_ACK_UNSENT_DATA", "TCP ACK for data not sent yet"},
	{"TCP_OFO_QUEUE_PRUNE", "out-of-order queue pruned under memory pressure"},
	{"TCP_OFO_DROP", "out-of-order segment dropped: no room in the receive buffer"},
	{"IP_OUTNOROUTES", "no route for a packet being sent"},
	{"BPF_CGROUP_EGRESS", "a cgroup BPF egress program rejected it"},
	{"IPV6DISABLED", "IPv6 is disabled on the interface"},
	{"NEIGH_CREATEFAIL", "could not create a neighbour (ARP/ND) entry for the next hop"},
	{"NEIGH_FAILED", "neighbour resolution (ARP/ND) of the next hop failed"},
	{"NEIGH_QUEUEFULL", "too many packets waiting for the next hop's ARP/ND answer (unres_qlen)"},
	{"NEIGH_DEAD", "the neighbour entry was removed while packets waited on it"},
	{"NEIGH_HH_FILLFAIL", "the link-layer header for the next hop could not be built"},
	{"TC_EGRESS", "a tc filter or program on the egress of the interface dropped it (TC_ACT_SHOT)"},
	{"SECURITY_HOOK", "a security module (SELinux, AppArmor, BPF LSM) refused it"},
	{"QDISC_DROP", "the queueing discipline dropped it (queue full, or its policy)"},
	{"QDISC_OVERLIMIT", "the queueing discipline's queue was over its limit"},
	{"QDISC_CONGESTED", "the queueing discipline signalled congestion (AQM such as CoDel/PIE dropped it)"},
	{"QDISC_BURST_DROP", "the queueing discipline dropped a burst it could not hold"},
	{"CAKE_FLOOD", "the cake qdisc dropped it from a flow flooding the queue"},
	{"FQ_BAND_LIMIT", "the fq qdisc's per-band packet limit was reached"},
	{"FQ_HORIZON_LIMIT", "the fq qdisc dropped a packet timestamped too far in the future (horizon)"},
	{"FQ_FLOW_LIMIT", "the fq qdisc's per-flow packet limit was reached"},
	{"CPU_BACKLOG", "the per-CPU receive backlog was full (net.core.netdev_max_backlog)"},
	{"XDP", "an XDP program returned XDP_DROP or XDP_ABORTED"},
	{"TC_INGRESS", "a tc filter or program on the ingress of the interface dropped it (TC_ACT_SHOT)"},
	{"UNHANDLED_PROTO", "no handler for the packet's protocol (ethertype)"},
	{"SKB_CSUM", "checksum computation failed"},
	{"SKB_GSO_SEG", "segmenting a GSO packet failed"},
	{"SKB_BAD_GSO", "a GSO packet with invalid segmentation metadata"},
	{"SKB_UCOPY_FAULT", "copying the data from user space failed"},
	{"DEV_HDR", "the device could not build or parse the link-layer header"},
	{"DEV_READY", "the interface is down or not ready"},
	{"FULL_RING", "the device's transmit or receive ring was full"},
	{"NOMEM", "out of memory"},
	{"HDR_TRUNC", "a header is truncated"},
	{"TAP_FILTER", "a tap/tun device's filter rejected it"},
	{"TAP_TXFILTER", "a tap/tun device's transmit filter rejected it"},
	{"ICMP_CSUM", "bad ICMP checksum"},
	{"INVALID_PROTO", "the packet's protocol is invalid for where it arrived"},
	{"IP_INADDRERRORS", "invalid destination address (an unreachable route, or no route on input)"},
	{"IP_INNOROUTES", "no route for a received packet (to forward or deliver)"},
	{"IP_LOCAL_SOURCE", "a received packet has a local address as its source"},
	{"IP_INVALID_SOURCE", "invalid source address (multicast, broadcast, loopback from outside)"},
	{"IP_LOCALNET", "source or destination in 127.0.0.0/8 where that is not allowed (route_localnet)"},
	{"IP_INVALID_DEST", "invalid destination address for forwarding (broadcast or not unicast)"},
	{"PKT_TOO_BIG", "larger than the path MTU and may not be fragmented"},
	{"DUP_FRAG", "a duplicate IP fragment"},
	{"FRAG_REASM_TIMEOUT", "IP fragments not all received in time to reassemble"},
	{"FRAG_TOO_FAR", "IP fragment too far ahead of the others (ipfrag_max_dist)"},
	{"TCP_MINTTL", "TTL/hop limit below the socket's minimum (IP_MINTTL)"},
	{"IPV6_BAD_EXTHDR", "invalid IPv6 extension header"},
	{"IPV6_TOO_MANY_EXTHDRS", "more IPv6 extension headers than allowed"},
	{"IPV6_NDISC_FRAG", "a fragmented neighbour discovery message (not allowed)"},
	{"IPV6_NDISC_HOP_LIMIT", "neighbour discovery message with a hop limit other than 255"},
	{"IPV6_NDISC_BAD_CODE", "neighbour discovery message with a non-zero ICMPv6 code"},
	{"IPV6_NDISC_BAD_OPTIONS", "neighbour discovery message with invalid options"},
	{"IPV6_NDISC_NS_OTHERHOST", "neighbour solicitation for an address that is not this host's"},
	{"QUEUE_PURGE", "a queue was purged (socket or device shut down) with the packet in it"},
	{"TC_COOKIE_ERROR", "tc: a filter's classification cookie was invalid"},
	{"PACKET_SOCK_ERROR", "a packet (AF_PACKET) socket could not take it"},
	{"TC_CHAIN_NOTFOUND", "tc: the filter chain to go to does not exist"},
	{"TC_RECLASSIFY_LOOP", "tc: too many reclassifications (loop)"},
	{"VXLAN_INVALID_HDR", "invalid VXLAN header"},
	{"VXLAN_VNI_NOT_FOUND", "no VXLAN device for the packet's VNI"},
	{"MAC_INVALID_SOURCE", "invalid source MAC address (multicast, or zero)"},
	{"VXLAN_ENTRY_EXISTS", "VXLAN: the forwarding entry exists with another destination"},
	{"NO_TX_TARGET", "no target to transmit to (e.g. VXLAN without a remote)"},
	{"IP_TUNNEL_ECN", "a tunnel's inner and outer ECN bits conflict"},
	{"TUNNEL_TXINFO", "a tunnel packet without the metadata it needs to be sent"},
	{"LOCAL_MAC", "a frame with a source MAC address of this host came back in"},
	{"ARP_PVLAN_DISABLE", "proxy ARP for private VLANs is disabled"},
	{"MAC_IEEE_MAC_CONTROL", "IEEE 802.3 MAC control frame (pause), not forwarded"},
	{"BRIDGE_INGRESS_STP_STATE", "the bridge port's STP state (blocking, listening) does not let frames in"},
	{"CAN_RX_INVALID_FRAME", "invalid CAN frame received"},
	{"CANFD_RX_INVALID_FRAME", "invalid CAN FD frame received"},
	{"CANXL_RX_INVALID_FRAME", "invalid CAN XL frame received"},
	{"PFMEMALLOC", "allocated from emergency memory reserves and not for a socket that may use them"},
	{"DUALPI2_STEP_DROP", "the dualpi2 qdisc dropped it at its step threshold"},
	{"PSP_INPUT", "PSP (encryption) check failed on receive"},
	{"PSP_OUTPUT", "PSP (encryption) check failed on transmit"},
	{"RECURSION_LIMIT", "too deep transmit recursion (tunnels or devices stacked in a loop)"},
	{"IPVLAN_MULTICAST_BACKLOG", "the ipvlan device's multicast backlog was full"},
	{"MACVLAN_BROADCAST_BACKLOG", "the macvlan device's broadcast backlog was full"},
};

const char *reason_meaning(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < sizeof(meanings) / sizeof(meanings[0]); i++)
		if (strcmp(meanings[i].name, name) == 0)
			return meanings[i].meaning;
	return NULL;
}

int reasons_print(FILE *f, const char *btf_path)
{
	struct btf *btf = btf__parse(btf_path, NULL);
	if (!btf) {
		fprintf(stderr, "pktpath: no kernel BTF at %s: %s\n", btf_path, strerror(errno));
		return -1;
	}
	struct dropreasons *dr = dropreasons_load(btf);
	btf__free(btf);
	if (!dr) {
		fprintf(stderr, "pktpath: this kernel has no enum skb_drop_reason (before 5.17): drops carry no reason\n");
		return -1;
	}
	int missing = 0;
	for (uint32_t v = 0; v < dropreasons_span(dr); v++) {
		const char *n = dropreasons_name(dr, v);
		if (!n)
			continue;
		const char *m = reason_meaning(n);
		missing += !m;
		fprintf(f, "%3u %-28s %s%s\n", v, n, m ? m : "NO EXPLANATION",
			hint_is_specific(n) ? " [hint with this drop's details]" : "");
	}
	fprintf(f, "%u reasons, %d without an explanation\n", dropreasons_count(dr), missing);
	dropreasons_free(dr);
	return missing;
}
