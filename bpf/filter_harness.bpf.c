// SPDX-License-Identifier: GPL-2.0
/* Test harness for the injected filters (tests/unit/test_filter_diff.c):
 * run with BPF_PROG_TEST_RUN, args[0] selects a packet stored in the
 * `pkts` array map, so the bytes sit in kernel memory and are read with
 * bpf_probe_read_kernel exactly as in pktpath's own programs. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "filter_stub.bpf.h"

#define HARNESS_PKT_MAX 2048

struct pkt {
	__u32 len;
	__u8 data[HARNESS_PKT_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct pkt);
} pkts SEC(".maps");

/* Returns 1 match, 0 no match, 2 bad packet index. */
static __always_inline int run(struct bpf_raw_tracepoint_args *ctx, bool l2)
{
	__u32 key = (__u32)ctx->args[0];
	struct pkt *p = bpf_map_lookup_elem(&pkts, &key);
	__u64 data = 0;
	void *ptr;

	if (!p)
		return 2;
	/* The real programs hand the stub plain numbers (read from the skb),
	 * not map-value pointers: launder the pointer the same way. A global
	 * function takes numbers only (bpf/filter_stub.bpf.h): the key stands in
	 * for the skb, which the filter code never reads. */
	ptr = p->data;
	bpf_probe_read_kernel(&data, sizeof(data), &ptr);
	__u32 len = p->len;
	if (len > HARNESS_PKT_MAX)
		return 2;
	if (l2)
		return pp_filter_l2(key, key, key, data, data + len);
	return pp_filter_l3(key, key, key, data, data + len);
}

SEC("pktpath/raw_tp/pp_harness_l3")
int harness_l3(struct bpf_raw_tracepoint_args *ctx)
{
	return run(ctx, false);
}

SEC("pktpath/raw_tp/pp_harness_l2")
int harness_l2(struct bpf_raw_tracepoint_args *ctx)
{
	return run(ctx, true);
}

char LICENSE[] SEC("license") = "GPL";
