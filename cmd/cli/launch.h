/* `pktpath [OPTIONS] [EXPRESSION] -- CMD [ARGS]`: CMD runs in a cgroup v2
 * of pktpath's own, <cgroup2 mount>/pktpath-<pid>, made before the BPF
 * object is loaded (its id is the selection) and joined by the child
 * before it execs, so CMD and everything it starts are traced, and nothing
 * else. The cgroup is removed at exit; those of dead pktpath processes
 * (SIGKILL) are removed by the next start. */
#ifndef PKTPATH_LAUNCH_H
#define PKTPATH_LAUNCH_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct launch {
	char *dir;        /* absolute path of the cgroup; NULL before launch_cgroup() */
	uint64_t cg_id;   /* its cgroup id */
	int cg_level;     /* its depth below the cgroup2 root */
	pid_t pid;        /* CMD's pid; 0 before launch_start() */
	bool exited;
	int status;       /* CMD's exit status as a shell gives it (128+sig) */
};

/* Removes pktpath-<pid> cgroups of pktpath processes that are gone
 * (processes left in them move to the cgroup2 root). Quiet when there is
 * no cgroup2. */
void launch_clean_stale(void);
/* Makes the cgroup. 0, or -1 with err set. */
int launch_cgroup(struct launch *l, char *err, size_t errlen);
/* Starts argv[0] (searched in PATH, no shell) inside the cgroup. 0, or -1
 * with err set and l->status set to 126/127 as a shell would (the command
 * could not be run). */
int launch_start(struct launch *l, char **argv, char *err, size_t errlen);
/* Reaps CMD if it ended (blocking when wait is set): true once it has. */
bool launch_reap(struct launch *l, bool wait);
/* Passes sig on to CMD while it runs. */
void launch_signal(struct launch *l, int sig);
/* From a signal handler that exits at once (before CMD started): removes
 * the still empty cgroup. Async-signal-safe. */
void launch_remove_early(void);
/* Removes the cgroup (processes CMD left behind move to pktpath's own
 * cgroup first). Safe to call on a zeroed struct. */
void launch_free(struct launch *l);

#endif
