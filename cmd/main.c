/* pktpath: parse, check privileges and BTF, resolve the selection, open
 * and configure the BPF object, load, attach, poll the ring buffer until
 * a signal or a limit, then detach and print the summary. */
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd/backend.h"
#include "cmd/cgroup.h"
#include "cmd/escape.h"
#include "cmd/evtext.h"
#include "cmd/explain.h"
#include "cmd/exitcodes.h"
#include "cmd/format.h"
#include "cmd/front.h"
#include "cmd/json.h"
#include "cmd/launch.h"
#include "cmd/options.h"
#include "cmd/owner_diag.h"
#include "cmd/owner_seed.h"
#include "cmd/paths.h"
#include "cmd/pcapng.h"
#include "cmd/probes.h"
#include "cmd/reasons.h"
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
/* Until the BPF object loads nothing exists that exit does not release:
 * a signal then ends pktpath at once, even inside a long pcap_compile. */
static volatile sig_atomic_t nothing_loaded = 1;
static bool verbose;

/* The terminal sent it (Ctrl-C): it reached the whole foreground process
 * group, -- CMD included, so it is not passed on again. */
static volatile sig_atomic_t stop_from_tty;

static void say_raw(const char *s)
{
	ssize_t n = write(STDERR_FILENO, s, strlen(s));
	(void)n;
}

static void on_signal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (nothing_loaded) {
		say_raw("pktpath: interrupted before tracing began: nothing traced\n");
		launch_remove_early(); /* -- CMD's cgroup, still empty */
		_exit(0); /* the documented status after Ctrl-C */
	}
	stop_from_tty = si && si->si_code == SI_KERNEL;
	stop_signal = sig;
}

static char compiling_note[160];
static void on_alarm(int sig)
{
	(void)sig;
	say_raw(compiling_note);
}

/* fds 0-2 closed at start (`pktpath >&-`) would be handed to the first
 * files and BPF objects opened, and text meant for stdout written into
 * them. They are held by /dev/null opened read-only: a write then fails
 * (EBADF) and is reported like any other failed write. */
