#include "cmd/attach/owner_diag.h"
#include "cmd/attach/cgroup.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ICMP echo: 1 request, -1 reply, 0 anything else (no user socket). */
static int echo_kind(const struct pp_event *e)
{
	if (e->l4proto == IPPROTO_ICMP && e->ipver == 4)
		return e->icmp_type == 8 ? 1 : e->icmp_type == 0 ? -1 : 0;
	if (e->l4proto == IPPROTO_ICMPV6 && e->ipver == 6)
		return e->icmp_type == 128 ? 1 : e->icmp_type == 129 ? -1 : 0;
	return 0;
}

static bool seeded(const struct pp_event *e)
{
	return (e->have & PP_HAVE_OWNER) && (e->owner.flags & 0xffff) == OWNER_SEED_MARK;
}

bool owner_diag_wanted(const struct pp_event *e)
{
	const __u16 need = PP_HAVE_SK | PP_HAVE_NETNS | PP_HAVE_L3 | PP_HAVE_L4;
	if (seeded(e))
		return true;
	return (e->have & need) == need && !(e->have & PP_HAVE_OWNER) &&
	       (((e->l4proto == IPPROTO_TCP || e->l4proto == IPPROTO_UDP) && (e->ipver == 4 || e->ipver == 6)) ||
		echo_kind(e));
}

static void say_once(const char *err)
{
	static char *last;
	if (last && strcmp(last, err) == 0)
		return;
	fprintf(stderr, "pktpath: warning: %s (owners of older sockets may show '?')\n", err);
	free(last);
	last = strdup(err);
}

static bool fill(struct pp_event *e, const struct sockdiag_owner *o);

static int try_side(struct sockdiag *sd, const struct pp_event *e, bool local_is_src,
		    struct sockdiag_owner *o)
{
	struct sockdiag_key k;
	char err[256];
	memset(&k, 0, sizeof(k));
	k.netns = e->netns;
	k.proto = e->l4proto;
	k.ipver = e->ipver;
	size_t al = e->ipver == 6 ? 16 : 4;
	if (echo_kind(e)) { /* one id on both sides, no ports */
		k.lport = e->sport;
		k.rport = 0;
	} else {
		k.lport = local_is_src ? e->sport : e->dport;
		k.rport = local_is_src ? e->dport : e->sport;
	}
	memcpy(k.laddr, local_is_src ? e->saddr : e->daddr, al);
	memcpy(k.raddr, local_is_src ? e->daddr : e->saddr, al);
	int rc = sockdiag_lookup(sd, &k, o, err, sizeof(err));
	if (rc < 0)
		say_once(err);
	return rc;
}

bool owner_diag_fill(struct sockdiag *sd, struct pp_event *e)
{
	struct sockdiag_owner o;
	/* Seeded from /proc into the kernel map at start: user space found
	 * it, the kernel never saw the socket used; say so. */
	if (seeded(e)) {
		e->owner.flags &= ~0xffffu;
		e->have |= PP_HAVE_OWNER_DIAG;
		return true;
	}
	/* An echo request's socket is its sender's, a reply's its receiver's,
	 * wherever the event is seen. */
	int echo = echo_kind(e);
	if (echo)
		return try_side(sd, e, echo > 0, &o) > 0 && fill(e, &o);
	/* A sent packet's socket is on the source side; a received one's on
	 * the destination, except that a packet seen at free or drop may be
	 * either, so try the destination first, then the source. */
	bool found = try_side(sd, e, e->probe == PP_PROBE_TX, &o) > 0;
	if (!found && e->probe != PP_PROBE_TX)
		found = try_side(sd, e, true, &o) > 0;
	return found && fill(e, &o);
}

static bool fill(struct pp_event *e, const struct sockdiag_owner *o)
{
	memset(&e->owner, 0, sizeof(e->owner));
	e->owner.tgid = o->tgid;
	e->owner.pid = o->tgid; /* the thread is unknown; the process is what counts */
	e->owner.uid = o->uid;
	e->owner.cgroup = cg_of_pid_cached((pid_t)o->tgid);
	memcpy(e->owner.comm, o->comm, sizeof(e->owner.comm));
	e->have |= PP_HAVE_OWNER | PP_HAVE_OWNER_DIAG;
	return true;
}
