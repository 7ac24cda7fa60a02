/* Per-packet timelines: events grouped by skb address, closed at a drop
 * or a free (or after an idle time), each handed out once, complete and
 * sorted by time. Pure code: no BPF, no clock of its own (the caller
 * passes "now" in the events' clock, CLOCK_MONOTONIC ns). */
#ifndef PKTPATH_TIMELINE_H
#define PKTPATH_TIMELINE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf/event.h"
#include "bpf/ident.h"

/* Why a timeline was handed out. */
enum tl_end {
	TL_END_DROP = 1, /* ended at kfree_skb */
	TL_END_FREE,     /* ended at consume_skb */
	TL_END_IDLE,     /* no event for --idle: its end was not seen */
	TL_END_EVICTED,  /* flushed early: --max-open timelines were open */
	TL_END_REUSED,   /* its address carried another packet: end not seen */
	TL_END_EXIT,     /* still open when pktpath stopped */
	TL_END_DELIVERED, /* a UDP datagram copied to its reader: its end in practice */
	TL_END_MAX
};

/* A timeline keeps at most this many events; more are counted, not kept,
 * so one address reused without a visible free cannot grow without bound. */
#define TL_MAX_EVENTS 64
/* Events lost this long before a packet's first event may have been its
 * own (its earlier steps): such a timeline is marked. */
#define TL_LOST_WINDOW_MS 10
#define TL_LOST_SLOTS 16

struct timeline {
	uint64_t skb;
	struct pp_event *ev; /* sorted by ts_ns when handed out */
	size_t n, cap;
	uint64_t extra;      /* events beyond TL_MAX_EVENTS, not kept */
	uint64_t last_ts;    /* latest event time */
	uint64_t end_ts;     /* time of the drop/free event, if ended */
	enum tl_end end;     /* 0 while open */
	long id_ev;          /* index of the first event with an IP header, -1 */
	struct pp_ident ident; /* where its packet is on its path (cmd/model/ident.c) */
	uint64_t lost_lo, lost_hi; /* range of its events' lost_seen */
	uint64_t lost_before; /* events lost as far as known when it began */
	bool gap;            /* events may be missing: some were lost while it was open */
	uint32_t copies;     /* copies of the packet joined to it (PP_STEP_COPY) */
	/* private */
	struct timeline *hnext;          /* hash chain */
	struct timeline *prev, *next;    /* open: by last activity; ended: by end */
};

/* Called once per timeline; the timeline is freed after it returns. */
typedef void (*tl_emit_fn)(void *arg, const struct timeline *t);

struct tl_stats {
	uint64_t emitted;
	uint64_t by_end[TL_END_MAX];
	uint64_t gaps;       /* timelines marked: events lost while they were open */
	uint64_t copies;     /* copies joined to their original */
	uint64_t ends_alone; /* memory releases of packets with no other event kept */
	uint64_t events_cut; /* events dropped by the TL_MAX_EVENTS cap */
	uint64_t nomem;      /* events lost to a failed allocation */
};

struct tl_list {
	struct timeline *head, *tail;
};

struct tl_table {
	struct timeline **buckets;
	size_t nbuckets; /* power of two */
	size_t open;     /* timelines held (open and ended-in-grace) */
	size_t max_open;
	uint64_t idle_ns;  /* open timelines idle this long are flushed */
	uint64_t grace_ns; /* ended timelines wait this long for late events */
	struct tl_list active, ended;
	tl_emit_fn emit;
	void *arg;
	struct tl_stats st;
	struct timeline *spare; /* emitted ones kept for reuse (chained by hnext) */
	size_t nspare;
	uint64_t lost_now; /* the largest pp_event.lost_seen so far */
	/* lost_now as it was when each of the latest milliseconds began (by
	 * the events' clock): what was lost shortly before a packet's first
	 * event may have been its beginning. */
	struct {
		uint64_t ms, first, last; /* lost_now before its first event, after its last */
	} lost_at[TL_LOST_SLOTS];
};

/* 0, or -1 (errno set). max_open >= 1. */
int tl_init(struct tl_table *t, size_t max_open, uint64_t idle_ns, uint64_t grace_ns,
	    tl_emit_fn emit, void *arg);
/* Adds one event; may emit timelines (an evicted one, or a finished one
 * whose address is reused). An open timeline whose address shows up with
 * a different packet (cmd/model/ident.c decides) is emitted as TL_END_REUSED: its
 * free happened where pktpath does not look. An end event of an address
 * with no timeline, whose data buffer an open timeline's packet has, is a
 * copy of that packet and joins it, marked (PP_STEP_COPY; PP_STEP_NEIGH for
 * the neighbour probe's copy of a packet waiting to be transmitted). A
 * timeline is marked (gap) when events were lost while it was open. */
void tl_add(struct tl_table *t, const struct pp_event *e);

/* The event that describes the packet: the first decoded with an IP
 * header, else the first with bytes to decode (ARP), else the first. t
 * must hold at least one event. */
const struct pp_event *tl_head(const struct timeline *t);
/* Emits ended timelines past their grace and open ones idle past --idle. */
void tl_expire(struct tl_table *t, uint64_t now_ns);
/* Emits everything still held (ended ones as ended, open ones as EXIT). */
void tl_flush_all(struct tl_table *t);
void tl_free(struct tl_table *t);

const char *tl_end_name(enum tl_end end);
/* The neighbour wait: from the event before the neighbour probe's copy
 * was freed to the device transmit after it, in ns; 0: none (or not seen). */
uint64_t tl_neigh_wait(const struct timeline *t);

#endif
