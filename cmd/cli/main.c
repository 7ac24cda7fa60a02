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

#include "cmd/attach/backend.h"
#include "cmd/attach/cgroup.h"
#include "cmd/util/escape.h"
#include "cmd/render/evtext.h"
#include "cmd/attach/explain.h"
#include "cmd/cli/exitcodes.h"
#include "cmd/render/format.h"
#include "cmd/render/front.h"
#include "cmd/render/json.h"
#include "cmd/cli/launch.h"
#include "cmd/cli/options.h"
#include "cmd/attach/owner_diag.h"
#include "cmd/attach/owner_seed.h"
#include "cmd/cli/paths.h"
#include "cmd/record/pcapng.h"
#include "cmd/model/probes.h"
#include "cmd/attach/progs.h"
#include "cmd/render/reasons.h"
#include "cmd/record/record.h"
#include "cmd/record/replay.h"
#include "cmd/record/resolve.h"
#include "cmd/util/strfmt.h"
#include "cmd/model/summary.h"
#include "filters/filter.h"
#include "filters/inject.h"
#include "cmd/render/timeline_out.h"
#include "cmd/cli/watch.h"
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

/* One run of pktpath: every resource it holds, released in one place
 * (session_close), and what is derived from the options, computed once. */
struct session {
	struct options opt;
	/* Derived from the options (session_derive). */
	bool nf_wanted;    /* netfilter events: not with --no-netfilter, nor --stream --drops */
	bool drops_stream; /* --stream --drops: only the drop points */
	bool everywhere;   /* neither -n nor -i: every namespace */
	/* The kernel and the selection. */
	struct btf *vmlinux;
	struct kfuncs *kf;
	struct backend_avail avail;
	enum backend bk;
	int drop_nargs; /* the kfree_skb tracepoint's arguments: 3 with a reason */
	struct pp_filter *filter;
	struct netns_ref ns;
	uint32_t sel_netns, sel_ifindex;
	uint64_t sel_cgroup;
	int sel_level;
	char ns_shown[USER_BUF], if_shown[USER_BUF];
	struct launch cmd; /* -- CMD */
	/* BPF. */
	struct pktpath_bpf *skel;
	struct backend_plan plan;
	struct nflink *nf; /* netfilter links (tracepoint backend) */
	struct ring_buffer *rb;
	/* Output. */
	struct ksyms *ksyms;
	struct dropreasons *reasons;
	struct front fe; /* counting, filtering and rendering: shared with -r */
	bool draining;   /* after the run: count what is left, print nothing */
	bool out_is_pipe;
	struct sockdiag *diag; /* owner fallback; NULL without memory */
	struct recorder *rec;  /* --record; NULL without */
	struct pcapng *pcap;   /* -w; NULL without */
};

/* What a phase returns: GO to go on, else the exit status (the run is
 * over: an error, or a job done such as --list-probes). */
enum { GO = -1 };

