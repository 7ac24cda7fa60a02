#include "cmd/cli/paths.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/util/escape.h"

static const char *kind(mode_t m)
{
	return S_ISFIFO(m) ? "a FIFO" : S_ISDIR(m) ? "a directory" : S_ISCHR(m) ? "a character device"
	       : S_ISBLK(m) ? "a block device" : S_ISSOCK(m) ? "a socket" : "not a regular file";
}

FILE *path_create(const char *path, char *err, size_t errlen)
{
	char shown[USER_BUF];
	escape_user(path, shown, sizeof(shown), USER_SHOW);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NONBLOCK | O_CLOEXEC, 0666);
	if (fd < 0) {
		if (errno == ENXIO) /* open(2): a FIFO with no reader, O_NONBLOCK */
			snprintf(err, errlen, "cannot write %s: a FIFO with no reader (start the reader first)", shown);
		else
			snprintf(err, errlen, "cannot create %s: %s", shown, strerror(errno));
		return NULL;
	}
	/* Writes block as usual once a reader is there. */
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	FILE *f = fdopen(fd, "wb");
	if (!f) {
		snprintf(err, errlen, "cannot create %s: %s", shown, strerror(errno));
		close(fd);
	}
	return f;
}

/* The file's identity: its inode when it exists, else its directory's
 * real path and its base name. */
static bool ident(const char *path, struct stat *st, char *where, size_t len)
{
	if (stat(path, st) == 0)
		return true;
	char *d = strdup(path), *b = strdup(path);
	char real[PATH_MAX];
	where[0] = '\0';
	if (d && b && realpath(dirname(d), real))
		snprintf(where, len, "%s/%s", real, basename(b));
	free(d);
	free(b);
	return false;
}

bool path_same(const char *a, const char *b)
{
	struct stat sa, sb;
	char wa[PATH_MAX + 256], wb[PATH_MAX + 256];
	bool ea = ident(a, &sa, wa, sizeof(wa)), eb = ident(b, &sb, wb, sizeof(wb));
	if (ea && eb)
		return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
	if (ea || eb)
		return false;
	return wa[0] && !strcmp(wa, wb);
}

bool path_not_regular(const char *path, char *err, size_t errlen)
{
	struct stat st;
	if (stat(path, &st) < 0 || S_ISREG(st.st_mode))
		return false;
	char shown[USER_BUF];
	escape_user(path, shown, sizeof(shown), USER_SHOW);
	snprintf(err, errlen, "%s is %s, not a regular file", shown, kind(st.st_mode));
	return true;
}

char *path_shown(const char *path)
{
	char shown[USER_BUF];
	escape_user(path, shown, sizeof(shown), USER_SHOW);
	return strdup(shown);
}
