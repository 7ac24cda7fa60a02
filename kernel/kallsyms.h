/* Kernel addresses -> "func+0xoff" from /proc/kallsyms. */
#ifndef PKTPATH_KALLSYMS_H
#define PKTPATH_KALLSYMS_H
#include <stddef.h>
#include <stdint.h>

struct ksyms;

/* Loads and sorts the symbol table at path (normally /proc/kallsyms).
 * NULL with errno set on failure; an all-zero table (no privilege to see
 * addresses) gives EPERM. */
struct ksyms *ksyms_load(const char *path);
void ksyms_free(struct ksyms *ks);
size_t ksyms_count(const struct ksyms *ks);

/* Writes "func+0xoff" (with " [module]" for module symbols) into buf.
 * Returns 0, or -1 with "0x<addr>" written when no symbol covers addr. */
int ksyms_format(const struct ksyms *ks, uint64_t addr, char *buf, size_t len);

/* The address of a symbol by exact name, 0 if absent. */
uint64_t ksyms_addr(const struct ksyms *ks, const char *name);

#endif
