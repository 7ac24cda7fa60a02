#include "kernel/kfuncs.h"

#include <bpf/btf.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct kfuncs {
	const struct btf *vmlinux;
	struct btf **mods; /* split BTF of each loaded module, parsed once */
	size_t nmods;
	bool mods_loaded;
	char **traceable; /* sorted, unique */
	size_t ntraceable;
	bool traceable_loaded;
	const char *source;
	/* Test switch: PKTPATH_TEST_HIDE_FUNCS="f1,f2" makes these functions
	 * look absent, to prove a missing point degrades to one warning. */
	const char *hidden;
};

static bool hidden(const struct kfuncs *k, const char *name)
{
	size_t len = strlen(name);
	for (const char *c = k->hidden; c && *c;) {
		size_t w = strcspn(c, ",");
		if (w == len && !strncmp(c, name, len))
			return true;
		c += w + (c[w] == ',');
	}
	return false;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void load_modules(struct kfuncs *k)
{
	k->mods_loaded = true;
	DIR *d = opendir("/sys/kernel/btf");
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || !strcmp(de->d_name, "vmlinux"))
			continue;
		char path[512];
		snprintf(path, sizeof(path), "/sys/kernel/btf/%s", de->d_name);
		struct btf *b = btf__parse_split(path, (struct btf *)k->vmlinux);
		if (!b)
			continue;
		struct btf **v = realloc(k->mods, (k->nmods + 1) * sizeof(*v));
		if (!v) {
			btf__free(b);
			break;
		}
		k->mods = v;
		k->mods[k->nmods++] = b;
	}
	closedir(d);
}

/* Adds each line's first word of path (or kallsyms' text symbols). */
static bool load_list(struct kfuncs *k, const char *path, bool kallsyms)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	char *line = NULL;
	size_t cap = 0, alloc = 0;
	bool ok = true;
	while (getline(&line, &cap, f) > 0) {
		char *name = line, *sp;
		if (kallsyms) { /* "addr type name [module]" */
			char *t = strchr(line, ' ');
			if (!t || (t[1] != 't' && t[1] != 'T') || t[2] != ' ')
				continue;
			name = t + 3;
		}
		if ((sp = strpbrk(name, " \t\n")))
			*sp = '\0';
		if (!*name)
			continue;
		if (k->ntraceable == alloc) {
			size_t n = alloc ? alloc * 2 : 65536;
			char **v = realloc(k->traceable, n * sizeof(*v));
			if (!v) {
				ok = false;
				break;
			}
			k->traceable = v;
			alloc = n;
		}
		if (!(k->traceable[k->ntraceable] = strdup(name))) {
			ok = false;
			break;
		}
		k->ntraceable++;
	}
	free(line);
	fclose(f);
	if (k->ntraceable)
		qsort(k->traceable, k->ntraceable, sizeof(*k->traceable), cmp_str);
	/* An empty list (tracefs readable but ftrace off) says nothing. */
	return ok && k->ntraceable > 0;
}

static void load_traceable(struct kfuncs *k)
{
	k->traceable_loaded = true;
	if (load_list(k, "/sys/kernel/tracing/available_filter_functions", false))
		k->source = "available_filter_functions";
	else if (load_list(k, "/sys/kernel/debug/tracing/available_filter_functions", false))
		k->source = "available_filter_functions";
	else if (load_list(k, "/proc/kallsyms", true))
		k->source = "kallsyms (tracefs not mounted)";
	else
		k->source = "nothing readable";
}

struct kfuncs *kfuncs_open(const struct btf *vmlinux)
{
	struct kfuncs *k = calloc(1, sizeof(*k));
	if (!k)
		return NULL;
	k->vmlinux = vmlinux;
	k->hidden = getenv("PKTPATH_TEST_HIDE_FUNCS");
	return k;
}

void kfuncs_free(struct kfuncs *k)
{
	if (!k)
		return;
	for (size_t i = 0; i < k->nmods; i++)
		btf__free(k->mods[i]);
	free(k->mods);
	for (size_t i = 0; i < k->ntraceable; i++)
		free(k->traceable[i]);
	free(k->traceable);
	free(k);
}

