/* Injection at load time (libbpf >= 1.0 prog_prepare_load_fn): at that
 * point relocations are done and sub-programs appended, so the stub is
 * found by its func_info record and the object's BTF, the filter code is
 * inserted at its first instruction, and calls, func_info and line_info
 * that lie beyond it are shifted. */
#include "filters/inject.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "filters/filter.h"
#include "kernel/nf_uapi.h"

static const struct pp_filter *cur_filter;
static const struct btf *cur_btf;

/* func_info/line_info copies handed to the kernel: they must live until
 * bpf_prog_load returns, which is after our callback. */
static void **keep;
static size_t nkeep;

static const char *const stub_name[2] = {[PP_L3] = "pp_filter_l3", [PP_L2] = "pp_filter_l2"};

struct prog_copy {
	struct bpf_insn *insns;
	size_t cnt;
	uint8_t *fi, *li;      /* records: insn_off is the first __u32 */
	size_t fi_rec, fi_cnt;
	size_t li_rec, li_cnt;
};

static uint32_t rec_off(const uint8_t *recs, size_t rec, size_t i)
{
	uint32_t v;
	memcpy(&v, recs + rec * i, sizeof(v));
	return v;
}

static void rec_set_off(uint8_t *recs, size_t rec, size_t i, uint32_t v)
{
	memcpy(recs + rec * i, &v, sizeof(v));
}

static bool is_pseudo_call(const struct bpf_insn *in)
{
	return (in->code == (BPF_JMP | BPF_CALL) && in->src_reg == BPF_PSEUDO_CALL) ||
	       (in->code == (BPF_LD | BPF_IMM | BPF_DW) && in->src_reg == BPF_PSEUDO_FUNC);
}

/* Inserts code (n instructions) at idx, the stub's first instruction. */
static int insert(struct prog_copy *p, size_t idx, const struct bpf_insn *code, size_t n)
{
	struct bpf_insn *out = calloc(p->cnt + n, sizeof(*out));
	if (!out)
		return -ENOMEM;
	memcpy(out, p->insns, idx * sizeof(*out));
	memcpy(out + idx, code, n * sizeof(*out));
	memcpy(out + idx + n, p->insns + idx, (p->cnt - idx) * sizeof(*out));

	for (size_t i = 0; i < p->cnt; i++) {
		const struct bpf_insn *in = &p->insns[i];
		if (is_pseudo_call(in)) {
			long t = (long)i + 1 + in->imm;
			long ni = (long)i < (long)idx ? (long)i : (long)(i + n);
			/* A call to the stub itself now lands on the filter. */
			long nt = t <= (long)idx ? t : t + (long)n;
			out[ni].imm = (int32_t)(nt - ni - 1);
		}
		if (in->code == (BPF_LD | BPF_IMM | BPF_DW))
			i++; /* second half of a 16-byte instruction */
	}
	free(p->insns);
	p->insns = out;
	p->cnt += n;

	for (size_t i = 0; i < p->fi_cnt; i++)
		if (rec_off(p->fi, p->fi_rec, i) > idx)
			rec_set_off(p->fi, p->fi_rec, i, rec_off(p->fi, p->fi_rec, i) + (uint32_t)n);
	/* The stub's first line stays at idx: every sub-program needs
	 * line_info at its first instruction. */
	for (size_t i = 0; i < p->li_cnt; i++)
		if (rec_off(p->li, p->li_rec, i) > idx)
			rec_set_off(p->li, p->li_rec, i, rec_off(p->li, p->li_rec, i) + (uint32_t)n);
	return 0;
}

/* First instruction of the sub-program named name, or -1. */
static long find_stub(const struct prog_copy *p, const char *name)
{
	for (size_t i = 0; i < p->fi_cnt; i++) {
		uint32_t type_id;
		memcpy(&type_id, p->fi + p->fi_rec * i + sizeof(uint32_t), sizeof(type_id));
		const struct btf_type *t = btf__type_by_id(cur_btf, type_id);
		const char *n = t ? btf__name_by_offset(cur_btf, t->name_off) : NULL;
		if (n && !strcmp(n, name))
			return rec_off(p->fi, p->fi_rec, i);
	}
	return -1;
}

static int remember(void *ptr)
{
	void **k = realloc(keep, (nkeep + 1) * sizeof(*k));
	if (!k)
		return -ENOMEM;
	keep = k;
	keep[nkeep++] = ptr;
	return 0;
}

static uint8_t *dup_recs(const void *src, size_t rec, size_t cnt)
{
	uint8_t *d = malloc(cnt ? rec * cnt : 1);
	if (d && cnt)
		memcpy(d, src, rec * cnt);
	return d;
}

