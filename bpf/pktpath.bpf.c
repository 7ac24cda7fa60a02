// SPDX-License-Identifier: GPL-2.0
/* pktpath, tracepoint backend: raw tracepoints on the device receive and
 * transmit points, drops and frees. Each hit that passes the in-kernel
 * selection (netns, interface) becomes one struct pp_event in the ring
 * buffer. Raw tracepoints need no tracefs and hand us the skb pointer. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "event.h"
#include "filter_stub.h"

#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define IP_OFFSET_MASK 0x1fff
#define ETH_HLEN 14
#define ARPHRD_ETHER 1
#define MAC_HEADER_UNSET 0xffff
#define E2BIG 7

/* Set by user space between open and load. */
const volatile __u32 cfg_netns = 0;      /* 0: every namespace */
const volatile __u32 cfg_ifindex = 0;    /* 0: every interface */
const volatile __u32 cfg_owner_tgid = 0; /* --pid: 0 for every owner */
const volatile char cfg_owner_comm[PP_COMM_LEN] = {}; /* --comm: "" for every owner */
const volatile bool cfg_stack_drops = true;
const volatile bool cfg_stack_all = false;
const volatile bool cfg_drop_has_reason = true; /* skb:kfree_skb has `reason` (>= 5.17) */
const volatile bool cfg_filter = false; /* a pcap filter was injected into the stubs */
const volatile bool cfg_track = true;   /* follow matched skbs until they are freed */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20); /* resized by user space */
} events SEC(".maps");

/* Events that passed selection, per CPU: delivered + lost must add up to
 * this, which the summary shows. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} produced SEC(".maps");

/* Failed ring-buffer reservations, per CPU: every lost event is counted. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

/* skbs that matched the filter, until freed: they stay visible after
 * NAT or where their headers cannot be parsed. Bounded; a full table is
 * counted in track_full rather than evicting packets being followed. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, __u8);
} tracked SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} track_full SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 16384);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, 127 * sizeof(__u64));
} stacks SEC(".maps");

/* Socket -> owning process. LRU: sockets whose destruction we cannot see
 * (no tracepoint for UDP/raw) age out instead of filling the map. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct pp_owner);
} owners SEC(".maps");

#define PF_KTHREAD 0x00200000
/* Larger than any THREAD_SIZE (16K, 32K with KASAN); IRQ stacks live in
 * separate allocations, far outside this window. */
#define TASK_STACK_WINDOW (64 << 10)

/* True in a system call or other task context of a user process; false in
 * kernel threads and in softirq/hardirq/NMI, which the kernel runs on the
 * per-CPU IRQ stacks (x86_64, arm64). Only in the first case is `current`
 * the user of the socket at hand. The per-CPU preempt count would say it
 * directly, but its address is not in kallsyms without KALLSYMS_ALL.
 * Which stack: a raw tracepoint's ctx (the argument array) lives in the
 * frame of the kernel's tracepoint dispatcher, on the stack the event
 * happened on. (Our own frame is no evidence: newer kernels give BPF
 * programs a private per-CPU stack.) */
static __always_inline bool in_user_task(void *ctx)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	if (BPF_CORE_READ(t, flags) & PF_KTHREAD)
		return false;
	__u64 base = (__u64)BPF_CORE_READ(t, stack);
	/* ctx as a plain number: the verifier forbids arithmetic on a ctx
	 * pointer, so read the spilled pointer back as data. */
	void *volatile spill = ctx;
	__u64 at = 0;
	bpf_probe_read_kernel(&at, sizeof(at), (void *)&spill);
	return at - base < TASK_STACK_WINDOW;
}

static __always_inline void owner_from_current(struct pp_owner *o)
{
	__u64 id = bpf_get_current_pid_tgid();
	o->tgid = id >> 32;
	o->pid = (__u32)id;
	o->uid = (__u32)bpf_get_current_uid_gid();
	o->cgroup = bpf_get_current_cgroup_id();
	bpf_get_current_comm(o->comm, sizeof(o->comm));
}

/* The owner of sk, refreshed from current when we run in the context of a
 * user task (that task is then the one using the socket). Writes only when
 * the owner changed: this runs for every event. Returns NULL if unknown. */
