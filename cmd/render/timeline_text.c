#include "cmd/render/timeline_text.h"
#include "cmd/util/strfmt.h"
#include "cmd/record/resolve.h"

#include <inttypes.h>
#include <string.h>

#include "cmd/attach/cgroup.h"
#include "cmd/util/escape.h"
#include "cmd/render/evtext.h"
#include "cmd/render/pointtext.h"
#include "cmd/model/probes.h"
#include "cmd/model/carry.h"
#include "cmd/model/rewrite.h"
#include "kernel/kallsyms.h"

#define BOLD "\033[1m"
#define RED "\033[31m"
#define DIM "\033[2m"
#define RESET "\033[0m"

/* n as exactly three digits (n < 1000). */
static size_t three(char *out, uint64_t n)
{
	out[0] = (char)('0' + n / 100);
	out[1] = (char)('0' + n / 10 % 10);
	out[2] = (char)('0' + n % 10);
	return 3;
}

/* "6.2us", "1.250ms", "2.000s" into out (DURATION_LEN bytes, NUL
 * included); returns the length. By hand: it runs twice a step. */
#define DURATION_LEN 28
static size_t duration_str(char *out, uint64_t ns)
{
	size_t n;
	if (ns < 1000000) {
		n = pp_utoa(out, ns / 1000);
		out[n++] = '.';
		out[n++] = (char)('0' + ns % 1000 / 100);
		out[n++] = 'u';
		out[n++] = 's';
	} else if (ns < 1000000000) {
		n = pp_utoa(out, ns / 1000000);
		out[n++] = '.';
		n += three(out + n, ns % 1000000 / 1000);
		out[n++] = 'm';
		out[n++] = 's';
	} else {
		n = pp_utoa(out, ns / 1000000000);
		out[n++] = '.';
		n += three(out + n, ns % 1000000000 / 1000000);
		out[n++] = 's';
	}
	out[n] = '\0';
	return n;
}

void fmt_duration(struct strbuf *sb, uint64_t ns)
{
	char d[DURATION_LEN];
	sb_append(sb, d, duration_str(d, ns));
}

static const char *end_note(enum tl_end end)
{
	switch (end) {
	case TL_END_IDLE: return " (open: no drop or free seen within --idle)";
	case TL_END_EVICTED: return " (flushed early: --max-open timelines were open)";
	case TL_END_REUSED: return " (its end was not seen: the address then carried another packet)";
	case TL_END_EXIT: return " (open: pktpath stopped before its end)";
	case TL_END_DELIVERED: return "";
	default: return "";
	}
}

static void step_detail(struct strbuf *sb, const struct pp_event *e, const struct fmt_ctx *ctx, bool color)
{
	char comm[72], loc[256];
	switch (e->probe) {
	case PP_PROBE_TX:
		escape_name16(e->comm, sizeof(e->comm), comm, sizeof(comm));
		sb_printf(sb, "tx  pid %u (%s)", e->tgid, comm[0] ? comm : "-");
		break;
	case PP_PROBE_RX:
		sb_puts(sb, "rx  pkt_type ");
		sb_puts(sb, pkt_type_name(e->pkt_type));
		break;
	case PP_PROBE_FREE:
		if (e->step & PP_STEP_NEIGH)
			sb_printf(sb, "copy freed: the neighbour probe's (solicitation sent; the packet waits for the neighbour)");
		else if (e->step & PP_STEP_COPY)
			sb_printf(sb, "copy freed (a copy of this packet, e.g. a packet tap's)");
		else if (e->step & PP_STEP_GONE)
			sb_printf(sb, "freed (memory released)");
		else
			sb_printf(sb, "freed (consumed)");
		break;
	case PP_PROBE_DELIVER:
		escape_name16(e->owner.comm, sizeof(e->owner.comm), comm, sizeof(comm));
		if (e->have & PP_HAVE_OWNER)
			sb_printf(sb, "delivered to pid %u (%s)", e->owner.tgid, comm[0] ? comm : "-");
		else
			sb_printf(sb, "delivered");
		break;
	case PP_PROBE_DROP:
		if (color)
			sb_puts(sb, RED BOLD);
		sb_puts(sb, "DROP ");
		fmt_reason(sb, ctx->reasons, e);
		rs_ksym(ctx->ksyms, (uint64_t)e->location, loc, sizeof(loc));
		if (color)
			sb_puts(sb, RESET);
		sb_puts(sb, " at ");
		sb_puts(sb, loc);
		break;
	default: {
		/* Points with detail words only: no separating space first. */
		size_t at = sb->len;
		point_detail(sb, e);
		if (sb->len > at && sb->s[at] == ' ') {
			memmove(sb->s + at, sb->s + at + 1, sb->len - at); /* with the NUL */
			sb->len--;
		}
		return;
	}
	}
	point_detail(sb, e);
}