const struct btf_type *kfuncs_proto(struct kfuncs *k, const char *name, const struct btf **btf_out)
{
	const struct btf *b = k->vmlinux;
	if (hidden(k, name))
		return NULL;
	int id = btf__find_by_name_kind(b, name, BTF_KIND_FUNC);
	if (id < 0) {
		if (!k->mods_loaded)
			load_modules(k);
		for (size_t i = 0; i < k->nmods && id < 0; i++) {
			b = k->mods[i];
			id = btf__find_by_name_kind(b, name, BTF_KIND_FUNC);
		}
	}
	if (id < 0)
		return NULL;
	const struct btf_type *f = btf__type_by_id(b, (unsigned)id);
	const struct btf_type *p = f ? btf__type_by_id(b, f->type) : NULL;
	if (!p || !btf_is_func_proto(p))
		return NULL;
	*btf_out = b;
	return p;
}

static const struct btf_type *skip_mods(const struct btf *btf, unsigned id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	while (t && (btf_is_mod(t) || btf_is_typedef(t)))
		t = btf__type_by_id(btf, t->type);
	return t;
}

static bool is_ptr_to(const struct btf *btf, unsigned type, const char *sname, int depth)
{
	const struct btf_type *t = skip_mods(btf, type);
	for (int i = 0; i < depth; i++) {
		if (!t || !btf_is_ptr(t))
			return false;
		t = skip_mods(btf, t->type);
	}
	return t && (btf_is_struct(t) || btf_is_fwd(t)) && !strcmp(btf__name_by_offset(btf, t->name_off), sname);
}

int kfuncs_param_by_type(const struct btf *btf, const struct btf_type *proto, const char *sname, int depth)
{
	const struct btf_param *p = btf_params(proto);
	for (int i = 0; i < btf_vlen(proto); i++)
		if (is_ptr_to(btf, p[i].type, sname, depth))
			return i;
	return -1;
}

int kfuncs_param_by_name(const struct btf *btf, const struct btf_type *proto, const char *names)
{
	const struct btf_param *p = btf_params(proto);
	for (int i = 0; i < btf_vlen(proto); i++) {
		const char *n = btf__name_by_offset(btf, p[i].name_off);
		size_t len = n ? strlen(n) : 0;
		for (const char *c = names; len && *c;) {
			size_t w = strcspn(c, "|");
			if (w == len && !strncmp(c, n, len))
				return i;
			c += w + (c[w] == '|');
		}
	}
	return -1;
}

bool kfuncs_traceable(struct kfuncs *k, const char *name)
{
	if (!k->traceable_loaded)
		load_traceable(k);
	return k->ntraceable && bsearch(&name, k->traceable, k->ntraceable, sizeof(*k->traceable), cmp_str);
}

size_t kfuncs_nmodules(struct kfuncs *k)
{
	if (!k->mods_loaded)
		load_modules(k);
	return k->nmods;
}

const char *kfuncs_traceable_source(const struct kfuncs *k)
{
	return k->source ? k->source : "not read yet";
}

static size_t each_in(const struct btf *btf, unsigned first, void (*cb)(void *, const char *, int), void *arg)
{
	size_t n = 0;
	unsigned end = btf__type_cnt(btf);
	for (unsigned id = first; id < end; id++) {
		const struct btf_type *f = btf__type_by_id(btf, id);
		if (!btf_is_func(f))
			continue;
		const struct btf_type *p = btf__type_by_id(btf, f->type);
		if (!p || !btf_is_func_proto(p))
			continue;
		int idx = kfuncs_param_by_type(btf, p, "sk_buff", 1);
		if (idx < 0 || idx > 4)
			continue;
		cb(arg, btf__name_by_offset(btf, f->name_off), idx);
		n++;
	}
	return n;
}

size_t kfuncs_each_skb_func(struct kfuncs *k, void (*cb)(void *arg, const char *name, int skb_idx), void *arg)
{
	size_t n = each_in(k->vmlinux, 1, cb, arg);
	if (!k->mods_loaded)
		load_modules(k);
	unsigned base = btf__type_cnt(k->vmlinux);
	for (size_t i = 0; i < k->nmods; i++)
		n += each_in(k->mods[i], base, cb, arg);
	return n;
}
