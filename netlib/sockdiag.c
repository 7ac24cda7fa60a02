#include "netlib/sockdiag.h"

#include <ctype.h>
#include <stddef.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "netlib/netns.h"
#include "netlib/procnet.h"

#define NL_SOCKS 8          /* namespaces with an open diag socket */
#define TUPLE_SLOTS 1024    /* direct-mapped: a collision just evicts */
#define TUPLE_TTL_MS 5000   /* ports get reused; do not trust a hit forever */
#define MISS_TTL_MS 1000    /* misses are retried soon: the socket may appear */
#define PROC_MAX 65536      /* bound on socket inodes remembered from /proc */
#define PROC_RESCAN_MS 1000 /* a full /proc walk at most this often */
#define RECV_SIZE 32768     /* recv truncates, so a fixed size is safe */
#define PROC_SLOTS 256      /* tgid -> uid, comm, valid for one /proc scan */

/* TCP states that have a full socket (an inode): not TIME_WAIT (6) nor
 * NEW_SYN_RECV (12). */
#define TCP_FULL_STATES (0xfffu & ~((1u << 6) | (1u << 12)))

#define KEY_BYTES (offsetof(struct sockdiag_key, raddr) + sizeof(((struct sockdiag_key *)0)->raddr))

struct nlsock {
	uint32_t netns;
	struct mnl_socket *nl;
	uint64_t used;
};

struct tuple_slot {
	struct sockdiag_key key;
	uint64_t expires;
	int found;
	struct sockdiag_owner owner;
};

struct proc_sock {
	uint64_t inode;
	uint32_t tgid;
};

struct proc_slot {
	uint32_t tgid;
	uint64_t scan;    /* scanned_ms of the scan it belongs to */
	struct sockdiag_owner owner;
};

struct sockdiag {
	struct nlsock nls[NL_SOCKS];
	uint64_t tick;
	unsigned int seq;
	struct tuple_slot *slots;
	struct proc_sock *procs;
	size_t nprocs;
	uint64_t scanned_ms;
	char *buf;
	struct proc_slot *pslots; /* owner look-ups by inode, many per process */
};

static uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t sockdiag_link_inode(const char *link)
{
	static const char pfx[] = "socket:[";
	if (strncmp(link, pfx, sizeof(pfx) - 1) != 0)
		return 0;
	const char *p = link + sizeof(pfx) - 1;
	uint64_t v = 0;
	if (!isdigit((unsigned char)*p))
		return 0;
	for (; isdigit((unsigned char)*p); p++) {
		uint64_t d = (uint64_t)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return 0;
		v = v * 10 + d;
	}
	return p[0] == ']' && p[1] == '\0' ? v : 0;
}

struct sockdiag *sockdiag_new(void)
{
	struct sockdiag *sd = calloc(1, sizeof(*sd));
	if (!sd)
		return NULL;
	sd->slots = calloc(TUPLE_SLOTS, sizeof(*sd->slots));
	sd->buf = malloc(RECV_SIZE);
	sd->pslots = calloc(PROC_SLOTS, sizeof(*sd->pslots));
	if (!sd->slots || !sd->buf || !sd->pslots) {
		sockdiag_free(sd);
		return NULL;
	}
	return sd;
}

void sockdiag_free(struct sockdiag *sd)
{
	if (!sd)
		return;
	for (size_t i = 0; i < NL_SOCKS; i++)
		if (sd->nls[i].nl)
			mnl_socket_close(sd->nls[i].nl);
	free(sd->slots);
	free(sd->procs);
	free(sd->buf);
	free(sd->pslots);
	free(sd);
}

static int open_diag(void *arg)
{
	struct mnl_socket **out = arg;
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);
	if (!nl)
		return -1;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int e = errno;
		mnl_socket_close(nl);
		errno = e;
		return -1;
	}
	*out = nl;
	return 0;
}

/* A diag socket bound to the namespace: created inside it, it keeps
 * answering for it after we return to our own. */
