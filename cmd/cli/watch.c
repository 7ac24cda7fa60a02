#include "cmd/cli/watch.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "netlib/netns.h"

void watch_targets(struct watch *w, double now)
{
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

