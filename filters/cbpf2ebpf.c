/* Classic BPF -> eBPF for tracing programs.
 *
 * Register use: A in R6, X in R7, data in R8, data_end in R9 (all
 * callee-saved, so bpf_probe_read_kernel leaves them alone); R0-R5 are
 * scratch. M[] lives in the stub's stack frame, fp-8 is the read buffer.
 * Classic jumps only go forward, so the output is loop-free.
 *
 * The packet is kernel memory, read with bpf_probe_read_kernel. Each call
 * costs about as much as the rest of a small filter, so the first WIN
 * bytes are copied into the frame once and loads at constant offsets
 * inside them are plain stack loads, and so are indexed loads inside them
 * when X is a plain IPv4 header's length; the rest (other indexed loads,
 * offsets past the window) read the packet one load at a time. */
#include "filters/cbpf2ebpf.h"

#include <linux/bpf.h>
#include <linux/filter.h> /* classic-only macros: BPF_RVAL, BPF_TAX ... */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RA 6
#define RX 7
#define RDATA 8
#define REND 9
#define MEMWORDS 16
#define MEM_OFF(k) (-80 + 4 * (int)(k)) /* M[0..15]: fp-80 .. fp-20 */
#define BUF_OFF (-8)
#define WLEN_OFF (-16)          /* bytes of the window filled: min(data_end - data, WIN) */
#define WIN 64                  /* IPv4/IPv6 header and the L4 ports, usually */
#define WIN_OFF (-88 - WIN)     /* the window: fp-152 .. fp-89 */

/* Targets other than a classic instruction index. */
enum { T_MATCH = -1, T_NOMATCH = -2 };

struct fixup {
	size_t at;   /* eBPF jump to patch */
	long target; /* classic index, T_MATCH or T_NOMATCH */
};

struct gen {
	struct bpf_insn *code;
	size_t len, cap;
	struct fixup *fix;
	size_t nfix, capfix;
	bool oom;
};

static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	struct bpf_insn i = {.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm};
	return i;
}

static void put(struct gen *g, struct bpf_insn i)
{
	if (g->len == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 256;
		struct bpf_insn *p = realloc(g->code, cap * sizeof(*p));
		if (!p) {
			g->oom = true;
			return;
		}
		g->code = p;
		g->cap = cap;
	}
	g->code[g->len++] = i;
}

/* A jump whose offset is filled in once every target's position is known. */
static void jump(struct gen *g, struct bpf_insn i, long target)
{
	if (g->nfix == g->capfix) {
		size_t cap = g->capfix ? g->capfix * 2 : 64;
		struct fixup *p = realloc(g->fix, cap * sizeof(*p));
		if (!p) {
			g->oom = true;
			return;
		}
		g->fix = p;
		g->capfix = cap;
	}
	g->fix[g->nfix].at = g->len;
	g->fix[g->nfix].target = target;
	g->nfix++;
	put(g, i);
}

static void mov64_imm(struct gen *g, uint8_t dst, int32_t imm)
{
	put(g, insn(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm));
}

/* Sets a local forward jump emitted at `at` to land here. */
static void land(struct gen *g, size_t at)
{
	if (!g->oom)
		g->code[at].off = (int16_t)(g->len - at - 1);
}

/* X after IPv4's "4 * (ip[0] & 0xf)" with no options: the indexed loads
 * of a port filter then come from the window too (one helper call less
 * for each UDP or TCP packet the filter sees). */
#define X_IPV4_PLAIN 20

/* The load from the window's bytes [at, at + size), big-endian, when the
 * window holds them; else jumps on to the returned fixup (emitted as a
 * local jump, see land()). */
