/* The resolver: every name or answer the front end looks up while it
 * prints (kernel symbols, stack map contents, namespace names, route
 * look-ups) goes through here, so a recording can hold the answers and a
 * replay (-r) can give them back without the machine they came from.
 *
 * Modes:
 *  - live (default): straight through to kernel/ and netlib/, no cost;
 *  - recording: straight through, and each answer that is new for its key
 *    (or differs from the last one recorded for it) goes to the sink,
 *    tagged with the look-up's sequence number;
 *  - replay: answers come from what was loaded with rs_replay_add().
 *
 * Every call counts one look-up, in recording and in replay alike: the
 * same output code makes the same calls in the same order, so a replay
 * finds, for look-up number N, the answer that was current at N live.
 *
 * Adding a look-up: give it an enum rs_kind (append only: recorded files
 * use the numbers) and a wrapper in resolve.c built on rs_answer(); call
 * the wrapper where the output code used the live function. */
#ifndef PKTPATH_RESOLVE_H
#define PKTPATH_RESOLVE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cmd/render/format.h"

struct ksyms;

enum rs_kind {
	RS_KSYM = 1,  /* key u64 address -> i32 rc, "func+0xoff [mod]" */
	RS_STACK = 2, /* key i32 stack id -> u64 addresses */
	RS_NETNS = 3, /* key u32 inode -> u8 found, name */
	RS_ROUTE = 4, /* key u32 netns, u32 family, 16 bytes dst -> i32 rc, text */
	RS_NFT = 5,   /* key u32 netns, u32 0, u64 ts, u64 skb -> i32 rc, text (cmd/attach/explain.h) */
	RS_ROUTE_KIND = 6, /* key as RS_ROUTE -> i32 rc, text (route_kind) */
	RS_TC = 7,    /* key u32 netns, u32 ifindex, u32 ingress -> i32 rc, text (tc_describe) */
	RS_QDISC = 8, /* key u32 netns, u32 ifindex -> i32 rc, text (qdisc_describe) */
	RS_COUNTERS = 9, /* key u32 0 -> i32 rc, text (explain_counters_live) */
	RS_SILENT = 10,  /* key as RS_NFT -> i32 rc, text (explain_silent_live) */
	RS_CGROUP = 11, /* key u64 cgroup id -> u8 found, path (cgroup2, from its root) */
	RS_KIND_MAX
};

/* Where a recording's answers go. */
typedef void (*rs_sink)(void *arg, uint16_t kind, uint64_t seq, const void *key, uint32_t klen,
			const void *val, uint32_t vlen);

void rs_record(rs_sink sink, void *arg); /* recording from now on */
void rs_replay(void);                    /* replay mode: answers from rs_replay_add() only */
/* Loads one recorded answer; answers for a key must come in seq order.
 * -1 when out of memory. */
int rs_replay_add(uint16_t kind, uint64_t seq, const void *key, uint32_t klen, const void *val, uint32_t vlen);
void rs_free(void); /* back to live mode, everything forgotten */

/* The wrappers: same contract as the functions they stand for. */
int rs_ksym(const struct ksyms *ks, uint64_t addr, char *buf, size_t len);
const char *rs_netns_name(uint32_t inode);
const char *rs_cgroup_path(uint64_t id);
int rs_route(uint32_t netns, int family, const uint8_t *dst, char *out, size_t len);
int rs_nft(const struct pp_event *e, char *out, size_t len);
int rs_tc(uint32_t netns, uint32_t ifindex, bool ingress, char *out, size_t len);
int rs_qdisc(uint32_t netns, uint32_t ifindex, char *out, size_t len);
int rs_counters(char *out, size_t len);
int rs_silent(const struct pp_event *e, char *out, size_t len);
int rs_route_kind(uint32_t netns, int family, const uint8_t *dst, char *out, size_t len);

/* For caches of what the output code makes of answers (a stack's frame
 * names, which a replay would otherwise look up frame by frame each time a
 * drop prints). rs_fixed_epoch() is nonzero only in replay mode, and
 * changes whenever answers are added or forgotten; while it stays the
 * same, what rs_frames_fixed() said stays true. rs_frames_fixed: reading
 * stack id through ctx (the resolver's reader) and naming the addresses
 * ips gives the same answers whatever the look-ups' numbers (at most one
 * answer recorded for each). rs_skip(n) counts n look-ups without making
 * them: a cached result leaves the later look-ups' numbers as they would
 * have been. */
uint64_t rs_fixed_epoch(void);
bool rs_frames_fixed(const struct fmt_ctx *ctx, int32_t id, const uint64_t *ips, size_t n);
/* The same for the name of namespace inode. */
bool rs_netns_fixed(uint32_t inode);
void rs_skip(uint64_t n);
/* Routes ctx's stack reads through the resolver (keeps the live reader,
 * if any, for live and recording modes). */
void rs_wrap_stacks(struct fmt_ctx *ctx);

#endif
