#include <config.h>

#include "glibcver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abidb.h"

bool ak_ver_parse(const char *s, struct ak_ver *v)
{
	int part[3] = { 0, 0, 0 }, n = 0;

	if (s == NULL || *s < '0' || *s > '9')
		return false;
	while (n < 3) {
		long x = 0;

		if (*s < '0' || *s > '9')
			return false;
		while (*s >= '0' && *s <= '9') {
			x = x * 10 + (*s++ - '0');
			if (x > 100000)
				return false;
		}
		part[n++] = (int)x;
		if (*s == '\0')
			break;
		if (*s++ != '.')
			return false;
	}
	if (*s != '\0' || n < 2)
		return false;
	v->major = part[0];
	v->minor = part[1];
	v->patch = part[2];
	return true;
}

int ak_ver_cmp(const struct ak_ver *a, const struct ak_ver *b)
{
	if (a->major != b->major)
		return a->major < b->major ? -1 : 1;
	if (a->minor != b->minor)
		return a->minor < b->minor ? -1 : 1;
	if (a->patch != b->patch)
		return a->patch < b->patch ? -1 : 1;
	return 0;
}

const char *ak_ver_format(const struct ak_ver *v, char *buf, size_t size)
{
	if (v->patch)
		snprintf(buf, size, "%d.%d.%d", v->major, v->minor, v->patch);
	else
		snprintf(buf, size, "%d.%d", v->major, v->minor);
	return buf;
}

bool ak_is_glibc_lib(unsigned machine, const char *soname)
{
	int arch = ak_arch_from_machine(machine);

	return arch >= 0 && soname != NULL && ak_abidb_lib_id((enum ak_arch)arch, soname) >= 0;
}

bool ak_glibc_node_version(unsigned machine, const char *lib, const char *node, struct ak_ver *v)
{
	int arch = ak_arch_from_machine(machine), rel;

	if (strncmp(node, "GLIBC_", 6) != 0 || strcmp(node, "GLIBC_PRIVATE") == 0)
		return false;
	if (ak_ver_parse(node + 6, v))
		return true;
	if (arch < 0)
		return false;
	rel = ak_abidb_node_first_release((enum ak_arch)arch,
					  lib ? ak_abidb_lib_id((enum ak_arch)arch, lib) : -1, node);
	if (rel < 0)
		rel = ak_abidb_node_first_release((enum ak_arch)arch, -1, node);
	return rel >= 0 && ak_ver_parse(ak_abidb_release_name(rel), v);
}

void ak_need_compute(const struct ak_elf *m, struct ak_need *need)
{
	size_t cap = 0;

	memset(need, 0, sizeof *need);
	for (size_t i = 0; i < m->nvneeds; i++) {
		const struct ak_vneed *n = &m->vneeds[i];
		struct ak_ver v;

		if (!ak_is_glibc_lib(m->machine, n->file))
			continue;
		if (strcmp(n->name, "GLIBC_PRIVATE") == 0)
			need->uses_private = true;
		if (!ak_glibc_node_version(m->machine, n->file, n->name, &v))
			continue;
		if (ak_ver_cmp(&v, &need->ver) > 0) {
			need->ver = v;
			need->node = n->name;
		}
	}
	if (need->node == NULL)
		return;
	for (size_t i = 0; i < m->nundef; i++) {
		const struct ak_sym *s = &m->syms[i];
		struct ak_ver v;

		if (s->version == NULL || s->file == NULL || !ak_is_glibc_lib(m->machine, s->file))
			continue;
		if (!ak_glibc_node_version(m->machine, s->file, s->version, &v) ||
		    ak_ver_cmp(&v, &need->ver) != 0)
			continue;
		ak_grow((void **)&need->syms, &cap, need->nsyms + 1, sizeof *need->syms);
		need->syms[need->nsyms++] = s->name;
	}
}

void ak_need_free(struct ak_need *need)
{
	free(need->syms);
	need->syms = NULL;
	need->nsyms = 0;
}
