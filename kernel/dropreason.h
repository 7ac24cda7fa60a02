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

#endif
