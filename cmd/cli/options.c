#include "cmd/cli/options.h"
#include "cmd/util/escape.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_RINGBUF (8u << 20)

static const char usage_text[] =
	"Usage: pktpath [OPTIONS] [EXPRESSION] [-- CMD [ARGS]]\n"
	"Follow packets through the Linux kernel: receive, transmit, drop and free,\n"
	"with the drop reason, the code location and the kernel stack of every drop.\n"
	"\n"
	"Selection (done in the kernel, so a busy host stays cheap to trace):\n"
	"  -n, --netns NS        only namespace NS: a name from `ip netns`, a path\n"
	"                        (/proc/PID/ns/net) or an inode number\n"
	"  -i, --interface IF    only interface IF (in --netns NS, else in pktpath's own)\n"
	"  -p, --pid PID         only packets of sockets owned by process PID (also\n"
	"                        those the kernel sends for it from softirq/timers)\n"
	"      --comm NAME       only packets of sockets owned by a process named NAME\n"
	"      --cgroup PATH     only packets of sockets owned by processes in cgroup v2\n"
	"                        PATH or below (relative to the cgroup2 mount)\n"
	"      --container ID    the same for the container whose id starts with ID\n"
	"                        (Docker, containerd, CRI-O cgroups)\n"
	"  -- CMD [ARGS]         run CMD (no shell) in a cgroup of its own and trace\n"
	"                        only its packets and its children's; exit with its status\n"
	"  -d, --drops           only packets that were dropped (with --stream: only\n"
	"                        drop events)\n"
	"\n"
	"Output (default: one block per packet, printed when it is dropped or freed):\n"
	"      --stream          one line per event as it arrives, no grouping\n"
	"      --json            one JSON object per packet (per event with --stream);\n"
	"                        schema in docs/json-schema.md\n"
	"      --idle MS         print a packet whose end was not seen after MS\n"
	"                        milliseconds without events (default 1000)\n"
	"      --max-open N      hold at most N unfinished packets; the oldest is\n"
	"                        printed early when full, and counted (default 65536)\n"
	"  -w FILE.pcapng        write the packets printed to FILE as pcapng: bytes\n"
	"                        captured in the kernel at each packet's first\n"
	"                        sighting, its timeline summary as the comment\n"
	"      --snaplen N       bytes captured a packet for -w (1-256, default 128)\n"
	"      --record FILE     also record the events and every answer needed to\n"
	"                        print them again (docs/record-format.md)\n"
	"  -r FILE               print a recording (--record) again, with this run's\n"
	"                        output options; needs no privileges, no BPF\n"
	"\n"
	"Backends (how pktpath reaches the kernel; see README, \"Backends\"):\n"
	"      --backend NAME    auto (default: fentry, else kprobe, else tracepoint),\n"
	"                        fentry, kprobe or tracepoint\n"
	"      --list-probes     print every probe point and how this kernel reaches it\n"
	"      --reasons         print every drop reason this kernel defines and what it means\n"
	"      --wide            also attach to every traceable kernel function taking\n"
	"                        a struct sk_buff * (needs kprobes)\n"
	"      --no-netfilter    tracepoint backend: do not observe the netfilter\n"
	"                        hooks through BPF netfilter links (Linux >= 6.4)\n"
	"      --no-rules        do not add pktpath's nftables table that names the\n"
	"                        rule behind a netfilter drop (nftrace)\n"
	"\n"
	"      --summary-by owner|cgroup  at exit, packets and drops by reason per\n"
	"                        owning process (owner) or per cgroup\n"
	"\n"
	"Run control:\n"
	"  -c, --count N         stop after N packets (N events with --stream)\n"
	"  -t, --time SECONDS    stop after SECONDS (fractions allowed)\n"
	"      --stack           record the kernel stack of every event, not only drops\n"
	"      --no-stack        record no stacks (drops too)\n"
	"      --ringbuf BYTES   ring buffer size (K/M/G suffix; power of two; default 8M)\n"
	"      --btf FILE        kernel BTF to use (default /sys/kernel/btf/vmlinux)\n"
	"      --no-track        do not follow matched packets until freed: every\n"
	"                        event must match EXPRESSION by its own headers\n"
	"      --dump-filter EXPR  print EXPR as classic BPF and as the eBPF run\n"
	"                        in the kernel, then exit (needs no privileges)\n"
	"  -v, --verbose         show libbpf's messages\n"
	"  -h, --help            this text\n"
	"  -V, --version         version\n"
	"\n"
	"EXPRESSION is a tcpdump (pcap-filter) expression, run in the kernel on the\n"
	"IP header (raw IP) and, on Ethernet devices, on the Ethernet header; a\n"
	"packet matches if either does. Once matched, a packet is followed until\n"
	"it is freed, even after NAT. 'protochain', 'inbound', 'outbound' and\n"
	"'ifindex' are not supported. Options may also follow the expression.\n"
	"\n"
	"Examples:\n"
	"  pktpath --drops                    every drop on the host, with reason and stack\n"
	"  pktpath --netns lab -i veth0       what crosses veth0 in namespace 'lab'\n"
	"  pktpath -n /proc/4121/ns/net -t 5  five seconds of the namespace of pid 4121\n"
	"  pktpath tcp port 443 and host 10.0.0.2   one conversation, receive to free\n"
	"  pktpath -- curl http://10.0.0.2/   exactly curl's packets, then curl's status\n"
	"\n"
	"Exit status: 0 ok (also after Ctrl-C), 1 runtime failure (also a failed\n"
	"write to stdout, -w or --record), 2 usage error, 3 missing privileges,\n"
	"4 kernel lacks a requirement (BTF, tracepoint),\n"
	"5 unknown interface or namespace, 6 the requested backend is not available,\n"
	"7 unreadable recording (-r), 8 recording cut short (-r: printed up to its\n"
	"last complete record).\n";

