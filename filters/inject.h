/* Puts a translated filter into the stub sub-programs pp_filter_l3 and
 * pp_filter_l2 of every BPF program in a "pktpath/raw_tp/TRACEPOINT"
 * section while libbpf loads it. libbpf's own raw_tp handler is left
 * alone: these sections are claimed by a handler of ours, which also
 * attaches them (bpf_program__attach, skeleton attach). */
#ifndef PKTPATH_INJECT_H
#define PKTPATH_INJECT_H

struct btf;
struct pp_filter;

#define INJECT_SEC_PREFIX "pktpath/raw_tp/"

/* Registers the section handler. Call before opening any BPF object
 * with such sections (libbpf resolves sections at open). 0 or -errno. */
int inject_register(void);

/* Filter to inject into the programs loaded from now on (NULL: leave
 * the stubs as they are), and the BTF of their object (bpf_object__btf),
 * which names the stubs. The filter must outlive the load. */
void inject_set(const struct pp_filter *f, const struct btf *btf);

/* Releases what the loads since inject_set needed; call once the object
 * is loaded (or failed to). */
void inject_release(void);

#endif