static struct mnl_socket *diag_socket(struct sockdiag *sd, uint32_t netns, char *err, size_t errlen)
{
	struct nlsock *victim = &sd->nls[0];
	for (size_t i = 0; i < NL_SOCKS; i++) {
		struct nlsock *n = &sd->nls[i];
		if (n->nl && n->netns == netns) {
			n->used = ++sd->tick;
			return n->nl;
		}
		if (!n->nl || (victim->nl && n->used < victim->used))
			victim = n;
	}
	int fd = netns_open_inode(netns);
	if (fd < 0) {
		snprintf(err, errlen, "sock_diag: no file for network namespace %u", netns);
		return NULL;
	}
	struct mnl_socket *nl = NULL;
	int rc = netns_run_in(fd, open_diag, &nl);
	int e = errno;
	close(fd);
	if (rc < 0) {
		snprintf(err, errlen, "sock_diag: cannot open a netlink socket in network namespace %u: %s",
			 netns, strerror(e));
		return NULL;
	}
	if (victim->nl)
		mnl_socket_close(victim->nl);
	*victim = (struct nlsock){.netns = netns, .nl = nl, .used = ++sd->tick};
	return nl;
}

struct match {
	const struct sockdiag_key *key;
	int best;
	uint64_t inode;
	uint32_t uid;
};

static int addr_len(const struct sockdiag_key *k)
{
	return k->ipver == 6 ? 16 : 4;
}

static int is_zero(const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

/* How well a socket fits: local port must match; an exact peer beats a
 * wildcard (unconnected UDP, listener), an exact local address beats any. */
static int score(const struct sockdiag_key *k, const struct inet_diag_msg *m)
{
	size_t al = (size_t)addr_len(k);
	if (ntohs(m->id.idiag_sport) != k->lport)
		return 0;
	int s = 1;
	if (memcmp(m->id.idiag_src, k->laddr, al) == 0)
		s += 1;
	else if (!is_zero(m->id.idiag_src, al))
		return 0;
	if (ntohs(m->id.idiag_dport) == k->rport && memcmp(m->id.idiag_dst, k->raddr, al) == 0)
		s += 2;
	else if (m->id.idiag_dport || !is_zero(m->id.idiag_dst, al))
		return 0;
	return s;
}

static int on_diag(const struct nlmsghdr *nlh, void *data)
{
	struct match *mt = data;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct inet_diag_msg))
		return MNL_CB_OK;
	const struct inet_diag_msg *m = mnl_nlmsg_get_payload(nlh);
	int s = score(mt->key, m);
	if (s > mt->best && m->idiag_inode) {
		mt->best = s;
		mt->inode = m->idiag_inode;
		mt->uid = m->idiag_uid;
	}
	return MNL_CB_OK;
}

/* Dumps the family/protocol in the namespace and keeps the best fit: an
 * exact request by id is answered differently by TCP and UDP (UDP swaps
 * the sides), and would miss wildcard sockets. */
static int diag_query(struct sockdiag *sd, const struct sockdiag_key *k, uint64_t *inode, uint32_t *uid,
		      char *err, size_t errlen)
{
	struct mnl_socket *nl = diag_socket(sd, k->netns, err, errlen);
	if (!nl)
		return -1;
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(sd->buf);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = ++sd->seq;
	struct inet_diag_req_v2 *req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = k->ipver == 6 ? AF_INET6 : AF_INET;
	req->sdiag_protocol = k->proto;
	req->idiag_states = k->proto == IPPROTO_TCP ? TCP_FULL_STATES : ~0u;
	unsigned int portid = mnl_socket_get_portid(nl);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		snprintf(err, errlen, "sock_diag: send: %s", strerror(errno));
		return -1;
	}
	struct match mt = {.key = k};
	int rc;
	do {
		ssize_t n = mnl_socket_recvfrom(nl, sd->buf, RECV_SIZE);
		if (n < 0) {
			snprintf(err, errlen, "sock_diag: receive: %s", strerror(errno));
			return -1;
		}
		rc = mnl_cb_run(sd->buf, (size_t)n, sd->seq, portid, on_diag, &mt);
	} while (rc > 0);
	if (rc < 0) {
		snprintf(err, errlen, "sock_diag: the kernel answered: %s", strerror(errno));
		return -1;
	}
	*inode = mt.inode;
	*uid = mt.uid;
	return mt.inode != 0;
}

static int cmp_proc(const void *a, const void *b)
{
	const struct proc_sock *x = a, *y = b;
	return x->inode < y->inode ? -1 : x->inode > y->inode;
}

