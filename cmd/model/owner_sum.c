#include "cmd/model/owner_sum.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/attach/cgroup.h"
#include "cmd/util/escape.h"
#include "cmd/record/resolve.h"
#include "cmd/util/strbuf.h"
#include "kernel/dropreason.h"

/* Groups kept; more are counted together as "other owners". */
#define MAX_GROUPS 4096
#define NO_REASON UINT32_MAX

struct reason_count {
	uint32_t reason;
	uint64_t n;
};

struct group {
	bool owned;
	uint32_t tgid;
	char comm[PP_COMM_LEN];
	uint64_t cgroup;
	uint64_t packets, dropped;
	struct reason_count *r;
	size_t nr;
};

struct osum {
	bool by_cgroup;
	struct group *g;
	size_t n, cap;
	struct group other; /* beyond MAX_GROUPS */
};

struct osum *osum_new(bool by_cgroup)
{
	struct osum *s = calloc(1, sizeof(*s));
	if (s)
		s->by_cgroup = by_cgroup;
	return s;
}

static bool same(const struct osum *s, const struct group *g, const struct pp_owner *o)
{
	if (!o)
		return !g->owned;
	if (!g->owned || g->cgroup != o->cgroup)
		return false;
	return s->by_cgroup || (g->tgid == o->tgid && memcmp(g->comm, o->comm, PP_COMM_LEN) == 0);
}

static struct group *find(struct osum *s, const struct pp_owner *o)
{
	for (size_t i = 0; i < s->n; i++)
		if (same(s, &s->g[i], o))
			return &s->g[i];
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct group *v = cap <= MAX_GROUPS ? realloc(s->g, cap * sizeof(*v)) : NULL;
		if (!v)
			return &s->other;
		s->g = v;
		s->cap = cap;
	}
	struct group *g = &s->g[s->n++];
	memset(g, 0, sizeof(*g));
	if (o) {
		g->owned = true;
		g->cgroup = o->cgroup;
		if (!s->by_cgroup) {
			g->tgid = o->tgid;
			memcpy(g->comm, o->comm, PP_COMM_LEN);
		}
	}
	return g;
}

static void add_reason(struct group *g, uint32_t reason)
{
	for (size_t i = 0; i < g->nr; i++)
		if (g->r[i].reason == reason) {
			g->r[i].n++;
			return;
		}
	struct reason_count *v = realloc(g->r, (g->nr + 1) * sizeof(*v));
	if (!v)
		return; /* the drop is still counted in g->dropped */
	g->r = v;
	g->r[g->nr++] = (struct reason_count){reason, 1};
}

void osum_timeline(struct osum *s, const struct timeline *t)
{
	/* The packet's owner as its timeline header names it: the first one
	 * any step saw. */
	const struct pp_owner *o = NULL;
	const struct pp_event *drop = NULL;
	for (size_t i = 0; i < t->n; i++) {
		if (!o && (t->ev[i].have & PP_HAVE_OWNER))
			o = &t->ev[i].owner;
		if (t->ev[i].probe == PP_PROBE_DROP)
			drop = &t->ev[i];
	}
	struct group *g = find(s, o);
	g->packets++;
	if (drop) {
		g->dropped++;
		add_reason(g, (drop->have & PP_HAVE_REASON) ? drop->reason : NO_REASON);
	}
}

static int by_drops(const void *a, const void *b)
{
	const struct group *x = a, *y = b;
	if (x->dropped != y->dropped)
		return x->dropped > y->dropped ? -1 : 1;
	return x->packets > y->packets ? -1 : x->packets < y->packets;
}

static int by_count(const void *a, const void *b)
{
	const struct reason_count *x = a, *y = b;
	return x->n > y->n ? -1 : x->n < y->n;
}

static void print_group(FILE *f, struct group *g, const struct dropreasons *dr, bool by_cgroup, const char *other)
{
	struct strbuf sb = {0};
	if (other)
		sb_printf(&sb, "%s", other);
	else if (!g->owned)
		sb_printf(&sb, "(no owner)");
	else {
		if (!by_cgroup) {
			char comm[72];
			escape_field(g->comm, sizeof(g->comm), comm, sizeof(comm));
			sb_printf(&sb, "%u (%s)", g->tgid, comm);
		}
		const char *path = rs_cgroup_path(g->cgroup);
		if (by_cgroup && path) { /* the full path: it is the group */
			struct strbuf p = {0};
			cg_text(&p, g->cgroup, path);
			char *esc = malloc(strlen(path) * 4 + 1);
			if (esc)
				escape_field(path, strlen(path), esc, strlen(path) * 4 + 1);
			/* and what it names, unless that is the path again */
			bool named = p.s && strncmp(p.s, " cg ", 4) != 0;
			sb_printf(&sb, "%s%s", esc ? esc : "?", named ? p.s : "");
			free(esc);
			sb_free(&p);
		} else
			cg_text(&sb, g->cgroup, path);
		if (by_cgroup && !path)
			sb_printf(&sb, " (gone)");
	}
	fprintf(f, "  %-40s %" PRIu64 " packets, %" PRIu64 " dropped", sb.s ? (sb.s[0] == ' ' ? sb.s + 1 : sb.s) : "",
		g->packets, g->dropped);
	sb_free(&sb);
	if (g->nr)
		qsort(g->r, g->nr, sizeof(*g->r), by_count);
	for (size_t i = 0; i < g->nr; i++) {
		const char *n = g->r[i].reason == NO_REASON ? "(no reason)" : dropreasons_name(dr, g->r[i].reason);
		if (n)
			fprintf(f, "%s %s %" PRIu64, i ? "," : ":", n, g->r[i].n);
		else
			fprintf(f, "%s reason#%u %" PRIu64, i ? "," : ":", g->r[i].reason, g->r[i].n);
	}
	fputc('\n', f);
}

void osum_print(FILE *f, const struct osum *s, const struct dropreasons *dr)
{
	if (!s)
		return;
	fprintf(f, "by %s (packets, dropped by reason):\n", s->by_cgroup ? "cgroup" : "owner");
	if (s->n)
		qsort(s->g, s->n, sizeof(*s->g), by_drops);
	for (size_t i = 0; i < s->n; i++)
		print_group(f, &s->g[i], dr, s->by_cgroup, NULL);
	if (s->other.packets) {
		struct group o = s->other;
		print_group(f, &o, dr, s->by_cgroup, "(other owners, beyond the table)");
	}
}

void osum_free(struct osum *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		free(s->g[i].r);
	free(s->g);
	free(s->other.r);
	free(s);
}
