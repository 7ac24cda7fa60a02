#include "kernel/dropreason.h"

#include <bpf/btf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct dropreasons {
	char **names; /* indexed by value; NULL where the enum has no entry */
	uint32_t n;
};

static const char *strip_prefix(const char *name)
{
	static const char *const prefixes[] = {"SKB_DROP_REASON_", "SKB_"};
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t l = strlen(prefixes[i]);
		if (strncmp(name, prefixes[i], l) == 0 && name[l])
			return name + l;
	}
	return name;
}

struct dropreasons *dropreasons_load(const struct btf *btf)
{
	int id = btf__find_by_name_kind(btf, "skb_drop_reason", BTF_KIND_ENUM);
	if (id < 0) {
		errno = ENOENT;
		return NULL;
	}
	const struct btf_type *t = btf__type_by_id(btf, id);
	const struct btf_enum *e = btf_enum(t);
	uint16_t vlen = btf_vlen(t);
	uint32_t max = 0;
	for (uint16_t i = 0; i < vlen; i++)
		if ((uint32_t)e[i].val > max && (uint32_t)e[i].val < 65536)
			max = e[i].val;

	struct dropreasons *dr = calloc(1, sizeof(*dr));
	if (!dr)
		return NULL;
	dr->n = max + 1;
	dr->names = calloc(dr->n, sizeof(*dr->names));
	if (!dr->names)
		goto fail;
	for (uint16_t i = 0; i < vlen; i++) {
		uint32_t v = e[i].val;
		const char *name = btf__name_by_offset(btf, e[i].name_off);
		/* SKB_DROP_REASON_MAX and subsystem markers are not reasons. */
		if (v >= dr->n || !name || dr->names[v] || strcmp(name, "SKB_DROP_REASON_MAX") == 0)
			continue;
		dr->names[v] = strdup(strip_prefix(name));
		if (!dr->names[v])
			goto fail;
	}
	return dr;
fail:
	dropreasons_free(dr);
	errno = ENOMEM;
	return NULL;
}

void dropreasons_free(struct dropreasons *dr)
{
	if (!dr)
		return;
	for (uint32_t i = 0; i < dr->n; i++)
		free(dr->names[i]);
	free(dr->names);
	free(dr);
}

const char *dropreasons_name(const struct dropreasons *dr, uint32_t value)
{
	if (!dr || value >= dr->n)
		return NULL;
	return dr->names[value];
}

uint32_t dropreasons_count(const struct dropreasons *dr)
{
	uint32_t c = 0;
	for (uint32_t i = 0; dr && i < dr->n; i++)
		c += dr->names[i] != NULL;
	return c;
}

uint32_t dropreasons_span(const struct dropreasons *dr)
{
	return dr ? dr->n : 0;
}

struct dropreasons *dropreasons_new(uint32_t span)
{
	if (span > 65536) {
		errno = EINVAL;
		return NULL;
	}
	struct dropreasons *dr = calloc(1, sizeof(*dr));
	if (!dr)
		return NULL;
	dr->n = span;
	dr->names = calloc(span ? span : 1, sizeof(*dr->names));
	if (!dr->names) {
		free(dr);
		return NULL;
	}
	return dr;
}

int dropreasons_set(struct dropreasons *dr, uint32_t value, const char *name)
{
	if (!dr || value >= dr->n)
		return -1;
	char *s = strdup(name);
	if (!s)
		return -1;
	free(dr->names[value]);
	dr->names[value] = s;
	return 0;
}
