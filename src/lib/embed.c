/* Embedding libabikit-compat into a binary: see embed.h. Works on the raw
 * bytes (little-endian ELF64, x86_64): libelf's writer would re-lay out
 * the file, and every existing byte must keep its place. */
#include <config.h>

#include <elf.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "embed.h"

#define PAGE 0x1000u

/* One ELF image being read: the bytes, headers copied out (the bytes may
 * be unaligned), the dynamic section. */
struct image {
	const char *name;
	const unsigned char *p;
	size_t n;
	Elf64_Ehdr eh;
	Elf64_Phdr *ph;
	size_t nph;
	Elf64_Dyn *dyn;
	size_t ndyn;
	uint64_t dyn_off;
};

/* A symbol table with what embedding needs of each entry. */
struct syms {
	size_t n;
	uint64_t off;          /* file offset of the table */
	uint64_t str_off, str_size;
	uint64_t versym_off;   /* 0: no .gnu.version */
};

struct bytes {
	unsigned char *p;
	size_t n, cap;
};

/* Append n bytes of src (zeros when src is NULL). */
static void put(struct bytes *b, const void *src, size_t n)
{
	if (n == 0)
		return;
	ak_grow((void **)&b->p, &b->cap, b->n + n, 1);
	if (src)
		memcpy(b->p + b->n, src, n);
	else
		memset(b->p + b->n, 0, n);
	b->n += n;
}

static void align(struct bytes *b, size_t a)
{
	while (b->n % a)
		put(b, NULL, 1);
}

static uint64_t up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

static bool in(const struct image *im, uint64_t off, uint64_t len)
{
	return off <= im->n && len <= im->n - off;
}

static int get(const struct image *im, uint64_t off, void *dst, size_t len, struct ak_err *err)
{
	if (!in(im, off, len))
		return ak_errf(err, "%s: a table lies outside the file (offset %llu)", im->name, (unsigned long long)off);
	memcpy(dst, im->p + off, len);
	return 0;
}

/* The file offset of `len` bytes at address `vaddr`, through the PT_LOAD
 * that holds them in the file. */
static int off_of(const struct image *im, uint64_t vaddr, uint64_t len, uint64_t *off, struct ak_err *err)
{
	for (size_t i = 0; i < im->nph; i++) {
		const Elf64_Phdr *ph = &im->ph[i];

		if (ph->p_type == PT_LOAD && vaddr >= ph->p_vaddr && vaddr - ph->p_vaddr <= ph->p_filesz &&
		    len <= ph->p_filesz - (vaddr - ph->p_vaddr) && in(im, ph->p_offset + (vaddr - ph->p_vaddr), len)) {
			*off = ph->p_offset + (vaddr - ph->p_vaddr);
			return 0;
		}
	}
	return ak_errf(err, "%s: address 0x%llx is in no loaded part of the file", im->name, (unsigned long long)vaddr);
}

static bool dyn_get(const struct image *im, int64_t tag, uint64_t *v)
{
	for (size_t i = 0; i < im->ndyn; i++)
		if (im->dyn[i].d_tag == tag) {
			*v = im->dyn[i].d_un.d_val;
			return true;
		}
	return false;
}

static void image_free(struct image *im)
{
	free(im->ph);
	free(im->dyn);
}

static int image_open(struct image *im, const char *name, const unsigned char *p, size_t n, struct ak_err *err)
{
	memset(im, 0, sizeof *im);
	im->name = name;
	im->p = p;
	im->n = n;
	if (n < sizeof im->eh || memcmp(p, ELFMAG, SELFMAG) != 0)
		return ak_errf(err, "%s: not an ELF file", name);
	memcpy(&im->eh, p, sizeof im->eh);
	if (im->eh.e_ident[EI_CLASS] != ELFCLASS64 || im->eh.e_ident[EI_DATA] != ELFDATA2LSB ||
	    im->eh.e_machine != EM_X86_64)
		return ak_errf(err, "%s: the shim is embedded in x86_64 files only", name);
	if (im->eh.e_type != ET_DYN && im->eh.e_type != ET_EXEC)
		return ak_errf(err, "%s: not an executable or shared library", name);
	if (im->eh.e_phentsize != sizeof(Elf64_Phdr) || im->eh.e_phnum == 0 || im->eh.e_phnum >= PN_XNUM ||
	    !in(im, im->eh.e_phoff, (uint64_t)im->eh.e_phnum * sizeof(Elf64_Phdr)))
		return ak_errf(err, "%s: bad program header table", name);
	im->nph = im->eh.e_phnum;
	im->ph = ak_xcalloc(im->nph, sizeof *im->ph);
	memcpy(im->ph, p + im->eh.e_phoff, im->nph * sizeof *im->ph);
	for (size_t i = 0; i < im->nph; i++) {
		const Elf64_Phdr *ph = &im->ph[i];

		if (ph->p_type != PT_DYNAMIC || im->dyn != NULL)   /* the loader's: the first */
			continue;
		if (!in(im, ph->p_offset, ph->p_filesz) || ph->p_filesz < sizeof(Elf64_Dyn))
			return ak_errf(err, "%s: bad PT_DYNAMIC", name);
		im->dyn_off = ph->p_offset;
		im->ndyn = ph->p_filesz / sizeof(Elf64_Dyn);
		im->dyn = ak_xcalloc(im->ndyn, sizeof *im->dyn);
		memcpy(im->dyn, p + ph->p_offset, im->ndyn * sizeof *im->dyn);
		for (size_t k = 0; k < im->ndyn; k++)
			if (im->dyn[k].d_tag == DT_NULL) {
				im->ndyn = k;
				break;
			}
	}
	if (im->dyn == NULL)
		return ak_errf(err, "%s: no dynamic section", name);
	return 0;
}

/* How many entries .dynsym has: its section header when there is one,
 * else the hash tables (the loader's view). */
static int count_syms(const struct image *im, uint64_t symtab, size_t *n, struct ak_err *err)
{
	uint64_t v, off;

	if (im->eh.e_shnum > 0 && im->eh.e_shentsize == sizeof(Elf64_Shdr) &&
	    in(im, im->eh.e_shoff, (uint64_t)im->eh.e_shnum * sizeof(Elf64_Shdr)))
		for (size_t i = 0; i < im->eh.e_shnum; i++) {
			Elf64_Shdr sh;

			memcpy(&sh, im->p + im->eh.e_shoff + i * sizeof sh, sizeof sh);
			if (sh.sh_type == SHT_DYNSYM && sh.sh_addr == symtab) {
				*n = sh.sh_size / sizeof(Elf64_Sym);
				return 0;
			}
		}
	if (dyn_get(im, DT_HASH, &v)) {
		uint32_t h[2];

		if (off_of(im, v, sizeof h, &off, err) < 0 || get(im, off, h, sizeof h, err) < 0)
			return -1;
		*n = h[1];
		return 0;
	}
	if (dyn_get(im, DT_GNU_HASH, &v)) {
		uint32_t h[4], last = 0;
		uint64_t buckets;

		if (off_of(im, v, sizeof h, &off, err) < 0 || get(im, off, h, sizeof h, err) < 0)
			return -1;
		buckets = off + 16 + (uint64_t)h[2] * 8;
		for (uint32_t b = 0; b < h[0]; b++) {
			uint32_t s = 0;

			if (get(im, buckets + (uint64_t)b * 4, &s, 4, err) < 0)
				return -1;
			if (s > last)
				last = s;
		}
		if (last >= h[1]) {
			uint64_t chains = buckets + (uint64_t)h[0] * 4;

			for (;; last++) {
				uint32_t c = 0;

				if (get(im, chains + (uint64_t)(last - h[1]) * 4, &c, 4, err) < 0)
					return -1;
				if (c & 1)
					break;
			}
			*n = (size_t)last + 1;
		} else {
			*n = h[1];
		}
		return 0;
	}
	return ak_errf(err, "%s: cannot tell the size of .dynsym", im->name);
}

static int syms_open(const struct image *im, struct syms *s, struct ak_err *err)
{
	uint64_t symtab, strtab, ent = sizeof(Elf64_Sym), v;

	memset(s, 0, sizeof *s);
	if (!dyn_get(im, DT_SYMTAB, &symtab) || !dyn_get(im, DT_STRTAB, &strtab) || !dyn_get(im, DT_STRSZ, &s->str_size))
		return ak_errf(err, "%s: no dynamic symbol table", im->name);
	if (dyn_get(im, DT_SYMENT, &v) && v != ent)
		return ak_errf(err, "%s: unexpected DT_SYMENT %llu", im->name, (unsigned long long)v);
	if (count_syms(im, symtab, &s->n, err) < 0 || off_of(im, symtab, s->n * ent, &s->off, err) < 0 ||
	    off_of(im, strtab, s->str_size, &s->str_off, err) < 0)
		return -1;
	if (dyn_get(im, DT_VERSYM, &v) && off_of(im, v, s->n * 2, &s->versym_off, err) < 0)
		return -1;
	return 0;
}

static Elf64_Sym sym_at(const struct image *im, const struct syms *s, size_t i)
{
	Elf64_Sym sym;

	memcpy(&sym, im->p + s->off + i * sizeof sym, sizeof sym);
	return sym;
}

static uint16_t versym_at(const struct image *im, const struct syms *s, size_t i)
{
	uint16_t v = 1;

	if (s->versym_off)
		memcpy(&v, im->p + s->versym_off + i * 2, 2);
	return v;
}

/* A NUL-terminated string of the table, or NULL. */
static const char *str_at(const struct image *im, const struct syms *s, uint64_t off)
{
	const char *p = (const char *)im->p + s->str_off;

	if (off >= s->str_size || memchr(p + off, '\0', s->str_size - off) == NULL)
		return NULL;
	return p + off;
}