static size_t load_window(struct gen *g, uint8_t dst, int size, uint32_t at_k, size_t *to_done)
{
	static const uint8_t sz[] = {[1] = BPF_B, [2] = BPF_H, [4] = BPF_W};
	put(g, insn(BPF_LDX | BPF_MEM | BPF_DW, 2, BPF_REG_10, WLEN_OFF, 0));
	size_t to_slow = g->len;
	put(g, insn(BPF_JMP | BPF_JLT | BPF_K, 2, 0, 0, (int32_t)at_k + size));
	int16_t at = (int16_t)(WIN_OFF + (int)at_k);
	if (at_k % (uint32_t)size == 0) {
		put(g, insn(BPF_LDX | BPF_MEM | sz[size], dst, BPF_REG_10, at, 0));
		if (size > 1)
			put(g, insn(BPF_ALU | BPF_END | BPF_TO_BE, dst, 0, 0, size * 8));
	} else { /* stack loads must be aligned: byte by byte, big-endian */
		put(g, insn(BPF_LDX | BPF_MEM | BPF_B, dst, BPF_REG_10, at, 0));
		for (int i = 1; i < size; i++) {
			put(g, insn(BPF_ALU | BPF_LSH | BPF_K, dst, 0, 0, 8));
			put(g, insn(BPF_LDX | BPF_MEM | BPF_B, 3, BPF_REG_10, (int16_t)(at + i), 0));
			put(g, insn(BPF_ALU | BPF_OR | BPF_X, dst, 3, 0, 0));
		}
	}
	*to_done = g->len;
	put(g, insn(BPF_JMP | BPF_JA, 0, 0, 0, 0));
	return to_slow;
}

/* dst = the size-byte big-endian value at data + [X +] k, or no match
 * when it lies past data_end (as libpcap's bpf_filter returns 0). */
static void load_packet(struct gen *g, uint8_t dst, int size, bool indirect, uint32_t k)
{
	static const uint8_t sz[] = {[1] = BPF_B, [2] = BPF_H, [4] = BPF_W};
	size_t to_slow = 0, to_slow_x = 0, to_done = 0;
	bool windowed = !indirect && k + (uint32_t)size <= WIN;
	/* Indexed: from the window when X is that of a plain IPv4 header. */
	bool windowed_x = indirect && k <= WIN && X_IPV4_PLAIN + k + (uint32_t)size <= WIN;

	if (windowed) {
		to_slow = load_window(g, dst, size, k, &to_done);
		land(g, to_slow);
	} else if (windowed_x) {
		to_slow_x = g->len;
		put(g, insn(BPF_JMP32 | BPF_JNE | BPF_K, RX, 0, 0, X_IPV4_PLAIN));
		to_slow = load_window(g, dst, size, X_IPV4_PLAIN + k, &to_done);
		land(g, to_slow_x);
		land(g, to_slow);
	}
	put(g, insn(BPF_ALU64 | BPF_MOV | BPF_X, 1, RDATA, 0, 0));
	if (indirect) {
		put(g, insn(BPF_ALU | BPF_MOV | BPF_X, 2, RX, 0, 0)); /* zero-extends X */
		put(g, insn(BPF_ALU64 | BPF_ADD | BPF_X, 1, 2, 0, 0));
	}
	if (k > 0 && k <= INT32_MAX) {
		put(g, insn(BPF_ALU64 | BPF_ADD | BPF_K, 1, 0, 0, (int32_t)k));
	} else if (k) {
		/* A 64-bit add of an immediate would sign-extend it. */
		put(g, insn(BPF_ALU | BPF_MOV | BPF_K, 2, 0, 0, (int32_t)k));
		put(g, insn(BPF_ALU64 | BPF_ADD | BPF_X, 1, 2, 0, 0));
	}
	put(g, insn(BPF_ALU64 | BPF_MOV | BPF_X, 2, 1, 0, 0));
	put(g, insn(BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, size));
	jump(g, insn(BPF_JMP | BPF_JGT | BPF_X, 2, REND, 0, 0), T_NOMATCH);
	put(g, insn(BPF_ALU64 | BPF_MOV | BPF_X, 3, 1, 0, 0));
	put(g, insn(BPF_ALU64 | BPF_MOV | BPF_X, 1, BPF_REG_10, 0, 0));
	put(g, insn(BPF_ALU64 | BPF_ADD | BPF_K, 1, 0, 0, BUF_OFF));
	mov64_imm(g, 2, size);
	put(g, insn(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_probe_read_kernel));
	jump(g, insn(BPF_JMP | BPF_JNE | BPF_K, 0, 0, 0, 0), T_NOMATCH);
	put(g, insn(BPF_LDX | BPF_MEM | sz[size], dst, BPF_REG_10, BUF_OFF, 0));
	if (size > 1)
		put(g, insn(BPF_ALU | BPF_END | BPF_TO_BE, dst, 0, 0, size * 8));
	if (windowed || windowed_x)
		land(g, to_done);
}