/* Every socket inode held by any process, as `ss -p` finds them. */
static void proc_scan(struct sockdiag *sd)
{
	char path[64], link[64];
	size_t cap = 0;
	sd->nprocs = 0;
	sd->scanned_ms = mono_ms();
	DIR *proc = opendir("/proc");
	if (!proc)
		return;
	struct dirent *pe;
	while ((pe = readdir(proc))) {
		char *end;
		unsigned long pid = strtoul(pe->d_name, &end, 10);
		if (!pid || *end || pid > UINT32_MAX)
			continue;
		snprintf(path, sizeof(path), "/proc/%lu/fd", pid);
		DIR *fds = opendir(path);
		if (!fds)
			continue; /* gone, or a kernel thread */
		struct dirent *fe;
		while ((fe = readdir(fds))) {
			if (fe->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "/proc/%lu/fd/%.20s", pid, fe->d_name);
			ssize_t n = readlink(path, link, sizeof(link) - 1);
			if (n <= 0)
				continue;
			link[n] = '\0';
			uint64_t ino = sockdiag_link_inode(link);
			if (!ino || sd->nprocs >= PROC_MAX)
				continue;
			if (sd->nprocs == cap) {
				size_t ncap = cap ? cap * 2 : 256;
				struct proc_sock *v = realloc(sd->procs, ncap * sizeof(*v));
				if (!v)
					continue;
				sd->procs = v;
				cap = ncap;
			}
			sd->procs[sd->nprocs++] = (struct proc_sock){ino, (uint32_t)pid};
		}
		closedir(fds);
	}
	closedir(proc);
	if (sd->nprocs) /* qsort(NULL, 0, ...) is undefined */
		qsort(sd->procs, sd->nprocs, sizeof(*sd->procs), cmp_proc);
}

static uint32_t proc_find(struct sockdiag *sd, uint64_t inode)
{
	for (int pass = 0; pass < 2; pass++) {
		struct proc_sock k = {.inode = inode};
		struct proc_sock *hit = sd->nprocs ? bsearch(&k, sd->procs, sd->nprocs, sizeof(k), cmp_proc) : NULL;
		if (hit)
			return hit->tgid;
		if (pass == 0 && (!sd->scanned_ms || mono_ms() - sd->scanned_ms >= PROC_RESCAN_MS))
			proc_scan(sd);
		else
			break;
	}
	return 0;
}

static void read_comm(uint32_t tgid, char *comm, size_t len)
{
	char path[32];
	snprintf(path, sizeof(path), "/proc/%u/comm", tgid);
	memset(comm, 0, len);
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(comm, (int)len, f))
		comm[strcspn(comm, "\n")] = '\0';
	fclose(f);
}

/* The real uid in /proc/PID/status ("Uid:\tREAL EFF SAVED FS"), what the
 * kernel map records for a task; -1 when unreadable. */
static int64_t read_uid(uint32_t tgid)
{
	char path[32];
	snprintf(path, sizeof(path), "/proc/%u/status", tgid);
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	char *line = NULL;
	size_t cap = 0;
	int64_t uid = -1;
	while (getline(&line, &cap, f) > 0) {
		if (strncmp(line, "Uid:", 4) != 0)
			continue;
		char *end;
		errno = 0;
		unsigned long v = strtoul(line + 4, &end, 10);
		if (!errno && end != line + 4 && v <= UINT32_MAX)
			uid = (int64_t)v;
		break;
	}
	free(line);
	fclose(f);
	return uid;
}

int sockdiag_inode_owner(struct sockdiag *sd, uint64_t inode, struct sockdiag_owner *out)
{
	uint32_t tgid = proc_find(sd, inode);
	if (!tgid)
		return 0;
	struct proc_slot *ps = &sd->pslots[tgid % PROC_SLOTS];
	if (ps->tgid != tgid || ps->scan != sd->scanned_ms) {
		int64_t uid = read_uid(tgid);
		if (uid < 0)
			return 0; /* gone since the scan */
		memset(ps, 0, sizeof(*ps));
		ps->tgid = tgid;
		ps->scan = sd->scanned_ms;
		ps->owner.tgid = tgid;
		ps->owner.uid = (uint32_t)uid;
		read_comm(tgid, ps->owner.comm, sizeof(ps->owner.comm));
	}
	*out = ps->owner;
	out->inode = inode;
	return 1;
}

struct icmp_match {
	const struct sockdiag_key *key;
	int best;       /* score of the best fit */
	int tied;       /* another socket fits as well: raw sockets cannot tell */
	uint64_t inode;
	uint32_t uid;
};

/* Ping sockets: the local "port" is the echo id. Raw sockets: it is the
 * protocol, and every raw socket of it gets a copy, so a ping socket
 * (exact id) always wins over them. */