static int prepare_load(struct bpf_program *prog, struct bpf_prog_load_opts *opts, long cookie)
{
	(void)cookie;
	if (!cur_filter)
		return 0;
	if (!cur_btf || !opts->func_info || !opts->func_info_cnt) {
		fprintf(stderr, "pktpath: program %s: no BTF function info to find the filter stub\n",
			bpf_program__name(prog));
		return -ENOENT;
	}

	struct prog_copy p = {
		.cnt = bpf_program__insn_cnt(prog),
		.fi_rec = opts->func_info_rec_size, .fi_cnt = opts->func_info_cnt,
		.li_rec = opts->line_info_rec_size, .li_cnt = opts->line_info ? opts->line_info_cnt : 0,
	};
	int err = -ENOMEM;
	p.insns = malloc(p.cnt * sizeof(*p.insns));
	p.fi = dup_recs(opts->func_info, p.fi_rec, p.fi_cnt);
	p.li = dup_recs(opts->line_info, p.li_rec, p.li_cnt);
	if (!p.insns || !p.fi || !p.li)
		goto fail;
	memcpy(p.insns, bpf_program__insns(prog), p.cnt * sizeof(*p.insns));

	bool changed = false;
	for (int l = PP_L3; l <= PP_L2; l++) {
		long idx = find_stub(&p, stub_name[l]);
		if (idx < 0)
			continue; /* this program does not filter at this layer */
		size_t n;
		const struct bpf_insn *code = filter_ebpf(cur_filter, (enum pp_layer)l, &n);
		err = insert(&p, (size_t)idx, code, n);
		if (err)
			goto fail;
		changed = true;
	}
	if (!changed) {
		err = 0;
		goto fail; /* nothing to do: frees the copies */
	}
	err = bpf_program__set_insns(prog, p.insns, p.cnt); /* copies them */
	if (err || (err = remember(p.fi)) != 0)
		goto fail;
	opts->func_info = p.fi;
	p.fi = NULL;
	if ((err = remember(p.li)) != 0)
		goto fail;
	opts->line_info = p.li_cnt ? p.li : NULL;
	p.li = NULL;
	free(p.insns);
	return 0;
fail:
	free(p.insns);
	free(p.fi);
	free(p.li);
	return err;
}

static int attach(const struct bpf_program *prog, long cookie, struct bpf_link **link)
{
	(void)cookie;
	const char *sec = bpf_program__section_name(prog);
	*link = NULL;
	if (strncmp(sec, INJECT_SEC_PREFIX, strlen(INJECT_SEC_PREFIX)) != 0)
		return -EINVAL;
	*link = bpf_program__attach_raw_tracepoint(prog, sec + strlen(INJECT_SEC_PREFIX));
	return *link ? 0 : -errno;
}

/* Every prefix pktpath's object uses for programs that may call the
 * filter stubs. Only raw tracepoints are attached by the handler (the
 * section names the tracepoint); function points are attached by the
 * backend code, which knows the function and the cookie. */
static const struct {
	const char *prefix;
	enum bpf_prog_type type;
	enum bpf_attach_type attach;
	bool auto_attach;
} sections[] = {
	{INJECT_SEC_PREFIX, BPF_PROG_TYPE_RAW_TRACEPOINT, 0, true},
	{"pktpath/fentry/", BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, false},
	{"pktpath/fexit/", BPF_PROG_TYPE_TRACING, BPF_TRACE_FEXIT, false},
	{"pktpath/kprobe/", BPF_PROG_TYPE_KPROBE, 0, false},
	{"pktpath/kretprobe/", BPF_PROG_TYPE_KPROBE, 0, false},
	{"pktpath/kprobe_multi/", BPF_PROG_TYPE_KPROBE, BPF_TRACE_KPROBE_MULTI, false},
	/* BPF netfilter links: kernel/nflink.c (numbers newer than libbpf 1.1) */
	{"pktpath/netfilter/", (enum bpf_prog_type)PP_BPF_PROG_TYPE_NETFILTER, (enum bpf_attach_type)PP_BPF_NETFILTER, false},
};
static int handler_ids[sizeof(sections) / sizeof(sections[0])];

int inject_register(void)
{
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		if (handler_ids[i] > 0)
			continue;
		LIBBPF_OPTS(libbpf_prog_handler_opts, ho, .prog_prepare_load_fn = prepare_load,
			    .prog_attach_fn = sections[i].auto_attach ? attach : NULL);
		int id = libbpf_register_prog_handler(sections[i].prefix, sections[i].type, sections[i].attach, &ho);
		if (id < 0)
			return id;
		handler_ids[i] = id;
	}
	return 0;
}

void inject_set(const struct pp_filter *f, const struct btf *btf)
{
	cur_filter = f;
	cur_btf = btf;
}

void inject_release(void)
{
	for (size_t i = 0; i < nkeep; i++)
		free(keep[i]);
	free(keep);
	keep = NULL;
	nkeep = 0;
}
