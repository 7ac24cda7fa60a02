#include "cmd/attach/cgroup.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/util/escape.h"
#include "cmd/render/json.h"
#include "cmd/util/strfmt.h"

/* The kernfs file handle type: the handle is the 64-bit cgroup id. */
#define FILEID_KERNFS 0xfe
#define CACHE_MAX 65536 /* paths remembered; beyond that, looked up again */
#define WALK_DEPTH 32

static struct {
	bool mount_read;
	char *mount;
	int mount_fd;
	struct cg_entry {
		uint64_t id;
		char *path;
	} *cache;
	size_t n, cap;
} C = {.mount_fd = -1};

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape_octal(char *s)
{
	char *o = s;
	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0' &&
		    s[3] <= '7') {
			*o++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 3;
		} else
			*o++ = *s;
	}
	*o = '\0';
}

const char *cg_mount(void)
{
	if (C.mount_read)
		return C.mount;
	C.mount_read = true;
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return NULL;
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) > 0) {
		/* id parent maj:min root mountpoint opts [optional...] - fstype src opts */
		char *sep = strstr(line, " - ");
		if (!sep || strncmp(sep + 3, "cgroup2 ", 8) != 0)
			continue;
		char *save = NULL, *tok = strtok_r(line, " ", &save);
		for (int i = 0; tok && i < 4; i++)
			tok = strtok_r(NULL, " ", &save);
		if (!tok)
			continue;
		unescape_octal(tok);
		C.mount = strdup(tok);
		break;
	}
	free(line);
	fclose(f);
	if (C.mount)
		C.mount_fd = open(C.mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return C.mount;
}

