/* Selection targets that can vanish while pktpath runs: the -i interface
 * (deleted, moved to another namespace, recreated with a new index), a
 * namespace named by `ip netns` name or path, the -p process. Checked once a second, each
 * said once. A namespace given by inode is not watched: only the held
 * file still names it. */
#ifndef PKTPATH_WATCH_H
#define PKTPATH_WATCH_H
#include <stdbool.h>
#include <stdint.h>

struct watch {
	int nsfd;
	uint32_t netns, ifindex, pid;
	const char *ns_spec, *ifname, *ns_shown, *if_shown;
	bool ns_said, if_said, pid_said;
	double next; /* CLOCK_MONOTONIC seconds of the next check */
};

/* now: CLOCK_MONOTONIC seconds; checks at most once a second. */
void watch_targets(struct watch *w, double now);

#endif
