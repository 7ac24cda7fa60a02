#include "netlib/netns.h"
#include "cmd/util/escape.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <net/if.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

static int open_ns(const char *path, uint32_t *inode)
{
	/* O_NONBLOCK: a FIFO given (or found in /run/netns) must not hang
	 * the open; it is refused as "not a network namespace" after. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return -1;
	}
	*inode = (uint32_t)st.st_ino;
	return fd;
}

/* A file that holds the namespace with this inode: /run/netns first, then
 * any process living in it. */
static int open_ns_by_inode(uint32_t inode)
{
	static const char *const dirs[] = {NETNS_RUN_DIR, "/proc"};
	char path[512];
	for (size_t d = 0; d < 2; d++) {
		DIR *dir = opendir(dirs[d]);
		struct dirent *de;
		if (!dir)
			continue;
		while ((de = readdir(dir))) {
			if (de->d_name[0] == '.' || (d == 1 && !all_digits(de->d_name)))
				continue;
			snprintf(path, sizeof(path), d == 0 ? "%s/%s" : "%s/%s/ns/net", dirs[d], de->d_name);
			uint32_t ino;
			int fd = open_ns(path, &ino);
			if (fd >= 0 && ino == inode) {
				closedir(dir);
				return fd;
			}
			if (fd >= 0)
				close(fd);
		}
		closedir(dir);
	}
	return -1;
}

int netns_open_inode(uint32_t inode)
{
	return open_ns_by_inode(inode);
}

int netns_resolve(const char *spec, struct netns_ref *out, char *err, size_t errlen)
{
	char path[512], shown[USER_BUF], pshown[USER_BUF];
	escape_user(spec, shown, sizeof(shown), USER_SHOW); /* the user's words, escaped and cut */
	out->fd = -1;
	out->inode = 0;
	if (all_digits(spec)) {
		unsigned long v = strtoul(spec, NULL, 10);
		if (v == 0 || v > UINT32_MAX) {
			snprintf(err, errlen, "network namespace inode '%s' is out of range", shown);
			return -1;
		}
		out->inode = (uint32_t)v;
		out->fd = open_ns_by_inode(out->inode);
		if (out->fd < 0) {
			snprintf(err, errlen,
				 "no network namespace with inode %s (none in %s or held by a process)",
				 shown, NETNS_RUN_DIR);
			return -1;
		}
		return 0;
	}
	if (strlen(spec) + sizeof(NETNS_RUN_DIR) + 1 > sizeof(path)) {
		snprintf(err, errlen, "unknown network namespace '%s': the name is too long", shown);
		return -1;
	}
	if (strchr(spec, '/')) {
		snprintf(path, sizeof(path), "%s", spec);
	} else {
		snprintf(path, sizeof(path), "%s/%s", NETNS_RUN_DIR, spec);
	}
	escape_user(path, pshown, sizeof(pshown), USER_SHOW);
	out->fd = open_ns(path, &out->inode);
	if (out->fd < 0) {
		snprintf(err, errlen, "unknown network namespace '%s': %s: %s (see 'ip netns list')",
			 shown, pshown, strerror(errno));
		return -1;
	}
	/* Any file opens; only a network namespace answers NS_GET_NSTYPE so. */
	if (ioctl(out->fd, NS_GET_NSTYPE) != CLONE_NEWNET) {
		snprintf(err, errlen, "'%s' (%s) is not a network namespace", shown, pshown);
		netns_ref_close(out);
		return -1;
	}
	return 0;
}

void netns_ref_close(struct netns_ref *ref)
{
	if (ref->fd >= 0)
		close(ref->fd);
	ref->fd = -1;
}

uint32_t netns_self_inode(void)
{
	struct stat st;
	if (stat("/proc/self/ns/net", &st) < 0)
		return 0;
	return (uint32_t)st.st_ino;
}

uint32_t netns_fd_inode(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 ? (uint32_t)st.st_ino : 0;
}

void netns_each_named(uint32_t self, void (*fn)(int fd, uint32_t inode, const char *name, void *arg), void *arg)
{
	uint32_t *seen = malloc(sizeof(*seen));
	size_t nseen = 0;
	if (!seen)
		return;
	seen[nseen++] = self;
	DIR *dir = opendir(NETNS_RUN_DIR);
	struct dirent *de;
	while (dir && (de = readdir(dir))) {
		char path[512];
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", NETNS_RUN_DIR, de->d_name);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue; /* removed meanwhile */
		uint32_t ino = netns_fd_inode(fd);
		bool dup = !ino; /* two names can bind one namespace, or ours */
		for (size_t i = 0; i < nseen && !dup; i++)
			dup = seen[i] == ino;
		uint32_t *v = dup ? NULL : realloc(seen, (nseen + 1) * sizeof(*v));
		if (v) {
			seen = v;
			seen[nseen++] = ino;
			fn(fd, ino, de->d_name, arg);
		}
		close(fd);
	}
	if (dir)
		closedir(dir);
	free(seen);
}

unsigned int netns_ifindex(int nsfd, const char *ifname)
{
	if (nsfd < 0)
		return if_nametoindex(ifname);
	int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	unsigned int idx = 0;
	if (self < 0)
		return 0;
	errno = 0;
	if (setns(nsfd, CLONE_NEWNET) == 0) {
		idx = if_nametoindex(ifname);
		if (setns(self, CLONE_NEWNET) < 0) {
			/* Continuing in the wrong namespace would mislead every later
			 * look-up; there is no sane way on. */
			perror("pktpath: cannot return to the original network namespace");
			abort();
		}
	}
	close(self);
	return idx;
}

int netns_run_in(int nsfd, int (*fn)(void *arg), void *arg)
{
	int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return -1;
	if (setns(nsfd, CLONE_NEWNET) < 0) {
		int e = errno;
		close(self);
		errno = e;
		return -1;
	}
	int rc = fn(arg);
	int e = errno;
	if (setns(self, CLONE_NEWNET) < 0) {
		perror("pktpath: cannot return to the original network namespace");
		abort();
	}
	close(self);
	errno = e;
	return rc;
}

/* /proc/sys/net shows the namespace of whoever opens it. */
static int read_ip_forward(void *arg)
{
	(void)arg;
	char c = 0;
	int fd = open("/proc/sys/net/ipv4/ip_forward", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, &c, 1);
	close(fd);
	return n == 1 ? c == '1' : -1;
}

int netns_ipv4_forwarding(int nsfd)
{
	return nsfd < 0 ? read_ip_forward(NULL) : netns_run_in(nsfd, read_ip_forward, NULL);
}

struct ns_name {
	uint32_t inode;
	char *name;
};

static struct {
	struct ns_name *v;
	size_t n;
	bool loaded;
	struct timespec mtime; /* of NETNS_RUN_DIR when loaded */
	uint32_t init_inode;
} names;

/* NETNS_RUN_DIR's modification time: `ip netns add` and `del` change it. */
static struct timespec names_dir_mtime(void)
{
	struct stat st;
	struct timespec none = {0, 0};
	return stat(NETNS_RUN_DIR, &st) == 0 ? st.st_mtim : none;
}

static void names_reload(void)
{
	DIR *dir = opendir(NETNS_RUN_DIR);
	struct dirent *de;
	char path[512];
	netns_names_free();
	names.loaded = true;
	names.mtime = names_dir_mtime();
	/* The initial namespace is the one pid 1 lives in. */
	struct stat st;
	if (stat("/proc/1/ns/net", &st) == 0)
		names.init_inode = (uint32_t)st.st_ino;
	if (!dir)
		return;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", NETNS_RUN_DIR, de->d_name);
		if (stat(path, &st) < 0)
			continue;
		struct ns_name *v = realloc(names.v, (names.n + 1) * sizeof(*v));
		if (!v)
			break;
		names.v = v;
		v[names.n].inode = (uint32_t)st.st_ino;
		v[names.n].name = strdup(de->d_name);
		if (v[names.n].name)
			names.n++;
	}
	closedir(dir);
}

const char *netns_name(uint32_t inode)
{
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < names.n; i++)
			if (names.v[i].inode == inode)
				return names.v[i].name;
		if (inode && inode == names.init_inode)
			return "init";
		/* A miss reloads only when the directory changed since: a
		 * namespace made after the last load is named at its first
		 * packet, and unnamed ones cost one stat. */
		struct timespec m = pass == 0 ? names_dir_mtime() : names.mtime;
		if (pass == 0 && (!names.loaded || m.tv_sec != names.mtime.tv_sec || m.tv_nsec != names.mtime.tv_nsec))
			names_reload();
		else
			break;
	}
	return NULL;
}

const char *netns_label(uint32_t inode, char *out, size_t len)
{
	const char *n = netns_name(inode);
	if (n)
		escape_field(n, strlen(n), out, len);
	else
		snprintf(out, len, "%u", inode);
	return out;
}

void netns_names_free(void)
{
	for (size_t i = 0; i < names.n; i++)
		free(names.v[i].name);
	free(names.v);
	names.v = NULL;
	names.n = 0;
	names.loaded = false;
}
