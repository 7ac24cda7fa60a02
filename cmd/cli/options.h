/* Command-line options. */
#ifndef PKTPATH_OPTIONS_H
#define PKTPATH_OPTIONS_H
#include <stdbool.h>
#include <stdint.h>

struct options {
	const char *netns;    /* --netns PATH|NAME|INODE */
	const char *ifname;   /* -i */
	bool drops_only;      /* --drops */
	uint32_t owner_pid;   /* --pid: packets of this process's sockets */
	const char *owner_comm; /* --comm: packets of sockets owned by this command */
	uint64_t count;       /* -c: stop after this many events (0: no limit) */
	double seconds;       /* -t: stop after this long (0: no limit) */
	bool stack_drops;     /* --no-stack clears */
	bool stack_all;       /* --stack: every event, not only drops */
	uint32_t ringbuf_size;/* --ringbuf BYTES */
	const char *btf_path; /* --btf FILE */
	bool verbose;
	bool no_track;        /* --no-track: filter each event on its own headers */
	const char *dump_filter; /* --dump-filter EXPR */
	bool stream;           /* --stream: one line per event, no timelines */
	bool json;             /* --json */
	uint64_t idle_ms;      /* --idle: flush a timeline with no end after this */
	uint64_t max_open;     /* --max-open: open timelines held at most */
	const char *backend;   /* --backend auto|fentry|kprobe|tracepoint */
	bool list_probes;      /* --list-probes */
	bool list_reasons;     /* --reasons (cmd/render/reasons.c) */
	bool wide;             /* --wide: every traceable function taking an skb */
	bool no_netfilter;     /* --no-netfilter: no BPF netfilter links */
	bool no_rules;         /* --no-rules: no nftables trace table (cmd/attach/explain.c) */
	const char *write_file;  /* -w: pcapng */
	uint32_t snaplen;        /* --snaplen: bytes captured for -w */
	const char *record_file; /* --record */
	const char *replay_file; /* -r */
	char *expr;           /* trailing arguments joined, as tcpdump does */
	const char *cgroup;    /* --cgroup PATH: owners in this cgroup v2 and below */
	const char *container; /* --container ID-PREFIX */
	const char *summary_by; /* --summary-by owner|cgroup */
	char **cmd;            /* -- CMD [ARGS]: run CMD, trace its cgroup (NULL-terminated) */
};

/* 0: run; 1: done already (help, version); 2: that failed to write
 * (message printed); -1: usage error, message printed. */
int options_parse(struct options *o, int argc, char **argv);
void options_free(struct options *o);

#endif