static __always_inline struct pp_owner *owner_of(void *ctx, __u64 sk)
{
	if (!sk)
		return NULL;
	struct pp_owner *o = bpf_map_lookup_elem(&owners, &sk);
	if (!in_user_task(ctx))
		return o;
	__u32 pid = (__u32)bpf_get_current_pid_tgid();
	if (o && o->pid == pid)
		return o;
	struct pp_owner n = {};
	owner_from_current(&n);
	bpf_map_update_elem(&owners, &sk, &n, BPF_ANY);
	return bpf_map_lookup_elem(&owners, &sk);
}

static __always_inline bool same_comm(const char *comm)
{
	for (int i = 0; i < PP_COMM_LEN; i++) {
		if (comm[i] != cfg_owner_comm[i])
			return false;
		if (!comm[i])
			break;
	}
	return true;
}

static __always_inline void owner_note(void *ctx, __u64 sk)
{
	owner_of(ctx, sk);
}

static __always_inline __u32 skb_netns(struct sk_buff *skb, struct net_device *dev)
{
	if (dev)
		return BPF_CORE_READ(dev, nd_net.net, ns.inum);
	struct sock *sk = BPF_CORE_READ(skb, sk);
	if (sk)
		return BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
	return 0;
}

/* L4 summary at head+off, bounded by the linear area's end. */
static __always_inline void parse_l4(struct pp_event *e, unsigned char *head, __u32 off, __u32 tail)
{
	__u8 b[16];

	if (off + 8 > tail)
		return;
	switch (e->l4proto) {
	case IPPROTO_TCP:
		if (off + 14 > tail || bpf_probe_read_kernel(b, 14, head + off))
			return;
		e->tcp_flags = b[13];
		break;
	case IPPROTO_UDP:
	case IPPROTO_ICMP:
	case 58: /* IPPROTO_ICMPV6 */
		if (bpf_probe_read_kernel(b, 8, head + off))
			return;
		break;
	default:
		return;
	}
	if (e->l4proto == IPPROTO_TCP || e->l4proto == IPPROTO_UDP) {
		e->sport = ((__u16)b[0] << 8) | b[1];
		e->dport = ((__u16)b[2] << 8) | b[3];
	} else {
		e->icmp_type = b[0];
		e->icmp_code = b[1];
		e->sport = ((__u16)b[4] << 8) | b[5]; /* echo id */
		e->dport = ((__u16)b[6] << 8) | b[7]; /* echo seq */
	}
	e->have |= PP_HAVE_L4;
}

static __always_inline void parse_ipv4(struct pp_event *e, unsigned char *head, __u32 nh, __u32 tail)
{
	struct iphdr ip;

	if (nh + sizeof(ip) > tail || bpf_probe_read_kernel(&ip, sizeof(ip), head + nh))
		return;
	if (ip.version != 4 || ip.ihl < 5)
		return;
	e->ipver = 4;
	e->l4proto = ip.protocol;
	__builtin_memcpy(e->saddr, &ip.saddr, 4);
	__builtin_memcpy(e->daddr, &ip.daddr, 4);
	e->have |= PP_HAVE_L3;
	if (bpf_ntohs(ip.frag_off) & IP_OFFSET_MASK) {
		e->have |= PP_HAVE_FRAG;
		return;
	}
	parse_l4(e, head, nh + ip.ihl * 4, tail);
}

static __always_inline void parse_ipv6(struct pp_event *e, unsigned char *head, __u32 nh, __u32 tail)
{
	struct ipv6hdr ip6;
	__u8 opt[4];

	if (nh + sizeof(ip6) > tail || bpf_probe_read_kernel(&ip6, sizeof(ip6), head + nh))
		return;
	if (ip6.version != 6)
		return;
	e->ipver = 6;
	__builtin_memcpy(e->saddr, &ip6.saddr, 16);
	__builtin_memcpy(e->daddr, &ip6.daddr, 16);
	e->have |= PP_HAVE_L3;

	__u8 next = ip6.nexthdr;
	__u32 off = nh + sizeof(ip6);
	/* Skip a bounded number of extension headers to reach L4. */
	for (int i = 0; i < 4; i++) {
		if (next != 0 && next != 43 && next != 44 && next != 60)
			break;
		if (off + 4 > tail || bpf_probe_read_kernel(opt, 4, head + off))
			return;
		if (next == 44) { /* fragment header: fixed 8 bytes */
			if (((opt[2] << 8) | opt[3]) & 0xfff8) {
				e->l4proto = opt[0];
				e->have |= PP_HAVE_FRAG;
				return;
			}
			off += 8;
		} else {
			off += (opt[1] + 1) * 8;
		}
		next = opt[0];
	}
	e->l4proto = next;
	parse_l4(e, head, off, tail);
}

