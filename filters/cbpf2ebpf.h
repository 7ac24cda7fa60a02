/* Classic BPF (as pcap_compile produces it) to eBPF for a tracing
 * program: packet bytes are read with bpf_probe_read_kernel. */
#ifndef PKTPATH_CBPF2EBPF_H
#define PKTPATH_CBPF2EBPF_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Same layout as libpcap's struct bpf_insn, which cannot share a
 * translation unit with the kernel's eBPF struct bpf_insn. */
struct cbpf_insn {
	uint16_t code;
	uint8_t jt;
	uint8_t jf;
	uint32_t k;
};

/* The generated code is meant to run at the start of a stub
 * sub-program whose R4 = data and R5 = data_end (first byte past the
 * readable area). It ends by falling through with R1..R4 = 0 and
 * R5 = 1 on a match, R5 = 0 otherwise, so the stub's own body
 * `data != data_end && skb == skb2 && skb2 == skb3` returns the verdict.
 * Returns 0 and a malloc'ed array of eBPF instructions (8 bytes each) in
 * *out / *cnt, or -1 with a message in err. */
int cbpf_to_ebpf(const struct cbpf_insn *in, size_t n, void **out, size_t *cnt, char *err, size_t errlen);

/* How far into the packet the classic program can read: the end of the
 * farthest byte any of its loads may touch, counted from the start of its
 * view; UINT32_MAX when an indexed load's X is not bounded (set from
 * memory, A or the length). X from `4 * ([k] & 0xf)` is at most 60. Flow-
 * insensitive, so an over-estimate at worst. The packet's length (`len`)
 * is not a read here: the caller accounts for it. */
uint32_t cbpf_reach(const struct cbpf_insn *in, size_t n);

/* Prints a one-line-per-instruction disassembly of eBPF code. */
void ebpf_dump(FILE *f, const void *insns, size_t cnt);

#endif
