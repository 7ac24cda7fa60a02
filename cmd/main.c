/* pktpath: parse, check privileges and BTF, resolve the selection, open
 * and configure the BPF object, load, attach, poll the ring buffer until
 * a signal or a limit, then detach and print the summary. */
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/backend.h"
#include "cmd/cgroup.h"
#include "cmd/evtext.h"
#include "cmd/exitcodes.h"
#include "cmd/format.h"
#include "cmd/json.h"
#include "cmd/launch.h"
#include "cmd/options.h"
#include "cmd/owner_diag.h"
#include "cmd/owner_seed.h"
#include "cmd/pcapng.h"
#include "cmd/probes.h"
#include "cmd/record.h"
#include "cmd/replay.h"
#include "cmd/resolve.h"
#include "cmd/strfmt.h"
#include "cmd/summary.h"
#include "filters/filter.h"
#include "filters/inject.h"
#include "cmd/timeline_out.h"
#include "kernel/dropreason.h"
#include "kernel/features.h"
#include "kernel/kallsyms.h"
#include "kernel/kfuncs.h"
#include "kernel/nflink.h"
#include "netlib/netns.h"
#include "pktpath.skel.h"

static volatile sig_atomic_t stop_signal;
static bool verbose;

/* The terminal sent it (Ctrl-C): it reached the whole foreground process
 * group, -- CMD included, so it is not passed on again. */
static volatile sig_atomic_t stop_from_tty;

static void on_signal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	stop_from_tty = si && si->si_code == SI_KERNEL;
	stop_signal = sig;
}

static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	if (!verbose)
		return 0; /* failures get one line of ours; -v shows libbpf's own */
	return vfprintf(stderr, fmt, ap);
}