/* Version needs, flattened: one entry per Vernaux. */
struct vneed {
	char *file;
	char *name;
	uint32_t hash;
	uint16_t flags, other;
	bool drop;
};

struct vneeds {
	struct vneed *v;
	size_t n, cap;
};

static int vneeds_read(const struct image *im, const struct syms *s, struct vneeds *out, struct ak_err *err)
{
	uint64_t addr, cnt, off;

	memset(out, 0, sizeof *out);
	if (!dyn_get(im, DT_VERNEED, &addr))
		return 0;
	if (!dyn_get(im, DT_VERNEEDNUM, &cnt) || off_of(im, addr, sizeof(Elf64_Verneed), &off, err) < 0)
		return ak_errf(err, "%s: bad version needs", im->name);
	for (uint64_t i = 0; i < cnt; i++) {
		Elf64_Verneed vn;
		uint64_t aoff;
		const char *file;

		if (get(im, off, &vn, sizeof vn, err) < 0)
			return -1;
		file = str_at(im, s, vn.vn_file);
		if (file == NULL)
			return ak_errf(err, "%s: bad version need", im->name);
		aoff = off + vn.vn_aux;
		for (uint16_t k = 0; k < vn.vn_cnt; k++) {
			Elf64_Vernaux va;
			const char *name;
			struct vneed *e;

			if (get(im, aoff, &va, sizeof va, err) < 0)
				return -1;
			name = str_at(im, s, va.vna_name);
			if (name == NULL)
				return ak_errf(err, "%s: bad version need name", im->name);
			ak_grow((void **)&out->v, &out->cap, out->n + 1, sizeof *out->v);
			e = &out->v[out->n++];
			memset(e, 0, sizeof *e);
			e->file = ak_xstrdup(file);
			e->name = ak_xstrdup(name);
			e->hash = va.vna_hash;
			e->flags = va.vna_flags;
			e->other = va.vna_other;
			if (va.vna_next == 0)
				break;
			aoff += va.vna_next;
		}
		if (vn.vn_next == 0)
			break;
		off += vn.vn_next;
	}
	return 0;
}

static void vneeds_free(struct vneeds *v)
{
	for (size_t i = 0; i < v->n; i++) {
		free(v->v[i].file);
		free(v->v[i].name);
	}
	free(v->v);
}

static const struct vneed *vneed_by_index(const struct vneeds *v, uint16_t ndx)
{
	for (size_t i = 0; i < v->n; i++)
		if (v->v[i].other == ndx)
			return &v->v[i];
	return NULL;
}

/* Walk the version definitions (a library's own nodes): the name of the
 * one with index `ndx` (or NULL), and in *max (when given) the highest
 * index (at least 1). */
static const char *vdef_walk(const struct image *im, const struct syms *s, uint16_t ndx, uint16_t *max)
{
	uint64_t addr, cnt, off;
	struct ak_err e;
	const char *name = NULL;

	if (max)
		*max = 1;
	if (!dyn_get(im, DT_VERDEF, &addr) || !dyn_get(im, DT_VERDEFNUM, &cnt) ||
	    off_of(im, addr, sizeof(Elf64_Verdef), &off, &e) < 0)
		return NULL;
	for (uint64_t i = 0; i < cnt; i++) {
		Elf64_Verdef vd;
		Elf64_Verdaux va;

		if (get(im, off, &vd, sizeof vd, &e) < 0)
			break;
		if (max && (vd.vd_ndx & 0x7fff) > *max)
			*max = vd.vd_ndx & 0x7fff;
		if (name == NULL && ndx != 0 && vd.vd_ndx == ndx && get(im, off + vd.vd_aux, &va, sizeof va, &e) == 0)
			name = str_at(im, s, va.vda_name);
		if (vd.vd_next == 0)
			break;
		off += vd.vd_next;
	}
	return name;
}

static uint32_t elf_hash(const char *s)
{
	uint32_t h = 0, g;

	for (; *s; s++) {
		h = (h << 4) + (unsigned char)*s;
		g = h & 0xf0000000u;
		if (g)
			h ^= g >> 24;
		h &= ~g;
	}
	return h;
}

static uint32_t gnu_hash(const char *s)
{
	uint32_t h = 5381;

	for (; *s; s++)
		h = h * 33 + (unsigned char)*s;
	return h;
}

/* The offset of `s` in the string table being built (reusing any place
 * where it already ends a string), appending it if absent. */
static uint32_t str_add(struct bytes *tab, const char *s)
{
	size_t n = strlen(s) + 1;

	for (size_t i = 0; i + n <= tab->n; i++)
		if (memcmp(tab->p + i, s, n) == 0)
			return (uint32_t)i;
	put(tab, s, n);
	return (uint32_t)(tab->n - n);
}

static const char *rel_name(uint32_t type)
{
	switch (type) {
	case R_X86_64_COPY: return "R_X86_64_COPY (a data symbol)";
	case R_X86_64_TPOFF64: return "R_X86_64_TPOFF64 (thread-local data)";
	case R_X86_64_DTPMOD64: return "R_X86_64_DTPMOD64 (thread-local data)";
	default: return "an unexpected relocation";
	}
}

/* A stub that only forwards to an older symbol (COMPAT_FORWARD): the
 * file's need is rewritten to OLD@VERSION in FILE, no code is copied. */
struct forward {
	char *export, *name, *version, *file;
};

/* A stub with code, and the old glibc functions it calls. */
struct dep {
	char *export;
	struct ak_strvec imports;
};

/* An imported symbol the shim's code needs from the old glibc. */
struct import {
	char *name, *file, *version;   /* version NULL: unversioned */
	unsigned char info;
	uint32_t index;                /* in the new .dynsym */
};

struct embed {
	struct image host, blob;
	struct syms hs, bs;
	struct vneeds hv, bv;
	uint64_t *target;      /* per host symbol: stub address (relative), 0: not stubbed */
	struct import *imp;
	size_t nimp, capimp;
	uint64_t vb;           /* where the shim's image starts (its address 0) */
	bool prune;            /* bind only the imports in `needed` */
	struct ak_strvec needed;
	struct dep *dep;       /* the shim's stubs and their imports (.abikit.deps) */
	size_t ndep, capdep;
	struct forward *fwd;   /* the shim's forwards (from .abikit.deps) */
	size_t nfwd, capfwd;
	int *fwd_of;           /* per host symbol: index in fwd, or -1 */
	bool *copy_of;         /* per host symbol: a copy-relocated stub (data) */
	struct ak_strvec add_needed;   /* libraries to add to DT_NEEDED */
};

/* The bytes of the section called `name` (by section headers), or NULL. */
static const char *section_named(const struct image *im, const char *name, size_t *size)
{
	Elf64_Shdr str, sh;
	const Elf64_Ehdr *eh = &im->eh;

	if (eh->e_shnum == 0 || eh->e_shentsize != sizeof sh || eh->e_shstrndx >= eh->e_shnum ||
	    !in(im, eh->e_shoff, (uint64_t)eh->e_shnum * sizeof sh))
		return NULL;
	memcpy(&str, im->p + eh->e_shoff + (size_t)eh->e_shstrndx * sizeof sh, sizeof sh);
	if (!in(im, str.sh_offset, str.sh_size))
		return NULL;
	for (size_t i = 1; i < eh->e_shnum; i++) {
		memcpy(&sh, im->p + eh->e_shoff + i * sizeof sh, sizeof sh);
		if (sh.sh_name < str.sh_size && sh.sh_type != SHT_NOBITS && in(im, sh.sh_offset, sh.sh_size) &&
		    strncmp((const char *)im->p + str.sh_offset + sh.sh_name, name, str.sh_size - sh.sh_name) == 0)
			return *size = sh.sh_size, (const char *)im->p + sh.sh_offset;
	}
	return NULL;
}

/* The shim's .abikit.deps (compat/build), one line per export:
 *   EXPORT@NODE =OLD@OLDNODE FILE   a forward
 *   EXPORT@NODE IMPORT@NODE ...     a stub's code and what it calls
 * Without the table, nothing is a forward and every import is bound. */
static void read_deps(struct embed *e)
{
	size_t n;
	const char *p = section_named(&e->blob, ".abikit.deps", &n), *end = p + n;

	if (p == NULL)
		return;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		char line[4096], *sp, *eq, *file, *at, *save = NULL;

		if (nl == NULL)
			nl = end;
		if ((size_t)(nl - p) >= sizeof line) {
			p = nl + 1;
			continue;
		}
		memcpy(line, p, (size_t)(nl - p));
		line[nl - p] = '\0';
		p = nl + 1;
		sp = strchr(line, ' ');
		eq = sp ? strstr(sp, " =") : NULL;
		if (sp && eq == sp && (file = strchr(eq + 2, ' ')) != NULL && (at = strrchr(eq + 2, '@')) != NULL) {
			struct forward *f;

			*sp = '\0';
			*file++ = '\0';
			*at = '\0';
			ak_grow((void **)&e->fwd, &e->capfwd, e->nfwd + 1, sizeof *e->fwd);
			f = &e->fwd[e->nfwd++];
			f->export = ak_xstrdup(line);
			f->name = ak_xstrdup(eq + 2);
			f->version = ak_xstrdup(at + 1);
			f->file = ak_xstrdup(file);
		} else {
			struct dep *d;
			char *w = strtok_r(line, " ", &save);

			if (w == NULL)
				continue;
			ak_grow((void **)&e->dep, &e->capdep, e->ndep + 1, sizeof *e->dep);
			d = &e->dep[e->ndep++];
			memset(d, 0, sizeof *d);
			d->export = ak_xstrdup(w);
			while ((w = strtok_r(NULL, " ", &save)) != NULL)
				ak_strvec_push(&d->imports, w);
		}
	}
}

