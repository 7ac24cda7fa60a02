/* Drop-reason numbers -> names, read from the running kernel's BTF enum
 * skb_drop_reason: the numbering changes between kernels, so there is no
 * built-in table. */
#ifndef PKTPATH_DROPREASON_H
#define PKTPATH_DROPREASON_H
#include <stdint.h>

struct btf;
struct dropreasons;

/* NULL with errno=ENOENT when the kernel has no such enum (before 5.17). */
struct dropreasons *dropreasons_load(const struct btf *btf);
void dropreasons_free(struct dropreasons *dr);

/* "NO_SOCKET" for SKB_DROP_REASON_NO_SOCKET; NULL for an unknown value. */
const char *dropreasons_name(const struct dropreasons *dr, uint32_t value);
uint32_t dropreasons_count(const struct dropreasons *dr);

/* For recordings: values run from 0 to span - 1 (names may be NULL in
 * between); a table built by hand (replay) starts empty. */
uint32_t dropreasons_span(const struct dropreasons *dr);
struct dropreasons *dropreasons_new(uint32_t span); /* span <= 65536 */
int dropreasons_set(struct dropreasons *dr, uint32_t value, const char *name);

#endif