/* The header rewrite that first shows at step i (NAT), after its detail. */
static void step_rewrite(struct strbuf *sb, const struct timeline *t, size_t i, bool color)
{
	struct ev_extra x;
	carry_in_timeline(t, i, &x);
	/* Its lead-in first, taken back when there is no rewrite to show
	 * (rw_step_text writes nothing or a whole text). */
	size_t at = sb->len;
	sb_append(sb, " ", 1);
	if (color)
		sb_puts(sb, BOLD);
	size_t body = sb->len;
	rw_step_text(sb, &t->ev[i], &x);
	if (sb->len == body) {
		sb->len = at;
		if (sb->s)
			sb->s[at] = '\0';
	} else if (color) {
		sb_puts(sb, RESET);
	}
}

/* A hint line is written in place: its lead-in first (hint_open, which
 * returns where the line starts), then the hint, then hint_close ends the
 * line, or takes it all back when there was no hint (said: 0, or no text). */
#define HINT_INDENT "                "
static size_t hint_open(struct strbuf *sb, bool color)
{
	size_t at = sb->len;
	sb_puts(sb, HINT_INDENT);
	if (color)
		sb_puts(sb, BOLD);
	sb_puts(sb, "hint: ");
	return at;
}

static void hint_close(struct strbuf *sb, size_t at, int said, bool color)
{
	size_t lead = sizeof(HINT_INDENT) - 1 + (color ? sizeof(BOLD) - 1 : 0) + 6;
	if (!said || sb->len <= at + lead) {
		sb->len = at;
		if (sb->s)
			sb->s[at] = '\0';
		return;
	}
	if (color)
		sb_puts(sb, RESET);
	sb_append(sb, "\n", 1);
}

/* A step's row of cells: its time since the first step, since the last,
 * the point, the namespace and the interface, all left-aligned. */
#define STEP_CELLS 5
static const int step_width[STEP_CELLS] = {10, 11, 18, 12, 10};

/* The row sb_columns_len lays out (each cell at its column, or one space
 * after an earlier cell that overflowed; the interface padded to its
 * width), written directly when every cell is plain ASCII, so a byte is a
 * column: positions first, then spaces under the whole row, then the
 * cells over them. Step rows are most of a replay's output: this is
 * sb_columns_len's own ASCII path (strbuf.c columns_ascii) with the widths
 * known when compiled, a third cheaper. Any other row goes through
 * sb_columns_len. */
static void step_row(struct strbuf *sb, const char *const v[STEP_CELLS], const size_t len[STEP_CELLS])
{
	size_t to[STEP_CELLS], now = 0, at = 0, need = 8;
	for (size_t i = 0; i < STEP_CELLS; i++) {
		to[i] = i && at < now + 1 ? now + 1 : at;
		now = to[i] + len[i];
		at += (size_t)step_width[i] + 1;
		need += len[i] + (size_t)step_width[i] + 1;
	}
	size_t last = (size_t)step_width[STEP_CELLS - 1];
	size_t end = len[STEP_CELLS - 1] < last ? to[STEP_CELLS - 1] + last : now; /* the last cell padded */
	if (sb_reserve(sb, need))
		return;
	char *row = sb->s + sb->len;
	for (size_t k = 0; k < end; k += 8) /* room for the overshoot reserved: need counts 8 more */
		memcpy(row + k, "        ", 8);
	uint64_t high = 0;
	for (size_t i = 0; i < STEP_CELLS; i++)
		high |= sb_copy_or(row + to[i], v[i], len[i]);
	if (!(high & 0x8080808080808080ull)) {
		sb->len += end;
		sb->s[sb->len] = '\0';
		return;
	}
	/* A byte that is not ASCII (a recorded function's name): by display width. */
	sb->s[sb->len] = '\0';
	struct sb_col cols[STEP_CELLS];
	for (size_t i = 0; i < STEP_CELLS; i++)
		cols[i] = (struct sb_col){v[i], -step_width[i], i + 1 == STEP_CELLS};
	sb_columns_len(sb, cols, len, STEP_CELLS);
}