static void hold_std_fds(void)
{
	for (int fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF) {
			int n = open("/dev/null", O_RDONLY);
			if (n >= 0 && n != fd) {
				dup2(n, fd);
				close(n);
			}
		}
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
	char line[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* User text is escaped where it is quoted; this catches any control
	 * byte that came another way (a library's message). */
	for (char *c = line; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	fprintf(stderr, "pktpath: %s\n", line);
	return status;
}

struct run {
	const struct options *opt;
	struct pktpath_bpf *skel;
	struct front fe; /* counting, filtering and rendering: shared with -r */
	/* stdout: what is known written (an fflush succeeded after it). */
	bool draining; /* after the run: count what is left, print nothing */
	bool out_is_pipe;
	struct backend_plan plan;
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

/* The last word on stdout for outputs written without accounting (help,
 * --dump-filter, --list-probes): a failed write is status 1 and one line,
 * a closed pipe is a quiet stop. */
static int stdout_status(int status)
{
	int e = 0;
	if (fflush(stdout) == EOF)
		e = errno;
	else if (ferror(stdout))
		e = EIO;
	if (!e || e == EPIPE)
		return status;
	fprintf(stderr, "pktpath: cannot write to standard output: %s\n", strerror(e));
	return status == EXIT_OK ? EXIT_RUNTIME : status;
}

/* What on_event returns to stop ring_buffer__poll; 0 while draining. */
enum { STOP_LIMIT = -ECANCELED, STOP_OUTPUT = -EPIPE };

static int stop_code(const struct run *r, int code)
{
	return r->draining ? 0 : code;
}

/* stdout's buffer to the file; what it held is then known written. */
static void out_flush(struct run *r)
{
	if (r->fe.out_err)
		return;
	/* A pipe whose reader left (`| head -1`) is noticed even while no
	 * packet comes to write: the write end then polls POLLERR. */
	struct pollfd pfd = {.fd = STDOUT_FILENO, .events = POLLOUT};
	if (r->out_is_pipe && poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLERR)) {
		front_out_failed(&r->fe, EPIPE);
		return;
	}
	/* ferror too: a failed flush inside stdio (a full buffer) empties
	 * the buffer, and the next fflush has nothing left to fail on. */
	if (fflush(stdout) == EOF)
		front_out_failed(&r->fe, errno);
	else if (ferror(stdout))
		front_out_failed(&r->fe, EIO);
	else
		r->fe.flushed = r->fe.printed;
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct run *r = ctx;
	if (pcapng_is_capture(size)) { /* -w: packet bytes, not an event */
		if (!pcapng_capture_ok(data)) {
			r->fe.sum.malformed++;
			return 0;
		}
		rec_capture(r->rec, data);
		pcapng_capture(r->pcap, data);
		return 0;
	}
	if (size < sizeof(struct pp_event)) {
		r->fe.sum.malformed++;
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
		if (ev_location_from_stack(&located, &r->fe.fmt))
			e = &located;
	}
	rec_event(r->rec, e);
	enum front_verdict v = front_event(&r->fe, e);
	/* libbpf's poll stops only on a negative return: 1 would go on. */
	return stop_code(r, v == FRONT_LIMIT ? STOP_LIMIT : v == FRONT_OUTPUT ? STOP_OUTPUT : 0);
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

/* Selection targets that can vanish while pktpath runs: the -i interface
 * (deleted, moved to another namespace, recreated with a new index), a
 * namespace named by `ip netns` name or path, the -p process. Checked once a second, each
 * said once. A namespace given by inode is not watched: only the held
 * file still names it. */
static double now_s(void);

struct watch {
	int nsfd;
	uint32_t netns, ifindex, pid;
	const char *ns_spec, *ifname, *ns_shown, *if_shown;
	bool ns_said, if_said, pid_said;
	double next;
};

static void watch_targets(struct watch *w)
{
	double now = now_s();
	if (now < w->next)
		return;
	w->next = now + 1;
	if (w->pid && !w->pid_said && kill((pid_t)w->pid, 0) < 0 && errno == ESRCH) {
		fprintf(stderr, "pktpath: process %u (-p) exited: only packets its sockets still had in flight can follow\n",
			w->pid);
		w->pid_said = true;
	}
	if (w->ns_spec && !w->ns_said && strspn(w->ns_spec, "0123456789") != strlen(w->ns_spec)) {
		char path[512];
		struct stat st;
		snprintf(path, sizeof(path), strchr(w->ns_spec, '/') ? "%s" : NETNS_RUN_DIR "/%s", w->ns_spec);
		if (stat(path, &st) < 0 || (uint32_t)st.st_ino != w->netns) {
			fprintf(stderr,
				"pktpath: network namespace %s (inode %u) was deleted or no longer has that name: "
				"only what is still inside it can be traced\n",
				w->ns_shown, w->netns);
			w->ns_said = true;
		}
	}
	if (w->ifname && !w->if_said) {
		unsigned int idx = netns_ifindex(w->nsfd, w->ifname);
		if (idx == w->ifindex || (!idx && (errno == EPERM || errno == EACCES)))
			return;
		if (!idx)
			fprintf(stderr,
				"pktpath: interface '%s' (ifindex %u) is gone from %s%s (deleted or moved to another): "
				"nothing more is traced\n",
				w->if_shown, w->ifindex, w->ns_spec ? "network namespace " : "pktpath's network namespace",
				w->ns_spec ? w->ns_shown : "");
		else
			fprintf(stderr,
				"pktpath: interface '%s' is now ifindex %u (deleted and created again?); pktpath follows "
				"ifindex %u: restart it to trace the new one\n",
				w->if_shown, idx, w->ifindex);
		w->if_said = true;
	}
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
	/* libpcap's optimizer is slow on long 'or' chains (README, Filters):
	 * after 2 s, one line says what is going on. */
	snprintf(compiling_note, sizeof(compiling_note),
		 "pktpath: still compiling the filter (%zu bytes): libpcap's optimizer is slow on long 'or' chains; Ctrl-C stops\n",
		 strlen(expr));
	struct sigaction sa = {.sa_handler = on_alarm};
	sigaction(SIGALRM, &sa, NULL);
	alarm(2);
	int rc = filter_compile(expr, out, err, sizeof(err));
	alarm(0);
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

	hold_std_fds();
	struct sigaction sa = {.sa_sigaction = on_signal, .sa_flags = SA_SIGINFO};
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	int pr = options_parse(&opt, argc, argv);
	if (pr)
		return pr == 1 ? EXIT_OK : pr == 2 ? EXIT_RUNTIME : EXIT_USAGE; /* 2: --help >/dev/full */
	verbose = opt.verbose;
	run.opt = &opt;
	run.fe.opt = &opt;
	/* Files named twice would be destroyed by the second open. */
	if (opt.write_file && ((opt.record_file && path_same(opt.write_file, opt.record_file)) ||
			       (opt.replay_file && path_same(opt.write_file, opt.replay_file)))) {
		char shown[USER_BUF];
		escape_user(opt.write_file, shown, sizeof(shown), USER_SHOW);
		status = fail(EXIT_USAGE, "-w %s and %s name the same file: give each its own", shown,
			      opt.record_file ? "--record" : "-r");
		goto out;
	}
	if (opt.list_reasons) { /* no privileges needed: BTF is world-readable */
		int missing = reasons_print(stdout, opt.btf_path);
		status = missing < 0 ? EXIT_KERNEL : missing ? EXIT_RUNTIME : EXIT_OK;
		goto out;
	}
	if (opt.replay_file) { /* -r: no BPF, no privileges (cmd/replay.c) */
		signal(SIGINT, SIG_DFL); /* nothing to clean up: a replay stops as any filter does */
		signal(SIGTERM, SIG_DFL);
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
			char shown[USER_BUF];
		escape_user(opt.expr, shown, sizeof(shown), USER_SHOW);
		status = fail(EXIT_USAGE, "--dump-filter takes the expression as its value; unexpected '%s'", shown);
			goto out;
		}
		status = prepare_filter(opt.dump_filter, true, &filter);
		goto out;
	}
	/* Before anything is loaded or attached. */
	if (opt.expr && (status = prepare_filter(opt.expr, false, &filter)) != EXIT_OK)
		goto out;
	if (path_not_regular(opt.btf_path, err, sizeof(err))) { /* a FIFO would block btf__parse */
		status = fail(EXIT_KERNEL, "no kernel BTF: %s (--btf wants a BTF file)", err);
		goto out;
	}
	if (!feat_privileged(err, sizeof(err))) {
		status = fail(EXIT_PRIVILEGE, "%s: run it with sudo", err);
		goto out;
	}
	vmlinux = btf__parse(opt.btf_path, NULL);
	if (!vmlinux) {
		char why[128], shown[USER_BUF];
		libbpf_strerror(errno, why, sizeof(why)); /* also libbpf's own codes (bad format) */
		escape_user(opt.btf_path, shown, sizeof(shown), USER_SHOW);
		status = fail(EXIT_KERNEL,
			      "no kernel BTF at %s (%s): pktpath needs a kernel built with CONFIG_DEBUG_INFO_BTF=y, or --btf FILE",
			      shown, why);
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
	char ns_shown[USER_BUF] = "", if_shown[USER_BUF] = "";
	if (opt.netns)
		escape_user(opt.netns, ns_shown, sizeof(ns_shown), USER_SHOW);
	if (opt.ifname)
		escape_user(opt.ifname, if_shown, sizeof(if_shown), USER_SHOW);
	if (opt.ifname) {
		sel_ifindex = netns_ifindex(ns.fd, opt.ifname);
		if (!sel_ifindex && (errno == EPERM || errno == EACCES)) {
			status = fail(EXIT_PRIVILEGE,
				      "cannot enter network namespace %s to find interface '%s': %s (needs CAP_SYS_ADMIN)",
				      ns_shown, if_shown, strerror(errno));
			goto out;
		}
		if (!sel_ifindex) {
			status = fail(EXIT_NOTFOUND, "no interface '%s' in %s%s (see 'ip link')", if_shown,
				      opt.netns ? "network namespace " : "pktpath's network namespace", ns_shown);
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
		backend_list(stdout, &avail, kf, drop_nargs >= 3, opt.backend);
		goto out;
	}
	enum backend bk;
	if (backend_choose(opt.backend, opt.wide, &avail, &bk, err, sizeof(err))) {
		status = fail(EXIT_BACKEND, "%s", err);
		goto out;
	}
	announce_backend(bk, &avail);
	backend_limits(stderr, "pktpath: note: ", bk, &avail, drop_nargs >= 3,
		       !opt.no_netfilter && !(opt.drops_only && opt.stream));
load_again: /* --backend auto: the next backend when the kernel refused this one's programs */
	if (backend_plan(&run.plan, bk, &avail, opt.wide, opt.drops_only && opt.stream, kf, stderr)) {
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
	run.fe.timelines = !opt.stream;
	if (opt.drops_only && !run.fe.timelines) {
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
	 * kernels lack some), the missing ones are said in one line. */
	struct bpf_program *prog;
	char no_owner_tp[128] = "";
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
		size_t used = strlen(no_owner_tp);
		snprintf(no_owner_tp + used, sizeof(no_owner_tp) - used, "%s%s", used ? ", " : "", tp);
		bpf_program__set_autoload(prog, false);
	}
	if (no_owner_tp[0]) /* one line for all (5.10 lacks sock_send_length and sock_recv_length) */
		fprintf(stderr, "pktpath: warning: no tracepoint %s: owners are learned from fewer places\n", no_owner_tp);
	inject_set(filter, bpf_object__btf(skel->obj));
	nothing_loaded = 0; /* from here a signal stops the run through its clean-up */
	/* Developer switch (docs/extending.md): with -v, each program's
	 * verifier statistics, to see how near its limit a change brings it.
	 * Not -v alone: with a log level set, a refused load would show only
	 * the statistics, not why. */
	if (verbose && getenv("PKTPATH_VERIFIER_STATS")) {
		struct bpf_program *vp;
		bpf_object__for_each_program(vp, skel->obj)
			bpf_program__set_log_level(vp, 4);
	}
	int lerr = pktpath_bpf__load(skel);
	inject_set(NULL, NULL);
	inject_release();
	if (stop_signal) /* Ctrl-C during the load (which it may have failed) */
		goto interrupted;
	int next = lerr && errno != EPERM && !strcmp(opt.backend, "auto") ? backend_next(bk, &avail) : -1;
	if (next >= 0) {
		fprintf(stderr, "pktpath: warning: the kernel refused the %s programs (%s; -v shows why): using %s\n",
			backend_name(bk), strerror(errno), backend_name((enum backend)next));
		pktpath_bpf__destroy(run.skel);
		run.skel = NULL;
		backend_plan_free(&run.plan);
		probes_free();
		bk = (enum backend)next;
		announce_backend(bk, &avail);
		/* The drop-reason note was said already; netfilter may be new. */
		backend_limits(stderr, "pktpath: note: ", bk, &avail, true,
			       !opt.no_netfilter && !(opt.drops_only && opt.stream));
		goto load_again;
	}
	if (lerr) {
		int e = errno;
		if (e == E2BIG) /* the verifier's instruction budget, not a missing feature */
			status = fail(EXIT_KERNEL,
				      "the kernel's verifier gave up on pktpath's %s programs: too complex for it with "
				      "this expression; try another --backend or a simpler expression (-v shows the log)",
				      backend_name(bk));
		else
			status = fail(e == EPERM ? EXIT_PRIVILEGE : EXIT_KERNEL,
				      "the kernel refused pktpath's BPF programs: %s (run with -v for the verifier log)",
				      strerror(e));
		goto out;
	}
	/* Sockets older than pktpath, before anything attached can learn. */
	owner_seed(bpf_map__fd(skel->maps.owners), ns.fd, opt.owner_pid || opt.owner_comm || sel_cgroup);
	if (backend_fill(&run.plan, skel, err, sizeof(err)) || backend_attach(&run.plan, skel, stderr, err, sizeof(err))) {
		if (stop_signal)
			goto interrupted;
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
	run.fe.fmt.ksyms = ksyms;
	run.fe.fmt.reasons = reasons;
	run.fe.fmt.read_stack = read_stack;
	run.fe.fmt.stack_arg = &run;
	rs_wrap_stacks(&run.fe.fmt); /* look-ups through the resolver: --record keeps the answers */
	int64_t wall = rec_wall_offset();
	if (opt.record_file && !(run.rec = rec_open(opt.record_file, reasons, wall, err, sizeof(err)))) {
		status = fail(EXIT_RUNTIME, "%s", err);
		goto out;
	}
	if (opt.write_file && !(run.pcap = pcapng_open(opt.write_file, wall, opt.max_open, err, sizeof(err)))) {
		status = fail(EXIT_RUNTIME, "%s", err);
		goto out;
	}
	struct explain_cfg xcfg = {.rules = !opt.no_rules, .all = !opt.netns && !opt.ifname, .nsfd = ns.fd,
				   .netns = sel_netns, .ifindex = sel_ifindex};
	if (filter && !filter_ip_needs_l2(filter)) /* an expression the IP header decides */
		xcfg.cbpf = filter_classic(filter, PP_L3, &xcfg.ncbpf);
	/* After the links (nft chains must not take their priorities) and the
	 * output files (a file that fails leaves nothing added to a ruleset). */
	explain_start(&xcfg, stderr);

	if (run.fe.timelines &&
	    tl_out_init(&run.fe.tl, &run.fe.fmt, stdout, opt.max_open, opt.idle_ms,
			isatty(STDOUT_FILENO) && !getenv("NO_COLOR") && !opt.json, opt.json, opt.drops_only)) {
		status = fail(EXIT_RUNTIME, "cannot set up the packet table: %s", strerror(errno));
		goto out;
	}
	run.fe.tl.limit = opt.count;
	run.fe.tl.pcap = run.pcap;
	run.fe.tl.by_owner = opt.summary_by ? osum_new(strcmp(opt.summary_by, "cgroup") == 0) : NULL;
	run.diag = sockdiag_new();
	if (!run.diag)
		fprintf(stderr, "pktpath: warning: out of memory for the sock_diag owner cache: older sockets show '?'\n");
	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_event, &run, NULL);
	if (!rb) {
		status = fail(EXIT_RUNTIME, "cannot set up the ring buffer: %s", strerror(errno));
		goto out;
	}

	sb_reset(&run.fe.line);
	if (!run.fe.timelines && !opt.json)
		fmt_header(&run.fe.line);
	struct stat ost;
	run.out_is_pipe = fstat(STDOUT_FILENO, &ost) == 0 && S_ISFIFO(ost.st_mode);
	if (run.fe.line.len && fwrite(run.fe.line.s, 1, run.fe.line.len, stdout) != run.fe.line.len)
		front_out_failed(&run.fe, errno);
	out_flush(&run); /* the header */
	fprintf(stderr, "pktpath: ready\n");
	if (opt.cmd && launch_start(&cmd, opt.cmd, err, sizeof(err))) {
		fprintf(stderr, "pktpath: %s\n", err); /* traced nothing; the status is a shell's */
		stop_signal = -1;
	}

	double deadline = opt.seconds > 0 ? now_s() + opt.seconds : 0;
	double cmd_end = 0;  /* CMD ended: its last packets are awaited until then */
	bool passed = false; /* a signal was passed on to CMD */
	struct watch w = {.nsfd = ns.fd, .netns = sel_netns, .ifindex = sel_ifindex, .pid = opt.owner_pid, .ns_spec = opt.netns,
			  .ifname = opt.ifname, .ns_shown = ns_shown, .if_shown = if_shown, .next = now_s() + 1};
	while (!run.fe.out_err) {
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
		explain_tick(); /* trace messages first: they precede the drops they explain */
		int n = ring_buffer__poll(rb, 100);
		if (n < 0 && n != -EINTR && n != STOP_LIMIT && n != STOP_OUTPUT) {
			status = fail(EXIT_RUNTIME, "reading the ring buffer: %s", strerror(-n));
			break;
		}
		if (run.fe.out_err || (opt.count && run.fe.printed >= opt.count))
			break;
		if (deadline && now_s() >= deadline)
			break;
		uint64_t now = now_ns();
		/* A replay expires timelines at the same points; the recording
		 * also reaches its file here once a second. */
		rec_tick(run.rec, now);
		if (front_tick(&run.fe, now) != FRONT_GO)
			break;
		out_flush(&run);
		watch_targets(&w);
	}
	/* Detach first, then take what is left in the buffer: every event
	 * produced is delivered or lost, and what is delivered past -c or a
	 * failed output is counted as not printed. */
	uint64_t lost = lost_events(skel);
	backend_detach(&run.plan);
	nflink_free(run.nf);
	run.nf = NULL;
	run.draining = true;
	ring_buffer__consume(rb);
	lost = lost_events(skel);
	if (run.fe.timelines) {
		tl_out_finish(&run.fe.tl); /* prints nothing past -c or a failed output */
		run.fe.printed = run.fe.tl.printed;
		if (run.fe.tl.broken)
			front_out_failed(&run.fe, run.fe.tl.err);
	}
	out_flush(&run);
	summary_print(stderr, &run.fe.sum, reasons, lost, percpu_total(skel->maps.produced));
	front_report_unprinted(&run.fe, stderr, "received", &run.fe.flushed);
	uint64_t untracked = filter ? percpu_total(skel->maps.track_full) : 0;
	if (untracked)
		fprintf(stderr, "tracking table full: %llu matched packets were not followed after their first event\n",
			(unsigned long long)untracked);
	if (run.fe.timelines)
		tl_out_report(stderr, &run.fe.tl);
	explain_report(stderr, opt.json && !run.fe.out_err ? stdout : NULL);
	out_flush(&run); /* the JSON counters line */
	if (run.fe.out_err && run.fe.out_err != EPIPE && status == EXIT_OK)
		status = EXIT_RUNTIME;
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
	explain_stop(stderr);
	goto out;

interrupted:
	fprintf(stderr, "pktpath: interrupted before tracing began: nothing traced\n");
	status = EXIT_OK;
out:
	explain_stop(stderr);
	/* Each file says its own failure, on its own line. */
	if (pcapng_close(run.pcap, status == EXIT_OK ? stderr : NULL, err, sizeof(err))) {
		int st = fail(EXIT_RUNTIME, "%s", err);
		if (status == EXIT_OK)
			status = st;
	}
	if (rec_close(run.rec, err, sizeof(err))) {
		int st = fail(EXIT_RUNTIME, "%s", err);
		if (status == EXIT_OK)
			status = st;
	}
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
	summary_free(&run.fe.sum);
	tl_out_free(&run.fe.tl);
	sockdiag_free(run.diag);
	sb_free(&run.fe.line);
	carry_free(&run.fe.carry);
	filter_free(filter);
	launch_free(&cmd);
	cg_free();
	options_free(&opt);
	/* --dump-filter, --list-probes: stdout not yet checked (a run checked
	 * and reported it already: out_err). */
	return run.fe.out_err ? status : stdout_status(status);
}