static int fail(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(int status, const char *fmt, ...)
{
	va_list ap;
	fputs("pktpath: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return status;
}

struct run {
	const struct options *opt;
	struct pktpath_bpf *skel;
	struct fmt_ctx fmt;
	struct summary sum;
	struct strbuf line;
	uint64_t printed;
	bool t0_set;
	bool out_broken; /* stdout closed: stop quietly */
	struct backend_plan plan;
	bool timelines; /* default; --stream turns it off */
	struct tl_out tl;
	struct sockdiag *diag; /* owner fallback; NULL without memory */
	struct nflink *nf; /* netfilter links (tracepoint backend) */
	struct recorder *rec;  /* --record; NULL without */
	struct pcapng *pcap;   /* -w; NULL without */
};

static size_t read_stack(void *arg, int32_t id, uint64_t *ips, size_t max)
{
	struct run *r = arg;
	uint64_t buf[127] = {0};
	size_t n = 0;
	if (bpf_map__lookup_elem(r->skel->maps.stacks, &id, sizeof(id), buf, sizeof(buf), 0))
		return 0;
	while (n < max && n < 127 && buf[n])
		ips[n] = buf[n], n++;
	return n;
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct run *r = ctx;
	if (pcapng_is_capture(size)) { /* -w: packet bytes, not an event */
		if (!pcapng_capture_ok(data)) {
			r->sum.malformed++;
			return 0;
		}
		rec_capture(r->rec, data);
		pcapng_capture(r->pcap, data);
		return 0;
	}
	if (size < sizeof(struct pp_event)) {
		r->sum.malformed++;
		return 0;
	}
	const struct pp_event *e = data;
	struct pp_event with_owner;
	/* Only events whose owner the kernel did not know pay for this, and
	 * the look-up is cached. */
	if (r->diag && owner_diag_wanted(e)) {
		with_owner = *e;
		if (owner_diag_fill(r->diag, &with_owner))
			e = &with_owner;
	}
	struct pp_event located;
	if (e->probe == PP_PROBE_DROP && !e->location && e->stack_id >= 0) {
		located = *e;
		if (ev_location_from_stack(&located, &r->fmt))
			e = &located;
	}
	rec_event(r->rec, e);
	if (!r->t0_set) {
		r->fmt.t0 = e->ts_ns;
		r->t0_set = true;
	}
	summary_add(&r->sum, e);
	if (r->timelines) {
		tl_out_event(&r->tl, e);
		if (r->tl.broken) {
			r->out_broken = true;
			return -EPIPE;
		}
		r->printed = r->tl.printed;
		return r->opt->count && r->printed >= r->opt->count ? 1 : 0;
	}
	/* --stream --drops loads only drop points, but the owner bookkeeping
	 * also reports deliveries. */
	if (r->opt->drops_only && e->probe != PP_PROBE_DROP)
		return 0;
	sb_reset(&r->line);
	if (r->opt->json)
		json_event_line(&r->line, e, &r->fmt);
	else
		fmt_event(&r->line, e, &r->fmt);
	if (r->line.len && fwrite(r->line.s, 1, r->line.len, stdout) != r->line.len) {
		r->out_broken = true;
		return -EPIPE;
	}
	r->printed++;
	if (r->opt->count && r->printed >= r->opt->count)
		return 1; /* stops ring_buffer__poll */
	return 0;
}

/* Sum of a one-entry per-CPU counter map. */
static uint64_t percpu_total(const struct bpf_map *map)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t total = 0;
	uint32_t zero = 0;
	if (ncpu <= 0)
		return 0;
	uint64_t *v = calloc((size_t)ncpu, sizeof(*v));
	if (v && !bpf_map__lookup_elem(map, &zero, sizeof(zero), v,
				       sizeof(*v) * (size_t)ncpu, 0))
		for (int i = 0; i < ncpu; i++)
			total += v[i];
	free(v);
	return total;
}

static uint64_t lost_events(struct pktpath_bpf *skel)
{
	return percpu_total(skel->maps.lost);
}

/* Compiles the expression (exit status 2 when it is invalid) and, for
 * --dump-filter, prints it. Returns EXIT_OK or the status to exit with. */
static int prepare_filter(const char *expr, bool dump, struct pp_filter **out)
{
	char err[1024];
	int rc = filter_compile(expr, out, err, sizeof(err));
	if (rc == FILTER_ESYNTAX || rc == FILTER_EUNSUPPORTED)
		return fail(EXIT_USAGE, "%s", err);
	if (rc)
		return fail(EXIT_RUNTIME, "%s", err);
	if (dump)
		filter_dump(stdout, *out);
	return EXIT_OK;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts); /* the clock of bpf_ktime_get_ns */
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One line saying which backend runs and what else the kernel offers. */
static void announce_backend(enum backend b, const struct backend_avail *a)
{
	fprintf(stderr, "backend: %s (fentry: %s; kprobes: %s)\n", backend_name(b),
		a->fentry ? "available" : a->fentry_why, a->kprobe ? "available" : a->kprobe_why);
}

/* After CMD exits, the kernel may still send for its sockets (the last
 * ACKs, a FIN): they are awaited this long. */
#define CMD_GRACE_S 0.3

/* --cgroup, --container or -- CMD: the cgroup to select in the kernel
 * (id and depth; 0 for none). EXIT_OK or the status to exit with. */
static int select_cgroup(const struct options *opt, struct launch *cmd, uint64_t *id, int *level)
{
	char err[512], path[4096];
	if (!!opt->cgroup + !!opt->container + !!opt->cmd > 1)
		return fail(EXIT_USAGE, "--cgroup, --container and -- CMD each select a cgroup: give one");
	launch_clean_stale(); /* what a killed pktpath left */
	if (opt->cmd) {
		if (launch_cgroup(cmd, err, sizeof(err)))
			return fail(EXIT_RUNTIME, "%s", err);
		*id = cmd->cg_id;
		*level = cmd->cg_level;
		return EXIT_OK;
	}
	if (opt->cgroup) {
		if (cg_lookup(opt->cgroup, id, level, err, sizeof(err)))
			return fail(EXIT_NOTFOUND, "%s", err);
		const char *mnt = cg_mount();
		const char *rel = strncmp(opt->cgroup, mnt, strlen(mnt)) == 0 ? opt->cgroup + strlen(mnt) : opt->cgroup;
		pp_snprintf(path, sizeof(path), "%s%s", rel[0] == '/' ? "" : "/", rel);
	} else if (opt->container) {
		if (cg_find_container(opt->container, id, level, path, sizeof(path), err, sizeof(err)))
			return fail(EXIT_NOTFOUND, "%s", err);
	} else
		return EXIT_OK;
	if (cg_select(path))
		return fail(EXIT_RUNTIME, "out of memory");
	fprintf(stderr, "cgroup: %s (id %llu)\n", path, (unsigned long long)*id);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	struct options opt;
	struct run run = {0};
	struct btf *vmlinux = NULL;
	struct dropreasons *reasons = NULL;
	struct ksyms *ksyms = NULL;
	struct ring_buffer *rb = NULL;
	struct netns_ref ns = {.fd = -1};
	struct pp_filter *filter = NULL;
	struct kfuncs *kf = NULL;
	struct launch cmd = {0}; /* -- CMD */
	char err[512];
	int status = EXIT_OK;

	int pr = options_parse(&opt, argc, argv);
	if (pr)
		return pr > 0 ? EXIT_OK : EXIT_USAGE;
	verbose = opt.verbose;
	run.opt = &opt;
	if (opt.replay_file) { /* -r: no BPF, no privileges (cmd/replay.c) */
		status = replay_run(&opt);
		goto out;
	}
	if (opt.write_file && opt.stream) {
		status = fail(EXIT_USAGE, "-w writes each packet when its timeline ends: it does not go with --stream");
		goto out;
	}
	if (opt.summary_by && opt.stream) {
		status = fail(EXIT_USAGE, "--summary-by counts packets as their timelines end: it does not go with --stream");
		goto out;
	}
	libbpf_set_print(libbpf_log);

	if (opt.dump_filter) {
		if (opt.expr) {
			status = fail(EXIT_USAGE, "--dump-filter takes the expression as its value; unexpected '%s'", opt.expr);
			goto out;
		}
		status = prepare_filter(opt.dump_filter, true, &filter);
		goto out;
	}
	/* Before anything is loaded or attached. */
	if (opt.expr && (status = prepare_filter(opt.expr, false, &filter)) != EXIT_OK)
		goto out;
	if (!feat_privileged(err, sizeof(err))) {
		status = fail(EXIT_PRIVILEGE, "%s: run it with sudo", err);
		goto out;
	}
	vmlinux = btf__parse(opt.btf_path, NULL);
	if (!vmlinux) {
		char why[128];
		libbpf_strerror(errno, why, sizeof(why)); /* also libbpf's own codes (bad format) */
		status = fail(EXIT_KERNEL,
			      "no kernel BTF at %s (%s): pktpath needs a kernel built with CONFIG_DEBUG_INFO_BTF=y, or --btf FILE",
			      opt.btf_path, why);
		goto out;
	}

	/* Selection: a cgroup (or CMD's own), a namespace, an interface. */
	uint64_t sel_cgroup = 0;
	int sel_level = 0;
	if ((status = select_cgroup(&opt, &cmd, &sel_cgroup, &sel_level)) != EXIT_OK)
		goto out;
	uint32_t sel_netns = 0, sel_ifindex = 0;
	if (opt.netns) {
		if (netns_resolve(opt.netns, &ns, err, sizeof(err))) {
			status = fail(EXIT_NOTFOUND, "%s", err);
			goto out;
		}
		sel_netns = ns.inode;
	}
	if (opt.ifname) {
		sel_ifindex = netns_ifindex(ns.fd, opt.ifname);
		if (!sel_ifindex && (errno == EPERM || errno == EACCES)) {
			status = fail(EXIT_PRIVILEGE,
				      "cannot enter network namespace %s to find interface '%s': %s (needs CAP_SYS_ADMIN)",
				      opt.netns, opt.ifname, strerror(errno));
			goto out;
		}
		if (!sel_ifindex) {
			status = fail(EXIT_NOTFOUND, "no interface '%s' in %s%s (see 'ip link')", opt.ifname,
				      opt.netns ? "network namespace " : "pktpath's network namespace",
				      opt.netns ? opt.netns : "");
			goto out;
		}
		/* An ifindex means something only inside one namespace. */
		if (!sel_netns)
			sel_netns = netns_self_inode();
	}

	int drop_nargs = feat_tp_nargs(vmlinux, "kfree_skb");
	struct backend_avail avail;
	backend_probe(vmlinux, &avail);
	kf = kfuncs_open(vmlinux);
	if (!kf) {
		status = fail(EXIT_RUNTIME, "out of memory");
		goto out;
	}
	if (opt.list_probes) {
		backend_list(stdout, &avail, kf);
		goto out;
	}
	enum backend bk;
	if (backend_choose(opt.backend, opt.wide, &avail, &bk, err, sizeof(err))) {
		status = fail(EXIT_BACKEND, "%s", err);
		goto out;
	}
	announce_backend(bk, &avail);
	if (backend_plan(&run.plan, bk, opt.wide, opt.drops_only && opt.stream, kf, stderr)) {
		status = fail(EXIT_RUNTIME, "out of memory");
		goto out;
	}

	/* Our section handler must exist before the object is opened. */
	int ierr = inject_register();
	if (ierr) {
		status = fail(EXIT_RUNTIME, "cannot register the BPF section handler: %s", strerror(-ierr));
		goto out;
	}
	LIBBPF_OPTS(bpf_object_open_opts, oopts);
	if (strcmp(opt.btf_path, "/sys/kernel/btf/vmlinux") != 0)
		oopts.btf_custom_path = opt.btf_path;
	run.skel = pktpath_bpf__open_opts(&oopts);
	if (!run.skel) {
		status = fail(EXIT_RUNTIME, "cannot open the BPF object: %s", strerror(errno));
		goto out;
	}
	struct pktpath_bpf *skel = run.skel;
	skel->rodata->cfg_netns = sel_netns;
	skel->rodata->cfg_ifindex = sel_ifindex;
	skel->rodata->cfg_owner_tgid = opt.owner_pid;
	skel->rodata->cfg_cgroup_id = sel_cgroup;
	skel->rodata->cfg_cgroup_level = (uint32_t)sel_level;
	if (opt.owner_comm)
		memcpy((char *)skel->rodata->cfg_owner_comm, opt.owner_comm, strlen(opt.owner_comm) + 1);
	skel->rodata->cfg_stack_drops = opt.stack_drops;
	skel->rodata->cfg_stack_all = opt.stack_all;
	skel->rodata->cfg_drop_has_reason = drop_nargs >= 3;
	skel->rodata->cfg_filter = filter != NULL;
	skel->rodata->cfg_ip_l2 = filter && filter_ip_needs_l2(filter);
	skel->rodata->cfg_track = !opt.no_track;
	skel->rodata->cfg_snaplen = opt.write_file ? opt.snaplen : 0;
	bpf_map__set_max_entries(skel->maps.events, opt.ringbuf_size);
	/* Timelines need every probe even for --drops: the path before the
	 * drop is the point, so --drops filters in user space there. */
	run.timelines = !opt.stream;
	if (opt.drops_only && !run.timelines) {
		bpf_program__set_autoload(skel->progs.pp_rx, false);
		bpf_program__set_autoload(skel->progs.pp_tx, false);
		bpf_program__set_autoload(skel->progs.pp_free, false);
	}
	if (backend_configure(&run.plan, skel, err, sizeof(err))) {
		status = fail(EXIT_RUNTIME, "%s", err);
		goto out;
	}
	nflink_prepare(skel->obj, bk == BK_TRACEPOINT && !opt.no_netfilter && !(opt.drops_only && opt.stream), verbose);
	/* Every program is on a raw tracepoint named by its section. Event
	 * points must exist; owner bookkeeping points are optional (older
	 * kernels lack some), each missing one is said once. */
	struct bpf_program *prog;
	bpf_object__for_each_program(prog, skel->obj) {
		const char *sec = bpf_program__section_name(prog);
		const char *tp = strrchr(sec, '/') + 1;
		bool optional = strncmp(bpf_program__name(prog), "pp_own_", 7) == 0;
		bool is_tp = !strncmp(sec, "raw_tp/", 7) || !strncmp(sec, INJECT_SEC_PREFIX, strlen(INJECT_SEC_PREFIX));
		if (!is_tp || !bpf_program__autoload(prog) || feat_tp_nargs(vmlinux, tp) >= 1)
			continue;
		if (!optional) {
			status = fail(EXIT_KERNEL, "this kernel has no tracepoint %s, which pktpath needs", tp);
			goto out;
		}
		fprintf(stderr, "pktpath: warning: no tracepoint %s: owners are learned from fewer places\n", tp);
		bpf_program__set_autoload(prog, false);
	}
	inject_set(filter, bpf_object__btf(skel->obj));
	int lerr = pktpath_bpf__load(skel);
	inject_set(NULL, NULL);
	inject_release();
	if (lerr) {
		int e = errno;
		status = fail(e == EPERM ? EXIT_PRIVILEGE : EXIT_KERNEL,
			      "the kernel refused pktpath's BPF programs: %s (run with -v for the verifier log)",
			      strerror(e));
		goto out;
	}
	/* Sockets older than pktpath, before anything attached can learn. */
	owner_seed(bpf_map__fd(skel->maps.owners), ns.fd, opt.owner_pid || opt.owner_comm || sel_cgroup);
	if (backend_attach(&run.plan, skel, stderr, err, sizeof(err))) {
		status = fail(EXIT_KERNEL, "%s", err);
		goto out;
	}
	run.nf = nflink_attach(skel->obj, !opt.netns && !opt.ifname, ns.fd, sel_netns, verbose);
	if (opt.wide)
		fprintf(stderr, "wide: %zu functions attached, %zu skipped, in %.3f s\n", run.plan.wide_attached,
			run.plan.wide_skipped, run.plan.attach_s);

	ksyms = ksyms_load("/proc/kallsyms");
	if (!ksyms)
		fprintf(stderr, "pktpath: warning: cannot read kernel symbols from /proc/kallsyms (%s): locations print as addresses\n",
			strerror(errno));
	reasons = dropreasons_load(vmlinux);
	run.fmt.ksyms = ksyms;
	run.fmt.reasons = reasons;
	run.fmt.read_stack = read_stack;
	run.fmt.stack_arg = &run;
	rs_wrap_stacks(&run.fmt); /* look-ups through the resolver: --record keeps the answers */
	int64_t wall = rec_wall_offset();
	if (opt.record_file && !(run.rec = rec_open(opt.record_file, reasons, wall, err, sizeof(err)))) {
		status = fail(EXIT_RUNTIME, "%s", err);
		goto out;
	}
	if (opt.write_file && !(run.pcap = pcapng_open(opt.write_file, wall, opt.max_open, err, sizeof(err)))) {
		status = fail(EXIT_RUNTIME, "%s", err);
		goto out;
	}

	if (run.timelines &&
	    tl_out_init(&run.tl, &run.fmt, stdout, opt.max_open, opt.idle_ms,
			isatty(STDOUT_FILENO) && !getenv("NO_COLOR") && !opt.json, opt.json, opt.drops_only)) {
		status = fail(EXIT_RUNTIME, "cannot set up the packet table: %s", strerror(errno));
		goto out;
	}
	run.tl.limit = opt.count;
	run.tl.pcap = run.pcap;
	run.tl.by_owner = opt.summary_by ? osum_new(strcmp(opt.summary_by, "cgroup") == 0) : NULL;
	run.diag = sockdiag_new();
	if (!run.diag)
		fprintf(stderr, "pktpath: warning: out of memory for the sock_diag owner cache: older sockets show '?'\n");
	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_event, &run, NULL);
	if (!rb) {
		status = fail(EXIT_RUNTIME, "cannot set up the ring buffer: %s", strerror(errno));
		goto out;
	}

	struct sigaction sa = {.sa_sigaction = on_signal, .sa_flags = SA_SIGINFO};
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	sb_reset(&run.line);
	if (!run.timelines && !opt.json)
		fmt_header(&run.line);
	if (run.line.len)
		fwrite(run.line.s, 1, run.line.len, stdout);
	fflush(stdout);
	fprintf(stderr, "pktpath: ready\n");
	if (opt.cmd && launch_start(&cmd, opt.cmd, err, sizeof(err))) {
		fprintf(stderr, "pktpath: %s\n", err); /* traced nothing; the status is a shell's */
		stop_signal = -1;
	}

	double deadline = opt.seconds > 0 ? now_s() + opt.seconds : 0;
	double cmd_end = 0;  /* CMD ended: its last packets are awaited until then */
	bool passed = false; /* a signal was passed on to CMD */
	for (;;) {
		if (stop_signal) {
			/* The first Ctrl-C or SIGTERM goes to CMD (from the terminal it
			 * has it already), whose end then ends the run. */
			if (!cmd.pid || cmd.exited || passed || stop_signal < 0)
				break;
			if (!stop_from_tty)
				launch_signal(&cmd, stop_signal);
			passed = true;
			stop_signal = 0;
		}
		if (cmd.pid && !cmd_end && launch_reap(&cmd, false))
			cmd_end = now_s() + CMD_GRACE_S;
		if (cmd_end && now_s() >= cmd_end)
			break;
		int n = ring_buffer__poll(rb, 100);
		if (n < 0 && n != -EINTR) {
			if (!run.out_broken)
				status = fail(EXIT_RUNTIME, "reading the ring buffer: %s", strerror(-n));
			break;
		}
		if (opt.count && run.printed >= opt.count)
			break;
		if (deadline && now_s() >= deadline)
			break;
		if (run.timelines) {
			uint64_t now = now_ns();
			rec_tick(run.rec, now); /* a replay expires timelines at the same points */
			tl_out_tick(&run.tl, now);
			run.printed = run.tl.printed;
			if (run.tl.broken) {
				run.out_broken = true;
				break;
			}
			if (opt.count && run.printed >= opt.count)
				break;
		}
		if (fflush(stdout) == EOF) {
			run.out_broken = true;
			break;
		}
	}
	/* Detach first, then print what was already in the buffer. */
	uint64_t lost = lost_events(skel);
	backend_detach(&run.plan);
	nflink_free(run.nf);
	run.nf = NULL;
	if (!run.out_broken && !(opt.count && run.printed >= opt.count))
		ring_buffer__consume(rb);
	lost = lost_events(skel);
	if (run.timelines && !run.out_broken)
		tl_out_finish(&run.tl);
	fflush(stdout);
	summary_print(stderr, &run.sum, reasons, lost, percpu_total(skel->maps.produced));
	uint64_t untracked = filter ? percpu_total(skel->maps.track_full) : 0;
	if (untracked)
		fprintf(stderr, "tracking table full: %llu matched packets were not followed after their first event\n",
			(unsigned long long)untracked);
	if (run.timelines)
		tl_out_report(stderr, &run.tl);
	if (opt.wide)
		fprintf(stderr, "wide: detached in %.3f s\n", run.plan.detach_s);
	rec_end(run.rec, lost, percpu_total(skel->maps.produced), untracked);
	/* -c or -t ended the trace before CMD ended: pktpath still exits
	 * with its status. */
	while (cmd.pid && !launch_reap(&cmd, true))
		if (stop_signal > 0) {
			if (!stop_from_tty)
				launch_signal(&cmd, stop_signal);
			stop_signal = 0;
		}
	if (opt.cmd && status == EXIT_OK)
		status = cmd.status;

out:
	if (pcapng_close(run.pcap, status == EXIT_OK ? stderr : NULL, err, sizeof(err)) && status == EXIT_OK)
		status = fail(EXIT_RUNTIME, "%s", err);
	if (rec_close(run.rec, err, sizeof(err)) && status == EXIT_OK)
		status = fail(EXIT_RUNTIME, "%s", err);
	nflink_free(run.nf);
	backend_plan_free(&run.plan);
	kfuncs_free(kf);
	probes_free();
	ring_buffer__free(rb);
	pktpath_bpf__destroy(run.skel);
	ksyms_free(ksyms);
	dropreasons_free(reasons);
	btf__free(vmlinux);
	netns_ref_close(&ns);
	netns_names_free();
	summary_free(&run.sum);
	tl_out_free(&run.tl);
	sockdiag_free(run.diag);
	sb_free(&run.line);
	filter_free(filter);
	launch_free(&cmd);
	cg_free();
	options_free(&opt);
	return status;
}