void fmt_timeline_owner(struct strbuf *sb, const struct timeline *t)
{
	/* Who the packet belongs to: the first socket owner any step saw. */
	for (size_t i = 0; i < t->n; i++)
		if (t->ev[i].have & PP_HAVE_OWNER) {
			char comm[72];
			escape_name16(t->ev[i].owner.comm, sizeof(t->ev[i].owner.comm), comm, sizeof(comm));
			sb_puts(sb, " owner ");
			sb_putu(sb, t->ev[i].owner.tgid);
			sb_puts(sb, " (");
			sb_puts(sb, comm);
			sb_append(sb, ")", 1);
			/* Its container, pod or service, when the cgroup says. */
			cg_text(sb, t->ev[i].owner.cgroup, rs_cgroup_path(t->ev[i].owner.cgroup));
			return;
		}
}

void fmt_timeline(struct strbuf *sb, const struct timeline *t, uint64_t seq, const struct fmt_ctx *ctx,
		  bool color)
{
	if (!t->n)
		return;
	/* The header describes the packet as first decoded with an IP header. */
	const struct pp_event *head = tl_head(t);
	if (color)
		sb_puts(sb, BOLD);
	sb_append(sb, "#", 1);
	sb_putu(sb, seq);
	sb_append(sb, " ", 1);
	fmt_packet(sb, head);
	fmt_timeline_owner(sb, t);
	sb_puts(sb, " skb 0x");
	sb_putx(sb, t->skb);
	if (color)
		sb_puts(sb, RESET);
	sb_puts(sb, end_note(t->end));
	if (t->gap)
		sb_puts(sb, " [events lost meanwhile: may be incomplete]");
	sb_append(sb, "\n", 1);
	uint64_t neigh_wait = tl_neigh_wait(t);
	bool neigh_seen = false;
	bool rewrites = !rw_none(t->ev, t->n); /* else no step has one to show: not asked step by step */

	uint64_t t0 = t->ev[0].ts_ns, prev = t0;
	for (size_t i = 0; i < t->n; i++) {
		const struct pp_event *e = &t->ev[i];
		char pbuf[24];
		const char *point = probe_point_name(e, pbuf, sizeof(pbuf));
		char d[DURATION_LEN], tot[DURATION_LEN + 1], step[DURATION_LEN + 3] = "", ns[64], ifn[72];
		tot[0] = '+';
		size_t totl = 1 + duration_str(tot + 1, e->ts_ns - t0), stepl = 0;
		if (i) {
			size_t k = duration_str(step + 2, e->ts_ns - prev);
			step[0] = '(';
			step[1] = '+';
			step[k + 2] = ')';
			step[k + 3] = '\0';
			stepl = k + 3;
		}
		size_t nsl = ev_netns(e, ns, sizeof(ns));
		size_t ifnl = ev_ifname(e, ifn, sizeof(ifn));
		/* Aligned by display width: an escaped name wider than its
		 * column does not push the step's detail out of line. */
		const char *const cells[STEP_CELLS] = {tot, step, point, ns, ifn};
		const size_t lens[STEP_CELLS] = {totl, stepl, strlen(point), nsl, ifnl};
		sb_append(sb, "    ", 4);
		step_row(sb, cells, lens);
		sb_append(sb, " ", 1);
		if ((e->step & PP_STEP_DEV_TX) && neigh_seen && neigh_wait) {
			/* The named step: the wait from before the probe to this transmit. */
			duration_str(d, neigh_wait);
			sb_printf(sb, "neighbour resolved after %s; ", d);
			neigh_wait = 0;
		}
		step_detail(sb, e, ctx, color);
		if (rewrites)
			step_rewrite(sb, t, i, color);
		sb_append(sb, "\n", 1);
		if (e->step & PP_STEP_NEIGH)
			neigh_seen = true;
		prev = e->ts_ns;
		if (e->probe == PP_PROBE_DROP) {
			fmt_stack_indent(sb, e, ctx, 16);
			size_t at = hint_open(sb, color);
			hint_close(sb, at, ev_hint(sb, e, ctx), color);
		} else if (e->probe == PP_PROBE_FREE) {
			size_t at = hint_open(sb, color); /* a loss the kernel frees as consumed */
			hint_close(sb, at, ev_silent(sb, e, ctx, ev_last_netns(t->ev, i + 1)), color);
		}
	}
	if (t->extra)
		sb_printf(sb, "    ... %" PRIu64 " more events not kept (at most %d a packet)\n", t->extra,
			  TL_MAX_EVENTS);
}