/* Runs the injected filter on the packet's L3 view (IP only) and, on
 * Ethernet devices whose MAC header is known to precede L3, on its L2
 * view. Only the linear area [head, head + tail) is visible. */
static __always_inline bool filter_match(struct sk_buff *skb, struct net_device *dev, __u16 probe, __u16 proto,
					 unsigned char *head, __u32 nh, __u32 tail)
{
	if ((proto == ETH_P_IP || proto == ETH_P_IPV6) && nh < tail &&
	    pp_filter_l3(skb, skb, skb, head + nh, head + tail))
		return true;
	if (!dev || BPF_CORE_READ(dev, type) != ARPHRD_ETHER)
		return false;
	__u32 mh;
	if (probe == PP_PROBE_TX) /* net_dev_queue: skb->data is the MAC header */
		mh = BPF_CORE_READ(skb, data) - head;
	else
		mh = BPF_CORE_READ(skb, mac_header);
	if (mh == MAC_HEADER_UNSET || mh + ETH_HLEN > nh || mh + ETH_HLEN > tail)
		return false;
	return pp_filter_l2(skb, skb, skb, head + mh, head + tail);
}

static __always_inline void count(void *map)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(map, &zero);
	if (n)
		*n += 1;
}

static __always_inline int emit(void *ctx, struct sk_buff *skb, __u16 probe, __u64 location, __u32 reason)
{
	struct net_device *dev = BPF_CORE_READ(skb, dev);
	__u16 proto = bpf_ntohs(BPF_CORE_READ(skb, protocol));
	__u32 ifindex = dev ? BPF_CORE_READ(dev, ifindex) : 0;
	__u32 netns = skb_netns(skb, dev);

	__u64 key = (__u64)skb;
	bool known = false, freed = probe == PP_PROBE_DROP || probe == PP_PROBE_FREE;

	if (cfg_filter && cfg_track) {
		known = bpf_map_lookup_elem(&tracked, &key) != NULL;
		/* Forget it wherever it is freed: the address will be reused. */
		if (known && freed)
			bpf_map_delete_elem(&tracked, &key);
	}
	/* Not a network packet (netlink, unix): outside what pktpath traces. */
	if (proto == 0)
		return 0;
	/* A socket's first packet often leaves before any owner tracepoint has
	 * fired (sock_send_length fires after sendmsg): learn the owner on
	 * transmit even when this event is not selected, so the packet is
	 * attributed where it is (on the receiving side, say). */
	__u64 sk = (__u64)BPF_CORE_READ(skb, sk);
	struct pp_owner *o = NULL;
	if (probe == PP_PROBE_TX)
		o = owner_of(ctx, sk);
	if (cfg_netns && netns != cfg_netns)
		return 0;
	if (cfg_ifindex && ifindex != cfg_ifindex)
		return 0;

	/* Where L3 starts: on receive the MAC header is already pulled and
	 * skb->data is the network header (network_header is reset only
	 * after this tracepoint); elsewhere network_header is authoritative. */
	unsigned char *head = BPF_CORE_READ(skb, head);
	__u32 tail = BPF_CORE_READ(skb, tail);
	__u32 nh;
	if (probe == PP_PROBE_RX)
		nh = BPF_CORE_READ(skb, data) - head;
	else
		nh = BPF_CORE_READ(skb, network_header);

	if (cfg_filter && !known) {
		if (!filter_match(skb, dev, probe, proto, head, nh, tail))
			return 0;
		__u8 one = 1;
		if (cfg_track && !freed && bpf_map_update_elem(&tracked, &key, &one, BPF_NOEXIST) == -E2BIG)
			count(&track_full);
	}

	/* Owner: the process behind skb->sk, learned now if we are in its
	 * context, else from what the socket's earlier use recorded (on
	 * transmit it was looked up above already). */
	if (probe != PP_PROBE_TX)
		o = owner_of(ctx, sk);
	if (cfg_owner_tgid && (!o || o->tgid != cfg_owner_tgid))
		return 0;
	if (cfg_owner_comm[0] && (!o || !same_comm(o->comm)))
		return 0;

	count(&produced);
	struct pp_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(&lost);
		return 0;
	}
	__builtin_memset(e, 0, sizeof(*e));

	__u64 id = bpf_get_current_pid_tgid();
	e->ts_ns = bpf_ktime_get_ns();
	e->skb = (__u64)skb;
	e->probe = probe;
	e->cpu = bpf_get_smp_processor_id();
	e->pid = (__u32)id;
	e->tgid = id >> 32;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	e->netns = netns;
	if (netns)
		e->have |= PP_HAVE_NETNS;
	if (dev) {
		e->ifindex = ifindex;
		BPF_CORE_READ_STR_INTO(&e->ifname, dev, name);
		e->have |= PP_HAVE_DEV;
	}
	e->ethertype = proto;
	e->len = BPF_CORE_READ(skb, len);
	e->mark = BPF_CORE_READ(skb, mark);
	e->pkt_type = BPF_CORE_READ_BITFIELD_PROBED(skb, pkt_type);
	e->location = location;
	e->reason = reason;
	if (probe == PP_PROBE_DROP && cfg_drop_has_reason)
		e->have |= PP_HAVE_REASON;

	if (sk) {
		e->sk = sk;
		e->have |= PP_HAVE_SK;
	}
	if (o) {
		e->owner = *o;
		e->have |= PP_HAVE_OWNER;
	}

	e->stack_id = -1;
	if (cfg_stack_all || (probe == PP_PROBE_DROP && cfg_stack_drops))
		e->stack_id = bpf_get_stackid(ctx, &stacks, 0);

	if (nh < tail) {
		if (proto == ETH_P_IP)
			parse_ipv4(e, head, nh, tail);
		else if (proto == ETH_P_IPV6)
			parse_ipv6(e, head, nh, tail);
	}

	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("pktpath/raw_tp/netif_receive_skb")