static const char *cache_find(uint64_t id)
{
	for (size_t lo = 0, hi = C.n; lo < hi;) {
		size_t mid = lo + (hi - lo) / 2;
		if (C.cache[mid].id == id)
			return C.cache[mid].path;
		if (C.cache[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Kept sorted by id: look-ups are per printed packet, inserts rare. */
static const char *cache_add(uint64_t id, const char *path)
{
	if (C.n >= CACHE_MAX)
		return NULL;
	if (C.n == C.cap) {
		size_t cap = C.cap ? C.cap * 2 : 64;
		struct cg_entry *v = realloc(C.cache, cap * sizeof(*v));
		if (!v)
			return NULL;
		C.cache = v;
		C.cap = cap;
	}
	char *p = strdup(path);
	if (!p)
		return NULL;
	size_t i = C.n;
	while (i && C.cache[i - 1].id > id) {
		C.cache[i] = C.cache[i - 1];
		i--;
	}
	C.cache[i] = (struct cg_entry){id, p};
	C.n++;
	return p;
}

/* The path relative to the mount of an absolute path under it. */
static const char *under_mount(const char *abs)
{
	size_t ml = strlen(C.mount);
	while (ml > 1 && C.mount[ml - 1] == '/')
		ml--;
	if (strcmp(C.mount, "/") == 0)
		return abs;
	if (strncmp(abs, C.mount, ml) != 0 || (abs[ml] != '/' && abs[ml] != '\0'))
		return NULL;
	return abs[ml] ? abs + ml : "/";
}

const char *cg_path(uint64_t id)
{
	const char *p = cache_find(id);
	if (p || !id || !cg_mount() || C.mount_fd < 0)
		return p;
	/* The id is the kernfs file handle: open the cgroup's directory by it
	 * (no tree walk), then ask /proc where that is. */
	struct {
		struct file_handle fh;
		uint64_t id;
	} h;
	memset(&h, 0, sizeof(h));
	h.fh.handle_bytes = sizeof(uint64_t);
	h.fh.handle_type = FILEID_KERNFS;
	memcpy(h.fh.f_handle, &id, sizeof(id));
	int fd = open_by_handle_at(C.mount_fd, &h.fh, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return NULL; /* ESTALE: gone; EPERM: no CAP_DAC_READ_SEARCH */
	char link[64], abs[PATH_MAX];
	pp_snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, abs, sizeof(abs) - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	abs[n] = '\0';
	const char *rel = under_mount(abs);
	return rel ? cache_add(id, rel) : NULL;
}

int cg_lookup(const char *path, uint64_t *id, int *level, char *err, size_t errlen)
{
	if (!cg_mount() || C.mount_fd < 0) {
		pp_snprintf(err, errlen, "cgroup v2 is not mounted (no cgroup2 line in /proc/self/mountinfo)");
		return -1;
	}
	const char *rel = under_mount(path);
	if (!rel)
		rel = path;
	while (*rel == '/')
		rel++;
	int depth = 0;
	for (const char *s = rel; *s;) {
		while (*s == '/')
			s++;
		if (!*s)
			break;
		if (strncmp(s, "..", 2) == 0 && (s[2] == '/' || !s[2])) {
			pp_snprintf(err, errlen, "cgroup path '%s' must not contain '..'", path);
			return -1;
		}
		if (!(s[0] == '.' && (s[1] == '/' || !s[1])))
			depth++;
		s += strcspn(s, "/");
	}
	struct stat st;
	if (fstatat(C.mount_fd, *rel ? rel : ".", &st, 0) < 0) {
		pp_snprintf(err, errlen, "no cgroup '%s' under %s: %s", path, C.mount, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		pp_snprintf(err, errlen, "'%s' under %s is a file, not a cgroup", path, C.mount);
		return -1;
	}
	*id = (uint64_t)st.st_ino;
	*level = depth;
	return 0;
}

/* A container id: 64 hex digits (Docker, containerd, CRI-O all use them). */
static bool hex64(const char *s, size_t n)
{
	if (n != 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return false;
	return true;
}

static bool starts(const char *s, size_t n, const char *pre)
{
	size_t l = strlen(pre);
	return n >= l && memcmp(s, pre, l) == 0;
}

static bool ends(const char *s, size_t n, const char *suf)
{
	size_t l = strlen(suf);
	return n >= l && memcmp(s + n - l, suf, l) == 0;
}

/* One path component: a container scope ("docker-ID.scope",
 * "cri-containerd-ID.scope", "crio-ID.scope", or a bare "ID" under
 * "docker"/a pod), a pod ("kubepods-burstable-podUID.slice",
 * "podUID"), a QoS level, a systemd unit or user slice. */
static void component(struct cg_name *n, const char *c, size_t l, const char *parent, size_t pl)
{
	static const struct {
		const char *pre;
		enum cg_runtime rt;
	} scopes[] = {{"docker-", CG_RT_DOCKER}, {"cri-containerd-", CG_RT_CONTAINERD}, {"crio-", CG_RT_CRIO}};
	for (size_t i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++) {
		size_t pre = strlen(scopes[i].pre);
		if (starts(c, l, scopes[i].pre) && ends(c, l, ".scope") && hex64(c + pre, l - pre - 6)) {
			n->runtime = scopes[i].rt;
			n->ctr = c + pre;
			n->ctr_len = 64;
			return;
		}
	}
	if (hex64(c, l) && parent) { /* cgroupfs driver: /docker/ID, /kubepods/.../podUID/ID */
		n->runtime = pl == 6 && memcmp(parent, "docker", 6) == 0 ? CG_RT_DOCKER
			     : n->runtime ? n->runtime : CG_RT_NONE;
		if (n->runtime || n->pod) {
			n->ctr = c;
			n->ctr_len = 64;
			return;
		}
	}
	if (starts(c, l, "kubepods")) {
		/* systemd driver: kubepods[-QOS][-podUID].slice; cgroupfs: kubepods */
		if (memmem(c, l, "burstable", 9))
			n->qos = CG_QOS_BURSTABLE;
		else if (memmem(c, l, "besteffort", 10))
			n->qos = CG_QOS_BESTEFFORT;
		const char *pod = memmem(c, l, "-pod", 4);
		if (pod) {
			size_t off = (size_t)(pod - c) + 4;
			size_t end = ends(c, l, ".slice") ? l - 6 : l;
			if (end > off) {
				n->pod = c + off;
				n->pod_len = end - off;
				if (!n->qos)
					n->qos = CG_QOS_GUARANTEED;
			}
		}
		return;
	}
	if ((l == 9 && memcmp(c, "burstable", 9) == 0) || (l == 10 && memcmp(c, "besteffort", 10) == 0)) {
		if (pl >= 8 && memcmp(parent, "kubepods", 8) == 0)
			n->qos = l == 9 ? CG_QOS_BURSTABLE : CG_QOS_BESTEFFORT;
		return;
	}
	if (starts(c, l, "pod") && l > 3 && parent && pl >= 8 &&
	    (memcmp(parent, "kubepods", 8) == 0 || n->qos)) {
		n->pod = c + 3;
		n->pod_len = l - 3;
		if (!n->qos)
			n->qos = CG_QOS_GUARANTEED;
		return;
	}
	if (starts(c, l, "user-") && ends(c, l, ".slice")) {
		char *end;
		long uid = strtol(c + 5, &end, 10);
		if (end == c + l - 6 && end > c + 5)
			n->user = uid;
		return;
	}
	if (l > 8 && ends(c, l, ".service")) {
		n->unit = c;
		n->unit_len = l;
		n->service = true;
	} else if (l > 6 && ends(c, l, ".scope")) {
		n->unit = c;
		n->unit_len = l;
		n->service = false;
	}
}

void cg_parse(const char *path, struct cg_name *n)
{
	memset(n, 0, sizeof(*n));
	n->user = -1;
	const char *parent = NULL;
	size_t pl = 0;
	for (const char *s = path; s && *s;) {
		while (*s == '/')
			s++;
		size_t l = strcspn(s, "/");
		if (!l)
			break;
		component(n, s, l, parent, pl);
		parent = s;
		pl = l;
		s += l;
	}
}

const char *cg_runtime_name(enum cg_runtime r)
{
	switch (r) {
	case CG_RT_DOCKER:
		return "docker";
	case CG_RT_CONTAINERD:
		return "containerd";
	case CG_RT_CRIO:
		return "cri-o";
	default:
		return NULL;
	}
}

const char *cg_qos_name(enum cg_qos q)
{
	switch (q) {
	case CG_QOS_GUARANTEED:
		return "guaranteed";
	case CG_QOS_BURSTABLE:
		return "burstable";
	case CG_QOS_BESTEFFORT:
		return "besteffort";
	default:
		return NULL;
	}
}

/* Kernel strings reach the terminal escaped (cmd/util/escape.c). */
static void sb_escaped(struct strbuf *sb, const char *s, size_t n)
{
	char *out = malloc(n * 4 + 1);
	if (!out) {
		sb->oom = 1;
		return;
	}
	size_t l = escape_field(s, n, out, n * 4 + 1);
	sb_append(sb, out, l);
	free(out);
}

void cg_text(struct strbuf *sb, uint64_t id, const char *path)
{
	if (!path) {
		if (id)
			sb_printf(sb, " cg #%" PRIu64, id);
		return;
	}
	struct cg_name n;
	cg_parse(path, &n);
	if (n.ctr) {
		sb_printf(sb, " ctr ");
		sb_escaped(sb, n.ctr, 12);
	}
	if (n.pod) {
		sb_printf(sb, " pod ");
		sb_escaped(sb, n.pod, n.pod_len > 8 ? 8 : n.pod_len);
		sb_printf(sb, "%s (%s)", n.pod_len > 8 ? "\xe2\x80\xa6" : "", cg_qos_name(n.qos));
	}
	if (n.ctr || n.pod)
		return;
	if (n.unit) {
		sb_printf(sb, " %s ", n.service ? "svc" : "scope");
		sb_escaped(sb, n.unit, n.unit_len);
		return;
	}
	if (n.user >= 0) {
		sb_printf(sb, " user %ld", n.user);
		return;
	}
	if (strcmp(path, "/") == 0)
		return;
	sb_printf(sb, " cg ");
	sb_escaped(sb, path, strlen(path));
}

void cg_text_full(struct strbuf *sb, uint64_t id, const char *path)
{
	if (!path) {
		sb_printf(sb, " cgroup #%" PRIu64, id);
		return;
	}
	struct cg_name n;
	cg_parse(path, &n);
	sb_printf(sb, " cgroup ");
	sb_escaped(sb, path, strlen(path));
	if (n.ctr) {
		sb_printf(sb, " container %s ", cg_runtime_name(n.runtime) ? cg_runtime_name(n.runtime) : "?");
		sb_escaped(sb, n.ctr, n.ctr_len);
	}
	if (n.pod) {
		sb_printf(sb, " pod ");
		sb_escaped(sb, n.pod, n.pod_len);
		sb_printf(sb, " %s", cg_qos_name(n.qos));
	}
	if (n.unit) {
		sb_printf(sb, " %s ", n.service ? "service" : "scope");
		sb_escaped(sb, n.unit, n.unit_len);
	}
}

void cg_json(struct strbuf *sb, const char *path)
{
	sb_printf(sb, ",\"cgroup_path\":");
	if (!path) {
		sb_printf(sb, "null");
		return;
	}
	json_str(sb, path, strlen(path));
	struct cg_name n;
	cg_parse(path, &n);
	if (n.ctr) {
		sb_printf(sb, ",\"container\":{\"runtime\":");
		const char *rt = cg_runtime_name(n.runtime);
		if (rt)
			json_str(sb, rt, strlen(rt));
		else
			sb_printf(sb, "null");
		sb_printf(sb, ",\"id\":");
		json_str(sb, n.ctr, n.ctr_len);
		sb_printf(sb, "}");
	}
	if (n.pod) {
		/* systemd's slice names carry the UID with '_' for '-'. */
		char uid[80];
		size_t l = n.pod_len < sizeof(uid) - 1 ? n.pod_len : sizeof(uid) - 1;
		for (size_t i = 0; i < l; i++)
			uid[i] = n.pod[i] == '_' ? '-' : n.pod[i];
		sb_printf(sb, ",\"pod\":{\"uid\":");
		json_str(sb, uid, l);
		sb_printf(sb, ",\"qos\":\"%s\"}", cg_qos_name(n.qos));
	}
	if (n.unit) {
		sb_printf(sb, ",\"%s\":", n.service ? "service" : "scope");
		json_str(sb, n.unit, n.unit_len);
	}
	if (n.user >= 0)
		sb_printf(sb, ",\"user_slice\":%ld", n.user);
}

uint64_t cg_of_pid(pid_t pid, char *rel, size_t rellen)
{
	char fn[64];
	pp_snprintf(fn, sizeof(fn), "/proc/%d/cgroup", (int)pid);
	FILE *f = fopen(fn, "re");
	if (!f)
		return 0;
	char *line = NULL;
	size_t cap = 0;
	uint64_t id = 0;
	while (getline(&line, &cap, f) > 0) {
		if (strncmp(line, "0::", 3) != 0)
			continue; /* v1 hierarchies */
		line[strcspn(line, "\n")] = '\0';
		/* " (deleted)" follows a removed cgroup's path. */
		int level;
		char err[8];
		if (cg_lookup(line + 3, &id, &level, err, sizeof(err)) < 0)
			id = 0;
		else if (rel)
			pp_snprintf(rel, rellen, "%s", line + 3);
		break;
	}
	free(line);
	fclose(f);
	return id;
}

#define PID_CACHE 1024

uint64_t cg_of_pid_cached(pid_t pid)
{
	static struct {
		pid_t pid;
		uint64_t id;
	} c[PID_CACHE];
	size_t i = (size_t)pid % PID_CACHE;
	if (pid <= 0)
		return 0;
	if (c[i].pid != pid || !c[i].id) {
		c[i].pid = pid;
		c[i].id = cg_of_pid(pid, NULL, 0);
	}
	return c[i].id;
}

struct walk {
	const char *prefix;
	size_t plen;
	int found;
	uint64_t id;
	int level;
	char path[PATH_MAX];
	char first[PATH_MAX];
};

static void walk_dir(struct walk *w, int dfd, char *rel, size_t rl, int depth)
{
	if (depth > WALK_DEPTH)
		return;
	DIR *d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		size_t nl = strlen(de->d_name);
		if (rl + 1 + nl >= PATH_MAX)
			continue;
		rel[rl] = '/';
		memcpy(rel + rl + 1, de->d_name, nl + 1);
		/* The whole path: a bare id counts only under "docker" or a pod. */
		struct cg_name n;
		cg_parse(rel, &n);
		if (n.ctr && n.ctr >= rel + rl + 1 && strncmp(n.ctr, w->prefix, w->plen) == 0) {
			if (!w->found++) {
				memcpy(w->path, rel, rl + 1 + nl + 1);
				w->id = (uint64_t)de->d_ino;
				w->level = depth + 1;
			} else if (w->found == 2)
				memcpy(w->first, rel, rl + 1 + nl + 1);
			continue; /* not below a container's own cgroup */
		}
		int fd = openat(dfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0)
			walk_dir(w, fd, rel, rl + 1 + nl, depth + 1);
	}
	rel[rl] = '\0';
	closedir(d);
}

int cg_find_container(const char *prefix, uint64_t *id, int *level, char *path, size_t pathlen, char *err,
		      size_t errlen)
{
	size_t pl = strlen(prefix);
	bool ok = pl >= 4 && pl <= 64;
	for (size_t i = 0; ok && i < pl; i++)
		ok = isxdigit((unsigned char)prefix[i]) && !isupper((unsigned char)prefix[i]);
	if (!ok) {
		pp_snprintf(err, errlen, "a container id prefix is 4 to 64 lower-case hex digits");
		return -1;
	}
	if (!cg_mount() || C.mount_fd < 0) {
		pp_snprintf(err, errlen, "cgroup v2 is not mounted (no cgroup2 line in /proc/self/mountinfo)");
		return -1;
	}
	struct walk *w = calloc(1, sizeof(*w));
	char *rel = malloc(PATH_MAX);
	int fd = w && rel ? openat(C.mount_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	if (fd < 0) {
		pp_snprintf(err, errlen, "cannot read the cgroup2 tree at %s: %s", C.mount, strerror(errno));
		free(w);
		free(rel);
		return -1;
	}
	w->prefix = prefix;
	w->plen = pl;
	rel[0] = '\0';
	walk_dir(w, fd, rel, 0, 0);
	int rc = -1;
	if (!w->found)
		pp_snprintf(err, errlen, "no running container's id starts with '%s' (no docker-, cri-containerd- or crio- scope, nor /docker/ID, under %s)",
			    prefix, C.mount);
	else if (w->found > 1)
		pp_snprintf(err, errlen, "container id prefix '%s' is ambiguous: %d containers match (%s, %s): give more digits",
			    prefix, w->found, w->path, w->first);
	else {
		*id = w->id;
		*level = w->level;
		pp_snprintf(path, pathlen, "%s", w->path);
		rc = 0;
	}
	free(w);
	free(rel);
	return rc;
}

static char *selected;

int cg_select(const char *rel)
{
	free(selected);
	selected = strdup(rel);
	return selected ? 0 : -1;
}

bool cg_pid_selected(pid_t pid, uint64_t *id)
{
	char rel[PATH_MAX];
	*id = cg_of_pid(pid, rel, sizeof(rel));
	if (!*id || !selected)
		return false;
	size_t l = strlen(selected);
	while (l && selected[l - 1] == '/')
		l--;
	return strncmp(rel, selected, l) == 0 && (rel[l] == '/' || rel[l] == '\0');
}

void cg_free(void)
{
	free(selected);
	selected = NULL;
	for (size_t i = 0; i < C.n; i++)
		free(C.cache[i].path);
	free(C.cache);
	free(C.mount);
	if (C.mount_fd >= 0)
		close(C.mount_fd);
	memset(&C, 0, sizeof(C));
	C.mount_fd = -1;
}