/* Copies the first min(data_end - data, WIN) bytes into the window and
 * stores how many; 0 when the copy fails, so every load takes the slow
 * path and fails or succeeds exactly as it would alone. */
static void fill_window(struct gen *g)
{
	/* Zeroed first: the verifier refuses reads of stack it has not seen written. */
	for (int i = 0; i < WIN / 8; i++)
		put(g, insn(BPF_ST | BPF_MEM | BPF_DW, BPF_REG_10, 0, (int16_t)(WIN_OFF + 8 * i), 0));
	put(g, insn(BPF_ALU64 | BPF_MOV | BPF_X, 2, REND, 0, 0));
	put(g, insn(BPF_ALU64 | BPF_SUB | BPF_X, 2, RDATA, 0, 0));
	put(g, insn(BPF_JMP | BPF_JSGE | BPF_K, 2, 0, 1, 0)); /* data_end below data: never, but empty */
	mov64_imm(g, 2, 0);
	put(g, insn(BPF_JMP | BPF_JLE | BPF_K, 2, 0, 1, WIN));
	mov64_imm(g, 2, WIN);
	put(g, insn(BPF_STX | BPF_MEM | BPF_DW, BPF_REG_10, 2, WLEN_OFF, 0));
	put(g, insn(BPF_ALU64 | BPF_MOV | BPF_X, 1, BPF_REG_10, 0, 0));
	put(g, insn(BPF_ALU64 | BPF_ADD | BPF_K, 1, 0, 0, WIN_OFF));
	put(g, insn(BPF_ALU64 | BPF_MOV | BPF_X, 3, RDATA, 0, 0));
	put(g, insn(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_probe_read_kernel));
	put(g, insn(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1, 0));
	put(g, insn(BPF_ST | BPF_MEM | BPF_DW, BPF_REG_10, 0, WLEN_OFF, 0));
}

static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int alu(struct gen *g, const struct cbpf_insn *c, size_t pc, char *err, size_t errlen)
{
	uint8_t op = BPF_OP(c->code);
	bool x = BPF_SRC(c->code) == BPF_X;

	switch (op) {
	case BPF_ADD: case BPF_SUB: case BPF_MUL: case BPF_OR: case BPF_AND: case BPF_XOR:
		if (x)
			put(g, insn(BPF_ALU | op | BPF_X, RA, RX, 0, 0));
		else
			put(g, insn(BPF_ALU | op | BPF_K, RA, 0, 0, (int32_t)c->k));
		return 0;
	case BPF_DIV: case BPF_MOD:
		if (x) {
			/* bpf_filter returns 0 on division by zero. */
			jump(g, insn(BPF_JMP32 | BPF_JEQ | BPF_K, RX, 0, 0, 0), T_NOMATCH);
			put(g, insn(BPF_ALU | op | BPF_X, RA, RX, 0, 0));
		} else {
			if (!c->k)
				return fail(err, errlen, "division by constant zero at classic instruction %zu", pc);
			put(g, insn(BPF_ALU | op | BPF_K, RA, 0, 0, (int32_t)c->k));
		}
		return 0;
	case BPF_LSH: case BPF_RSH:
		/* libpcap: a shift by 32 or more gives 0 (eBPF would mask it). */
		if (x) {
			put(g, insn(BPF_JMP32 | BPF_JLT | BPF_K, RX, 0, 2, 32));
			put(g, insn(BPF_ALU | BPF_MOV | BPF_K, RA, 0, 0, 0));
			put(g, insn(BPF_JMP | BPF_JA, 0, 0, 1, 0));
			put(g, insn(BPF_ALU | op | BPF_X, RA, RX, 0, 0));
		} else if (c->k >= 32) {
			put(g, insn(BPF_ALU | BPF_MOV | BPF_K, RA, 0, 0, 0));
		} else {
			put(g, insn(BPF_ALU | op | BPF_K, RA, 0, 0, (int32_t)c->k));
		}
		return 0;
	case BPF_NEG:
		put(g, insn(BPF_ALU | BPF_NEG, RA, 0, 0, 0));
		return 0;
	}
	return fail(err, errlen, "unsupported ALU operation 0x%02x at classic instruction %zu", c->code, pc);
}

