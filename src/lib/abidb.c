/* The built-in glibc ABI database: lookups over the const tables that
 * scripts/gen-abidb writes to abidb-data.c.  Everything is read-only; no
 * lookup allocates. */
#include <config.h>

#include <elf.h>
#include <stddef.h>
#include <string.h>

#include "abidb.h"

/* Defined in abidb-data.c; the generator's header comment documents them. */
extern const int ak_abidb_nrel, ak_abidb_nlib, ak_abidb_nnode;
extern const char ak_abidb_pool[];
extern const uint32_t ak_abidb_rel_name[];
extern const uint32_t ak_abidb_soname[];
extern const uint32_t ak_abidb_ships[];
extern const uint32_t ak_abidb_node_name[];
extern const uint32_t ak_abidb_relset[];
extern const uint8_t ak_abidb_node_set[];
extern const uint32_t ak_abidb_sym_first[];
extern const uint32_t ak_abidb_sym_name[];
extern const uint8_t ak_abidb_sym_node[];
extern const uint8_t ak_abidb_sym_lib[];
extern const uint8_t ak_abidb_sym_set[];

static bool arch_ok(enum ak_arch arch)
{
	return (unsigned)arch < AK_ARCH_COUNT;
}

static bool rel_ok(int rel)
{
	return rel >= 0 && rel < ak_abidb_nrel;
}

static bool lib_ok(int lib)
{
	return lib >= 0 && lib < ak_abidb_nlib;
}

/* Node names are numbered in strcmp order, so a binary search finds one. */
static int node_index(const char *node)
{
	int lo = 0, hi = ak_abidb_nnode;

	if (!node)
		return -1;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		int c = strcmp(ak_abidb_pool + ak_abidb_node_name[mid], node);
		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static uint32_t node_rels(enum ak_arch arch, int lib, int node)
{
	int i = ((int)arch * ak_abidb_nlib + lib) * ak_abidb_nnode + node;
	return ak_abidb_relset[ak_abidb_node_set[i]];
}

int ak_abidb_release_count(void)
{
	return ak_abidb_nrel;
}

const char *ak_abidb_release_name(int rel)
{
	return rel_ok(rel) ? ak_abidb_pool + ak_abidb_rel_name[rel] : NULL;
}

int ak_abidb_release_index(const char *name)
{
	if (!name)
		return -1;
	if (!strncmp(name, "GLIBC_", 6))
		name += 6;
	for (int rel = 0; rel < ak_abidb_nrel; rel++) {
		const char *s = ak_abidb_pool + ak_abidb_rel_name[rel];
		size_t n = strlen(s);
		if (!strncmp(name, s, n) && (!name[n] || !strcmp(name + n, ".0")))
			return rel;
	}
	return -1;
}

int ak_abidb_lib_count(void)
{
	return ak_abidb_nlib;
}

const char *ak_abidb_lib_soname(enum ak_arch arch, int lib)
{
	if (!arch_ok(arch) || !lib_ok(lib))
		return NULL;
	return ak_abidb_pool + ak_abidb_soname[arch * ak_abidb_nlib + lib];
}

int ak_abidb_lib_id(enum ak_arch arch, const char *soname)
{
	if (!arch_ok(arch) || !soname)
		return -1;
	for (int lib = 0; lib < ak_abidb_nlib; lib++) {
		int i = arch * ak_abidb_nlib + lib;
		if (ak_abidb_ships[i] && !strcmp(ak_abidb_pool + ak_abidb_soname[i], soname))
			return lib;
	}
	return -1;
}

bool ak_abidb_ships_lib(enum ak_arch arch, int rel, int lib)
{
	if (!arch_ok(arch) || !rel_ok(rel) || !lib_ok(lib))
		return false;
	return ak_abidb_ships[arch * ak_abidb_nlib + lib] >> rel & 1;
}

bool ak_abidb_has_node(enum ak_arch arch, int rel, int lib, const char *node)
{
	int n = node_index(node);

	if (!arch_ok(arch) || !rel_ok(rel) || !lib_ok(lib) || n < 0)
		return false;
	return node_rels(arch, lib, n) >> rel & 1;
}

int ak_abidb_node_first_release(enum ak_arch arch, int lib, const char *node)
{
	int n = node_index(node);
	uint32_t rels = 0;

	if (!arch_ok(arch) || lib >= ak_abidb_nlib || n < 0)
		return -1;
	for (int l = 0; l < ak_abidb_nlib; l++)
		if (lib < 0 || l == lib)
			rels |= node_rels(arch, l, n);
	for (int rel = 0; rel < ak_abidb_nrel; rel++)
		if (rels >> rel & 1)
			return rel;
	return -1;
}

uint32_t ak_abidb_symbol_libs(enum ak_arch arch, int rel, const char *sym, const char *node)
{
	int n = node_index(node);
	uint32_t lo, hi, libs = 0;

	if (!arch_ok(arch) || !rel_ok(rel) || !sym || n < 0)
		return 0;
	/* Lower bound of (sym, node) in the arch's (name, node, lib) order. */
	lo = ak_abidb_sym_first[arch];
	hi = ak_abidb_sym_first[arch + 1];
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = strcmp(ak_abidb_pool + ak_abidb_sym_name[mid], sym);
		if (c < 0 || (c == 0 && ak_abidb_sym_node[mid] < n))
			lo = mid + 1;
		else
			hi = mid;
	}
	/* One entry per library that ever exported sym@node. */
	for (hi = ak_abidb_sym_first[arch + 1]; lo < hi; lo++) {
		if (ak_abidb_sym_node[lo] != n || strcmp(ak_abidb_pool + ak_abidb_sym_name[lo], sym))
			break;
		if (ak_abidb_relset[ak_abidb_sym_set[lo]] >> rel & 1)
			libs |= 1u << ak_abidb_sym_lib[lo];
	}
	return libs;
}

