/* cgroup v2: where the hierarchy is mounted, cgroup id -> path, and names
 * for the path shapes service managers and container runtimes make
 * (systemd services and scopes, Docker, containerd/CRI, CRI-O, Kubernetes
 * pods). The id is what the kernel gives (bpf_get_current_cgroup_id): the
 * inode number of the cgroup's directory in the cgroup2 file system. */
#ifndef PKTPATH_CGROUP_H
#define PKTPATH_CGROUP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cmd/util/strbuf.h"

/* The cgroup2 mount point from /proc/self/mountinfo (never assumed), or
 * NULL when cgroup2 is not mounted. Cached. */
const char *cg_mount(void);

/* The path of cgroup id relative to the cgroup2 root ("/" for the root,
 * "/system.slice/nginx.service"), or NULL when the cgroup is gone or
 * cannot be looked up. Answers are cached (ids are never reused). The
 * returned string lives until cg_free(). */
const char *cg_path(uint64_t id);

/* The id and depth (root: 0) of the cgroup at path: absolute under the
 * mount, or relative to the cgroup2 root. 0, or -1 with err set. */
int cg_lookup(const char *path, uint64_t *id, int *level, char *err, size_t errlen);

/* Finds the running container whose id starts with prefix (at least 4 hex
 * digits) by walking the cgroup2 tree; fills its cgroup's id, depth and
 * path (relative to the root). 0, or -1 with err set (none, ambiguous). */
int cg_find_container(const char *prefix, uint64_t *id, int *level, char *path, size_t pathlen, char *err,
		      size_t errlen);

/* The cgroup2 id of process pid's cgroup (from /proc/PID/cgroup), 0 when
 * unknown. rel (may be NULL) receives its path. */
uint64_t cg_of_pid(pid_t pid, char *rel, size_t rellen);

/* The same through a small cache by pid (for owners found from user
 * space per event; a process rarely changes cgroup). */
uint64_t cg_of_pid_cached(pid_t pid);

enum cg_runtime { CG_RT_NONE = 0, CG_RT_DOCKER, CG_RT_CONTAINERD, CG_RT_CRIO };
enum cg_qos { CG_QOS_NONE = 0, CG_QOS_GUARANTEED, CG_QOS_BURSTABLE, CG_QOS_BESTEFFORT };

/* What a path says, parsed from its components. Pointers are into the
 * path given to cg_parse() (lengths alongside: not NUL-terminated). */
struct cg_name {
	enum cg_runtime runtime;
	const char *ctr; /* container id (hex) */
	size_t ctr_len;
	enum cg_qos qos; /* Kubernetes pod QoS class, with pod */
	const char *pod; /* pod UID as the path has it (systemd: '_' for '-') */
	size_t pod_len;
	const char *unit; /* innermost systemd unit: "nginx.service", "session-2.scope" */
	size_t unit_len;
	bool service;     /* unit is a .service (else a .scope) */
	long user;        /* user-UID.slice: the UID; -1 when none */
};

void cg_parse(const char *path, struct cg_name *n);
const char *cg_runtime_name(enum cg_runtime r);
const char *cg_qos_name(enum cg_qos q);

/* Short text for a cgroup, with a leading space ("" for the root):
 * " ctr 3f2a1b9c0d1e", " pod 1234abcd… (burstable)", " svc nginx.service",
 * " cg /some/path"; " cg #ID" when the path is unknown. Escaped. */
void cg_text(struct strbuf *sb, uint64_t id, const char *path);
/* Long text, for pcapng comments: " cgroup /full/path" and the parsed
 * fields in full (" container docker ID", " pod UID qos", " service U"). */
void cg_text_full(struct strbuf *sb, uint64_t id, const char *path);
/* JSON members (each with a leading comma): "cgroup_path", and the parsed
 * "container", "pod", "service", "scope", "user" when the path has them. */
void cg_json(struct strbuf *sb, const char *path);

/* The cgroup selected for tracing (--cgroup, --container, -- CMD), for
 * verdicts user space takes itself (owners seeded from /proc). rel is
 * relative to the cgroup2 root. */
int cg_select(const char *rel);
/* Whether process pid sits in the selected cgroup or below; also gives
 * its cgroup id (0 when unknown). */
bool cg_pid_selected(pid_t pid, uint64_t *id);

void cg_free(void);

#endif