int pp_rx(struct bpf_raw_tracepoint_args *ctx)
{
	return emit(ctx, (struct sk_buff *)ctx->args[0], PP_PROBE_RX, 0, 0);
}

SEC("pktpath/raw_tp/net_dev_queue")
int pp_tx(struct bpf_raw_tracepoint_args *ctx)
{
	return emit(ctx, (struct sk_buff *)ctx->args[0], PP_PROBE_TX, 0, 0);
}

/* skb:kfree_skb is (skb, location) before 5.17, then (skb, location, reason). */
SEC("pktpath/raw_tp/kfree_skb")
int pp_drop(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 reason = cfg_drop_has_reason ? (__u32)ctx->args[2] : 0;
	return emit(ctx, (struct sk_buff *)ctx->args[0], PP_PROBE_DROP, ctx->args[1], reason);
}

SEC("pktpath/raw_tp/consume_skb")
int pp_free(struct bpf_raw_tracepoint_args *ctx)
{
	return emit(ctx, (struct sk_buff *)ctx->args[0], PP_PROBE_FREE, 0, 0);
}

/* Owner bookkeeping: socket use in process context. These emit nothing. */
SEC("raw_tp/sock_send_length")
int pp_own_send(struct bpf_raw_tracepoint_args *ctx)
{
	owner_note(ctx, ctx->args[0]);
	return 0;
}

SEC("raw_tp/sock_recv_length")
int pp_own_recv(struct bpf_raw_tracepoint_args *ctx)
{
	owner_note(ctx, ctx->args[0]);
	return 0;
}

SEC("raw_tp/skb_copy_datagram_iovec")
int pp_own_copy(struct bpf_raw_tracepoint_args *ctx)
{
	struct sk_buff *skb = (struct sk_buff *)ctx->args[0];
	owner_note(ctx, (__u64)BPF_CORE_READ(skb, sk));
	return 0;
}

/* connect(), listen(), close() change state in the caller's context. */
SEC("raw_tp/inet_sock_set_state")
int pp_own_state(struct bpf_raw_tracepoint_args *ctx)
{
	owner_note(ctx, ctx->args[0]);
	return 0;
}

SEC("raw_tp/tcp_destroy_sock")
int pp_own_gone(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 sk = ctx->args[0];
	bpf_map_delete_elem(&owners, &sk);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