int ak_abidb_each_symbol(enum ak_arch arch, int rel, int lib, ak_abidb_symbol_fn fn, void *ctx)
{
	if (!arch_ok(arch) || !rel_ok(rel) || !lib_ok(lib) || !fn)
		return 0;
	for (uint32_t i = ak_abidb_sym_first[arch]; i < ak_abidb_sym_first[arch + 1]; i++) {
		int r;
		if (ak_abidb_sym_lib[i] != lib || !(ak_abidb_relset[ak_abidb_sym_set[i]] >> rel & 1))
			continue;
		r = fn(ak_abidb_pool + ak_abidb_sym_name[i],
		       ak_abidb_pool + ak_abidb_node_name[ak_abidb_sym_node[i]], ctx);
		if (r)
			return r;
	}
	return 0;
}

int ak_abidb_each_node(enum ak_arch arch, int rel, int lib, ak_abidb_symbol_fn fn, void *ctx)
{
	if (!arch_ok(arch) || !rel_ok(rel) || !lib_ok(lib) || !fn)
		return 0;
	for (int n = 0; n < ak_abidb_nnode; n++) {
		int r;
		if (!(node_rels(arch, lib, n) >> rel & 1))
			continue;
		r = fn(ak_abidb_pool + ak_abidb_node_name[n], NULL, ctx);
		if (r)
			return r;
	}
	return 0;
}

int ak_arch_from_machine(unsigned machine)
{
	switch (machine) {
	case EM_X86_64:
		return AK_ARCH_X86_64;
	case EM_AARCH64:
		return AK_ARCH_AARCH64;
	default:
		return -1;
	}
}

const char *ak_arch_name(enum ak_arch arch)
{
	switch (arch) {
	case AK_ARCH_X86_64:
		return "x86_64";
	case AK_ARCH_AARCH64:
		return "aarch64";
	default:
		return NULL;
	}
}
