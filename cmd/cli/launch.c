#include "cmd/cli/launch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/close_range.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd/attach/cgroup.h"
#include "cmd/util/strfmt.h"

#define PREFIX "pktpath-"

static char *join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *s = malloc(la + lb + 2);
	if (s) {
		memcpy(s, a, la);
		s[la] = '/';
		memcpy(s + la + 1, b, lb + 1);
	}
	return s;
}

/* Writes each pid listed in dir/cgroup.procs into dest (a cgroup.procs
 * file), then removes dir. Returns rmdir's result. */
static int move_out_and_remove(const char *dir, const char *dest)
{
	if (rmdir(dir) == 0 || errno == ENOENT)
		return 0;
	char *procs = join(dir, "cgroup.procs");
	FILE *f = procs ? fopen(procs, "re") : NULL;
	int out = open(dest, O_WRONLY | O_CLOEXEC);
	if (f && out >= 0) {
		char line[32];
		while (fgets(line, sizeof(line), f))
			if (write(out, line, strlen(line)) < 0) {
				/* gone meanwhile: nothing to move */
			}
	}
	if (f)
		fclose(f);
	if (out >= 0)
		close(out);
	free(procs);
	/* Exiting processes leave the list a moment after they are reaped. */
	for (int i = 0; i < 50; i++) {
		if (rmdir(dir) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			break;
		usleep(10000);
	}
	return -1;
}

void launch_clean_stale(void)
{
	const char *mnt = cg_mount();
	DIR *d = mnt ? opendir(mnt) : NULL;
	if (!d)
		return;
	char *root_procs = join(mnt, "cgroup.procs");
	struct dirent *de;
	while (root_procs && (de = readdir(d))) {
		char *end;
		if (strncmp(de->d_name, PREFIX, strlen(PREFIX)) != 0)
			continue;
		long pid = strtol(de->d_name + strlen(PREFIX), &end, 10);
		if (*end || pid <= 0 || pid == getpid())
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue; /* that pktpath still runs */
		char *dir = join(mnt, de->d_name);
		if (dir && move_out_and_remove(dir, root_procs) < 0)
			fprintf(stderr, "pktpath: warning: cannot remove the cgroup %s left by a pktpath that was killed: %s\n",
				dir, strerror(errno));
		free(dir);
	}
	free(root_procs);
	closedir(d);
}

/* The cgroup's path for launch_remove_early(), which may not allocate. */
static char early_dir[4096];

void launch_remove_early(void)
{
	if (early_dir[0])
		rmdir(early_dir);
}

int launch_cgroup(struct launch *l, char *err, size_t errlen)
{
	const char *mnt = cg_mount();
	if (!mnt) {
		pp_snprintf(err, errlen, "-- CMD needs cgroup v2, which is not mounted (mount -t cgroup2 none /sys/fs/cgroup)");
		return -1;
	}
	char name[32];
	pp_snprintf(name, sizeof(name), PREFIX "%d", (int)getpid());
	l->dir = join(mnt, name);
	if (!l->dir) {
		pp_snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (mkdir(l->dir, 0755) < 0 && errno != EEXIST) {
		pp_snprintf(err, errlen, "cannot make the cgroup %s for CMD: %s", l->dir, strerror(errno));
		free(l->dir);
		l->dir = NULL;
		return -1;
	}
	if (strlen(l->dir) < sizeof(early_dir))
		memcpy(early_dir, l->dir, strlen(l->dir) + 1);
	if (cg_lookup(l->dir, &l->cg_id, &l->cg_level, err, errlen) < 0 || cg_select(l->dir + strlen(mnt)) < 0) {
		launch_free(l);
		return -1;
	}
	return 0;
}

int launch_start(struct launch *l, char **argv, char *err, size_t errlen)
{
	char *procs = join(l->dir, "cgroup.procs");
	int pfd[2];
	if (!procs || pipe2(pfd, O_CLOEXEC) < 0) {
		pp_snprintf(err, errlen, "cannot start %s: %s", argv[0], procs ? strerror(errno) : "out of memory");
		free(procs);
		l->status = 126;
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid == 0) {
		/* Only async-signal-safe calls here. pktpath ignores SIGPIPE;
		 * CMD gets the default (a shell would give it). */
		signal(SIGPIPE, SIG_DFL);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		/* pktpath's own descriptors (BPF objects, files) do not go to
		 * CMD; the error pipe stays open until exec. Best effort (5.11+). */
		close_range(3, ~0u, CLOSE_RANGE_CLOEXEC);
		int what[2] = {1, 0}; /* which step failed (1: joining the cgroup, 2: exec), errno */
		int fd = open(procs, O_WRONLY | O_CLOEXEC);
		if (fd >= 0 && write(fd, "0", 1) == 1) {
			what[0] = 2;
			execvp(argv[0], argv);
		}
		int e = what[1] = errno;
		if (write(pfd[1], what, sizeof(what)) < 0) {
			/* the parent sees the pipe close */
		}
		_exit(e == ENOENT ? 127 : 126);
	}
	free(procs);
	close(pfd[1]);
	if (pid < 0) {
		pp_snprintf(err, errlen, "cannot start %s: %s", argv[0], strerror(errno));
		close(pfd[0]);
		l->status = 126;
		return -1;
	}
	l->pid = pid;
	int what[2];
	ssize_t n;
	do
		n = read(pfd[0], what, sizeof(what));
	while (n < 0 && errno == EINTR);
	close(pfd[0]);
	if (n == (ssize_t)sizeof(what)) { /* exec did not happen */
		launch_reap(l, true);
		if (what[0] == 1)
			pp_snprintf(err, errlen, "cannot put %s into the cgroup %s: %s", argv[0], l->dir, strerror(what[1]));
		else
			pp_snprintf(err, errlen, "cannot run %s: %s", argv[0], strerror(what[1]));
		l->status = what[1] == ENOENT ? 127 : 126;
		return -1;
	}
	return 0;
}

bool launch_reap(struct launch *l, bool wait)
{
	if (!l->pid || l->exited)
		return l->exited;
	int st;
	pid_t r = waitpid(l->pid, &st, wait ? 0 : WNOHANG);
	if (r < 0 && errno == ECHILD) { /* reaped elsewhere: its status is lost */
		l->exited = true;
		l->status = 1;
		return true;
	}
	if (r != l->pid)
		return false;
	l->exited = true;
	l->status = WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 1;
	return true;
}

void launch_signal(struct launch *l, int sig)
{
	if (l->pid && !l->exited)
		kill(l->pid, sig);
}

void launch_free(struct launch *l)
{
	if (!l->dir)
		return;
	/* Left-overs (a daemon CMD started) go back where pktpath runs. */
	char self[4096] = "/";
	cg_of_pid(getpid(), self, sizeof(self));
	char *mine = NULL;
	const char *mnt = cg_mount();
	if (mnt) {
		size_t n = strlen(mnt) + strlen(self) + sizeof("/cgroup.procs");
		if ((mine = malloc(n)))
			pp_snprintf(mine, n, "%s%s%scgroup.procs", mnt, self, self[strlen(self) - 1] == '/' ? "" : "/");
	}
	if (!mine || move_out_and_remove(l->dir, mine) < 0)
		fprintf(stderr, "pktpath: warning: cannot remove the cgroup %s: %s (the next pktpath removes it)\n", l->dir,
			strerror(errno));
	free(mine);
	free(l->dir);
	l->dir = NULL;
	early_dir[0] = '\0';
}
