#include <config.h>

#include "report.h"

#include <stdlib.h>
#include <string.h>

#ifndef DF_1_PIE
#define DF_1_PIE 0x08000000
#endif

struct flag_name {
	uint64_t bit;
	const char *name;
};

static void names(const struct flag_name *tab, uint64_t flags, struct ak_sbuf *b)
{
	ak_sbuf_add(b, "");
	for (; tab->name; tab++)
		if (flags & tab->bit) {
			ak_sbuf_addf(b, "%s%s", b->len ? " " : "", tab->name);
			flags &= ~tab->bit;
		}
	if (flags)
		ak_sbuf_addf(b, "%s0x%llx", b->len ? " " : "", (unsigned long long)flags);
}

void ak_dt_flags_names(uint64_t flags, struct ak_sbuf *b)
{
	static const struct flag_name tab[] = {
		{ DF_ORIGIN, "ORIGIN" }, { DF_SYMBOLIC, "SYMBOLIC" }, { DF_TEXTREL, "TEXTREL" },
		{ DF_BIND_NOW, "BIND_NOW" }, { DF_STATIC_TLS, "STATIC_TLS" }, { 0, NULL }
	};
	names(tab, flags, b);
}

void ak_dt_flags_1_names(uint64_t flags, struct ak_sbuf *b)
{
	static const struct flag_name tab[] = {
		{ DF_1_NOW, "NOW" }, { DF_1_GLOBAL, "GLOBAL" }, { DF_1_GROUP, "GROUP" },
		{ DF_1_NODELETE, "NODELETE" }, { DF_1_LOADFLTR, "LOADFLTR" },
		{ DF_1_INITFIRST, "INITFIRST" }, { DF_1_NOOPEN, "NOOPEN" }, { DF_1_ORIGIN, "ORIGIN" },
		{ DF_1_DIRECT, "DIRECT" }, { DF_1_INTERPOSE, "INTERPOSE" }, { DF_1_NODEFLIB, "NODEFLIB" },
		{ DF_1_NODUMP, "NODUMP" }, { DF_1_CONFALT, "CONFALT" }, { DF_1_ENDFILTEE, "ENDFILTEE" },
		{ DF_1_DISPRELDNE, "DISPRELDNE" }, { DF_1_DISPRELPND, "DISPRELPND" },
		{ DF_1_NODIRECT, "NODIRECT" }, { DF_1_IGNMULDEF, "IGNMULDEF" }, { DF_1_NOKSYMS, "NOKSYMS" },
		{ DF_1_NOHDR, "NOHDR" }, { DF_1_EDITED, "EDITED" }, { DF_1_NORELOC, "NORELOC" },
		{ DF_1_SYMINTPOSE, "SYMINTPOSE" }, { DF_1_GLOBAUDIT, "GLOBAUDIT" },
		{ DF_1_SINGLETON, "SINGLETON" }, { DF_1_PIE, "PIE" }, { 0, NULL }
	};
	names(tab, flags, b);
}

void ak_json_flag_array(struct ak_json *j, const char *key, const char *list)
{
	char *copy = ak_xstrdup(list), *save = NULL;

	ak_json_key(j, key);
	ak_json_arr_begin(j);
	for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save))
		ak_json_str(j, t);
	ak_json_arr_end(j);
	free(copy);
}

void ak_json_path_list(struct ak_json *j, const char *key, const char *list)
{
	ak_json_key(j, key);
	if (list == NULL) {
		ak_json_null(j);
		return;
	}
	ak_json_arr_begin(j);
	/* Empty entries are kept: the loader reads them as the current directory. */
	for (const char *p = list;;) {
		const char *c = strchr(p, ':');
		size_t n = c ? (size_t)(c - p) : strlen(p);
		char *e = ak_xmalloc(n + 1);

		memcpy(e, p, n);
		e[n] = '\0';
		ak_json_str(j, e);
		free(e);
		if (c == NULL)
			break;
		p = c + 1;
	}
	ak_json_arr_end(j);
}

bool ak_elf_bind_now(const struct ak_elf *m)
{
	return (m->dt_flags & DF_BIND_NOW) || (m->dt_flags_1 & DF_1_NOW);
}

static uint32_t hash_str(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

void ak_tally_add(struct ak_tally *t, const char *name)
{
	size_t j;

	if (2 * (t->n + 1) > t->nslot) {
		size_t nslot = 64;

		while (nslot < 2 * (t->n + 1))
			nslot *= 2;

		free(t->slot);
		t->slot = ak_xcalloc(nslot, sizeof *t->slot);
		t->nslot = nslot;
		for (size_t i = 0; i < t->n; i++) {
			for (j = hash_str(t->v[i].name) & (nslot - 1); t->slot[j]; j = (j + 1) & (nslot - 1))
				;
			t->slot[j] = (uint32_t)i + 1;
		}
	}
	for (j = hash_str(name) & (t->nslot - 1); t->slot[j]; j = (j + 1) & (t->nslot - 1))
		if (strcmp(t->v[t->slot[j] - 1].name, name) == 0) {
			t->v[t->slot[j] - 1].count++;
			return;
		}
	ak_grow((void **)&t->v, &t->cap, t->n + 1, sizeof *t->v);
	t->v[t->n].name = ak_xstrdup(name);
	t->v[t->n].count = 1;
	t->slot[j] = (uint32_t)++t->n;
}

static int by_count(const void *a, const void *b)
{
	const struct ak_tally_entry *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->name, y->name);
}

void ak_tally_sort(struct ak_tally *t)
{
	if (t->n > 1)
		qsort(t->v, t->n, sizeof *t->v, by_count);
	/* The index no longer matches; rebuild lazily on the next add. */
	free(t->slot);
	t->slot = NULL;
	t->nslot = 0;
}

void ak_tally_free(struct ak_tally *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].name);
	free(t->v);
	free(t->slot);
	memset(t, 0, sizeof *t);
}