/* The imports the code stubs of this file need (e->needed), and whether
 * the table says them all (e->prune). */
static void collect_needed(struct embed *e, const char *const *keys, size_t nkeys)
{
	e->prune = true;
	for (size_t i = 0; i < nkeys; i++) {
		bool found = false;

		for (size_t k = 0; k < e->ndep && !found; k++)
			if (strcmp(e->dep[k].export, keys[i]) == 0) {
				found = true;
				for (size_t j = 0; j < e->dep[k].imports.n; j++)
					if (!ak_strvec_contains(&e->needed, e->dep[k].imports.v[j]))
						ak_strvec_push(&e->needed, e->dep[k].imports.v[j]);
			}
		e->prune &= found;
	}
}

/* The shim's definition of NAME@VERSION, or false. */
static bool blob_defines(const struct embed *e, const char *name, const char *version, Elf64_Sym *out)
{
	for (size_t k = 1; k < e->bs.n; k++) {
		Elf64_Sym b = sym_at(&e->blob, &e->bs, k);
		const char *bn = str_at(&e->blob, &e->bs, b.st_name), *bv;

		if (b.st_shndx == SHN_UNDEF || bn == NULL || strcmp(bn, name) != 0)
			continue;
		bv = vdef_walk(&e->blob, &e->bs, versym_at(&e->blob, &e->bs, k) & 0x7fff, NULL);
		if (bv && strcmp(bv, version) == 0) {
			*out = b;
			return true;
		}
	}
	return false;
}

/* Is host symbol `i` (NAME, versioned by need `vn`) one to stub: 2 when it
 * is one of `stubs` (which must then be stubbed), 1 when only its version
 * node is one of `missing`, 0 else. key is "NAME@VERSION". */
static int wanted(const struct ak_strvec *stubs, const struct ak_strvec *missing, const struct vneed *vn,
		  const char *name, char *key, size_t keysize)
{
	char node[512];

	snprintf(key, keysize, "%s@%s", name, vn->name);
	snprintf(node, sizeof node, "%s %s", vn->file, vn->name);
	if (ak_strvec_contains(stubs, key))
		return 2;
	return missing && ak_strvec_contains(missing, node) ? 1 : 0;
}

/* A program's copy-relocated data symbol (PIE and non-PIE code reach
 * extern variables through R_X86_64_COPY: the symbol is defined in the
 * program's .bss, with the version it was copied from). When the shim's
 * object starts as zeros (__libc_single_threaded, always 0), the copy in
 * .bss already holds that value: the copy relocation is dropped and the
 * symbol becomes the program's own, which libraries then bind to. */
static int copied_stub(struct embed *e, const struct ak_strvec *stubs, const struct ak_strvec *missing, size_t i,
		       Elf64_Sym sym, const char *name, struct ak_err *err)
{
	const struct vneed *vn = vneed_by_index(&e->hv, versym_at(&e->host, &e->hs, i) & 0x7fff);
	char key[512];
	int want;
	Elf64_Sym b;
	uint64_t off;
	bool zero = true;

	if (vn == NULL || ELF64_ST_TYPE(sym.st_info) != STT_OBJECT ||
	    (want = wanted(stubs, missing, vn, name, key, sizeof key)) == 0)
		return 0;
	if (blob_defines(e, name, vn->name, &b) && ELF64_ST_TYPE(b.st_info) == STT_OBJECT && b.st_size <= sym.st_size) {
		if (off_of(&e->blob, b.st_value, b.st_size, &off, err) == 0)
			for (uint64_t j = 0; j < b.st_size; j++)
				zero &= e->blob.p[off + j] == 0;
		if (zero) {
			e->copy_of[i] = true;
			return 0;
		}
	}
	if (want < 2)
		return 0;
	return ak_errf(err, "%s: %s is copied data the shim cannot stand in for", e->host.name, key);
}

/* The stub for host symbol `i`: a forward (e->fwd_of[i]) or code (*value,
 * relative to the shim's image), when the symbol is one of `stubs` or its
 * version node is one of `missing` ("FILE NODE": weak symbols the base
 * lacks, which the file may do without, but whose node the loader still
 * checks). A symbol of `stubs` the shim lacks is an error. */
static int find_stub(struct embed *e, const struct ak_strvec *stubs, const struct ak_strvec *missing, size_t i,
		     uint64_t *value, struct ak_err *err)
{
	Elf64_Sym sym = sym_at(&e->host, &e->hs, i), b;
	const char *name = str_at(&e->host, &e->hs, sym.st_name);
	const struct vneed *vn;
	char key[512];
	int want;

	*value = 0;
	if (name == NULL || sym.st_name == 0)
		return 0;
	if (sym.st_shndx != SHN_UNDEF)
		return copied_stub(e, stubs, missing, i, sym, name, err);
	vn = vneed_by_index(&e->hv, versym_at(&e->host, &e->hs, i) & 0x7fff);
	if (vn == NULL || (want = wanted(stubs, missing, vn, name, key, sizeof key)) == 0)
		return 0;
	for (size_t k = 0; k < e->nfwd; k++)
		if (strcmp(e->fwd[k].export, key) == 0) {
			e->fwd_of[i] = (int)k;
			return 0;
		}
	if (blob_defines(e, name, vn->name, &b)) {
		/* Data (__libc_single_threaded) is reached through the GOT or a
		 * pointer, whose relocation then points at the shim's copy. */
		bool bdata = ELF64_ST_TYPE(b.st_info) == STT_OBJECT, hdata = ELF64_ST_TYPE(sym.st_info) == STT_OBJECT;

		if ((ELF64_ST_TYPE(b.st_info) == STT_FUNC || bdata) && ELF64_ST_TYPE(sym.st_info) != STT_TLS &&
		    (!hdata || bdata)) {
			*value = e->vb + b.st_value;
			return 0;
		}
		if (want < 2)
			return 0;
		return ak_errf(err, "%s: %s is thread-local or not what the shim defines: the stub cannot be embedded",
			       e->host.name, key);
	}
	if (want < 2)
		return 0;
	return ak_errf(err, "%s: %s is not in %s", e->host.name, key, e->blob.name);
}

/* The new .dynsym index for the shim's undefined symbol `k`; UINT32_MAX
 * for a weak one (left 0, as the loader leaves a missing weak symbol). */
static int import_of(struct embed *e, size_t k, uint32_t *index, struct ak_err *err)
{
	Elf64_Sym b = sym_at(&e->blob, &e->bs, k);
	const char *name = str_at(&e->blob, &e->bs, b.st_name);
	uint16_t ndx = versym_at(&e->blob, &e->bs, k) & 0x7fff;
	const struct vneed *vn = ndx > 1 ? vneed_by_index(&e->bv, ndx) : NULL;
	struct import *im;

	if (name == NULL)
		return ak_errf(err, "%s: bad symbol name", e->blob.name);
	if (ELF64_ST_BIND(b.st_info) == STB_WEAK) {
		*index = UINT32_MAX;
		return 0;
	}
	if (vn == NULL)
		return ak_errf(err, "%s: %s is imported without a version", e->blob.name, name);
	if (e->prune) {
		char key[512];

		snprintf(key, sizeof key, "%s@%s", name, vn->name);
		if (!ak_strvec_contains(&e->needed, key)) {
			/* Only code no stub of this file reaches uses this slot. */
			*index = UINT32_MAX;
			return 0;
		}
	}
	for (size_t i = 0; i < e->nimp; i++)
		if (strcmp(e->imp[i].name, name) == 0 && strcmp(e->imp[i].version, vn->name) == 0) {
			*index = e->imp[i].index;
			return 0;
		}
	/* The file's own import of the same NAME@VERSION, when it has one. */
	for (size_t i = 1; i < e->hs.n; i++) {
		Elf64_Sym h = sym_at(&e->host, &e->hs, i);
		const char *hn = str_at(&e->host, &e->hs, h.st_name);
		const struct vneed *hv = vneed_by_index(&e->hv, versym_at(&e->host, &e->hs, i) & 0x7fff);

		if (h.st_shndx == SHN_UNDEF && e->target[i] == 0 && hn && strcmp(hn, name) == 0 && hv &&
		    strcmp(hv->name, vn->name) == 0 && strcmp(hv->file, vn->file) == 0) {
			*index = (uint32_t)i;
			return 0;
		}
	}
	ak_grow((void **)&e->imp, &e->capimp, e->nimp + 1, sizeof *e->imp);
	im = &e->imp[e->nimp];
	im->name = ak_xstrdup(name);
	im->file = ak_xstrdup(vn->file);
	im->version = ak_xstrdup(vn->name);
	im->info = (unsigned char)ELF64_ST_INFO(STB_GLOBAL, ELF64_ST_TYPE(b.st_info));
	im->index = (uint32_t)(e->hs.n + e->nimp);
	*index = im->index;
	e->nimp++;
	return 0;
}

static int read_relas(const struct image *im, int64_t tag_addr, int64_t tag_size, Elf64_Rela **out, size_t *n,
		      uint64_t *off_out, struct ak_err *err)
{
	uint64_t addr, size, off;

	*out = NULL;
	*n = 0;
	*off_out = 0;
	if (!dyn_get(im, tag_addr, &addr) || !dyn_get(im, tag_size, &size) || size == 0)
		return 0;
	if (size % sizeof(Elf64_Rela) || off_of(im, addr, size, &off, err) < 0)
		return ak_errf(err, "%s: bad relocation table", im->name);
	*n = size / sizeof(Elf64_Rela);
	*out = ak_xcalloc(*n, sizeof **out);
	memcpy(*out, im->p + off, size);
	*off_out = off;
	return 0;
}

/* The shim's relocations, as relocations of the file (the shim's image
 * at e->vb). */