static size_t read_stack(void *arg, int32_t id, uint64_t *ips, size_t max)
{
	struct session *r = arg;
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

static int stop_code(const struct session *r, int code)
{
	return r->draining ? 0 : code;
}

/* stdout's buffer to the file; what it held is then known written. */
static void out_flush(struct session *r)
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
	struct session *r = ctx;
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

static void session_derive(struct session *s)
{
	const struct options *o = &s->opt;
	s->drops_stream = o->drops_only && o->stream;
	s->nf_wanted = !o->no_netfilter && !s->drops_stream;
	s->everywhere = !o->netns && !o->ifname;
	s->fe.opt = o;
	s->fe.r = render_pick(o);
	/* Timelines need every probe even for --drops: the path before the
	 * drop is the point, so --drops filters in user space there. */
	s->fe.timelines = !o->stream;
}

/* Phase 1: the options checked, and the jobs that need no BPF (--reasons,
 * -r, --dump-filter); the expression compiled before anything is loaded. */
static int session_start(struct session *s)
{
	const struct options *o = &s->opt;
	verbose = o->verbose;
	session_derive(s);
	/* Files named twice would be destroyed by the second open. */
	if (o->write_file && ((o->record_file && path_same(o->write_file, o->record_file)) ||
			      (o->replay_file && path_same(o->write_file, o->replay_file)))) {
		char shown[USER_BUF];
		escape_user(o->write_file, shown, sizeof(shown), USER_SHOW);
		return fail(EXIT_USAGE, "-w %s and %s name the same file: give each its own", shown,
			    o->record_file ? "--record" : "-r");
	}
	if (o->list_reasons) { /* no privileges needed: BTF is world-readable */
		int missing = reasons_print(stdout, o->btf_path);
		return missing < 0 ? EXIT_KERNEL : missing ? EXIT_RUNTIME : EXIT_OK;
	}
	if (o->replay_file) { /* -r: no BPF, no privileges (cmd/record/replay.c) */
		signal(SIGINT, SIG_DFL); /* nothing to clean up: a replay stops as any filter does */
		signal(SIGTERM, SIG_DFL);
		return replay_run(o);
	}
	if (o->write_file && o->stream)
		return fail(EXIT_USAGE, "-w writes each packet when its timeline ends: it does not go with --stream");
	if (o->summary_by && o->stream)
		return fail(EXIT_USAGE, "--summary-by counts packets as their timelines end: it does not go with --stream");
	libbpf_set_print(libbpf_log);
	if (o->dump_filter) {
		if (o->expr) {
			char shown[USER_BUF];
			escape_user(o->expr, shown, sizeof(shown), USER_SHOW);
			return fail(EXIT_USAGE, "--dump-filter takes the expression as its value; unexpected '%s'", shown);
		}
		return prepare_filter(o->dump_filter, true, &s->filter);
	}
	if (o->expr) {
		int st = prepare_filter(o->expr, false, &s->filter);
		if (st != EXIT_OK)
			return st;
	}
	return GO;
}

/* Phase 2: privileges and the kernel's BTF. */
static int session_kernel(struct session *s)
{
	char err[512];
	const char *btf = s->opt.btf_path;
	if (path_not_regular(btf, err, sizeof(err))) /* a FIFO would block btf__parse */
		return fail(EXIT_KERNEL, "no kernel BTF: %s (--btf wants a BTF file)", err);
	if (!feat_privileged(err, sizeof(err)))
		return fail(EXIT_PRIVILEGE, "%s: run it with sudo", err);
	s->vmlinux = btf__parse(btf, NULL);
	if (!s->vmlinux) {
		char why[128], shown[USER_BUF];
		libbpf_strerror(errno, why, sizeof(why)); /* also libbpf's own codes (bad format) */
		escape_user(btf, shown, sizeof(shown), USER_SHOW);
		return fail(EXIT_KERNEL,
			    "no kernel BTF at %s (%s): pktpath needs a kernel built with CONFIG_DEBUG_INFO_BTF=y, or --btf FILE",
			    shown, why);
	}
	s->drop_nargs = feat_tp_nargs(s->vmlinux, "kfree_skb");
	return GO;
}

/* Phase 3: what is selected in the kernel: a cgroup (or CMD's own), a
 * namespace, an interface. */
static int session_select(struct session *s)
{
	const struct options *o = &s->opt;
	char err[512];
	int st = select_cgroup(o, &s->cmd, &s->sel_cgroup, &s->sel_level);
	if (st != EXIT_OK)
		return st;
	if (o->netns) {
		if (netns_resolve(o->netns, &s->ns, err, sizeof(err)))
			return fail(EXIT_NOTFOUND, "%s", err);
		s->sel_netns = s->ns.inode;
		escape_user(o->netns, s->ns_shown, sizeof(s->ns_shown), USER_SHOW);
	}
	if (!o->ifname)
		return GO;
	escape_user(o->ifname, s->if_shown, sizeof(s->if_shown), USER_SHOW);
	s->sel_ifindex = netns_ifindex(s->ns.fd, o->ifname);
	if (!s->sel_ifindex && (errno == EPERM || errno == EACCES))
		return fail(EXIT_PRIVILEGE, "cannot enter network namespace %s to find interface '%s': %s (needs CAP_SYS_ADMIN)",
			    s->ns_shown, s->if_shown, strerror(errno));
	if (!s->sel_ifindex)
		return fail(EXIT_NOTFOUND, "no interface '%s' in %s%s (see 'ip link')", s->if_shown,
			    o->netns ? "network namespace " : "pktpath's network namespace", s->ns_shown);
	/* An ifindex means something only inside one namespace. */
	if (!s->sel_netns)
		s->sel_netns = netns_self_inode();
	return GO;
}

/* Phase 4: the backend (and --list-probes, which only describes them). */
static int session_backend(struct session *s)
{
	char err[512];
	backend_probe(s->vmlinux, &s->avail);
	s->kf = kfuncs_open(s->vmlinux);
	if (!s->kf)
		return fail(EXIT_RUNTIME, "out of memory");
	if (s->opt.list_probes) {
		backend_list(stdout, &s->avail, s->kf, s->drop_nargs >= 3, s->opt.backend);
		return EXIT_OK;
	}
	if (backend_choose(s->opt.backend, s->opt.wide, &s->avail, &s->bk, err, sizeof(err)))
		return fail(EXIT_BACKEND, "%s", err);
	announce_backend(s->bk, &s->avail);
	backend_limits(stderr, "pktpath: note: ", s->bk, &s->avail, s->drop_nargs >= 3, s->nf_wanted);
	return GO;
}

static void forwarding_one(int fd, uint32_t inode, const char *name, void *arg)
{
	(void)inode;
	(void)name;
	if (netns_ipv4_forwarding(fd) != 0)
		*(bool *)arg = true;
}

/* Whether a namespace pktpath traces forwards IPv4 (or may: unreadable). */
static bool forwarding_in_scope(const struct session *s)
{
	bool fwd = netns_ipv4_forwarding(s->ns.fd) != 0;
	if (!fwd && s->everywhere)
		netns_each_named(netns_self_inode(), forwarding_one, &fwd);
	return fwd;
}

/* Phase 5a: the BPF object opened and configured for backend s->bk. */
static int session_configure(struct session *s)
{
	const struct options *o = &s->opt;
	char err[512];
	if (backend_plan(&s->plan, s->bk, &s->avail, o->wide, s->drops_stream, s->kf, stderr))
		return fail(EXIT_RUNTIME, "out of memory");
	/* Our section handler must exist before the object is opened. */
	int ierr = inject_register();
	if (ierr)
		return fail(EXIT_RUNTIME, "cannot register the BPF section handler: %s", strerror(-ierr));
	LIBBPF_OPTS(bpf_object_open_opts, oopts);
	if (strcmp(o->btf_path, "/sys/kernel/btf/vmlinux") != 0)
		oopts.btf_custom_path = o->btf_path;
	s->skel = pktpath_bpf__open_opts(&oopts);
	if (!s->skel)
		return fail(EXIT_RUNTIME, "cannot open the BPF object: %s", strerror(errno));
	struct pktpath_bpf *skel = s->skel;
	skel->rodata->cfg_netns = s->sel_netns;
	skel->rodata->cfg_ifindex = s->sel_ifindex;
	skel->rodata->cfg_owner_tgid = o->owner_pid;
	skel->rodata->cfg_cgroup_id = s->sel_cgroup;
	skel->rodata->cfg_cgroup_level = (uint32_t)s->sel_level;
	if (o->owner_comm)
		memcpy((char *)skel->rodata->cfg_owner_comm, o->owner_comm, strlen(o->owner_comm) + 1);
	skel->rodata->cfg_stack_drops = o->stack_drops;
	skel->rodata->cfg_stack_all = o->stack_all;
	skel->rodata->cfg_drop_has_reason = s->drop_nargs >= 3;
	skel->rodata->cfg_filter = s->filter != NULL;
	skel->rodata->cfg_ip_l2 = s->filter && filter_ip_needs_l2(s->filter);
	skel->rodata->cfg_decided_exact = s->filter && filter_l3_reach(s->filter) <= PP_DECIDED_FP_BYTES;
	skel->rodata->cfg_track = !o->no_track;
	skel->rodata->cfg_snaplen = o->write_file ? o->snaplen : 0;
	bpf_map__set_max_entries(skel->maps.events, o->ringbuf_size);
	if (s->drops_stream) {
		bpf_program__set_autoload(skel->progs.pp_rx, false);
		bpf_program__set_autoload(skel->progs.pp_tx, false);
		bpf_program__set_autoload(skel->progs.pp_free, false);
	}
	/* The FIB look-up program runs on every look-up on the host, for the
	 * table of forwarded packets' routes: only where a traced namespace
	 * forwards IPv4 (read now; a router made later shows no table). */
	skel->rodata->cfg_fib = !s->drops_stream && forwarding_in_scope(s);
	bpf_program__set_autoload(skel->progs.pp_fib, skel->rodata->cfg_fib);
	if (backend_configure(&s->plan, skel, err, sizeof(err)))
		return fail(EXIT_RUNTIME, "%s", err);
	nflink_prepare(skel->obj, s->bk == BK_TRACEPOINT && s->nf_wanted, verbose);
	/* Every program is on a raw tracepoint named by its section. Event
	 * points must exist; owner bookkeeping points are optional (older
	 * kernels lack some), the missing ones are said in one line. */
	struct bpf_program *prog;
	char no_owner_tp[128] = "";
	bpf_object__for_each_program(prog, skel->obj) {
		const char *sec = bpf_program__section_name(prog);
		const char *tp = strrchr(sec, '/') + 1;
		int role = prog_role(skel, prog, NULL);
		bool is_tp = !strncmp(sec, "raw_tp/", 7) || !strncmp(sec, INJECT_SEC_PREFIX, strlen(INJECT_SEC_PREFIX));
		if (!is_tp || !bpf_program__autoload(prog) || feat_tp_nargs(s->vmlinux, tp) >= 1)
			continue;
		if (role == PR_TP_FIB) {
			fprintf(stderr, "pktpath: warning: no tracepoint %s: IPv4 routes say no table\n", tp);
			bpf_program__set_autoload(prog, false);
			skel->rodata->cfg_fib = false;
			continue;
		}
		if (role != PR_TP_OWNER)
			return fail(EXIT_KERNEL, "this kernel has no tracepoint %s, which pktpath needs", tp);
		size_t used = strlen(no_owner_tp);
		snprintf(no_owner_tp + used, sizeof(no_owner_tp) - used, "%s%s", used ? ", " : "", tp);
		bpf_program__set_autoload(prog, false);
	}
	if (no_owner_tp[0]) /* one line for all (5.10 lacks sock_recv_length) */
		fprintf(stderr, "pktpath: warning: no tracepoint %s: owners are learned from fewer places\n", no_owner_tp);
	/* Each TCP read copies several skbs, and sock_recv_length then learns the same socket once. */
	skel->rodata->cfg_copy_learns = !bpf_program__autoload(skel->progs.pp_own_recv);
	/* Developer switch (docs/extending.md): with -v, each program's
	 * verifier statistics, to see how near its limit a change brings it.
	 * Not -v alone: with a log level set, a refused load would show only
	 * the statistics, not why. */
	if (verbose && getenv("PKTPATH_VERIFIER_STATS"))
		bpf_object__for_each_program(prog, skel->obj)
			bpf_program__set_log_level(prog, 4);
	return GO;
}

/* The object of a refused backend, gone before the next is tried. */
static void session_unload(struct session *s)
{
	pktpath_bpf__destroy(s->skel);
	s->skel = NULL;
	backend_plan_free(&s->plan);
	probes_free();
}

/* Phase 5: configure and load; with --backend auto a backend the kernel
 * refuses gives way to the next, said in one line. */
static int session_load(struct session *s)
{
	for (;;) {
		int st = session_configure(s);
		if (st != GO)
			return st;
		inject_set(s->filter, bpf_object__btf(s->skel->obj));
		nothing_loaded = 0; /* from here a signal stops the run through its clean-up */
		int lerr = pktpath_bpf__load(s->skel);
		int e = errno;
		inject_set(NULL, NULL);
		inject_release();
		if (stop_signal) { /* Ctrl-C during the load (which it may have failed) */
			fprintf(stderr, "pktpath: interrupted before tracing began: nothing traced\n");
			return EXIT_OK;
		}
		if (!lerr)
			return GO;
		int next = e != EPERM && !strcmp(s->opt.backend, "auto") ? backend_next(s->bk, &s->avail) : -1;
		if (next < 0) {
			if (e == E2BIG) /* the verifier's instruction budget, not a missing feature */
				return fail(EXIT_KERNEL,
					    "the kernel's verifier gave up on pktpath's %s programs: too complex for it with "
					    "this expression; try another --backend or a simpler expression (-v shows the log)",
					    backend_name(s->bk));
			return fail(e == EPERM ? EXIT_PRIVILEGE : EXIT_KERNEL,
				    "the kernel refused pktpath's BPF programs: %s (run with -v for the verifier log)",
				    strerror(e));
		}
		fprintf(stderr, "pktpath: warning: the kernel refused the %s programs (%s; -v shows why): using %s\n",
			backend_name(s->bk), strerror(e), backend_name((enum backend)next));
		session_unload(s);
		s->bk = (enum backend)next;
		announce_backend(s->bk, &s->avail);
		/* The drop-reason note was said already; netfilter may be new. */
		backend_limits(stderr, "pktpath: note: ", s->bk, &s->avail, true, s->nf_wanted);
	}
}

/* Phase 6: owners of older sockets, then the programs attached. */
static int session_attach(struct session *s)
{
	char err[512];
	const struct options *o = &s->opt;
	/* Sockets older than pktpath, before anything attached can learn. */
	owner_seed(bpf_map__fd(s->skel->maps.owners), s->ns.fd, o->owner_pid || o->owner_comm || s->sel_cgroup);
	if (backend_fill(&s->plan, s->skel, err, sizeof(err)) ||
	    backend_attach(&s->plan, s->skel, stderr, err, sizeof(err))) {
		if (stop_signal) {
			fprintf(stderr, "pktpath: interrupted before tracing began: nothing traced\n");
			return EXIT_OK;
		}
		return fail(EXIT_KERNEL, "%s", err);
	}
	s->nf = nflink_attach(s->skel->obj, s->everywhere, s->ns.fd, s->sel_netns, verbose);
	if (o->wide)
		fprintf(stderr, "wide: %zu functions attached, %zu skipped, in %.3f s\n", s->plan.wide_attached,
			s->plan.wide_skipped, s->plan.attach_s);
	return GO;
}

/* Phase 7: what the output needs (symbols, reasons, files, the nftables
 * trace, the packet table, the ring buffer); then "ready", and CMD. */
static int session_output(struct session *s)
{
	char err[512];
	const struct options *o = &s->opt;
	s->ksyms = ksyms_load("/proc/kallsyms");
	if (!s->ksyms)
		fprintf(stderr, "pktpath: warning: cannot read kernel symbols from /proc/kallsyms (%s): locations print as addresses\n",
			strerror(errno));
	s->reasons = dropreasons_load(s->vmlinux);
	s->fe.fmt.ksyms = s->ksyms;
	s->fe.fmt.reasons = s->reasons;
	s->fe.fmt.read_stack = read_stack;
	s->fe.fmt.stack_arg = s;
	rs_wrap_stacks(&s->fe.fmt); /* look-ups through the resolver: --record keeps the answers */
	int64_t wall = rec_wall_offset();
	if (o->record_file && !(s->rec = rec_open(o->record_file, s->reasons, wall, err, sizeof(err))))
		return fail(EXIT_RUNTIME, "%s", err);
	if (o->write_file && !(s->pcap = pcapng_open(o->write_file, wall, o->max_open, err, sizeof(err))))
		return fail(EXIT_RUNTIME, "%s", err);
	struct explain_cfg xcfg = {.rules = !o->no_rules, .all = s->everywhere, .nsfd = s->ns.fd,
				   .netns = s->sel_netns, .ifindex = s->sel_ifindex};
	if (s->filter && !filter_ip_needs_l2(s->filter)) /* an expression the IP header decides */
		xcfg.cbpf = filter_classic(s->filter, PP_L3, &xcfg.ncbpf);
	/* After the links (nft chains must not take their priorities) and the
	 * output files (a file that fails leaves nothing added to a ruleset). */
	explain_start(&xcfg, stderr);
	nflink_recheck(s->nf); /* its table joined hooks: their ends watched from the first packet */

	if (s->fe.timelines &&
	    tl_out_init(&s->fe.tl, &s->fe.fmt, stdout, o->max_open, o->idle_ms, s->fe.r, o->drops_only))
		return fail(EXIT_RUNTIME, "cannot set up the packet table: %s", strerror(errno));
	s->fe.tl.limit = o->count;
	s->fe.tl.pcap = s->pcap;
	s->fe.tl.by_owner = o->summary_by ? osum_new(strcmp(o->summary_by, "cgroup") == 0) : NULL;
	s->diag = sockdiag_new();
	if (!s->diag)
		fprintf(stderr, "pktpath: warning: out of memory for the sock_diag owner cache: older sockets show '?'\n");
	s->rb = ring_buffer__new(bpf_map__fd(s->skel->maps.events), on_event, s, NULL);
	if (!s->rb)
		return fail(EXIT_RUNTIME, "cannot set up the ring buffer: %s", strerror(errno));

	sb_reset(&s->fe.line);
	if (!s->fe.timelines && s->fe.r->stream_header)
		s->fe.r->stream_header(&s->fe.line);
	struct stat ost;
	s->out_is_pipe = fstat(STDOUT_FILENO, &ost) == 0 && S_ISFIFO(ost.st_mode);
	if (s->fe.line.len && fwrite(s->fe.line.s, 1, s->fe.line.len, stdout) != s->fe.line.len)
		front_out_failed(&s->fe, errno);
	out_flush(s); /* the header */
	fprintf(stderr, "pktpath: ready\n");
	if (o->cmd && launch_start(&s->cmd, o->cmd, err, sizeof(err))) {
		fprintf(stderr, "pktpath: %s\n", err); /* traced nothing; the status is a shell's */
		stop_signal = -1;
	}
	return GO;
}

/* Phase 8: poll the ring buffer until a signal, -c, -t, CMD's end or a
 * failed output. Returns GO, or the status of a failed read. */
static int session_poll(struct session *s)
{
	const struct options *o = &s->opt;
	double deadline = o->seconds > 0 ? now_s() + o->seconds : 0;
	double cmd_end = 0;  /* CMD ended: its last packets are awaited until then */
	bool passed = false; /* a signal was passed on to CMD */
	struct watch w = {.nsfd = s->ns.fd, .netns = s->sel_netns, .ifindex = s->sel_ifindex, .pid = o->owner_pid,
			  .ns_spec = o->netns, .ifname = o->ifname, .ns_shown = s->ns_shown, .if_shown = s->if_shown,
			  .next = now_s() + 1};
	while (!s->fe.out_err) {
		if (stop_signal) {
			/* The first Ctrl-C or SIGTERM goes to CMD (from the terminal it
			 * has it already), whose end then ends the run. */
			if (!s->cmd.pid || s->cmd.exited || passed || stop_signal < 0)
				break;
			if (!stop_from_tty)
				launch_signal(&s->cmd, stop_signal);
			passed = true;
			stop_signal = 0;
		}
		if (s->cmd.pid && !cmd_end && launch_reap(&s->cmd, false))
			cmd_end = now_s() + CMD_GRACE_S;
		if (cmd_end && now_s() >= cmd_end)
			break;
		explain_tick(); /* trace messages first: they precede the drops they explain */
		nflink_tick(s->nf);
		int n = ring_buffer__poll(s->rb, 100);
		if (n < 0 && n != -EINTR && n != STOP_LIMIT && n != STOP_OUTPUT)
			return fail(EXIT_RUNTIME, "reading the ring buffer: %s", strerror(-n));
		if (s->fe.out_err || (o->count && s->fe.printed >= o->count))
			break;
		if (deadline && now_s() >= deadline)
			break;
		uint64_t now = now_ns();
		/* A replay expires timelines at the same points; the recording
		 * also reaches its file here once a second. */
		rec_tick(s->rec, now);
		if (front_tick(&s->fe, now) != FRONT_GO)
			break;
		out_flush(s);
		watch_targets(&w, now_s());
	}
	return GO;
}

/* Phase 9: detach, drain, print what is left and the summary; wait for
 * CMD. status: the run's so far. */
static int session_finish(struct session *s, int status)
{
	const struct options *o = &s->opt;
	struct pktpath_bpf *skel = s->skel;
	/* Detach first, then take what is left in the buffer: every event
	 * produced is delivered or lost, and what is delivered past -c or a
	 * failed output is counted as not printed. */
	backend_detach(&s->plan);
	nflink_free(s->nf);
	s->nf = NULL;
	s->draining = true;
	ring_buffer__consume(s->rb);
	uint64_t lost = percpu_total(skel->maps.lost);
	uint64_t produced = percpu_total(skel->maps.produced);
	if (s->fe.timelines) {
		tl_out_finish(&s->fe.tl); /* prints nothing past -c or a failed output */
		s->fe.printed = s->fe.tl.printed;
		if (s->fe.tl.broken)
			front_out_failed(&s->fe, s->fe.tl.err);
	}
	out_flush(s);
	summary_print(stderr, &s->fe.sum, s->reasons, lost, produced);
	front_report_unprinted(&s->fe, stderr, "received", &s->fe.flushed);
	uint64_t untracked = s->filter ? percpu_total(skel->maps.track_full) : 0;
	if (untracked)
		fprintf(stderr, "tracking table full: %llu matched packets were not followed after their first event\n",
			(unsigned long long)untracked);
	if (s->fe.timelines)
		tl_out_report(stderr, &s->fe.tl);
	explain_report(stderr, s->fe.r->counters_on_out && !s->fe.out_err ? stdout : NULL);
	out_flush(s); /* the JSON counters line */
	if (s->fe.out_err && s->fe.out_err != EPIPE && status == EXIT_OK)
		status = EXIT_RUNTIME;
	if (o->wide)
		fprintf(stderr, "wide: detached in %.3f s\n", s->plan.detach_s);
	rec_end(s->rec, lost, produced, untracked);
	/* -c or -t ended the trace before CMD ended: pktpath still exits
	 * with its status. */
	while (s->cmd.pid && !launch_reap(&s->cmd, true))
		if (stop_signal > 0) {
			if (!stop_from_tty)
				launch_signal(&s->cmd, stop_signal);
			stop_signal = 0;
		}
	if (o->cmd && status == EXIT_OK)
		status = s->cmd.status;
	return status;
}

/* Phases 8 and 9: the trace, then its end. */
static int session_trace(struct session *s)
{
	int polled = session_poll(s);
	return session_finish(s, polled == GO ? EXIT_OK : polled);
}

/* Last: every resource released (in the order it can go), the files
 * closed each with its own line on failure. Returns the exit status. */
static int session_close(struct session *s, int status)
{
	char err[512];
	explain_stop(stderr);
	if (pcapng_close(s->pcap, status == EXIT_OK ? stderr : NULL, err, sizeof(err))) {
		int st = fail(EXIT_RUNTIME, "%s", err);
		if (status == EXIT_OK)
			status = st;
	}
	if (rec_close(s->rec, err, sizeof(err))) {
		int st = fail(EXIT_RUNTIME, "%s", err);
		if (status == EXIT_OK)
			status = st;
	}
	nflink_free(s->nf);
	backend_plan_free(&s->plan);
	kfuncs_free(s->kf);
	probes_free();
	ring_buffer__free(s->rb);
	pktpath_bpf__destroy(s->skel);
	ksyms_free(s->ksyms);
	dropreasons_free(s->reasons);
	btf__free(s->vmlinux);
	netns_ref_close(&s->ns);
	netns_names_free();
	front_free(&s->fe);
	sockdiag_free(s->diag);
	filter_free(s->filter);
	launch_free(&s->cmd);
	cg_free();
	options_free(&s->opt);
	/* --dump-filter, --list-probes: stdout not yet checked (a run checked
	 * and reported it already: out_err). */
	return s->fe.out_err ? status : stdout_status(status);
}

int main(int argc, char **argv)
{
	static struct session s = {.ns = {.fd = -1}};
	hold_std_fds();
	struct sigaction sa = {.sa_sigaction = on_signal, .sa_flags = SA_SIGINFO};
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	int pr = options_parse(&s.opt, argc, argv);
	if (pr) /* --help, --version or a usage error, said */
		return pr == 1 ? EXIT_OK : pr == 2 ? EXIT_RUNTIME : EXIT_USAGE; /* 2: --help >/dev/full */
	/* Outputs written whole, then checked (stdout_status): in one buffer,
	 * so a failed write is met by the last fflush, with its errno (a
	 * flush stdio makes of a full buffer keeps only an error flag). */
	static char whole[1 << 20]; /* glibc ignores the size without a buffer */
	if (s.opt.list_probes || s.opt.dump_filter)
		setvbuf(stdout, whole, _IOFBF, sizeof(whole));

	/* The phases in order; each returns GO or the exit status. */
	static int (*const phases[])(struct session *) = {
		session_start, session_kernel, session_select, session_backend,
		session_load,  session_attach, session_output, session_trace,
	};
	int st = GO;
	for (size_t i = 0; st == GO && i < sizeof(phases) / sizeof(phases[0]); i++)
		st = phases[i](&s);
	return session_close(&s, st);
}
