/* Puts a translated filter into the stub sub-programs pp_filter_l3 and
 * pp_filter_l2 of every BPF program in a "pktpath/..." section while
 * libbpf loads it: "pktpath/raw_tp/TRACEPOINT" (attached by this handler
 * through bpf_program__attach), "pktpath/fentry/", "pktpath/fexit/",
 * "pktpath/kprobe/", "pktpath/kretprobe/" and "pktpath/kprobe_multi/"
 * (attached by the backend code, which knows function and cookie).
 * libbpf's own handlers are left alone: these sections are ours. */
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