static bool mem_ok(uint32_t k)
{
	return k < MEMWORDS;
}

/* Translates one reachable classic instruction. */
static int one(struct gen *g, const struct cbpf_insn *c, size_t pc, size_t n, char *err, size_t errlen)
{
	static const int size_of[] = {[BPF_W >> 3] = 4, [BPF_H >> 3] = 2, [BPF_B >> 3] = 1};
	uint16_t code = c->code;

	switch (BPF_CLASS(code)) {
	case BPF_LD:
		switch (BPF_MODE(code)) {
		case BPF_ABS:
		case BPF_IND:
			if (BPF_SIZE(code) == BPF_DW)
				break;
			load_packet(g, RA, size_of[BPF_SIZE(code) >> 3], BPF_MODE(code) == BPF_IND, c->k);
			return 0;
		case BPF_LEN:
			/* Only the linear area is visible: its length stands in
			 * for the wire length. */
			put(g, insn(BPF_ALU | BPF_MOV | BPF_X, RA, REND, 0, 0));
			put(g, insn(BPF_ALU | BPF_SUB | BPF_X, RA, RDATA, 0, 0));
			return 0;
		case BPF_IMM:
			put(g, insn(BPF_ALU | BPF_MOV | BPF_K, RA, 0, 0, (int32_t)c->k));
			return 0;
		case BPF_MEM:
			if (!mem_ok(c->k))
				break;
			put(g, insn(BPF_LDX | BPF_MEM | BPF_W, RA, BPF_REG_10, MEM_OFF(c->k), 0));
			return 0;
		}
		break;
	case BPF_LDX:
		switch (BPF_MODE(code)) {
		case BPF_IMM:
			put(g, insn(BPF_ALU | BPF_MOV | BPF_K, RX, 0, 0, (int32_t)c->k));
			return 0;
		case BPF_MEM:
			if (!mem_ok(c->k))
				break;
			put(g, insn(BPF_LDX | BPF_MEM | BPF_W, RX, BPF_REG_10, MEM_OFF(c->k), 0));
			return 0;
		case BPF_LEN:
			put(g, insn(BPF_ALU | BPF_MOV | BPF_X, RX, REND, 0, 0));
			put(g, insn(BPF_ALU | BPF_SUB | BPF_X, RX, RDATA, 0, 0));
			return 0;
		case 0xa0: /* BPF_MSH: X = 4 * ([k] & 0xf), the IPv4 header length */
			if (BPF_SIZE(code) != BPF_B)
				break;
			load_packet(g, RX, 1, false, c->k);
			put(g, insn(BPF_ALU | BPF_AND | BPF_K, RX, 0, 0, 0xf));
			put(g, insn(BPF_ALU | BPF_LSH | BPF_K, RX, 0, 0, 2));
			return 0;
		}
		break;
	case BPF_ST:
	case BPF_STX:
		if (!mem_ok(c->k))
			break;
		put(g, insn(BPF_STX | BPF_MEM | BPF_W, BPF_REG_10, BPF_CLASS(code) == BPF_ST ? RA : RX,
			    MEM_OFF(c->k), 0));
		return 0;
	case BPF_ALU:
		return alu(g, c, pc, err, errlen);
	case BPF_JMP: {
		uint8_t op = BPF_OP(code);
		if (op == BPF_JA) {
			if (c->k >= n - pc - 1)
				return fail(err, errlen,
					    "backward or out-of-range jump at classic instruction %zu: loops (as 'protochain' generates) are not supported",
					    pc);
			jump(g, insn(BPF_JMP | BPF_JA, 0, 0, 0, 0), (long)(pc + 1 + c->k));
			return 0;
		}
		if (op != BPF_JEQ && op != BPF_JGT && op != BPF_JGE && op != BPF_JSET)
			break;
		if (pc + 1 + c->jt >= n || pc + 1 + c->jf >= n)
			return fail(err, errlen, "jump past the end at classic instruction %zu", pc);
		/* Classic compares are unsigned 32-bit: JMP32 takes the
		 * immediate as 32 bits, no sign extension to worry about. */
		if (BPF_SRC(code) == BPF_X)
			jump(g, insn(BPF_JMP32 | op | BPF_X, RA, RX, 0, 0), (long)(pc + 1 + c->jt));
		else
			jump(g, insn(BPF_JMP32 | op | BPF_K, RA, 0, 0, (int32_t)c->k), (long)(pc + 1 + c->jt));
		if (c->jf)
			jump(g, insn(BPF_JMP | BPF_JA, 0, 0, 0, 0), (long)(pc + 1 + c->jf));
		return 0;
	}
	case BPF_RET:
		if (BPF_RVAL(code) == BPF_K) {
			jump(g, insn(BPF_JMP | BPF_JA, 0, 0, 0, 0), c->k ? T_MATCH : T_NOMATCH);
			return 0;
		}
		if (BPF_RVAL(code) == BPF_A) {
			jump(g, insn(BPF_JMP32 | BPF_JNE | BPF_K, RA, 0, 0, 0), T_MATCH);
			jump(g, insn(BPF_JMP | BPF_JA, 0, 0, 0, 0), T_NOMATCH);
			return 0;
		}
		break;
	case BPF_MISC:
		if (BPF_MISCOP(code) == BPF_TAX) {
			put(g, insn(BPF_ALU | BPF_MOV | BPF_X, RX, RA, 0, 0));
			return 0;
		}
		if (BPF_MISCOP(code) == BPF_TXA) {
			put(g, insn(BPF_ALU | BPF_MOV | BPF_X, RA, RX, 0, 0));
			return 0;
		}
		break;
	}
	return fail(err, errlen, "unsupported classic BPF instruction 0x%04x at %zu", code, pc);
}

