/* Kernel functions as the kernel describes them: which exist (BTF of
 * vmlinux and of loaded modules), their parameters, and which can be
 * traced (ftrace's available_filter_functions, else kallsyms). Used to
 * resolve the probe catalog and --wide without guessing from versions. */
#ifndef PKTPATH_KFUNCS_H
#define PKTPATH_KFUNCS_H
#include <stdbool.h>
#include <stddef.h>

struct btf;
struct btf_type;
struct kfuncs;

/* vmlinux must outlive the result. NULL without memory. */
struct kfuncs *kfuncs_open(const struct btf *vmlinux);
void kfuncs_free(struct kfuncs *k);

/* The BTF prototype of function name (vmlinux first, then modules);
 * *btf_out is the BTF it lives in. NULL when BTF has no such function, or
 * when the test switch PKTPATH_TEST_HIDE_FUNCS (comma-separated names)
 * hides it. */
const struct btf_type *kfuncs_proto(struct kfuncs *k, const char *name, const struct btf **btf_out);
/* Index of the first parameter that is `struct sname` behind `depth`
 * pointers (1: struct sname *, 2: struct sname **); -1 if none. */
int kfuncs_param_by_type(const struct btf *btf, const struct btf_type *proto, const char *sname, int depth);
/* Index of the parameter named one of names ("priv|table"); -1 if none. */
int kfuncs_param_by_name(const struct btf *btf, const struct btf_type *proto, const char *names);

/* Can fentry/kprobes reach it: listed in available_filter_functions, or,
 * when tracefs cannot be read, a text symbol in /proc/kallsyms. */
bool kfuncs_traceable(struct kfuncs *k, const char *name);
/* How many loaded modules expose BTF (0 before Linux 5.11). */
size_t kfuncs_nmodules(struct kfuncs *k);
/* Where the traceable list came from, for messages. */
const char *kfuncs_traceable_source(const struct kfuncs *k);

/* Calls cb for every vmlinux and module function taking a
 * `struct sk_buff *` among its first five parameters; returns how many. */
size_t kfuncs_each_skb_func(struct kfuncs *k, void (*cb)(void *arg, const char *name, int skb_idx), void *arg);

#endif
