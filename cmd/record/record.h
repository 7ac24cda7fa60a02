/* --record FILE: the events as they reach the front end, plus everything a
 * replay (-r, cmd/record/replay.c) needs to print them again on another machine:
 * kernel release, the function table, drop-reason names, the clock offset,
 * timer ticks, and every answer the resolver (cmd/record/resolve.h) gave.
 * The format is in docs/record-format.md. Every function accepts NULL (no
 * recording) and does nothing then. */
#ifndef PKTPATH_RECORD_H
#define PKTPATH_RECORD_H
#include <stddef.h>
#include <stdint.h>

#include "bpf/capture_rec.h"
#include "bpf/event.h"

#define REC_MAGIC "PKTPATHR"
/* 4: events carry vlan_tci, vlan_proto, raw_len and raw (decoding beyond
 * IP), and `have` is 32 bits; 3: events carry the packet identity (head, lost_seen, tcp_seq, ip_id,
 * step, id_have); 2: answer kinds 5-11 (cmd/record/resolve.h). Older files hold
 * events of another layout: refused with one line. */
#define REC_VERSION 4
#define REC_VERSION_MIN 4
#define REC_BOM 0x01020304u
#define REC_MAX_PAYLOAD (1u << 20) /* no record is longer */

enum rec_type {
	REC_META = 1,    /* u64 wall-clock offset (ns), kernel release (text) */
	REC_FUNCS = 2,   /* the function table: { u16 len, name } each, id order */
	REC_REASONS = 3, /* u32 span, then { u32 value, u16 len, name } each */
	REC_EVENT = 4,   /* struct pp_event */
	REC_CAPTURE = 5, /* struct pp_capture (-w) */
	REC_TICK = 6,    /* u64 CLOCK_MONOTONIC ns: the front end's timer ran */
	REC_ANSWER = 7,  /* u16 kind, u16 0, u32 klen, u64 seq, key, value */
	REC_END = 8,     /* u64 lost, u64 produced, u64 untracked */
	REC_TYPE_MAX
};

struct rec_header {
	char magic[8];       /* REC_MAGIC */
	uint32_t bom;        /* REC_BOM in the writer's byte order */
	uint16_t version;    /* REC_VERSION */
	uint16_t header_len; /* sizeof(struct rec_header) */
	uint32_t event_size; /* sizeof(struct pp_event) */
	uint32_t capture_size; /* sizeof(struct pp_capture) */
};

struct rec_hdr {
	uint16_t type;
	uint16_t zero;
	uint32_t len; /* payload bytes that follow */
};

struct dropreasons;
struct recorder;

/* Opens path for writing, writes the header, META and REASONS, and routes
 * the resolver's answers into it. NULL with a sentence in err. */
struct recorder *rec_open(const char *path, const struct dropreasons *dr, int64_t wall_offset_ns, char *err,
			  size_t errlen);
void rec_event(struct recorder *r, const struct pp_event *e);
void rec_capture(struct recorder *r, const struct pp_capture *c);
void rec_tick(struct recorder *r, uint64_t now_ns);
void rec_end(struct recorder *r, uint64_t lost, uint64_t produced, uint64_t untracked);
/* Flushes and closes; 0, or -1 with a sentence in err (a write failed). */
int rec_close(struct recorder *r, char *err, size_t errlen);

/* CLOCK_REALTIME - CLOCK_MONOTONIC now, in ns: event times + this = wall time. */
int64_t rec_wall_offset(void);

#endif