/* Does control continue to pc + 1 after this instruction? */
static bool falls_through(uint16_t code)
{
	return BPF_CLASS(code) != BPF_RET && !(BPF_CLASS(code) == BPF_JMP);
}

uint32_t cbpf_reach(const struct cbpf_insn *in, size_t n)
{
	static const uint32_t size_of[] = {[BPF_W >> 3] = 4, [BPF_H >> 3] = 2, [BPF_B >> 3] = 1, [BPF_DW >> 3] = 8};
	uint64_t x_max = 0, reach = 0;
	bool x_unbounded = false, indexed = false;
	uint64_t ind_reach = 0; /* k + size of the indexed loads, X added below */

	for (size_t pc = 0; pc < n; pc++) {
		const struct cbpf_insn *c = &in[pc];
		uint8_t cls = BPF_CLASS(c->code);
		uint64_t size = size_of[BPF_SIZE(c->code) >> 3];
		if (cls == BPF_LD && BPF_MODE(c->code) == BPF_ABS && (uint64_t)c->k + size > reach)
			reach = (uint64_t)c->k + size;
		if (cls == BPF_LD && BPF_MODE(c->code) == BPF_IND) {
			indexed = true;
			if ((uint64_t)c->k + size > ind_reach)
				ind_reach = (uint64_t)c->k + size;
		}
		if (cls == BPF_LDX) {
			if (BPF_MODE(c->code) == 0xa0) { /* MSH: reads [k], X <= 60 */
				if ((uint64_t)c->k + 1 > reach)
					reach = (uint64_t)c->k + 1;
				if (x_max < 60)
					x_max = 60;
			} else if (BPF_MODE(c->code) == BPF_IMM) {
				if (c->k > x_max)
					x_max = c->k;
			} else {
				x_unbounded = true; /* from memory or the length */
			}
		}
		if (cls == BPF_MISC && BPF_MISCOP(c->code) == BPF_TAX)
			x_unbounded = true;
	}
	if (indexed) {
		if (x_unbounded)
			return UINT32_MAX;
		if (x_max + ind_reach > reach)
			reach = x_max + ind_reach;
	}
	return reach > UINT32_MAX ? UINT32_MAX : (uint32_t)reach;
}

