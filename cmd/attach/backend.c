#include "cmd/attach/backend.h"

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/model/probes.h"
#include "cmd/attach/progs.h"
#include "kernel/features.h"
#include "kernel/kfuncs.h"
#include "kernel/nflink.h"
#include "pktpath.skel.h"

const char *backend_name(enum backend b)
{
	switch (b) {
	case BK_FENTRY: return "fentry";
	case BK_KPROBE: return "kprobe";
	default: return "tracepoint";
	}
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void backend_probe(const struct btf *vmlinux, struct backend_avail *a)
{
	memset(a, 0, sizeof(*a));
	a->fentry = feat_fentry(vmlinux, a->fentry_why, sizeof(a->fentry_why));
	a->kprobe = feat_kprobe(a->kprobe_why, sizeof(a->kprobe_why));
	a->nflink = nflink_supported(a->nflink_why, sizeof(a->nflink_why));
	if (a->kprobe)
		a->kprobe_multi = feat_kprobe_multi(a->multi_why, sizeof(a->multi_why));
	else
		snprintf(a->multi_why, sizeof(a->multi_why), "no kprobes");
	a->func_arg = feat_helper(vmlinux, "BPF_FUNC_get_func_arg");
	a->attach_cookie = feat_helper(vmlinux, "BPF_FUNC_get_attach_cookie");
}

int backend_next(enum backend b, const struct backend_avail *a)
{
	if (b == BK_FENTRY && a->kprobe)
		return BK_KPROBE;
	if (b == BK_FENTRY || b == BK_KPROBE)
		return BK_TRACEPOINT;
	return -1;
}

int backend_choose(const char *want, bool wide, const struct backend_avail *a, enum backend *out, char *err,
		   size_t len)
{
	if (!strcmp(want, "fentry")) {
		if (!a->fentry) {
			snprintf(err, len, "--backend fentry is not available on this kernel: %s (try --backend auto)",
				 a->fentry_why);
			return -1;
		}
		*out = BK_FENTRY;
	} else if (!strcmp(want, "kprobe")) {
		if (!a->kprobe) {
			snprintf(err, len, "--backend kprobe is not available on this kernel: %s (try --backend auto)",
				 a->kprobe_why);
			return -1;
		}
		*out = BK_KPROBE;
	} else if (!strcmp(want, "tracepoint")) {
		*out = BK_TRACEPOINT;
	} else {
		*out = a->fentry ? BK_FENTRY : a->kprobe ? BK_KPROBE : BK_TRACEPOINT;
	}
	if (wide && !a->kprobe) {
		snprintf(err, len, "--wide needs kprobes, which this kernel lacks: %s", a->kprobe_why);
		return -1;
	}
	return 0;
}

/* Finds the row's function on this kernel and its argument indexes. */
void backend_resolve(struct bk_point *pt, const struct cat_point *row, struct kfuncs *kf)
{
	memset(pt, 0, sizeof(*pt));
	pt->row = row;
	pt->skb = pt->aux = pt->aux2 = -1;
	pt->slot = -1;
	pt->why = "not in this kernel's BTF (renamed, inlined or absent)";
	for (int c = 0; c < 4 && row->funcs[c]; c++) {
		const char *f = row->funcs[c];
		const struct btf *btf;
		const struct btf_type *proto = kfuncs_proto(kf, f, &btf);
		if (!proto)
			continue;
		if (!kfuncs_traceable(kf, f)) {
			pt->why = "in BTF but not traceable (inlined or notrace)";
			continue;
		}
		int skb = row->skb_struct ? kfuncs_param_by_type(btf, proto, row->skb_struct, row->skb_depth) : -1;
		int aux = row->aux ? kfuncs_param_by_name(btf, proto, row->aux) : -1;
		int aux2 = row->aux2 ? kfuncs_param_by_name(btf, proto, row->aux2) : -1;
		/* A drop without a reason is still a drop: kfree_skb before 5.17. */
		bool aux_optional = row->kind == PP_K_DROP;
		if ((row->skb_struct && skb < 0) || (row->aux && aux < 0 && !aux_optional) ||
		    (row->aux2 && aux2 < 0)) {
			pt->why = "its arguments are not the ones pktpath reads";
			continue;
		}
		if (skb > 4 || aux > 4 || aux2 > 4) {
			pt->why = "the argument pktpath reads is beyond the fifth";
			continue;
		}
		pt->func = f;
		pt->nargs = btf_vlen(proto);
		pt->skb = skb, pt->aux = aux, pt->aux2 = aux2;
		pt->why = NULL;
		return;
	}
}

static uint64_t packing(const struct bk_point *pt)
{
	const struct cat_point *r = pt->row;
#define ARG(i) ((i) < 0 ? PP_ARG_NONE : (unsigned)(i))
	return PP_PT(pt->id, r->kind, r->probe, r->layout, ARG(pt->skb), ARG(pt->aux), ARG(pt->aux2));
#undef ARG
}

struct wide_ctx {
	struct backend_plan *p;
	struct kfuncs *kf;
	int err;
};

static bool planned(const struct backend_plan *p, const char *f)
{
	for (size_t i = 0; i < p->npts; i++)
		if (p->pts[i].func && !strcmp(p->pts[i].func, f))
			return true;
	return false;
}

static void add_wide(void *arg, const char *name, int skb_idx)
{
	struct wide_ctx *w = arg;
	struct backend_plan *p = w->p;
	if (w->err || !kfuncs_traceable(w->kf, name) || planned(p, name))
		return;
	/* Static functions of the same name in several files: once. */
	for (size_t i = p->nwide; i-- > 0 && i + 64 > p->nwide;)
		if (!strcmp(p->wide_syms[i], name))
			return;
	uint16_t id = probes_add_func(name);
	char **s = realloc(p->wide_syms, (p->nwide + 1) * sizeof(*s));
	if (s)
		p->wide_syms = s;
	uint64_t *c = realloc(p->wide_cookies, (p->nwide + 1) * sizeof(*c));
	if (c)
		p->wide_cookies = c;
	if (!id || !s || !c || !(p->wide_syms[p->nwide] = strdup(name))) {
		w->err = -ENOMEM;
		return;
	}
	p->wide_cookies[p->nwide++] =
		PP_PT(id, PP_K_PLAIN, PP_PROBE_FUNC, PP_L_NETHDR, (unsigned)skb_idx, PP_ARG_NONE, PP_ARG_NONE);
}

/* The points this kernel cannot give, one warning line per cause, naming
 * each point and what stands in for it. */
static void warn_skipped(const struct backend_plan *p, struct kfuncs *kf, FILE *warn)
{
	for (size_t i = 0; i < p->npts; i++) {
		const char *why = p->pts[i].why;
		bool first = true, nomod = false;
		if (p->pts[i].func || !why || !strcmp(why, "not needed with --drops"))
			continue;
		for (size_t j = 0; j < i; j++) /* said already */
			if (!p->pts[j].func && p->pts[j].why && !strcmp(p->pts[j].why, why))
				first = false;
		if (!first)
			continue;
		fprintf(warn, "pktpath: warning: %s:", why);
		for (size_t j = i; j < p->npts; j++) {
			const struct bk_point *q = &p->pts[j];
			if (q->func || !q->why || strcmp(q->why, why))
				continue;
			const char *tp = q->row->tracepoint;
			fprintf(warn, "%s %s", j == i ? "" : ",", q->row->funcs[0]);
			if (tp)
				fprintf(warn, " (%s%s instead)", strchr(tp, ':') ? "tracepoint " : "", tp);
			if (!strcmp(q->row->group, "netfilter") || !strcmp(q->row->group, "bridge"))
				nomod = true;
		}
		fprintf(warn, " not traced%s\n",
			nomod && !kfuncs_nmodules(kf) && strstr(why, "BTF")
				? "; this kernel has no module BTF (before Linux 5.11), so nf_tables, x_tables and bridge functions cannot be typed"
				: "");
	}
}

int backend_plan(struct backend_plan *p, enum backend b, const struct backend_avail *a, bool wide, bool drops_only,
		 struct kfuncs *kf, FILE *warn)
{
	memset(p, 0, sizeof(*p));
	p->b = b;
	p->wide = wide;
	p->cookies = a->attach_cookie;
	if (b == BK_TRACEPOINT && !wide)
		return 0;
	p->pts = calloc(catalog_len, sizeof(*p->pts));
	if (!p->pts)
		return -ENOMEM;
	int nfe = 0, nfx = 0, nkr = 0;
	for (size_t i = 0; i < catalog_len && b != BK_TRACEPOINT; i++) {
		const struct cat_point *r = &catalog[i];
		struct bk_point *pt = &p->pts[p->npts++];
		backend_resolve(pt, r, kf);
		/* --stream --drops: only drops are printed, the rest is cost. */
		if (pt->func && drops_only && r->probe && r->probe != PP_PROBE_DROP && r->kind != PP_K_UNTRACK) {
			pt->func = NULL;
			pt->why = "not needed with --drops";
			continue;
		}
		if (!pt->func)
			continue; /* said below, one line per cause */
		if (b == BK_FENTRY) {
			int *n = r->at_return ? &nfx : &nfe;
			if (*n >= (r->at_return ? PP_FEXIT_SLOTS : PP_FENTRY_SLOTS)) {
				fprintf(warn, "pktpath: warning: %s point %s: no free fentry slot; skipped\n", r->group,
					pt->func);
				pt->func = NULL;
				pt->why = "no free fentry slot";
				continue;
			}
			pt->slot = (*n)++;
		} else if (b == BK_KPROBE && r->at_return && !p->cookies) {
			if (nkr >= PP_KRET_SLOTS) {
				fprintf(warn, "pktpath: warning: %s point %s: no free kretprobe slot; skipped\n", r->group,
					pt->func);
				pt->func = NULL;
				pt->why = "no free kretprobe slot";
				continue;
			}
			pt->slot = nkr++;
		}
		if (!(pt->id = probes_add_func(pt->func)))
			return -ENOMEM;
		p->used++;
	}
	warn_skipped(p, kf, warn);
	if (wide) {
		struct wide_ctx w = {.p = p, .kf = kf};
		kfuncs_each_skb_func(kf, add_wide, &w);
		if (w.err)
			return w.err;
	}
	return 0;
}

/* The point resolved for the catalog row whose tracepoint is tp, if any. */
static bool covered(const struct backend_plan *p, const char *tp)
{
	for (size_t i = 0; i < p->npts; i++)
		if (p->pts[i].func && p->pts[i].row->tracepoint && !strcmp(p->pts[i].row->tracepoint, tp))
			return true;
	return false;
}

static bool any_point(const struct backend_plan *p, bool at_return)
{
	for (size_t i = 0; i < p->npts; i++)
		if (p->pts[i].func && p->pts[i].row->at_return == at_return)
			return true;
	return false;
}

/* The kprobe program of a kind (one per kind: bpf/funcs.bpf.h says why). */
static struct bpf_program *kind_prog(const struct pktpath_bpf *skel, enum pp_kind kind, bool at_return)
{
	return prog_find(skel, at_return ? PR_KRETPROBE : PR_KPROBE, (int)kind);
}

/* Loads the kprobe program of every planned point's kind; -1 with err
 * when the object has none for one (catalog and BPF out of step). */
static int configure_kprobes(struct backend_plan *p, struct pktpath_bpf *skel, char *err, size_t len)
{
	for (size_t i = 0; i < p->npts; i++) {
		const struct bk_point *pt = &p->pts[i];
		if (!pt->func || (pt->row->at_return && !p->cookies))
			continue; /* without cookies return probes use slots */
		struct bpf_program *prog = kind_prog(skel, pt->row->kind, pt->row->at_return);
		if (!prog) {
			snprintf(err, len, "the BPF object has no kprobe program for %s (kind %d%s)", pt->func,
				 pt->row->kind, pt->row->at_return ? ", at return" : "");
			return -1;
		}
		bpf_program__set_autoload(prog, true);
	}
	return 0;
}

/* Kprobes without cookies: the kernel addresses of every planned function,
 * from /proc/kallsyms (a static function may have several: each maps to
 * the same point). */
static int add_kp(struct backend_plan *p, uint64_t addr, uint64_t pt)
{
	uint64_t *a = realloc(p->kp_addr, (p->nkp + 1) * sizeof(*a));
	if (a)
		p->kp_addr = a;
	uint64_t *v = realloc(p->kp_pt, (p->nkp + 1) * sizeof(*v));
	if (v)
		p->kp_pt = v;
	if (!a || !v)
		return -1;
	p->kp_addr[p->nkp] = addr;
	p->kp_pt[p->nkp++] = pt;
	return 0;
}

struct kp_name {
	const char *name;
	uint64_t pt;
};

static int cmp_kp_name(const void *a, const void *b)
{
	return strcmp(((const struct kp_name *)a)->name, ((const struct kp_name *)b)->name);
}

static int configure_nocookie(struct backend_plan *p, struct pktpath_bpf *skel, char *err, size_t len)
{
	size_t n = 0;
	struct kp_name *names = calloc(p->npts + p->nwide + 1, sizeof(*names));
	if (!names) {
		snprintf(err, len, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < p->npts; i++) {
		struct bk_point *pt = &p->pts[i];
		if (!pt->func)
			continue;
		names[n++] = (struct kp_name){pt->func, packing(pt)};
		if (pt->row->at_return) {
			struct bpf_program *prog = prog_find(skel, PR_KRET_SLOT, pt->slot);
			if (!prog) {
				free(names);
				snprintf(err, len, "the BPF object has no kretprobe slot %d", pt->slot);
				return -1;
			}
			skel->rodata->cfg_kret[pt->slot] = packing(pt);
			bpf_program__set_autoload(prog, true);
		}
	}
	for (size_t i = 0; i < p->nwide; i++)
		names[n++] = (struct kp_name){p->wide_syms[i], p->wide_cookies[i]};
	qsort(names, n, sizeof(*names), cmp_kp_name);
	FILE *f = fopen("/proc/kallsyms", "r");
	if (!f) {
		free(names);
		snprintf(err, len, "kprobes without BPF cookies need /proc/kallsyms: %s", strerror(errno));
		return -1;
	}
	char line[512];
	int rc = 0;
	while (rc == 0 && fgets(line, sizeof(line), f)) {
		unsigned long long addr;
		char type, sym[256];
		if (sscanf(line, "%llx %c %255s", &addr, &type, sym) != 3 || (type != 't' && type != 'T') || !addr)
			continue;
		struct kp_name key = {sym, 0};
		struct kp_name *hit = bsearch(&key, names, n, sizeof(*names), cmp_kp_name);
		if (hit && add_kp(p, addr, hit->pt))
			rc = -1;
	}
	fclose(f);
	free(names);
	if (rc) {
		snprintf(err, len, "out of memory");
		return -1;
	}
	if (n && !p->nkp) {
		snprintf(err, len, "kprobes without BPF cookies need kernel addresses, and /proc/kallsyms shows none");
		return -1;
	}
	bpf_map__set_max_entries(skel->maps.kp_points, p->nkp ? (uint32_t)p->nkp : 1);
	return 0;
}

int backend_fill(struct backend_plan *p, struct pktpath_bpf *skel, char *err, size_t len)
{
	for (size_t i = 0; i < p->nkp; i++)
		if (bpf_map__update_elem(skel->maps.kp_points, &p->kp_addr[i], sizeof(uint64_t), &p->kp_pt[i],
					 sizeof(uint64_t), BPF_ANY)) {
			snprintf(err, len, "cannot fill the kprobe address table: %s", strerror(errno));
			return -1;
		}
	return 0;
}

static int configure(struct backend_plan *p, struct pktpath_bpf *skel, char *err, size_t len);

/* Test switch: PKTPATH_TEST_REFUSE=fentry|kprobe makes the kernel refuse
 * that backend's programs (one is given a program type whose context it
 * does not match), to prove --backend auto falls back in one line. */
static void test_refuse(struct backend_plan *p, struct pktpath_bpf *skel)
{
	const char *want = getenv("PKTPATH_TEST_REFUSE");
	if (!want || strcmp(want, backend_name(p->b)) || p->b == BK_TRACEPOINT)
		return;
	struct bpf_program *prog;
	bpf_object__for_each_program(prog, skel->obj) {
		int role = prog_role(skel, prog, NULL);
		if (bpf_program__autoload(prog) && (role == PR_FENTRY || role == PR_KPROBE)) {
			bpf_program__set_type(prog, BPF_PROG_TYPE_SOCKET_FILTER);
			return;
		}
	}
}

int backend_configure(struct backend_plan *p, struct pktpath_bpf *skel, char *err, size_t len)
{
	int rc = configure(p, skel, err, len);
	if (!rc)
		test_refuse(p, skel);
	return rc;
}

static int configure(struct backend_plan *p, struct pktpath_bpf *skel, char *err, size_t len)
{
	bool kp = p->b == BK_KPROBE;
	/* A packet turned away is decided once (bpf/decided.bpf.h): kernel-function points only. */
	skel->rodata->cfg_decided = p->b != BK_TRACEPOINT;
	/* The benchmark's floor (tests/vm/bench/flood.sh): never quietly. */
	const char *hollow = getenv("PKTPATH_BENCH_HOLLOW");
	if (p->b != BK_TRACEPOINT && hollow && *hollow) {
		skel->rodata->cfg_hollow = true;
		fprintf(stderr, "pktpath: warning: PKTPATH_BENCH_HOLLOW is set: the %s programs return at once and "
				"trace nothing (a benchmark's floor)\n", p->b == BK_KPROBE ? "kprobe" : "fentry");
	}
	struct bpf_program *prog;
	bpf_object__for_each_program(prog, skel->obj) {
		bool load = bpf_program__autoload(prog);
		switch (prog_role(skel, prog, NULL)) {
		case PR_FENTRY:
		case PR_FEXIT:
		case PR_KPROBE:
		case PR_KRETPROBE:
		case PR_KRET_SLOT:
			load = false; /* by the planned points: below */
			break;
		case PR_KPROBE_SAVE:
			load = kp && any_point(p, true);
			break;
		case PR_KPROBE_MULTI:
			load = p->wide && p->nwide;
			break;
		case PR_TP_DROP:
			load = load && !covered(p, "skb:kfree_skb");
			break;
		case PR_TP_FREE:
			load = load && !covered(p, "skb:consume_skb");
			break;
		default:
			break;
		}
		bpf_program__set_autoload(prog, load);
	}
	if (p->wide) /* --wide one by one, when kprobe.multi is not there */
		bpf_program__set_autoload(skel->progs.pp_kp_plain, true);
	if (kp && configure_kprobes(p, skel, err, len))
		return -1;
	if (kp && !p->cookies)
		return configure_nocookie(p, skel, err, len);
	if (p->b != BK_FENTRY)
		return 0;
	for (size_t i = 0; i < p->npts; i++) {
		struct bk_point *pt = &p->pts[i];
		if (!pt->func)
			continue;
		prog = prog_find(skel, pt->row->at_return ? PR_FEXIT : PR_FENTRY, pt->slot);
		if (!prog) {
			snprintf(err, len, "the BPF object has no %s slot %d", pt->row->at_return ? "fexit" : "fentry",
				 pt->slot);
			return -1;
		}
		if (pt->row->at_return) {
			skel->rodata->cfg_fexit[pt->slot] = packing(pt);
			skel->rodata->cfg_fexit_nargs[pt->slot] = (uint8_t)pt->nargs;
		} else
			skel->rodata->cfg_fentry[pt->slot] = packing(pt);
		int e = bpf_program__set_attach_target(prog, 0, pt->func);
		if (e) {
			snprintf(err, len, "cannot target %s with fentry: %s", pt->func, strerror(-e));
			return -1;
		}
		bpf_program__set_autoload(prog, true);
	}
	return 0;
}

static int keep(struct backend_plan *p, struct bpf_link *l)
{
	struct bpf_link **v = realloc(p->links, (p->nlinks + 1) * sizeof(*v));
	if (!v) {
		bpf_link__destroy(l);
		return -1;
	}
	p->links = v;
	p->links[p->nlinks++] = l;
	return 0;
}

static struct bpf_link *kprobe(struct bpf_program *prog, const char *func, uint64_t cookie, bool ret)
{
	LIBBPF_OPTS(bpf_kprobe_opts, o, .bpf_cookie = cookie, .retprobe = ret);
	return bpf_program__attach_kprobe_opts(prog, func, &o);
}

/* --wide: one kprobe.multi link, else a kprobe per function. */
static int attach_wide(struct backend_plan *p, struct pktpath_bpf *skel, FILE *warn)
{
	if (bpf_program__fd(skel->progs.pp_kpm) >= 0) {
		LIBBPF_OPTS(bpf_kprobe_multi_opts, o, .syms = (const char **)p->wide_syms,
			    .cookies = (const __u64 *)p->wide_cookies, .cnt = p->nwide);
		struct bpf_link *l = bpf_program__attach_kprobe_multi_opts(skel->progs.pp_kpm, NULL, &o);
		if (l) {
			p->wide_attached = p->nwide;
			return keep(p, l);
		}
		fprintf(warn, "pktpath: warning: one kprobe.multi link for %zu functions failed (%s); attaching one by one\n",
			p->nwide, strerror(errno));
	}
	for (size_t i = 0; i < p->nwide; i++) {
		struct bpf_link *l =
			kprobe(skel->progs.pp_kp_plain, p->wide_syms[i], p->cookies ? p->wide_cookies[i] : 0, false);
		if (!l) {
			p->wide_skipped++;
			continue;
		}
		if (keep(p, l))
			return -1;
		p->wide_attached++;
	}
	return 0;
}

int backend_attach(struct backend_plan *p, struct pktpath_bpf *skel, FILE *warn, char *err, size_t len)
{
	double t0 = now_s();
	struct bpf_program *prog;
	bpf_object__for_each_program(prog, skel->obj) {
		const char *sec = bpf_program__section_name(prog);
		if (bpf_program__fd(prog) < 0)
			continue;
		struct bpf_link *l = NULL;
		if (!strncmp(sec, "pktpath/raw_tp/", 15) || !strncmp(sec, "raw_tp/", 7))
			l = bpf_program__attach(prog);
		else if (!strncmp(sec, "pktpath/fentry/", 15) || !strncmp(sec, "pktpath/fexit/", 14))
			l = bpf_program__attach_trace(prog);
		else
			continue; /* kprobes: per point, below */
		if (!l) {
			snprintf(err, len, "cannot attach %s (%s): %s", bpf_program__name(prog), sec, strerror(errno));
			return -1;
		}
		if (keep(p, l)) {
			snprintf(err, len, "out of memory");
			return -1;
		}
	}
	for (size_t i = 0; p->b == BK_KPROBE && i < p->npts; i++) {
		const struct bk_point *pt = &p->pts[i];
		if (!pt->func)
			continue;
		/* Without cookie support libbpf refuses a non-zero cookie. */
		uint64_t c = p->cookies ? packing(pt) : 0;
		struct bpf_link *l1, *l2 = NULL;
		if (pt->row->at_return) {
			struct bpf_program *ret = p->cookies ? kind_prog(skel, pt->row->kind, true)
							     : prog_find(skel, PR_KRET_SLOT, pt->slot);
			l1 = kprobe(skel->progs.pp_kp_save, pt->func, c, false);
			l2 = l1 && ret ? kprobe(ret, pt->func, c, true) : NULL;
			if (l1 && !l2) {
				bpf_link__destroy(l1);
				l1 = NULL;
			}
		} else {
			l1 = kprobe(kind_prog(skel, pt->row->kind, false), pt->func, c, false);
		}
		if (!l1) {
			fprintf(warn, "pktpath: warning: cannot attach a kprobe to %s (%s); skipped\n", pt->func,
				strerror(errno));
			continue;
		}
		if (keep(p, l1) || (l2 && keep(p, l2))) {
			snprintf(err, len, "out of memory");
			return -1;
		}
	}
	if (p->wide && p->nwide && attach_wide(p, skel, warn)) {
		snprintf(err, len, "out of memory");
		return -1;
	}
	p->attach_s = now_s() - t0;
	return 0;
}

void backend_detach(struct backend_plan *p)
{
	double t0 = now_s();
	for (size_t i = 0; i < p->nlinks; i++)
		bpf_link__destroy(p->links[i]);
	free(p->links);
	p->links = NULL;
	if (p->nlinks)
		p->detach_s = now_s() - t0;
	p->nlinks = 0;
}

void backend_plan_free(struct backend_plan *p)
{
	backend_detach(p);
	for (size_t i = 0; i < p->nwide; i++)
		free(p->wide_syms[i]);
	free(p->wide_syms);
	free(p->wide_cookies);
	free(p->kp_addr);
	free(p->kp_pt);
	free(p->pts);
	memset(p, 0, sizeof(*p));
}