static int add_blob_relas(struct embed *e, const Elf64_Rela *r, size_t n, struct bytes *rela, struct ak_err *err)
{
	for (size_t i = 0; i < n; i++) {
		uint32_t type = ELF64_R_TYPE(r[i].r_info), sym = ELF64_R_SYM(r[i].r_info), index;
		Elf64_Rela out = { .r_offset = e->vb + r[i].r_offset, .r_info = 0, .r_addend = 0 };

		if (type == R_X86_64_NONE)
			continue;
		if (type == R_X86_64_RELATIVE) {
			out.r_info = ELF64_R_INFO(0, R_X86_64_RELATIVE);
			out.r_addend = (int64_t)e->vb + r[i].r_addend;
		} else if (type == R_X86_64_GLOB_DAT || type == R_X86_64_JUMP_SLOT || type == R_X86_64_64) {
			Elf64_Sym b;

			if (sym == 0 || sym >= e->bs.n)
				return ak_errf(err, "%s: bad relocation symbol", e->blob.name);
			b = sym_at(&e->blob, &e->bs, sym);
			if (b.st_shndx != SHN_UNDEF) {
				/* Bound inside the shim, as -Bsymbolic would. */
				out.r_info = ELF64_R_INFO(0, R_X86_64_RELATIVE);
				out.r_addend = (int64_t)(e->vb + b.st_value) + (type == R_X86_64_64 ? r[i].r_addend : 0);
			} else {
				if (import_of(e, sym, &index, err) < 0)
					return -1;
				if (index == UINT32_MAX)
					continue;
				/* Eager: the shim's PLT jumps through these slots, and its
				 * lazy-binding entries have no link map to call. */
				out.r_info = ELF64_R_INFO(index, type == R_X86_64_64 ? R_X86_64_64 : R_X86_64_GLOB_DAT);
				out.r_addend = type == R_X86_64_64 ? r[i].r_addend : 0;
			}
		} else {
			return ak_errf(err, "%s: %s in the shim: it cannot be embedded", e->blob.name, rel_name(type));
		}
		put(rela, &out, sizeof out);
	}
	return 0;
}

/* A file's relocation against a stubbed symbol, turned into one that
 * needs no symbol. `plt`: in .rela.plt, where only JUMP_SLOT, IRELATIVE
 * (and TLSDESC) are allowed when binding lazily. */
static int redirect(struct embed *e, Elf64_Rela *r, bool plt, uint64_t resolver, struct ak_err *err)
{
	uint32_t type = ELF64_R_TYPE(r->r_info), sym = ELF64_R_SYM(r->r_info);
	uint64_t t = sym < e->hs.n ? e->target[sym] : 0;

	if (sym < e->hs.n && e->copy_of[sym] && type == R_X86_64_COPY) {
		r->r_info = ELF64_R_INFO(sym, R_X86_64_NONE);   /* (left out of the copy of .rela.dyn) */
		r->r_addend = 0;
		return 0;
	}
	if (t == 0)
		return 0;
	if (plt && type == R_X86_64_JUMP_SLOT) {
		r->r_info = ELF64_R_INFO(0, R_X86_64_IRELATIVE);
		r->r_addend = (int64_t)resolver;
	} else if (type == R_X86_64_GLOB_DAT || type == R_X86_64_JUMP_SLOT || type == R_X86_64_64) {
		r->r_info = ELF64_R_INFO(0, R_X86_64_RELATIVE);
		r->r_addend = (int64_t)t + (type == R_X86_64_64 ? r->r_addend : 0);
	} else {
		return ak_errf(err, "%s: %s against a stubbed symbol", e->host.name, rel_name(type));
	}
	return 0;
}

static void embed_free(struct embed *e)
{
	image_free(&e->host);
	image_free(&e->blob);
	vneeds_free(&e->hv);
	vneeds_free(&e->bv);
	free(e->target);
	for (size_t i = 0; i < e->nimp; i++) {
		free(e->imp[i].name);
		free(e->imp[i].file);
		free(e->imp[i].version);
	}
	free(e->imp);
	ak_strvec_free(&e->needed);
	for (size_t i = 0; i < e->nfwd; i++) {
		free(e->fwd[i].export);
		free(e->fwd[i].name);
		free(e->fwd[i].version);
		free(e->fwd[i].file);
	}
	free(e->fwd);
	for (size_t i = 0; i < e->ndep; i++) {
		free(e->dep[i].export);
		ak_strvec_free(&e->dep[i].imports);
	}
	free(e->dep);
	free(e->fwd_of);
	free(e->copy_of);
	ak_strvec_free(&e->add_needed);
}

/* Does the file have DT_NEEDED `lib`? */
static bool needs_file(const struct embed *e, const char *lib)
{
	for (size_t i = 0; i < e->host.ndyn; i++)
		if (e->host.dyn[i].d_tag == DT_NEEDED) {
			const char *n = str_at(&e->host, &e->hs, e->host.dyn[i].d_un.d_val);

			if (n && strcmp(n, lib) == 0)
				return true;
		}
	return false;
}

/* A version need FILE VERSION kept or added (index ++*next). */
static void vneed_want(struct embed *e, const char *file, const char *version, uint16_t *next)
{
	struct vneed *n;

	for (size_t k = 0; k < e->hv.n; k++)
		if (strcmp(e->hv.v[k].file, file) == 0 && strcmp(e->hv.v[k].name, version) == 0) {
			e->hv.v[k].drop = false;
			return;
		}
	ak_grow((void **)&e->hv.v, &e->hv.cap, e->hv.n + 1, sizeof *e->hv.v);
	n = &e->hv.v[e->hv.n++];
	memset(n, 0, sizeof *n);
	n->file = ak_xstrdup(file);
	n->name = ak_xstrdup(version);
	n->hash = elf_hash(n->name);
	n->other = ++*next;
}

static uint16_t vneed_index(const struct embed *e, const char *file, const char *version)
{
	for (size_t k = 0; k < e->hv.n; k++)
		if (!e->hv.v[k].drop && strcmp(e->hv.v[k].file, file) == 0 && strcmp(e->hv.v[k].name, version) == 0)
			return e->hv.v[k].other;
	return 0;
}

/* The program header table grows in place by two entries, over what
 * follows it in the file (ld puts .interp, the notes and the dynamic
 * tables there): [*lo, *hi) is what must be copied elsewhere first, the
 * .interp and notes that overlap the room needed (the dynamic tables are
 * moved anyway). Keeping the table where ld put it keeps the file what
 * GNU strip and objcopy can rewrite (they place program headers right
 * after the ELF header), and old kernels' AT_PHDR (load address plus
 * e_phoff) right. -1 when something else lies there. */
static int displaced(const struct embed *e, uint64_t room, const uint64_t *dead, size_t ndead, uint64_t *lo,
		     uint64_t *hi)
{
	const Elf64_Ehdr *eh = &e->host.eh;
	uint64_t start = eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr), end = start + room, d;
	bool have_sh = eh->e_shnum > 0 && eh->e_shentsize == sizeof(Elf64_Shdr) &&
		       in(&e->host, eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr));
	static const int64_t live[] = { DT_JMPREL, DT_VERDEF, DT_INIT_ARRAY, DT_FINI_ARRAY, DT_PREINIT_ARRAY,
					DT_INIT, DT_FINI, DT_PLTGOT };
	const Elf64_Phdr *first = NULL;

	*lo = *hi = start;
	for (size_t i = 0; i < e->host.nph && first == NULL; i++)
		if (e->host.ph[i].p_type == PT_LOAD)
			first = &e->host.ph[i];
	/* The table and its room lie in the first PT_LOAD. */
	if (first == NULL || eh->e_phoff < first->p_offset || end > first->p_offset + first->p_filesz)
		return -1;
	for (size_t i = 0; i < e->host.nph; i++) {
		const Elf64_Phdr *ph = &e->host.ph[i];
		bool copy = ph->p_type == PT_INTERP || ph->p_type == PT_NOTE || ph->p_type == PT_GNU_PROPERTY;

		if (ph->p_type == PT_LOAD || ph->p_type == PT_PHDR || ph->p_filesz == 0 ||
		    ph->p_offset >= end || ph->p_offset + ph->p_filesz <= start)
			continue;
		if (!copy)
			return -1;
		if (ph->p_offset < *lo)
			return -1;
		if (ph->p_offset + ph->p_filesz > *hi)
			*hi = ph->p_offset + ph->p_filesz;
	}
	for (size_t i = 1; have_sh && i < eh->e_shnum; i++) {
		Elf64_Shdr sh;
		bool dead_here = false;

		memcpy(&sh, e->host.p + eh->e_shoff + i * sizeof sh, sizeof sh);
		if (!(sh.sh_flags & SHF_ALLOC) || sh.sh_type == SHT_NOBITS || sh.sh_size == 0 ||
		    sh.sh_offset >= (*hi > end ? *hi : end) || sh.sh_offset + sh.sh_size <= start)
			continue;
		for (size_t k = 0; k < ndead; k++)
			dead_here |= sh.sh_addr == dead[k];
		if (dead_here)
			continue;
		if (sh.sh_type == SHT_NOTE || (sh.sh_type == SHT_PROGBITS && sh.sh_offset >= start &&
					       sh.sh_offset + sh.sh_size <= *hi)) {
			if (sh.sh_offset < start)
				return -1;
			if (sh.sh_offset + sh.sh_size > *hi)
				*hi = sh.sh_offset + sh.sh_size;
			continue;
		}
		return -1;
	}
	/* Without section headers, nothing the dynamic section points at
	 * but the moved tables may lie there. */
	for (size_t k = 0; k < sizeof live / sizeof live[0]; k++)
		if (dyn_get(&e->host, live[k], &d) && d >= first->p_vaddr &&
		    d - first->p_vaddr + first->p_offset < (*hi > end ? *hi : end) &&
		    d - first->p_vaddr + first->p_offset >= start)
			return -1;
	return 0;
}

