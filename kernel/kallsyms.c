#include "kernel/kallsyms.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ksym {
	uint64_t addr;
	char *name;
	char *module; /* NULL for vmlinux */
};

struct ksyms {
	struct ksym *syms;
	size_t n, cap;
};

static int cmp_addr(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int push(struct ksyms *ks, uint64_t addr, const char *name, const char *mod)
{
	if (ks->n == ks->cap) {
		size_t cap = ks->cap ? ks->cap * 2 : 4096;
		struct ksym *s = realloc(ks->syms, cap * sizeof(*s));
		if (!s)
			return -1;
		ks->syms = s;
		ks->cap = cap;
	}
	struct ksym *k = &ks->syms[ks->n];
	k->addr = addr;
	k->name = strdup(name);
	k->module = mod ? strdup(mod) : NULL;
	if (!k->name || (mod && !k->module)) {
		free(k->name);
		free(k->module);
		return -1;
	}
	ks->n++;
	return 0;
}

struct ksyms *ksyms_load(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	struct ksyms *ks = calloc(1, sizeof(*ks));
	char *line = NULL;
	size_t cap = 0;
	int nonzero = 0;
	if (!ks)
		goto fail;
	while (getline(&line, &cap, f) > 0) {
		/* "ffffffff81000000 T _stext" or "... t name\t[module]" */
		char *save = NULL;
		char *a = strtok_r(line, " \t\n", &save);
		char *type = strtok_r(NULL, " \t\n", &save);
		char *name = strtok_r(NULL, " \t\n", &save);
		char *mod = strtok_r(NULL, " \t\n", &save);
		if (!a || !type || !name)
			continue;
		/* Only code symbols can be a stack frame or a drop location. */
		if (type[0] != 't' && type[0] != 'T' && type[0] != 'w' && type[0] != 'W')
			continue;
		char *end;
		uint64_t addr = strtoull(a, &end, 16);
		if (*end)
			continue;
		if (addr)
			nonzero = 1;
		if (mod && mod[0] == '[') {
			mod++;
			mod[strcspn(mod, "]")] = '\0';
		} else {
			mod = NULL;
		}
		if (push(ks, addr, name, mod))
			goto fail;
	}
	free(line);
	fclose(f);
	if (!nonzero) {
		ksyms_free(ks);
		errno = EPERM;
		return NULL;
	}
	qsort(ks->syms, ks->n, sizeof(*ks->syms), cmp_addr);
	return ks;
fail:
	free(line);
	fclose(f);
	ksyms_free(ks);
	errno = ENOMEM;
	return NULL;
}

void ksyms_free(struct ksyms *ks)
{
	if (!ks)
		return;
	for (size_t i = 0; i < ks->n; i++) {
		free(ks->syms[i].name);
		free(ks->syms[i].module);
	}
	free(ks->syms);
	free(ks);
}

size_t ksyms_count(const struct ksyms *ks)
{
	return ks ? ks->n : 0;
}

int ksyms_format(const struct ksyms *ks, uint64_t addr, char *buf, size_t len)
{
	size_t lo = 0, hi = ks ? ks->n : 0;
	/* The last symbol whose address is <= addr. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ks->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0) {
		snprintf(buf, len, "0x%" PRIx64, addr);
		return -1;
	}
	const struct ksym *k = &ks->syms[lo - 1];
	if (k->module)
		snprintf(buf, len, "%s+0x%" PRIx64 " [%s]", k->name, addr - k->addr, k->module);
	else
		snprintf(buf, len, "%s+0x%" PRIx64, k->name, addr - k->addr);
	return 0;
}

uint64_t ksyms_addr(const struct ksyms *ks, const char *name)
{
	for (size_t i = 0; ks && i < ks->n; i++)
		if (strcmp(ks->syms[i].name, name) == 0)
			return ks->syms[i].addr;
	return 0;
}
