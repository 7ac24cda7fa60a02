#include "cmd/attach/owner_seed.h"

#include <bpf/bpf.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bpf/event.h"
#include "cmd/attach/cgroup.h"
#include "cmd/attach/owner_diag.h"
#include "netlib/netns.h"
#include "netlib/procnet.h"
#include "netlib/sockdiag.h"

struct seed {
	int map_fd;
	struct sockdiag *sd;
	unsigned long seeded, hashed, zero, failed;
	int map_err;
};

static int on_sock(const struct procnet_sock *s, void *arg)
{
	struct seed *st = arg;
	if (!s->inode)
		return 0; /* TIME_WAIT or a request socket: no process */
	switch (procnet_addr_kind(s->sk)) {
	case PROCNET_ADDR_HASHED:
		st->hashed++;
		return 0;
	case PROCNET_ADDR_ZERO:
		st->zero++;
		return 0;
	case PROCNET_ADDR_REAL:
		break;
	}
	struct sockdiag_owner o;
	if (sockdiag_inode_owner(st->sd, s->inode, &o) <= 0)
		return 0;
	struct pp_owner v;
	memset(&v, 0, sizeof(v));
	v.tgid = o.tgid;
	v.pid = o.tgid; /* which thread uses it is unknown */
	v.uid = o.uid;
	v.flags = OWNER_SEED_MARK;
	uint64_t cg;
	if (cg_pid_selected((pid_t)o.tgid, &cg))
		v.flags |= PP_OWNER_IN_CGROUP;
	v.cgroup = cg;
	memcpy(v.comm, o.comm, sizeof(v.comm));
	__u64 key = s->sk;
	/* NOEXIST: what the kernel learned itself is fresher. */
	if (bpf_map_update_elem(st->map_fd, &key, &v, BPF_NOEXIST) == 0)
		st->seeded++;
	else if (errno != EEXIST) {
		st->failed++;
		if (!st->map_err)
			st->map_err = errno;
	}
	return 0;
}

static void seed_ns(struct seed *st, int nsfd, const char *what)
{
	char err[256];
	if (procnet_read(nsfd, PROCNET_ALL, on_sock, st, err, sizeof(err)) < 0)
		fprintf(stderr, "pktpath: warning: seeding socket owners of %s: %s\n", what, err);
}

/* Namespaces seen already, by inode: /run/netns may name one twice. */
static bool seen_before(uint32_t *seen, size_t *n, size_t cap, uint32_t ino)
{
	for (size_t i = 0; i < *n; i++)
		if (seen[i] == ino)
			return true;
	if (*n < cap)
		seen[(*n)++] = ino;
	return false;
}

static void seed_all(struct seed *st)
{
	size_t cap = 1024, n = 0;
	uint32_t *seen = calloc(cap, sizeof(*seen));
	if (!seen) {
		fprintf(stderr, "pktpath: warning: seeding socket owners: out of memory\n");
		return;
	}
	seen_before(seen, &n, cap, netns_self_inode());
	seed_ns(st, -1, "pktpath's network namespace");
	DIR *d = opendir(NETNS_RUN_DIR);
	if (!d) {
		if (errno != ENOENT)
			fprintf(stderr, "pktpath: warning: seeding socket owners: %s: %s\n", NETNS_RUN_DIR,
				strerror(errno));
		free(seen);
		return;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		int fd = openat(dirfd(d), de->d_name, O_RDONLY | O_CLOEXEC);
		struct stat sb;
		if (fd < 0 || fstat(fd, &sb) < 0) {
			if (fd >= 0)
				close(fd);
			continue; /* removed meanwhile, or not a namespace */
		}
		if (!seen_before(seen, &n, cap, (uint32_t)sb.st_ino)) {
			char what[300];
			snprintf(what, sizeof(what), "network namespace %.255s", de->d_name);
			seed_ns(st, fd, what);
		}
		close(fd);
	}
	closedir(d);
	free(seen);
}

/* The setting as a word, for the warning. */
static const char *kptr_restrict(void)
{
	static char v[8];
	FILE *f = fopen("/proc/sys/kernel/kptr_restrict", "re");
	strcpy(v, "unknown");
	if (f) {
		if (fgets(v, sizeof(v), f))
			v[strcspn(v, "\n")] = '\0';
		else
			strcpy(v, "unknown");
		fclose(f);
	}
	return v;
}

int owner_seed(int map_fd, int nsfd, bool by_owner)
{
	struct seed st = {.map_fd = map_fd};
	st.sd = sockdiag_new();
	if (!st.sd) {
		fprintf(stderr, "pktpath: warning: seeding socket owners: out of memory\n");
		return -1;
	}
	if (nsfd >= 0)
		seed_ns(&st, nsfd, "the traced network namespace");
	else
		seed_all(&st);
	sockdiag_free(st.sd);
	if (st.map_err)
		fprintf(stderr, "pktpath: warning: seeding socket owners: %lu not entered in the owner map: %s\n",
			st.failed, strerror(st.map_err));
	if (!st.seeded && (st.hashed || st.zero)) {
		if (by_owner)
			fprintf(stderr,
			"pktpath: warning: cannot seed owners of sockets older than pktpath: /proc/net shows %s socket addresses (kernel.kptr_restrict is %s; 1 shows them to root); those sockets' packets are attributed from user space and --pid/--comm miss them\n",
				st.hashed ? "hashed" : "no", kptr_restrict());
		return -1;
	}
	return (int)st.seeded;
}