/* A two-instruction IRELATIVE resolver returning `target`, at `at`. */
static void put_resolver(struct bytes *b, uint64_t at, uint64_t target)
{
	static const unsigned char endbr64[] = { 0xf3, 0x0f, 0x1e, 0xfa };
	unsigned char lea[7] = { 0x48, 0x8d, 0x05 }, ret = 0xc3;
	int32_t disp = (int32_t)((int64_t)target - (int64_t)(at + sizeof endbr64 + sizeof lea));

	memcpy(lea + 3, &disp, 4);
	put(b, endbr64, sizeof endbr64);
	put(b, lea, sizeof lea);
	put(b, &ret, 1);
	while (b->n % 16)
		put(b, "\xcc", 1);
}

int ak_embed(const char *host_name, const unsigned char *host, size_t host_len, const char *blob_name,
	     const unsigned char *blob, size_t blob_len, const struct ak_strvec *stubs,
	     const struct ak_strvec *missing, unsigned char **out, size_t *out_len, struct ak_err *err)
{
	struct embed e;
	struct bytes img = { 0 }, dynstr = { 0 }, dynsym = { 0 }, versym = { 0 }, verneed = { 0 }, gnuhash = { 0 },
		     hash = { 0 }, rela = { 0 }, code = { 0 };
	Elf64_Rela *hr = NULL, *hp = NULL, *br = NULL, *bp = NULL;
	size_t nhr = 0, nhp = 0, nbr = 0, nbp = 0, nstub = 0;
	uint64_t hr_off, hp_off, br_off, bp_off, max_end = 0, delta = 0, fa, va, fb, rw_vaddr = 0, rw_off = 0,
		 rw_memsz = 0, rx_filesz = 0, v;
	const Elf64_Phdr *first = NULL;
	uint64_t rw_filesz = 0;
	int rc = -1;

	memset(&e, 0, sizeof e);
	*out = NULL;
	*out_len = 0;
	if (image_open(&e.host, host_name, host, host_len, err) < 0 || image_open(&e.blob, blob_name, blob, blob_len, err) < 0)
		goto out;
	if (dyn_get(&e.host, DT_REL, &v) || dyn_get(&e.host, DT_TEXTREL, &v) ||
	    (dyn_get(&e.host, DT_PLTREL, &v) && v != DT_RELA))
		goto unsupported;
	if (syms_open(&e.host, &e.hs, err) < 0 || syms_open(&e.blob, &e.bs, err) < 0 ||
	    vneeds_read(&e.host, &e.hs, &e.hv, err) < 0 || vneeds_read(&e.blob, &e.bs, &e.bv, err) < 0)
		goto out;
	if (e.hs.versym_off == 0 || e.hv.n == 0)
		goto unsupported;

	/* Where things go: every new byte after the file's end and above its
	 * highest address, page-aligned both. */
	for (size_t i = 0; i < e.host.nph; i++) {
		const Elf64_Phdr *ph = &e.host.ph[i];

		if (ph->p_type != PT_LOAD)
			continue;
		if (first == NULL)
			first = ph;
		if (ph->p_vaddr + ph->p_memsz > max_end)
			max_end = ph->p_vaddr + ph->p_memsz;
		if (ph->p_vaddr % PAGE != ph->p_offset % PAGE)
			goto unsupported;
	}
	if (first == NULL || first->p_vaddr < first->p_offset || max_end > (1ull << 46))
		goto unsupported;
	delta = first->p_vaddr - first->p_offset;
	fa = up(host_len, PAGE);
	va = up(max_end, PAGE);
	for (size_t i = 0; i < e.blob.nph; i++) {
		const Elf64_Phdr *ph = &e.blob.ph[i];

		if (ph->p_type == PT_TLS) {
			ak_errf(err, "%s: has thread-local data: it cannot be embedded", blob_name);
			goto out;
		}
		if (ph->p_type != PT_LOAD)
			continue;
		if (ph->p_flags & PF_W) {
			if (rw_memsz) {
				ak_errf(err, "%s: more than one writable segment", blob_name);
				goto out;
			}
			rw_vaddr = ph->p_vaddr;
			rw_off = ph->p_offset;
			rw_memsz = ph->p_memsz;
			rw_filesz = ph->p_filesz;
			if (ph->p_vaddr % PAGE != ph->p_offset % PAGE || !in(&e.blob, ph->p_offset, ph->p_filesz)) {
				ak_errf(err, "%s: bad writable segment", blob_name);
				goto out;
			}
		} else {
			if (ph->p_vaddr != 0 || ph->p_offset != 0 || !in(&e.blob, 0, ph->p_filesz)) {
				ak_errf(err, "%s: its first segment does not start the file", blob_name);
				goto out;
			}
			rx_filesz = ph->p_filesz;
		}
	}
	/* (separate pages: the data's mapping must not replace the code's) */
	if (rx_filesz == 0 || rw_memsz == 0 || rw_vaddr / PAGE * PAGE < up(rx_filesz, PAGE) || rw_off < rx_filesz) {
		ak_errf(err, "%s: not a library laid out as compat/build makes it", blob_name);
		goto out;
	}

	/* Stubbed symbols: where each goes. The code segment comes after the
	 * tables, whose size depends on the imports: place the shim first at
	 * a provisional address, then fix it (the tables are sized before any
	 * address is written into them). */
	e.target = ak_xcalloc(e.hs.n, sizeof *e.target);
	e.fwd_of = ak_xcalloc(e.hs.n, sizeof *e.fwd_of);
	e.copy_of = ak_xcalloc(e.hs.n, sizeof *e.copy_of);
	e.vb = 0;
	read_deps(&e);
	for (size_t i = 0; i < e.hs.n; i++)
		e.fwd_of[i] = -1;
	for (size_t i = 1; i < e.hs.n; i++) {
		uint64_t t;

		if (find_stub(&e, stubs, missing, i, &t, err) < 0)
			goto out;
		/* stored as shim-relative + 1 until vb is known */
		e.target[i] = t ? t + 1 : 0;
		nstub += t != 0 || e.fwd_of[i] >= 0 || e.copy_of[i];
		if (e.fwd_of[i] >= 0 && !needs_file(&e, e.fwd[e.fwd_of[i]].file) &&
		    !ak_strvec_contains(&e.add_needed, e.fwd[e.fwd_of[i]].file))
			ak_strvec_push(&e.add_needed, e.fwd[e.fwd_of[i]].file);
	}
	if (nstub == 0) {
		ak_errf(err, "%s: none of the symbols to stub is imported", host_name);
		goto out;
	}
	{
		struct ak_strvec keys = { 0 };

		for (size_t i = 1; i < e.hs.n; i++)
			if (e.target[i]) {
				Elf64_Sym sym = sym_at(&e.host, &e.hs, i);
				const struct vneed *vn = vneed_by_index(&e.hv, versym_at(&e.host, &e.hs, i) & 0x7fff);
				char key[512];

				snprintf(key, sizeof key, "%s@%s", str_at(&e.host, &e.hs, sym.st_name), vn ? vn->name : "");
				if (!ak_strvec_contains(&keys, key))
					ak_strvec_push(&keys, key);
			}
		collect_needed(&e, (const char *const *)keys.v, keys.n);
		ak_strvec_free(&keys);
	}
	if (read_relas(&e.host, DT_RELA, DT_RELASZ, &hr, &nhr, &hr_off, err) < 0 ||
	    read_relas(&e.host, DT_JMPREL, DT_PLTRELSZ, &hp, &nhp, &hp_off, err) < 0 ||
	    read_relas(&e.blob, DT_RELA, DT_RELASZ, &br, &nbr, &br_off, err) < 0 ||
	    read_relas(&e.blob, DT_JMPREL, DT_PLTRELSZ, &bp, &nbp, &bp_off, err) < 0)
		goto out;
	if (hr && hp && hp_off < hr_off + nhr * sizeof *hr && hr_off < hp_off + nhp * sizeof *hp)
		goto unsupported;   /* .rela.plt inside DT_RELA's range (old linkers) */

	/* Pass 1 with vb = 0 finds the imports; the tables' sizes follow. */
	{
		struct bytes scratch = { 0 };
		int e1 = add_blob_relas(&e, br, nbr, &scratch, err);

		if (e1 == 0)
			e1 = add_blob_relas(&e, bp, nbp, &scratch, err);
		free(scratch.p);
		if (e1 < 0)
			goto out;
	}
	for (size_t i = 0; i < e.nimp; i++)
		if (!needs_file(&e, e.imp[i].file) && !ak_strvec_contains(&e.add_needed, e.imp[i].file))
			ak_strvec_push(&e.add_needed, e.imp[i].file);

	/* .dynstr: the file's, then the new names. */
	put(&dynstr, e.host.p + e.hs.str_off, e.hs.str_size);

	/* Version needs: drop the nodes only stubbed symbols needed; add the
	 * ones the imports need. */
	{
		uint16_t next;

		vdef_walk(&e.host, &e.hs, 0, &next);

		for (size_t k = 0; k < e.hv.n; k++) {
			bool used = false, stubbed = false;

			if (e.hv.v[k].other > next)
				next = e.hv.v[k].other;
			for (size_t i = 1; i < e.hs.n; i++)
				if ((versym_at(&e.host, &e.hs, i) & 0x7fff) == e.hv.v[k].other) {
					if (e.target[i] || e.fwd_of[i] >= 0 || e.copy_of[i])
						stubbed = true;
					else
						used = true;
				}
			e.hv.v[k].drop = stubbed && !used;
		}
		for (size_t i = 0; i < e.nimp; i++)
			vneed_want(&e, e.imp[i].file, e.imp[i].version, &next);
		for (size_t i = 1; i < e.hs.n; i++)
			if (e.fwd_of[i] >= 0)
				vneed_want(&e, e.fwd[e.fwd_of[i]].file, e.fwd[e.fwd_of[i]].version, &next);
	}
	/* Serialised, grouped by file in first-seen order. */
	{
		size_t nfiles = 0;
		struct ak_strvec files = { 0 };

		for (size_t k = 0; k < e.hv.n; k++)
			if (!e.hv.v[k].drop && !ak_strvec_contains(&files, e.hv.v[k].file))
				ak_strvec_push(&files, e.hv.v[k].file);
		nfiles = files.n;
		for (size_t f = 0; f < nfiles; f++) {
			size_t cnt = 0, done = 0;
			Elf64_Verneed vn;

			for (size_t k = 0; k < e.hv.n; k++)
				cnt += !e.hv.v[k].drop && strcmp(e.hv.v[k].file, files.v[f]) == 0;
			vn.vn_version = VER_NEED_CURRENT;
			vn.vn_cnt = (uint16_t)cnt;
			vn.vn_file = str_add(&dynstr, files.v[f]);
			vn.vn_aux = sizeof vn;
			vn.vn_next = f + 1 < nfiles ? (uint32_t)(sizeof vn + cnt * sizeof(Elf64_Vernaux)) : 0;
			put(&verneed, &vn, sizeof vn);
			for (size_t k = 0; k < e.hv.n; k++) {
				Elf64_Vernaux a;

				if (e.hv.v[k].drop || strcmp(e.hv.v[k].file, files.v[f]) != 0)
					continue;
				a.vna_hash = e.hv.v[k].hash;
				a.vna_flags = e.hv.v[k].flags;
				/* A node the base lacks still named by weak symbols
				 * without a stub: the loader may do without it. */
				if (missing) {
					char node[512];

					snprintf(node, sizeof node, "%s %s", e.hv.v[k].file, e.hv.v[k].name);
					if (ak_strvec_contains(missing, node))
						a.vna_flags |= VER_FLG_WEAK;
				}
				a.vna_other = e.hv.v[k].other;
				a.vna_name = str_add(&dynstr, e.hv.v[k].name);
				a.vna_next = ++done < cnt ? sizeof a : 0;
				put(&verneed, &a, sizeof a);
			}
		}
		ak_strvec_free(&files);
		if (nfiles == 0) {
			ak_errf(err, "%s: no version need would be left", host_name);
			goto unsupported_msg;
		}
	}
	/* .dynsym and .gnu.version: the file's, stubbed symbols turned into
	 * definitions (section: .abikit.text when there are section headers),
	 * then the imports. */
	{
		for (size_t i = 0; i < e.hs.n; i++) {
			Elf64_Sym s = sym_at(&e.host, &e.hs, i);
			uint16_t vs = versym_at(&e.host, &e.hs, i);

			if (e.copy_of[i]) {
				vs = VER_NDX_GLOBAL;
			} else if (e.fwd_of[i] >= 0) {
				const struct forward *f = &e.fwd[e.fwd_of[i]];

				s.st_name = str_add(&dynstr, f->name);
				vs = vneed_index(&e, f->file, f->version);
			} else if (e.target[i]) {
				/* No relocation names it any more: a weak, unversioned,
				 * valueless reference is left, which nothing needs and no
				 * lookup can ever bind to (an executable's hash table may
				 * list undefined symbols; a definition there would let the
				 * stub's own call to the old version find the stub). */
				s.st_shndx = SHN_UNDEF;
				s.st_info = (unsigned char)ELF64_ST_INFO(STB_WEAK, ELF64_ST_TYPE(s.st_info));
				s.st_value = 0;
				vs = VER_NDX_GLOBAL;
			}
			put(&dynsym, &s, sizeof s);
			put(&versym, &vs, sizeof vs);
		}
		for (size_t i = 0; i < e.nimp; i++) {
			Elf64_Sym s = { 0 };
			uint16_t vs = 0;

			s.st_name = str_add(&dynstr, e.imp[i].name);
			s.st_info = e.imp[i].info;
			vs = vneed_index(&e, e.imp[i].file, e.imp[i].version);
			put(&dynsym, &s, sizeof s);
			put(&versym, &vs, sizeof vs);
		}
	}
	/* (DT_NEEDED names now: the string table's size is fixed below.) */
	for (size_t k = 0; k < e.add_needed.n; k++)
		str_add(&dynstr, e.add_needed.v[k]);

	/* .gnu.hash: the file's, the new (undefined) symbols appended to the
	 * last chain so that the table still tells how many symbols there are;
	 * lookups skip undefined entries. .hash is rebuilt whole. */
	if (dyn_get(&e.host, DT_GNU_HASH, &v)) {
		uint64_t off;
		uint32_t h[4] = { 0 }, last_chain = 0;
		size_t size, nchains;

		if (off_of(&e.host, v, sizeof h, &off, err) < 0 || get(&e.host, off, h, sizeof h, err) < 0)
			goto out;
		nchains = e.hs.n > h[1] ? e.hs.n - h[1] : 0;
		size = 16 + (size_t)h[2] * 8 + (size_t)h[0] * 4 + nchains * 4;
		if (!in(&e.host, off, size) || h[1] > e.hs.n)
			goto unsupported;
		put(&gnuhash, e.host.p + off, size);
		/* Is the last chain reached from a bucket? ld leaves an
		 * executable's undefined symbols in the table but in no chain. */
		for (uint32_t b = 0; b < h[0]; b++) {
			uint32_t first_sym;

			memcpy(&first_sym, gnuhash.p + 16 + (size_t)h[2] * 8 + (size_t)b * 4, 4);
			if (first_sym > last_chain)
				last_chain = first_sym;
		}
		if (nchains > 0 && e.nimp > 0) {
			uint32_t c;

			memcpy(&c, gnuhash.p + gnuhash.n - 4, 4);
			c &= ~1u;
			memcpy(gnuhash.p + gnuhash.n - 4, &c, 4);
		}
		for (size_t i = 0; nchains > 0 && i < e.nimp; i++) {
			uint32_t hv = gnu_hash(e.imp[i].name), c = hv & ~1u;

			/* (their bits in the Bloom filter too, as ld sets them for
			 * every hashed symbol: a false positive costs nothing) */
			if (h[2] > 0 && last_chain != 0) {
				size_t w = 16 + (size_t)((hv / 64) % h[2]) * 8;
				uint64_t word;

				memcpy(&word, gnuhash.p + w, 8);
				word |= (1ull << (hv % 64)) | (1ull << ((hv >> (h[3] % 32)) % 64));
				memcpy(gnuhash.p + w, &word, 8);
			}

			if (i + 1 == e.nimp)
				c |= 1;
			put(&gnuhash, &c, 4);
		}
	}
	if (dyn_get(&e.host, DT_HASH, &v)) {
		uint64_t off;
		uint32_t h[2] = { 0 }, nb, *tab;
		size_t nsym = e.hs.n + e.nimp;

		if (off_of(&e.host, v, sizeof h, &off, err) < 0 || get(&e.host, off, h, sizeof h, err) < 0)
			goto out;
		if (!in(&e.host, off, 8 + (uint64_t)h[0] * 4))
			goto unsupported;
		nb = h[0] ? h[0] : 1;
		tab = ak_xcalloc(2 + nb + nsym, 4);
		tab[0] = nb;
		tab[1] = (uint32_t)nsym;
		for (size_t i = 1; i < nsym; i++) {
			Elf64_Sym s;
			const char *name;


			memcpy(&s, dynsym.p + i * sizeof s, sizeof s);
			name = s.st_name < dynstr.n ? (const char *)dynstr.p + s.st_name : "";
			uint32_t b = elf_hash(name) % nb;
			tab[2 + nb + i] = tab[2 + b];
			tab[2 + b] = (uint32_t)i;
		}
		put(&hash, tab, (2 + nb + nsym) * 4);
		free(tab);
	}

	/* Segment A's layout: program headers, tables, resolvers. */
	{
		size_t nph = e.host.nph + 2, at = 0, o_blk, o_sym, o_str, o_ver, o_vn, o_gh, o_h, o_rela, o_code, size_a;
		size_t nplt_stubs = 0;
		Elf64_Phdr *ph = NULL;
		Elf64_Dyn *dyn = NULL;
		size_t ndyn = 0, capdyn = 0;
		int64_t o_dyn;   /* a moved .dynamic, from the start of the shim's data */
		bool move_dyn;
		uint64_t vrw;

		for (size_t i = 0; i < nhp; i++)
			nplt_stubs += ELF64_R_SYM(hp[i].r_info) < e.hs.n && e.target[ELF64_R_SYM(hp[i].r_info)] &&
				      ELF64_R_TYPE(hp[i].r_info) == R_X86_64_JUMP_SLOT;
		/* In the order ld lays these sections out and numbers them: tools
		 * that rewrite the file (strip, objcopy) expect addresses to grow
		 * with the section index within a segment. */
		uint64_t dead[7] = { 0 }, blk_lo, blk_hi, shift_f, shift_v;

		dyn_get(&e.host, DT_SYMTAB, &dead[0]);
		dyn_get(&e.host, DT_STRTAB, &dead[1]);
		dyn_get(&e.host, DT_VERSYM, &dead[2]);
		dyn_get(&e.host, DT_VERNEED, &dead[3]);
		dyn_get(&e.host, DT_GNU_HASH, &dead[4]);
		dyn_get(&e.host, DT_HASH, &dead[5]);
		dyn_get(&e.host, DT_RELA, &dead[6]);
		if (displaced(&e, 2 * sizeof(Elf64_Phdr), dead, 7, &blk_lo, &blk_hi) < 0)
			goto unsupported_a;
		/* (the copy keeps every item's alignment: same offset mod 16) */
		o_blk = blk_lo % 16; at = o_blk + (blk_hi - blk_lo);
		at = up(at, 8); o_h = at; at += hash.n;
		at = up(at, 8); o_gh = at; at += gnuhash.n;
		at = up(at, 8); o_sym = at; at += dynsym.n;
		o_str = at; at += dynstr.n;
		at = up(at, 8); o_ver = at; at += versym.n;
		at = up(at, 8); o_vn = at; at += verneed.n;
		at = up(at, 8); o_rela = at;
		at += (nhr + nbr + nbp) * sizeof(Elf64_Rela);   /* at most */
		at = up(at, 16); o_code = at; at += nplt_stubs * 16;
		size_a = at;
		fb = up(fa + size_a, PAGE);
		e.vb = va + (fb - fa);
		shift_f = fa + o_blk - blk_lo;
		shift_v = va + o_blk - (blk_lo + delta);
		vrw = e.vb + rw_vaddr;

		/* Now the addresses: stub targets, relocations. */
		for (size_t i = 1; i < e.hs.n; i++)
			if (e.target[i])
				e.target[i] = e.target[i] - 1 + e.vb;
		for (size_t i = 0; i < nhp; i++) {
			uint32_t sym = ELF64_R_SYM(hp[i].r_info);

			if (sym < e.hs.n && e.target[sym] && ELF64_R_TYPE(hp[i].r_info) == R_X86_64_JUMP_SLOT) {
				uint64_t at_code = va + o_code + code.n;

				put_resolver(&code, at_code, e.target[sym]);
				if (redirect(&e, &hp[i], true, at_code, err) < 0)
					goto out_a;
			} else if (redirect(&e, &hp[i], true, 0, err) < 0) {
				goto out_a;
			}
		}
		for (size_t i = 0; i < nhr; i++)
			if (redirect(&e, &hr[i], false, 0, err) < 0)
				goto out_a;
		for (size_t i = 0; i < nhr; i++)   /* (a dropped copy relocation goes) */
			if (ELF64_R_TYPE(hr[i].r_info) != R_X86_64_NONE || e.copy_of == NULL ||
			    ELF64_R_SYM(hr[i].r_info) >= e.hs.n || !e.copy_of[ELF64_R_SYM(hr[i].r_info)])
				put(&rela, &hr[i], sizeof hr[i]);
		if (add_blob_relas(&e, br, nbr, &rela, err) < 0 || add_blob_relas(&e, bp, nbp, &rela, err) < 0)
			goto out_a;

		/* The new .dynamic (in the writable segment, after the shim's
		 * data: ld.so writes DT_DEBUG and relocated pointers into it). */
		for (size_t i = 0; i < e.host.ndyn; i++) {
			Elf64_Dyn d = e.host.dyn[i];

			/* New libraries before libc.so.6, as a program linked with
			 * them on the old glibc has them (-lpthread before -lc). */
			if (d.d_tag == DT_NEEDED && e.add_needed.n > 0) {
				const char *lib = str_at(&e.host, &e.hs, d.d_un.d_val);

				if (lib && strcmp(lib, "libc.so.6") == 0) {
					for (size_t k = 0; k < e.add_needed.n; k++) {
						ak_grow((void **)&dyn, &capdyn, ndyn + 1, sizeof *dyn);
						dyn[ndyn].d_tag = DT_NEEDED;
						dyn[ndyn++].d_un.d_val = str_add(&dynstr, e.add_needed.v[k]);
					}
					ak_strvec_free(&e.add_needed);
				}
			}
			switch (d.d_tag) {
			case DT_SYMTAB: d.d_un.d_ptr = va + o_sym; break;
			case DT_STRTAB: d.d_un.d_ptr = va + o_str; break;
			case DT_STRSZ: d.d_un.d_val = dynstr.n; break;
			case DT_VERSYM: d.d_un.d_ptr = va + o_ver; break;
			case DT_VERNEED: d.d_un.d_ptr = va + o_vn; break;
			case DT_VERNEEDNUM: {
				uint64_t nvn = 0;

				for (size_t off = 0; off < verneed.n;) {
					Elf64_Verneed vn;

					memcpy(&vn, verneed.p + off, sizeof vn);
					nvn++;
					if (vn.vn_next == 0)
						break;
					off += vn.vn_next;
				}
				d.d_un.d_val = nvn;
				break;
			}
			case DT_GNU_HASH: d.d_un.d_ptr = va + o_gh; break;
			case DT_HASH: d.d_un.d_ptr = va + o_h; break;
			case DT_RELA: d.d_un.d_ptr = va + o_rela; break;
			case DT_RELASZ: d.d_un.d_val = rela.n; break;
			default: break;
			}
			ak_grow((void **)&dyn, &capdyn, ndyn + 1, sizeof *dyn);
			dyn[ndyn++] = d;
		}
		if (e.add_needed.n > 0) {   /* no DT_NEEDED libc.so.6: first, then */
			ak_grow((void **)&dyn, &capdyn, ndyn + e.add_needed.n, sizeof *dyn);
			memmove(dyn + e.add_needed.n, dyn, ndyn * sizeof *dyn);
			for (size_t k = 0; k < e.add_needed.n; k++) {
				dyn[k].d_tag = DT_NEEDED;
				dyn[k].d_un.d_val = str_add(&dynstr, e.add_needed.v[k]);
			}
			ndyn += e.add_needed.n;
		}
		if (!dyn_get(&e.host, DT_RELA, &v)) {
			Elf64_Dyn add[3] = { { DT_RELA, { va + o_rela } }, { DT_RELASZ, { rela.n } },
					     { DT_RELAENT, { sizeof(Elf64_Rela) } } };

			ak_grow((void **)&dyn, &capdyn, ndyn + 3, sizeof *dyn);
			memcpy(dyn + ndyn, add, sizeof add);
			ndyn += 3;
		}
		ak_grow((void **)&dyn, &capdyn, ndyn + 1, sizeof *dyn);
		dyn[ndyn].d_tag = DT_NULL;
		dyn[ndyn].d_un.d_val = 0;
		ndyn++;
		if (o_sym + dynsym.n != o_str || o_str + dynstr.n > o_ver || o_vn + verneed.n > o_rela) {
			ak_errf(err, "%s: internal error: the tables grew after their layout", host_name);
			goto out_a;
		}
		/* A moved .dynamic goes before the shim's data when the page and
		 * the file have room there (section addresses then still grow
		 * with the index), else after it. */
		{
			uint64_t dsz = up(ndyn * sizeof *dyn, 16);

			if (dsz <= rw_vaddr % PAGE && dsz <= rw_off - rx_filesz)
				o_dyn = -(int64_t)dsz;
			else
				o_dyn = (int64_t)(up(rw_vaddr + rw_memsz, 8) - rw_vaddr);
		}
		/* .dynamic is rewritten in place when it keeps its length (only
		 * values change): no page more to write at start-up. */
		move_dyn = ndyn > e.host.ndyn + 1;
		if (!move_dyn) {
			for (size_t i = 0; i < e.host.nph; i++)
				if (e.host.ph[i].p_type == PT_DYNAMIC && e.host.ph[i].p_filesz < ndyn * sizeof *dyn)
					move_dyn = true;
		}

		/* The program headers: the file's, PT_PHDR and PT_DYNAMIC
		 * moved, two new PT_LOADs after the last one: the tables with the
		 * shim's code (one mapping, one page fault for both), the shim's
		 * data with .dynamic. */
		ph = ak_xcalloc(nph, sizeof *ph);
		{
			size_t k = 0, last = 0;

			for (size_t i = 0; i < e.host.nph; i++)
				if (e.host.ph[i].p_type == PT_LOAD)
					last = i;
			for (size_t i = 0; i < e.host.nph; i++) {
				ph[k] = e.host.ph[i];
				if (ph[k].p_type == PT_PHDR) {
					ph[k].p_filesz = ph[k].p_memsz = nph * sizeof *ph;
				} else if ((ph[k].p_type == PT_INTERP || ph[k].p_type == PT_NOTE ||
					    ph[k].p_type == PT_GNU_PROPERTY) && ph[k].p_offset >= blk_lo &&
					   ph[k].p_offset + ph[k].p_filesz <= blk_hi && blk_hi > blk_lo) {
					ph[k].p_offset += shift_f;
					ph[k].p_vaddr += shift_v;
					ph[k].p_paddr += shift_v;
				} else if (ph[k].p_type == PT_DYNAMIC && move_dyn) {
					ph[k].p_offset = fb + rw_off + o_dyn;
					ph[k].p_vaddr = ph[k].p_paddr = vrw + o_dyn;
					ph[k].p_filesz = ph[k].p_memsz = ndyn * sizeof *dyn;
				}
				k++;
				if (i == last) {
					uint64_t ab = fb + rx_filesz - fa, lo = move_dyn && o_dyn < 0 ? (uint64_t)-o_dyn : 0;
					uint64_t fsz = rw_filesz + lo, msz = rw_memsz + lo;
					Elf64_Phdr a = { PT_LOAD, PF_R | PF_X, fa, va, va, ab, ab, PAGE };
					Elf64_Phdr d;

					if (move_dyn && o_dyn >= 0)
						fsz = msz = (uint64_t)o_dyn + ndyn * sizeof *dyn;
					d = (Elf64_Phdr){ PT_LOAD, PF_R | PF_W, fb + rw_off - lo, vrw - lo, vrw - lo, fsz, msz, PAGE };

					ph[k++] = a;
					ph[k++] = d;
				}
			}
		}

		/* The image: the file (program headers grown in place), zeros up
		 * to fa, segment A (what they displaced, the tables, the
		 * resolvers), the shim. */
		put(&img, host, host_len);
		memcpy(img.p + e.host.eh.e_phoff, ph, nph * sizeof *ph);
		put(&img, NULL, fa - host_len);
		put(&img, NULL, o_blk);
		put(&img, host + blk_lo, blk_hi - blk_lo);
		put(&img, NULL, fa + o_h - img.n);
		put(&img, hash.p, hash.n);
		put(&img, NULL, fa + o_gh - img.n);
		put(&img, gnuhash.p, gnuhash.n);
		put(&img, NULL, fa + o_sym - img.n);
		put(&img, dynsym.p, dynsym.n);
		put(&img, dynstr.p, dynstr.n);
		put(&img, NULL, fa + o_ver - img.n);
		put(&img, versym.p, versym.n);
		put(&img, NULL, fa + o_vn - img.n);
		put(&img, verneed.p, verneed.n);
		put(&img, NULL, fa + o_rela - img.n);
		put(&img, rela.p, rela.n);
		put(&img, NULL, fa + o_code - img.n);
		put(&img, code.p, code.n);
		put(&img, NULL, fb - img.n);
		put(&img, blob, rw_off + rw_filesz);
		if (move_dyn && o_dyn < 0) {
			memcpy(img.p + fb + rw_off + o_dyn, dyn, ndyn * sizeof *dyn);
		} else if (move_dyn) {
			put(&img, NULL, fb + rw_off + (uint64_t)o_dyn - img.n);   /* the shim's .bss: zeros */
			put(&img, dyn, ndyn * sizeof *dyn);
		} else {
			memcpy(img.p + e.host.dyn_off, dyn, ndyn * sizeof *dyn);
		}

		/* .rela.plt's redirected entries, in place. */
		if (nhp)
			memcpy(img.p + hp_off, hp, nhp * sizeof *hp);

		/* The ELF header and the section headers. */
		{
			Elf64_Ehdr eh = e.host.eh;

			eh.e_phnum = (uint16_t)nph;
			if (eh.e_shnum > 0 && eh.e_shentsize == sizeof(Elf64_Shdr) && eh.e_shstrndx < eh.e_shnum &&
			    in(&e.host, eh.e_shoff, (uint64_t)eh.e_shnum * sizeof(Elf64_Shdr))) {
				size_t nsh = eh.e_shnum;
				Elf64_Shdr *sh = ak_xcalloc(nsh + 4, sizeof *sh), *ss;
				/* New sections for every new byte that is loaded (strip and
				 * objcopy keep only what sections describe, and size the
				 * segments by them): the resolvers, the shim's code, data
				 * and .bss (unless file zeros stand for it). */
				const struct {
					const char *name;
					uint32_t type;
					uint64_t flags, addr, off, size, align;
				} add[] = {
					{ ".abikit.plt", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, va + o_code, fa + o_code, code.n, 16 },
					{ ".abikit.text", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, e.vb, fb, rx_filesz, 16 },
					{ ".abikit.data", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, vrw, fb + rw_off,
					  move_dyn && o_dyn > 0 ? (uint64_t)o_dyn : rw_filesz, 8 },
					{ ".abikit.bss", SHT_NOBITS, SHF_ALLOC | SHF_WRITE, vrw + rw_filesz, fb + rw_off + rw_filesz,
					  move_dyn && o_dyn > 0 ? 0 : rw_memsz - rw_filesz, 8 },
				};
				size_t nnew = 0;
				uint64_t old[8] = { 0 }, off_str;
				struct bytes shstr = { 0 };

				/* per section: how far its address moved (for .symtab) */
				int64_t *moved = ak_xcalloc(nsh, sizeof *moved);

				memcpy(sh, host + eh.e_shoff, nsh * sizeof *sh);
				dyn_get(&e.host, DT_SYMTAB, &old[0]);
				dyn_get(&e.host, DT_STRTAB, &old[1]);
				dyn_get(&e.host, DT_VERSYM, &old[2]);
				dyn_get(&e.host, DT_VERNEED, &old[3]);
				dyn_get(&e.host, DT_GNU_HASH, &old[4]);
				dyn_get(&e.host, DT_HASH, &old[5]);
				dyn_get(&e.host, DT_RELA, &old[6]);
				for (size_t i = 0; i < e.host.nph; i++)
					if (e.host.ph[i].p_type == PT_DYNAMIC)
						old[7] = e.host.ph[i].p_vaddr;
				for (size_t i = 1; i < nsh; i++) {
					Elf64_Shdr *s = &sh[i];
					uint64_t a = s->sh_addr;

#define MOVE(o, sz) do { s->sh_offset = fa + (o); s->sh_addr = va + (o); s->sh_size = (sz); \
		moved[i] = (int64_t)(s->sh_addr - a); } while (0)
					if (a == 0)
						continue;
					if (s->sh_type != SHT_NOBITS && s->sh_offset >= blk_lo && s->sh_size > 0 &&
					    s->sh_offset + s->sh_size <= blk_hi) {
						s->sh_offset += shift_f;
						s->sh_addr += shift_v;
						moved[i] = (int64_t)shift_v;
						continue;
					}
					if (s->sh_type == SHT_DYNSYM && a == old[0])
						MOVE(o_sym, dynsym.n);
					else if (s->sh_type == SHT_STRTAB && a == old[1])
						MOVE(o_str, dynstr.n);
					else if (s->sh_type == SHT_GNU_versym && a == old[2])
						MOVE(o_ver, versym.n);
					else if (s->sh_type == SHT_GNU_verneed && a == old[3]) {
						uint64_t nvn = 0;

						for (size_t j = 0; j < ndyn; j++)
							if (dyn[j].d_tag == DT_VERNEEDNUM)
								nvn = dyn[j].d_un.d_val;
						MOVE(o_vn, verneed.n);
						s->sh_info = (uint32_t)nvn;
					} else if (s->sh_type == SHT_GNU_HASH && a == old[4])
						MOVE(o_gh, gnuhash.n);
					else if (s->sh_type == SHT_HASH && a == old[5])
						MOVE(o_h, hash.n);
					else if (s->sh_type == SHT_RELA && a == old[6])
						MOVE(o_rela, rela.n);
					else if (s->sh_type == SHT_DYNAMIC && a == old[7] && move_dyn) {
						s->sh_offset = fb + rw_off + o_dyn;
						s->sh_addr = vrw + o_dyn;
						s->sh_size = ndyn * sizeof *dyn;
						moved[i] = (int64_t)(s->sh_addr - a);
					}
#undef MOVE
				}
				/* .symtab's symbols in the moved sections (__abi_tag, _DYNAMIC ...) */
				for (size_t i = 1; i < nsh; i++) {
					if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_entsize != sizeof(Elf64_Sym) ||
					    !in(&e.host, sh[i].sh_offset, sh[i].sh_size))
						continue;
					for (size_t k = 0; k < sh[i].sh_size / sizeof(Elf64_Sym); k++) {
						Elf64_Sym y;
						unsigned char *where = img.p + sh[i].sh_offset + k * sizeof y;

						memcpy(&y, where, sizeof y);
						if (y.st_shndx > 0 && y.st_shndx < nsh && moved[y.st_shndx] != 0) {
							y.st_value += (uint64_t)moved[y.st_shndx];
							memcpy(where, &y, sizeof y);
						}
					}
				}
				free(moved);
				/* .shstrtab with the new names, at the end. */
				ss = &sh[eh.e_shstrndx];
				if (!in(&e.host, ss->sh_offset, ss->sh_size)) {
					free(sh);
					goto bad_shdrs;
				}
				put(&shstr, host + ss->sh_offset, ss->sh_size);
				for (size_t k = 0; k < sizeof add / sizeof add[0]; k++) {
					Elf64_Shdr *n = &sh[nsh + nnew];

					if (add[k].size == 0)
						continue;
					n->sh_name = (uint32_t)shstr.n;
					put(&shstr, add[k].name, strlen(add[k].name) + 1);
					n->sh_type = add[k].type;
					n->sh_flags = add[k].flags;
					n->sh_addr = add[k].addr;
					n->sh_offset = add[k].off;
					n->sh_size = add[k].size;
					n->sh_addralign = add[k].align;
					nnew++;
				}
				off_str = img.n;
				put(&img, shstr.p, shstr.n);
				ss->sh_offset = off_str;
				ss->sh_size = shstr.n;
				free(shstr.p);
				align(&img, 8);
				eh.e_shoff = img.n;
				eh.e_shnum = (uint16_t)(nsh + nnew);
				put(&img, sh, (nsh + nnew) * sizeof *sh);
				free(sh);
			} else {
bad_shdrs:
				eh.e_shoff = 0;
				eh.e_shnum = 0;
				eh.e_shstrndx = SHN_UNDEF;
			}
			memcpy(img.p, &eh, sizeof eh);
		}
		free(ph);
		free(dyn);
		*out = img.p;
		*out_len = img.n;
		img.p = NULL;
		rc = 0;
		goto out;
out_a:
		free(ph);
		free(dyn);
		goto out;
unsupported_a:
		free(ph);
		free(dyn);
		goto unsupported;
	}
unsupported:
	ak_errf(err, "%s: its layout is not one the shim can be embedded in", host_name);
unsupported_msg:
out:
	free(img.p);
	free(dynstr.p);
	free(dynsym.p);
	free(versym.p);
	free(verneed.p);
	free(gnuhash.p);
	free(hash.p);
	free(rela.p);
	free(code.p);
	free(hr);
	free(hp);
	free(br);
	free(bp);
	embed_free(&e);
	return rc;
}