enum { OPT_STACK = 256, OPT_NO_STACK, OPT_RINGBUF, OPT_BTF, OPT_NO_TRACK, OPT_DUMP_FILTER,
       OPT_STREAM, OPT_JSON, OPT_IDLE, OPT_MAX_OPEN, OPT_COMM, OPT_BACKEND, OPT_LIST_PROBES, OPT_WIDE,
       OPT_NO_NETFILTER, OPT_SNAPLEN, OPT_RECORD, OPT_NO_RULES, OPT_REASONS,
       OPT_CGROUP, OPT_CONTAINER, OPT_SUMMARY_BY };

static const struct option longopts[] = {
	{"netns", required_argument, NULL, 'n'},
	{"interface", required_argument, NULL, 'i'},
	{"drops", no_argument, NULL, 'd'},
	{"pid", required_argument, NULL, 'p'},
	{"comm", required_argument, NULL, OPT_COMM},
	{"count", required_argument, NULL, 'c'},
	{"time", required_argument, NULL, 't'},
	{"stack", no_argument, NULL, OPT_STACK},
	{"no-stack", no_argument, NULL, OPT_NO_STACK},
	{"ringbuf", required_argument, NULL, OPT_RINGBUF},
	{"btf", required_argument, NULL, OPT_BTF},
	{"no-track", no_argument, NULL, OPT_NO_TRACK},
	{"dump-filter", required_argument, NULL, OPT_DUMP_FILTER},
	{"stream", no_argument, NULL, OPT_STREAM},
	{"json", no_argument, NULL, OPT_JSON},
	{"idle", required_argument, NULL, OPT_IDLE},
	{"max-open", required_argument, NULL, OPT_MAX_OPEN},
	{"backend", required_argument, NULL, OPT_BACKEND},
	{"list-probes", no_argument, NULL, OPT_LIST_PROBES},
	{"wide", no_argument, NULL, OPT_WIDE},
	{"no-netfilter", no_argument, NULL, OPT_NO_NETFILTER},
	{"no-rules", no_argument, NULL, OPT_NO_RULES},
	{"reasons", no_argument, NULL, OPT_REASONS},
	{"snaplen", required_argument, NULL, OPT_SNAPLEN},
	{"record", required_argument, NULL, OPT_RECORD},
	{"read", required_argument, NULL, 'r'},
	{"cgroup", required_argument, NULL, OPT_CGROUP},
	{"container", required_argument, NULL, OPT_CONTAINER},
	{"summary-by", required_argument, NULL, OPT_SUMMARY_BY},
	{"write", required_argument, NULL, 'w'},
	{"verbose", no_argument, NULL, 'v'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{0},
};

static int bad(const char *opt, const char *val, const char *why)
{
	char shown[USER_BUF];
	escape_user(val, shown, sizeof(shown), USER_SHOW);
	fprintf(stderr, "pktpath: invalid %s '%s': %s (see --help)\n", opt, shown, why);
	return -1;
}

/* --help, --version: 1, or 2 after one line when stdout failed (a closed
 * pipe is no failure). errno is read right after the failed write. */
static int said(int e)
{
	if (!e && fflush(stdout) == EOF)
		e = errno;
	if (!e && ferror(stdout))
		e = EIO;
	if (e && e != EPIPE) {
		fprintf(stderr, "pktpath: cannot write to standard output: %s\n", strerror(e));
		return 2;
	}
	return 1;
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	if (!*s || *s == '-')
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

static int parse_size(const char *s, uint32_t *out)
{
	char *end;
	if (!*s || *s == '-')
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	if (v > (1ull << 30))
		return -1; /* before any shift: a huge number must not wrap to a power of two */
	if (*end == 'K' || *end == 'k')
		v <<= 10, end++;
	else if (*end == 'M' || *end == 'm')
		v <<= 20, end++;
	else if (*end == 'G' || *end == 'g')
		v <<= 30, end++;
	if (*end || v < 4096 || v > (1ull << 30) || (v & (v - 1)))
		return -1;
	*out = (uint32_t)v;
	return 0;
}

int options_parse(struct options *o, int argc, char **argv)
{
	int c;
	memset(o, 0, sizeof(*o));
	o->stack_drops = true;
	o->ringbuf_size = DEFAULT_RINGBUF;
	o->btf_path = "/sys/kernel/btf/vmlinux";
	o->idle_ms = 1000;
	o->max_open = 65536;
	o->backend = "auto";
	o->snaplen = 128;

	/* `-- CMD [ARGS]`: everything after the first "--" is the command;
	 * the parser sees only what comes before it. */
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			if (i + 1 == argc) {
				fprintf(stderr, "pktpath: '--' must be followed by a command to run (see --help)\n");
				return -1;
			}
			o->cmd = &argv[i + 1];
			argc = i;
			break;
		}
	opterr = 0;
	/* No '+': options may follow the expression, as tcpdump users type
	 * them (`pktpath udp -t 1`); "--" ends the options. */
	while ((c = getopt_long(argc, argv, ":n:i:dp:c:t:r:w:vhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			o->netns = optarg;
			break;
		case 'i':
			if (!*optarg || strlen(optarg) >= 16 || strchr(optarg, '/'))
				return bad("interface name", optarg, "1 to 15 characters, no '/'");
			o->ifname = optarg;
			break;
		case 'd':
			o->drops_only = true;
			break;
		case 'p': {
			uint64_t v;
			if (parse_u64(optarg, &v) || v == 0 || v > UINT32_MAX)
				return bad("pid", optarg, "want a process id > 0");
			o->owner_pid = (uint32_t)v;
			break;
		}
		case OPT_COMM:
			if (!*optarg || strlen(optarg) >= 16)
				return bad("command name", optarg, "1 to 15 characters, as in /proc/PID/comm");
			o->owner_comm = optarg;
			break;
		case 'c':
			if (parse_u64(optarg, &o->count) || o->count == 0)
				return bad("count", optarg, "want a whole number > 0");
			break;
		case 't': {
			char *end;
			errno = 0;
			o->seconds = strtod(optarg, &end);
			if (errno || end == optarg || *end || !isfinite(o->seconds) || o->seconds <= 0)
				return bad("time", optarg, "want seconds > 0");
			break;
		}
		case OPT_STACK:
			o->stack_all = o->stack_drops = true;
			break;
		case OPT_NO_STACK:
			o->stack_all = o->stack_drops = false;
			break;
		case OPT_RINGBUF:
			if (parse_size(optarg, &o->ringbuf_size))
				return bad("ring buffer size", optarg, "a power of two from 4K to 1G");
			break;
		case OPT_BTF:
			o->btf_path = optarg;
			break;
		case OPT_NO_TRACK:
			o->no_track = true;
			break;
		case OPT_DUMP_FILTER:
			o->dump_filter = optarg;
			break;
		case OPT_STREAM:
			o->stream = true;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_IDLE:
			if (parse_u64(optarg, &o->idle_ms) || o->idle_ms == 0 || o->idle_ms > 86400000)
				return bad("idle time", optarg, "want milliseconds from 1 to 86400000");
			break;
		case OPT_MAX_OPEN:
			if (parse_u64(optarg, &o->max_open) || o->max_open == 0 || o->max_open > 16777216)
				return bad("max-open", optarg, "want a whole number from 1 to 16777216");
			break;
		case OPT_BACKEND:
			if (strcmp(optarg, "auto") && strcmp(optarg, "fentry") && strcmp(optarg, "kprobe") &&
			    strcmp(optarg, "tracepoint"))
				return bad("backend", optarg, "want auto, fentry, kprobe or tracepoint");
			o->backend = optarg;
			break;
		case OPT_LIST_PROBES:
			o->list_probes = true;
			break;
		case OPT_WIDE:
			o->wide = true;
			break;
		case OPT_NO_NETFILTER:
			o->no_netfilter = true;
			break;
		case OPT_NO_RULES:
			o->no_rules = true;
			break;
		case OPT_REASONS:
			o->list_reasons = true;
			break;
		case 'w':
			o->write_file = optarg;
			break;
		case OPT_SNAPLEN: {
			uint64_t v;
			if (parse_u64(optarg, &v) || v == 0 || v > 256)
				return bad("snaplen", optarg, "want bytes from 1 to 256");
			o->snaplen = (uint32_t)v;
			break;
		}
		case OPT_RECORD:
			o->record_file = optarg;
			break;
		case 'r':
			o->replay_file = optarg;
			break;
		case OPT_CGROUP:
			if (!*optarg)
				return bad("cgroup", optarg, "want a cgroup v2 path such as /system.slice/nginx.service");
			o->cgroup = optarg;
			break;
		case OPT_CONTAINER: {
			size_t l = strlen(optarg);
			if (l < 4 || l > 64 || strspn(optarg, "0123456789abcdef") != l)
				return bad("container id prefix", optarg, "want 4 to 64 lower-case hex digits");
			o->container = optarg;
			break;
		}
		case OPT_SUMMARY_BY:
			if (strcmp(optarg, "owner") && strcmp(optarg, "cgroup"))
				return bad("summary grouping", optarg, "want owner or cgroup");
			o->summary_by = optarg;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			return said(fputs(usage_text, stdout) == EOF ? errno : 0);
		case 'V':
			return said(printf("pktpath %s\n", PKTPATH_VERSION) < 0 ? errno : 0);
		case ':': {
			char shown[USER_BUF];
			escape_user(argv[optind - 1], shown, sizeof(shown), USER_SHOW);
			fprintf(stderr, "pktpath: option '%s' needs a value (see --help)\n", shown);
			return -1;
		}
		default: {
			char shown[USER_BUF];
			escape_user(argv[optind - 1], shown, sizeof(shown), USER_SHOW);
			fprintf(stderr, "pktpath: unknown option '%s' (see --help)\n", shown);
			return -1;
		}
		}
	}

	/* The remaining words form one expression, as with tcpdump. */
	size_t len = 0;
	for (int i = optind; i < argc; i++)
		len += strlen(argv[i]) + 1;
	if (len) {
		o->expr = malloc(len);
		if (!o->expr)
			return -1;
		o->expr[0] = '\0';
		for (int i = optind; i < argc; i++) {
			if (i > optind)
				strcat(o->expr, " ");
			strcat(o->expr, argv[i]);
		}
	}
	return 0;
}

void options_free(struct options *o)
{
	free(o->expr);
	o->expr = NULL;
}