static int on_icmp_sock(const struct procnet_sock *s, void *arg)
{
	struct icmp_match *mt = arg;
	const struct sockdiag_key *k = mt->key;
	size_t al = (size_t)addr_len(k);
	if (!s->inode || s->ipver != k->ipver)
		return 0;
	int ping = s->table == PROCNET_ICMP || s->table == PROCNET_ICMP6;
	int sc;
	if (ping && s->lport == k->lport)
		sc = 10;
	else if (!ping && s->lport == k->proto)
		sc = 1;
	else
		return 0;
	if (memcmp(s->laddr, k->laddr, al) == 0)
		sc += 1;
	else if (!is_zero(s->laddr, al))
		return 0;
	if (memcmp(s->raddr, k->raddr, al) == 0)
		sc += 2;
	else if (!is_zero(s->raddr, al))
		return 0;
	if (sc > mt->best) {
		mt->best = sc;
		mt->tied = 0;
		mt->inode = s->inode;
		mt->uid = s->uid;
	} else if (sc == mt->best && s->inode != mt->inode) {
		mt->tied = 1;
	}
	return 0;
}

static int icmp_query(const struct sockdiag_key *k, uint64_t *inode, uint32_t *uid, char *err, size_t errlen)
{
	int fd = netns_open_inode(k->netns);
	if (fd < 0) {
		snprintf(err, errlen, "ping socket look-up: no file for network namespace %u", k->netns);
		return -1;
	}
	unsigned int mask = k->ipver == 6 ? (1u << PROCNET_ICMP6) | (1u << PROCNET_RAW6)
					  : (1u << PROCNET_ICMP) | (1u << PROCNET_RAW);
	struct icmp_match mt = {.key = k};
	char why[200];
	int rc = procnet_read(fd, mask, on_icmp_sock, &mt, why, sizeof(why));
	close(fd);
	if (rc < 0) {
		snprintf(err, errlen, "ping socket look-up in network namespace %u: %s", k->netns, why);
		return -1;
	}
	if (!mt.inode || mt.tied)
		return 0;
	*inode = mt.inode;
	*uid = mt.uid;
	return 1;
}

static void map_v4(uint8_t *v6, const uint8_t *v4)
{
	uint8_t a[4];
	memcpy(a, v4, 4);
	memset(v6, 0, 16);
	/* A wildcard stays a wildcard: a dual-stack socket bound to any
	 * address shows ::, not ::ffff:0.0.0.0. */
	if (is_zero(a, 4))
		return;
	v6[10] = v6[11] = 0xff;
	memcpy(v6 + 12, a, 4);
}

static size_t key_hash(const struct sockdiag_key *k)
{
	/* FNV-1a over the key's fields, not its tail padding. */
	const uint8_t *p = (const uint8_t *)k;
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < KEY_BYTES; i++)
		h = (h ^ p[i]) * 16777619u;
	return h % TUPLE_SLOTS;
}

int sockdiag_lookup(struct sockdiag *sd, const struct sockdiag_key *key, struct sockdiag_owner *out,
		    char *err, size_t errlen)
{
	struct tuple_slot *slot = &sd->slots[key_hash(key)];
	uint64_t now = mono_ms();
	if (slot->expires > now && memcmp(&slot->key, key, KEY_BYTES) == 0) {
		if (slot->found)
			*out = slot->owner;
		return slot->found;
	}
	struct sockdiag_owner o = {0};
	int icmp = key->proto == IPPROTO_ICMP || key->proto == IPPROTO_ICMPV6;
	int rc = icmp ? icmp_query(key, &o.inode, &o.uid, err, errlen)
		      : diag_query(sd, key, &o.inode, &o.uid, err, errlen);
	if (rc == 0 && key->ipver == 4 && !icmp) {
		/* IPv4 on a dual-stack AF_INET6 socket: ::ffff:a.b.c.d */
		struct sockdiag_key m = *key;
		m.ipver = 6;
		map_v4(m.laddr, key->laddr);
		map_v4(m.raddr, key->raddr);
		rc = diag_query(sd, &m, &o.inode, &o.uid, err, errlen);
	}
	if (rc > 0) {
		o.tgid = proc_find(sd, o.inode);
		if (o.tgid)
			read_comm(o.tgid, o.comm, sizeof(o.comm));
		else
			rc = 0;
	}
	/* Errors are cached like misses: a broken namespace must not cost a
	 * netlink round trip per event. */
	slot->key = *key;
	slot->found = rc > 0;
	slot->owner = o;
	slot->expires = now + (rc > 0 ? TUPLE_TTL_MS : MISS_TTL_MS);
	if (rc > 0)
		*out = o;
	return rc;
}
