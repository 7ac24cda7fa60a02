/* A small eBPF disassembler for --dump-filter: it covers what
 * cbpf_to_ebpf emits, and prints anything else as raw fields. */
#include "filters/cbpf2ebpf.h"

#include <linux/bpf.h>

static const char *alu_op(uint8_t op)
{
	switch (op) {
	case BPF_ADD: return "+=";
	case BPF_SUB: return "-=";
	case BPF_MUL: return "*=";
	case BPF_DIV: return "/=";
	case BPF_OR: return "|=";
	case BPF_AND: return "&=";
	case BPF_LSH: return "<<=";
	case BPF_RSH: return ">>=";
	case BPF_MOD: return "%=";
	case BPF_XOR: return "^=";
	case BPF_MOV: return "=";
	case BPF_ARSH: return "s>>=";
	}
	return NULL;
}

static const char *jmp_op(uint8_t op)
{
	switch (op) {
	case BPF_JEQ: return "==";
	case BPF_JGT: return ">";
	case BPF_JGE: return ">=";
	case BPF_JSET: return "&";
	case BPF_JNE: return "!=";
	case BPF_JLT: return "<";
	case BPF_JLE: return "<=";
	case BPF_JSGT: return "s>";
	case BPF_JSGE: return "s>=";
	case BPF_JSLT: return "s<";
	case BPF_JSLE: return "s<=";
	}
	return NULL;
}

static const char *size_name(uint8_t sz)
{
	switch (sz) {
	case BPF_B: return "u8";
	case BPF_H: return "u16";
	case BPF_W: return "u32";
	}
	return "u64";
}

void ebpf_dump(FILE *f, const void *insns, size_t cnt)
{
	const struct bpf_insn *p = insns;

	for (size_t i = 0; i < cnt; i++) {
		const struct bpf_insn *in = &p[i];
		uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code);
		char r = cls == BPF_ALU || cls == BPF_JMP32 ? 'w' : 'r';
		const char *s;

		fprintf(f, "(%03zu) ", i);
		if ((cls == BPF_ALU || cls == BPF_ALU64) && op == BPF_END)
			fprintf(f, "r%u = be%d r%u\n", in->dst_reg, in->imm, in->dst_reg);
		else if ((cls == BPF_ALU || cls == BPF_ALU64) && op == BPF_NEG)
			fprintf(f, "%c%u = -%c%u\n", r, in->dst_reg, r, in->dst_reg);
		else if ((cls == BPF_ALU || cls == BPF_ALU64) && (s = alu_op(op)) && BPF_SRC(in->code) == BPF_X)
			fprintf(f, "%c%u %s %c%u\n", r, in->dst_reg, s, r, in->src_reg);
		else if ((cls == BPF_ALU || cls == BPF_ALU64) && (s = alu_op(op)))
			fprintf(f, "%c%u %s %d\n", r, in->dst_reg, s, in->imm);
		else if (cls == BPF_JMP && op == BPF_JA)
			fprintf(f, "goto %+d\n", in->off);
		else if (cls == BPF_JMP && op == BPF_CALL)
			fprintf(f, "call %d%s\n", in->imm, in->imm == BPF_FUNC_probe_read_kernel ? " (probe_read_kernel)" : "");
		else if (cls == BPF_JMP && op == BPF_EXIT)
			fprintf(f, "exit\n");
		else if ((cls == BPF_JMP || cls == BPF_JMP32) && (s = jmp_op(op)) && BPF_SRC(in->code) == BPF_X)
			fprintf(f, "if %c%u %s %c%u goto %+d\n", r, in->dst_reg, s, r, in->src_reg, in->off);
		else if ((cls == BPF_JMP || cls == BPF_JMP32) && (s = jmp_op(op)))
			fprintf(f, "if %c%u %s %#x goto %+d\n", r, in->dst_reg, s, (unsigned)in->imm, in->off);
		else if (cls == BPF_LDX && BPF_MODE(in->code) == BPF_MEM)
			fprintf(f, "r%u = *(%s *)(r%u %+d)\n", in->dst_reg, size_name(BPF_SIZE(in->code)), in->src_reg, in->off);
		else if (cls == BPF_STX && BPF_MODE(in->code) == BPF_MEM)
			fprintf(f, "*(%s *)(r%u %+d) = r%u\n", size_name(BPF_SIZE(in->code)), in->dst_reg, in->off, in->src_reg);
		else if (cls == BPF_ST && BPF_MODE(in->code) == BPF_MEM)
			fprintf(f, "*(%s *)(r%u %+d) = %d\n", size_name(BPF_SIZE(in->code)), in->dst_reg, in->off, in->imm);
		else
			fprintf(f, "code=0x%02x dst=r%u src=r%u off=%d imm=%d\n", in->code, in->dst_reg, in->src_reg, in->off, in->imm);
	}
}
