// SPDX-License-Identifier: GPL-2.0
/* pktpath's BPF object. Here: the tracepoint backend's raw tracepoints on
 * the device receive and transmit points, drops and frees, and the owner
 * bookkeeping; funcs.bpf.h holds the fentry and kprobe backends' programs. Each hit that passes the in-kernel
 * selection (netns, interface) becomes one struct pp_event in the ring
 * buffer. Raw tracepoints need no tracefs and hand us the skb pointer. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "event.h"
#include "filter_stub.bpf.h"

#include "ident.h"
#include "maps.bpf.h"
#include "owner.bpf.h"
#include "skb.bpf.h"
#include "parse.bpf.h"
#include "emit.bpf.h"
#include "points.bpf.h"

/* At netif_receive_skb the MAC header is pulled (skb->data is L3); at
 * net_dev_queue skb->data is the MAC header. */
#define AT_RX ((struct pp_at){.probe = PP_PROBE_RX, .layout = PP_L_DATA_L3, .step = PP_STEP_DEV_RX})
#define AT_TX ((struct pp_at){.probe = PP_PROBE_TX, .layout = PP_L_DATA_MAC, .step = PP_STEP_DEV_TX})
#define AT_DROP ((struct pp_at){.probe = PP_PROBE_DROP, .layout = PP_L_NETHDR})
#define AT_FREE ((struct pp_at){.probe = PP_PROBE_FREE, .layout = PP_L_NETHDR})
#define AT_DELIVER ((struct pp_at){.probe = PP_PROBE_DELIVER, .layout = PP_L_NETHDR})

SEC("pktpath/raw_tp/netif_receive_skb")
int pp_rx(struct bpf_raw_tracepoint_args *ctx)
{
	return emit(ctx, (struct sk_buff *)ctx->args[0], AT_RX, 0, 0);
}

/* fentry/kprobe: a packet the output points turned away just before is
 * not selected again here (bpf/decided.bpf.h). */
#define PT_DEV_TX PP_PT(0, PP_K_PLAIN, PP_PROBE_TX, PP_L_DATA_MAC, 0, 0, 0)

/* The device queue is where every backend learns the sender of every
 * packet, selected or not (emit_begin; here when the decided note turns
 * the packet away before it): it runs in the sender's context, before any
 * event in softirq or a timer needs the socket's owner. So no program runs
 * per sendmsg (sock_send_length, inet_sendmsg) to learn it. */
SEC("pktpath/raw_tp/net_dev_queue")
int pp_tx(struct bpf_raw_tracepoint_args *ctx)
{
	struct sk_buff *skb = (struct sk_buff *)ctx->args[0];
	if (DECIDED_ON && decided((__u64)skb, PT_DEV_TX, DEC_BEFORE)) {
		owner_note(ctx, (__u64)BPF_CORE_READ(skb, sk));
		return 0;
	}
	return emit(ctx, skb, AT_TX, 0, 0);
}

/* skb:kfree_skb is (skb, location) before 5.17, then (skb, location, reason). */
SEC("pktpath/raw_tp/kfree_skb")
int pp_drop(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 reason = cfg_drop_has_reason ? (__u32)ctx->args[2] : 0;
	return emit(ctx, (struct sk_buff *)ctx->args[0], AT_DROP, ctx->args[1], reason);
}

SEC("pktpath/raw_tp/consume_skb")
int pp_free(struct bpf_raw_tracepoint_args *ctx)
{
	return emit(ctx, (struct sk_buff *)ctx->args[0], AT_FREE, 0, 0);
}

/* Owner bookkeeping: socket use in process context. These emit nothing. */
SEC("raw_tp/sock_recv_length")
int pp_own_recv(struct bpf_raw_tracepoint_args *ctx)
{
	owner_note(ctx, ctx->args[0]);
	return 0;
}

/* Where sock_recv_length is loaded it learns the reader (once a read; the
 * copy runs once an skb), and the copy below only reports (5.10 has no
 * such tracepoint: there the copy learns too). */
const volatile bool cfg_copy_learns = true;

/* The receiving process copies the packet out: the socket it is delivered
 * to, and so its owner, is known here (for UDP skb->sk is not set, and
 * current, in the receiver's system call, is the owner).
 * A pktpath/ section: it emits events, so the filter must be injected
 * into it (a plain raw_tp/ section would keep the stub, which matches all). */
SEC("pktpath/raw_tp/skb_copy_datagram_iovec")
int pp_own_copy(struct bpf_raw_tracepoint_args *ctx)
{
	struct sk_buff *skb = (struct sk_buff *)ctx->args[0];
	if (cfg_copy_learns)
		owner_note(ctx, (__u64)BPF_CORE_READ(skb, sk));
	/* With an expression a delivered packet was decided at its receive:
	 * only one being followed is reported here, for one look-up (each
	 * TCP read copies, and selecting again cost more than the rest of
	 * the packet's receive). */
	__u64 key = (__u64)skb;
	if (cfg_filter && cfg_track && !tracked_maybe(&key))
		return 0;
	struct pp_event *e = emit_begin(ctx, skb, AT_DELIVER, 0, 0);
	if (!e)
		return 0;
	if (in_user_task(ctx)) {
		owner_from_current(&e->owner);
		e->have |= PP_HAVE_OWNER;
	}
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/* connect(), listen(), close() change state in the caller's context. */
SEC("raw_tp/inet_sock_set_state")
int pp_own_state(struct bpf_raw_tracepoint_args *ctx)
{
	owner_note(ctx, ctx->args[0]);
	return 0;
}

/* The table of a forwarded packet's IPv4 route (bpf/fib.bpf.h). */
SEC("raw_tp/fib_table_lookup")
int pp_fib(struct bpf_raw_tracepoint_args *ctx)
{
	fib_note((__u32)ctx->args[0], (const struct flowi4 *)ctx->args[1], (const struct fib_nh_common *)ctx->args[2],
		 (int)ctx->args[3]);
	return 0;
}

SEC("raw_tp/tcp_destroy_sock")
int pp_own_gone(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 sk = ctx->args[0];
	bpf_map_delete_elem(&owners, &sk);
	return 0;
}

#include "funcs.bpf.h"
#include "netfilter.bpf.h" /* netfilter links (kernel >= 6.4) */

char LICENSE[] SEC("license") = "GPL";