int cbpf_to_ebpf(const struct cbpf_insn *in, size_t n, void **out, size_t *cnt, char *err, size_t errlen)
{
	struct gen g = {0};
	bool *reach = calloc(n ? n : 1, sizeof(*reach));
	size_t *pos = calloc(n ? n : 1, sizeof(*pos));
	int rc = -1;

	if (!reach || !pos) {
		fail(err, errlen, "out of memory");
		goto out;
	}
	if (!n) {
		fail(err, errlen, "empty classic program");
		goto out;
	}

	/* Only reachable instructions are emitted: the verifier rejects
	 * unreachable code. Forward-only jumps make one pass enough. */
	bool uses_mem = false, uses_window = false;
	reach[0] = true;
	for (size_t pc = 0; pc < n; pc++) {
		const struct cbpf_insn *c = &in[pc];
		if (!reach[pc])
			continue;
		uint8_t cls = BPF_CLASS(c->code);
		if (cls == BPF_ST || cls == BPF_STX || (cls <= BPF_LDX && BPF_MODE(c->code) == BPF_MEM))
			uses_mem = true;
		if ((cls == BPF_LD && BPF_MODE(c->code) == BPF_ABS) || (cls == BPF_LDX && BPF_MODE(c->code) == 0xa0))
			uses_window |= c->k < WIN;
		if (cls == BPF_LD && BPF_MODE(c->code) == BPF_IND) /* see load_packet() */
			uses_window |= c->k < WIN - X_IPV4_PLAIN;
		if (falls_through(c->code)) {
			if (pc + 1 >= n) {
				fail(err, errlen, "classic program runs past its end at %zu", pc);
				goto out;
			}
			reach[pc + 1] = true;
		} else if (cls == BPF_JMP) {
			if (BPF_OP(c->code) == BPF_JA) {
				if (c->k < n - pc - 1)
					reach[pc + 1 + c->k] = true;
			} else {
				if (pc + 1 + c->jt < n)
					reach[pc + 1 + c->jt] = true;
				if (pc + 1 + c->jf < n)
					reach[pc + 1 + c->jf] = true;
			}
		}
	}

	put(&g, insn(BPF_ALU64 | BPF_MOV | BPF_X, RDATA, 4, 0, 0));
	put(&g, insn(BPF_ALU64 | BPF_MOV | BPF_X, REND, 5, 0, 0));
	mov64_imm(&g, RA, 0);
	mov64_imm(&g, RX, 0);
	/* The verifier refuses reads of unwritten stack. */
	for (int i = 0; uses_mem && i < MEMWORDS / 2; i++)
		put(&g, insn(BPF_ST | BPF_MEM | BPF_DW, BPF_REG_10, 0, (int16_t)(MEM_OFF(2 * i)), 0));
	if (uses_window)
		fill_window(&g);

	for (size_t pc = 0; pc < n; pc++) {
		pos[pc] = g.len;
		if (reach[pc] && one(&g, &in[pc], pc, n, err, errlen))
			goto out;
	}

	bool want_match = false, want_nomatch = false;
	for (size_t i = 0; i < g.nfix; i++) {
		want_match |= g.fix[i].target == T_MATCH;
		want_nomatch |= g.fix[i].target == T_NOMATCH;
	}
	size_t at_nomatch = g.len, at_match;
	if (want_nomatch) {
		mov64_imm(&g, 5, 0);
		if (want_match)
			put(&g, insn(BPF_JMP | BPF_JA, 0, 0, 1, 0));
	}
	at_match = g.len;
	if (want_match)
		mov64_imm(&g, 5, 1);
	/* Make the stub's own comparison return the verdict. */
	for (uint8_t r = 1; r <= 4; r++)
		mov64_imm(&g, r, 0);
	if (g.oom) {
		fail(err, errlen, "out of memory");
		goto out;
	}

	for (size_t i = 0; i < g.nfix; i++) {
		long t = g.fix[i].target;
		size_t to = t == T_MATCH ? at_match : t == T_NOMATCH ? at_nomatch : pos[t];
		long off = (long)to - (long)g.fix[i].at - 1;
		if (off < 0 || off > INT16_MAX) {
			fail(err, errlen, "filter too large to translate");
			goto out;
		}
		g.code[g.fix[i].at].off = (int16_t)off;
	}
	*out = g.code;
	*cnt = g.len;
	g.code = NULL;
	rc = 0;
out:
	free(g.code);
	free(g.fix);
	free(reach);
	free(pos);
	return rc;
}
