/* Reading one ELF file into an ak_elf. libelf finds the headers and
 * sections; the dynamic tables are then walked with explicit bounds checks,
 * because abikit must survive truncated and corrupted files. Without section
 * headers (sstrip) the same tables are found the loader's way, through
 * PT_DYNAMIC and the PT_LOAD mapping. */
#include <config.h>

#include "elfmodel.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "abidb.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "abikit reads ELF64 little-endian tables in place: port the readers for a big-endian host"
#endif

#ifndef DF_1_PIE
#define DF_1_PIE 0x08000000
#endif

/* A byte range inside the file (or a libelf buffer). */
struct span {
	const unsigned char *p;
	size_t size;
};

/* The dynamic tables, wherever they were found. */
struct tables {
	struct span dynamic, dynstr, dynsym, versym, verneed, verdef;
	size_t verneednum, verdefnum;
	bool have_verneednum, have_verdefnum;
};

struct verinfo {
	const char *name, *file;
	bool def, hidden_base;
};

const char *ak_kind_name(enum ak_kind kind)
{
	switch (kind) {
	case AK_KIND_EXEC: return "executable";
	case AK_KIND_PIE: return "pie";
	case AK_KIND_SHLIB: return "shared-library";
	case AK_KIND_STATIC: return "static-executable";
	case AK_KIND_STATIC_PIE: return "static-pie";
	case AK_KIND_RELOC: return "relocatable";
	case AK_KIND_CORE: return "core";
	case AK_KIND_OTHER: break;
	}
	return "other";
}

const char *ak_libc_name(enum ak_libc libc)
{
	switch (libc) {
	case AK_LIBC_NONE: return "none";
	case AK_LIBC_GLIBC: return "glibc";
	case AK_LIBC_MUSL: return "musl";
	case AK_LIBC_UNKNOWN: break;
	}
	return "unknown";
}

const char *ak_machine_name(unsigned machine)
{
	switch (machine) {
	case EM_X86_64: return "x86_64";
	case EM_AARCH64: return "aarch64";
	case EM_386: return "i386";
	case EM_ARM: return "arm";
	case EM_PPC: return "ppc";
	case EM_PPC64: return "ppc64";
	case EM_S390: return "s390";
	case EM_MIPS: return "mips";
	case EM_RISCV: return "riscv";
	case EM_SPARCV9: return "sparcv9";
	case EM_IA_64: return "ia64";
	case EM_LOONGARCH: return "loongarch";
	case EM_NONE: return "none";
	}
	return "unknown-machine";
}

bool ak_elf_is_executable(const struct ak_elf *m)
{
	return m->kind == AK_KIND_EXEC || m->kind == AK_KIND_PIE ||
	       m->kind == AK_KIND_STATIC || m->kind == AK_KIND_STATIC_PIE;
}

int ak_elf_is_elf(const char *path, struct ak_err *err)
{
	unsigned char magic[4];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0)
		return ak_errno(err, errno, "%s", path);
	n = read(fd, magic, sizeof magic);
	close(fd);
	if (n < 0)
		return ak_errno(err, errno, "%s", path);
	return n == 4 && memcmp(magic, ELFMAG, SELFMAG) == 0;
}

/* A NUL-terminated string at `off` of a string table, or NULL. */
static const char *str_at(struct span tab, uint64_t off)
{
	if (tab.p == NULL || off >= tab.size)
		return NULL;
	if (memchr(tab.p + off, '\0', tab.size - off) == NULL)
		return NULL;
	return (const char *)tab.p + off;
}

static int bad(struct ak_err *err, const struct ak_elf *m, const char *what)
{
	return ak_errf(err, "%s: corrupt ELF: %s", m->path, what);
}

/* The file's bytes at [off, off+size), when they are inside the file. */
static bool file_span(const struct ak_elf *m, const unsigned char *raw, uint64_t off,
		      uint64_t size, struct span *out)
{
	if (off > m->size || size > m->size - off)
		return false;
	out->p = raw + off;
	out->size = (size_t)size;
	return true;
}

static int section_span(struct ak_elf *m, Elf_Scn *scn, const GElf_Shdr *sh,
			struct span *out, struct ak_err *err)
{
	Elf_Data *d;

	if (sh->sh_type == SHT_NOBITS)
		return bad(err, m, "a dynamic table section has no file data (SHT_NOBITS)");
	d = elf_getdata(scn, NULL);
	if (d == NULL || (d->d_buf == NULL && d->d_size != 0))
		return ak_errf(err, "%s: corrupt ELF: cannot read section at offset 0x%llx: %s",
			       m->path, (unsigned long long)sh->sh_offset, elf_errmsg(-1));
	out->p = d->d_buf;
	out->size = d->d_size;
	return 0;
}

/* Fill the tables from the section headers; also notes glibc-only sections. */
static int tables_from_sections(struct ak_elf *m, const unsigned char *raw, size_t shstrndx,
				struct tables *t, bool *glibc_sections, struct ak_err *err)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(m->elf, scn)) != NULL) {
		GElf_Shdr sh;
		struct span *dst = NULL;
		const char *name;

		if (gelf_getshdr(scn, &sh) == NULL)
			return bad(err, m, "unreadable section header");
		if (sh.sh_type != SHT_NOBITS && sh.sh_type != SHT_NULL &&
		    (sh.sh_offset > m->size || sh.sh_size > m->size - sh.sh_offset))
			return ak_errf(err, "%s: truncated or corrupt: section %zu (offset 0x%llx, size 0x%llx) extends past the end of the file (%zu bytes)",
				       m->path, elf_ndxscn(scn), (unsigned long long)sh.sh_offset,
				       (unsigned long long)sh.sh_size, m->size);
		name = elf_strptr(m->elf, shstrndx, sh.sh_name);
		if (name != NULL && (strncmp(name, "__libc_", 7) == 0 || strcmp(name, ".note.ABI-tag") == 0))
			*glibc_sections = true;
		switch (sh.sh_type) {
		case SHT_DYNAMIC: dst = &t->dynamic; break;
		case SHT_DYNSYM: dst = &t->dynsym; break;
		case SHT_GNU_versym: dst = &t->versym; break;
		case SHT_GNU_verneed:
			dst = &t->verneed;
			t->verneednum = sh.sh_info;
			t->have_verneednum = true;
			break;
		case SHT_GNU_verdef:
			dst = &t->verdef;
			t->verdefnum = sh.sh_info;
			t->have_verdefnum = true;
			break;
		default:
			continue;
		}
		if (dst->p != NULL)
			continue;  /* the first one is the one the tools use */
		if (section_span(m, scn, &sh, dst, err) < 0)
			return -1;
		if (sh.sh_type == SHT_DYNAMIC || sh.sh_type == SHT_DYNSYM) {
			Elf_Scn *link = elf_getscn(m->elf, sh.sh_link);
			GElf_Shdr lsh;

			if (link == NULL || gelf_getshdr(link, &lsh) == NULL || lsh.sh_type != SHT_STRTAB)
				return bad(err, m, "dynamic section links to no string table");
			if (lsh.sh_offset > m->size || lsh.sh_size > m->size - lsh.sh_offset)
				return bad(err, m, "dynamic string table extends past the end of the file");
			if (t->dynstr.p == NULL && section_span(m, link, &lsh, &t->dynstr, err) < 0)
				return -1;
		}
	}
	(void)raw;
	return 0;
}

/* Virtual address -> bytes of the file, through the PT_LOAD segments; the
 * span runs to the end of the segment's file image. */
static bool vaddr_span(const struct ak_elf *m, const unsigned char *raw, const GElf_Phdr *ph,
		       size_t nph, uint64_t vaddr, struct span *out)
{
	for (size_t i = 0; i < nph; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		if (vaddr >= ph[i].p_vaddr && vaddr - ph[i].p_vaddr < ph[i].p_filesz) {
			uint64_t delta = vaddr - ph[i].p_vaddr;

			return file_span(m, raw, ph[i].p_offset + delta, ph[i].p_filesz - delta, out);
		}
	}
	return false;
}

/* How many symbols DT_GNU_HASH covers: past the highest bucket, walk its
 * chain to the entry with the stop bit. */
static size_t gnu_hash_nsyms(struct span h)
{
	uint32_t nbuckets, symoffset, bloom_size, maxsym = 0;
	size_t base;

	if (h.size < 16)
		return 0;
	memcpy(&nbuckets, h.p, 4);
	memcpy(&symoffset, h.p + 4, 4);
	memcpy(&bloom_size, h.p + 8, 4);
	base = 16 + (size_t)bloom_size * 8;
	if (base > h.size || nbuckets > (h.size - base) / 4)
		return 0;
	for (uint32_t i = 0; i < nbuckets; i++) {
		uint32_t b;

		memcpy(&b, h.p + base + (size_t)i * 4, 4);
		if (b > maxsym)
			maxsym = b;
	}
	if (maxsym < symoffset)
		return symoffset;
	base += (size_t)nbuckets * 4;
	for (;;) {
		size_t off = base + (size_t)(maxsym - symoffset) * 4;
		uint32_t c;

		if (off + 4 > h.size)
			return 0;
		memcpy(&c, h.p + off, 4);
		if (c & 1)
			return (size_t)maxsym + 1;
		maxsym++;
	}
}

/* The loader's way, for files without section headers. */
static int tables_from_dynamic(struct ak_elf *m, const unsigned char *raw, const GElf_Phdr *ph,
			       size_t nph, struct span dyn, struct tables *t, struct ak_err *err)
{
	uint64_t strtab = 0, strsz = 0, symtab = 0, versym = 0, verneed = 0, verdef = 0;
	uint64_t hash = 0, gnuhash = 0;
	size_t nsyms = 0;
	struct span s;

	t->dynamic = dyn;
	for (size_t off = 0; off + sizeof(Elf64_Dyn) <= dyn.size; off += sizeof(Elf64_Dyn)) {
		Elf64_Dyn d;

		memcpy(&d, dyn.p + off, sizeof d);
		if (d.d_tag == DT_NULL)
			break;
		switch (d.d_tag) {
		case DT_STRTAB: strtab = d.d_un.d_ptr; break;
		case DT_STRSZ: strsz = d.d_un.d_val; break;
		case DT_SYMTAB: symtab = d.d_un.d_ptr; break;
		case DT_VERSYM: versym = d.d_un.d_ptr; break;
		case DT_VERNEED: verneed = d.d_un.d_ptr; break;
		case DT_VERNEEDNUM: t->verneednum = d.d_un.d_val; t->have_verneednum = true; break;
		case DT_VERDEF: verdef = d.d_un.d_ptr; break;
		case DT_VERDEFNUM: t->verdefnum = d.d_un.d_val; t->have_verdefnum = true; break;
		case DT_HASH: hash = d.d_un.d_ptr; break;
		case DT_GNU_HASH: gnuhash = d.d_un.d_ptr; break;
		}
	}
	if (strtab == 0)
		return 0;
	if (!vaddr_span(m, raw, ph, nph, strtab, &t->dynstr) || strsz > t->dynstr.size)
		return bad(err, m, "DT_STRTAB lies outside the file");
	t->dynstr.size = (size_t)strsz;
	if (hash != 0 && vaddr_span(m, raw, ph, nph, hash, &s) && s.size >= 8) {
		uint32_t nchain;

		memcpy(&nchain, s.p + 4, 4);
		nsyms = nchain;
	} else if (gnuhash != 0 && vaddr_span(m, raw, ph, nph, gnuhash, &s)) {
		nsyms = gnu_hash_nsyms(s);
	}
	if (symtab != 0 && nsyms != 0) {
		if (!vaddr_span(m, raw, ph, nph, symtab, &t->dynsym) ||
		    nsyms > t->dynsym.size / sizeof(Elf64_Sym))
			return bad(err, m, "DT_SYMTAB lies outside the file");
		t->dynsym.size = nsyms * sizeof(Elf64_Sym);
	}
	if (versym != 0 && vaddr_span(m, raw, ph, nph, versym, &t->versym) && nsyms != 0 &&
	    t->versym.size >= nsyms * 2)
		t->versym.size = nsyms * 2;
	else
		t->versym.p = NULL;
	if (verneed != 0 && !vaddr_span(m, raw, ph, nph, verneed, &t->verneed))
		return bad(err, m, "DT_VERNEED lies outside the file");
	if (verdef != 0 && !vaddr_span(m, raw, ph, nph, verdef, &t->verdef))
		return bad(err, m, "DT_VERDEF lies outside the file");
	return 0;
}

static int read_dynamic(struct ak_elf *m, const struct tables *t, struct ak_err *err)
{
	size_t cap = 0;

	for (size_t off = 0; off + sizeof(Elf64_Dyn) <= t->dynamic.size; off += sizeof(Elf64_Dyn)) {
		Elf64_Dyn d;
		const char *s = NULL;

		memcpy(&d, t->dynamic.p + off, sizeof d);
		if (d.d_tag == DT_NULL)
			break;
		if (d.d_tag == DT_NEEDED || d.d_tag == DT_SONAME || d.d_tag == DT_RPATH ||
		    d.d_tag == DT_RUNPATH) {
			s = str_at(t->dynstr, d.d_un.d_val);
			if (s == NULL)
				return bad(err, m, "a dynamic entry points outside the string table");
		}
		switch (d.d_tag) {
		case DT_NEEDED:
			ak_grow((void **)&m->needed, &cap, m->nneeded + 1, sizeof *m->needed);
			m->needed[m->nneeded++] = s;
			break;
		case DT_SONAME: m->soname = s; break;
		case DT_RPATH: m->rpath = s; break;
		case DT_RUNPATH: m->runpath = s; break;
		case DT_FLAGS: m->dt_flags = d.d_un.d_val; break;
		case DT_FLAGS_1: m->dt_flags_1 = d.d_un.d_val; break;
		}
	}
	return 0;
}

static int read_verneed(struct ak_elf *m, const struct tables *t, struct verinfo **vi,
			size_t *nvi, struct ak_err *err)
{
	size_t cap = 0, off = 0;
	size_t count = t->have_verneednum ? t->verneednum : SIZE_MAX;
	struct span v = t->verneed;

	if (v.p == NULL)
		return 0;
	for (size_t i = 0; i < count; i++) {
		Elf64_Verneed vn;
		size_t aoff;
		const char *file;

		if (off > v.size || v.size - off < sizeof vn)
			return bad(err, m, "version needs (.gnu.version_r) run past their section");
		memcpy(&vn, v.p + off, sizeof vn);
		if (vn.vn_version != VER_NEED_CURRENT)
			return bad(err, m, "unknown .gnu.version_r version");
		file = str_at(t->dynstr, vn.vn_file);
		if (file == NULL)
			return bad(err, m, "a version need names a string outside the string table");
		aoff = off + vn.vn_aux;
		for (unsigned j = 0; j < vn.vn_cnt; j++) {
			Elf64_Vernaux a;
			struct ak_vneed *n;

			if (aoff > v.size || v.size - aoff < sizeof a)
				return bad(err, m, "version need entries run past their section");
			memcpy(&a, v.p + aoff, sizeof a);
			ak_grow((void **)&m->vneeds, &cap, m->nvneeds + 1, sizeof *m->vneeds);
			n = &m->vneeds[m->nvneeds++];
			n->file = file;
			n->name = str_at(t->dynstr, a.vna_name);
			n->flags = a.vna_flags;
			n->index = a.vna_other;
			if (n->name == NULL)
				return bad(err, m, "a version need names a string outside the string table");
			if ((a.vna_other & 0x7fff) >= *nvi)
				*nvi = (size_t)(a.vna_other & 0x7fff) + 1;
			if (a.vna_next == 0)
				break;
			aoff += a.vna_next;
		}
		if (vn.vn_next == 0)
			break;
		off += vn.vn_next;
	}
	(void)vi;
	return 0;
}

static int read_verdef(struct ak_elf *m, const struct tables *t, size_t *nvi, struct ak_err *err)
{
	size_t cap = 0, off = 0;
	size_t count = t->have_verdefnum ? t->verdefnum : SIZE_MAX;
	struct span v = t->verdef;

	if (v.p == NULL)
		return 0;
	for (size_t i = 0; i < count; i++) {
		Elf64_Verdef vd;
		Elf64_Verdaux a;
		struct ak_vdef *d;

		if (off > v.size || v.size - off < sizeof vd)
			return bad(err, m, "version definitions (.gnu.version_d) run past their section");
		memcpy(&vd, v.p + off, sizeof vd);
		if (vd.vd_version != VER_DEF_CURRENT)
			return bad(err, m, "unknown .gnu.version_d version");
		if (vd.vd_cnt > 0) {
			size_t aoff = off + vd.vd_aux;

			if (aoff > v.size || v.size - aoff < sizeof a)
				return bad(err, m, "version definition names run past their section");
			memcpy(&a, v.p + aoff, sizeof a);
			ak_grow((void **)&m->vdefs, &cap, m->nvdefs + 1, sizeof *m->vdefs);
			d = &m->vdefs[m->nvdefs++];
			d->name = str_at(t->dynstr, a.vda_name);
			d->index = vd.vd_ndx;
			d->flags = vd.vd_flags;
			if (d->name == NULL)
				return bad(err, m, "a version definition names a string outside the string table");
			if ((vd.vd_ndx & 0x7fff) >= *nvi)
				*nvi = (size_t)(vd.vd_ndx & 0x7fff) + 1;
		}
		if (vd.vd_next == 0)
			break;
		off += vd.vd_next;
	}
	return 0;
}

static int read_symbols(struct ak_elf *m, const struct tables *t, unsigned flags, size_t nvi,
			struct ak_err *err)
{
	size_t nsyms = t->dynsym.size / sizeof(Elf64_Sym);
	struct verinfo *vi = NULL;
	size_t cap = 0, ndef = 0;
	struct ak_sym *defs = NULL;
	size_t defcap = 0;

	if (nsyms == 0)
		return 0;
	m->has_versym = t->versym.p != NULL && t->versym.size >= nsyms * 2;
	if (nvi > 0) {
		vi = ak_arena_alloc(&m->arena, nvi * sizeof *vi);
		memset(vi, 0, nvi * sizeof *vi);
		for (size_t i = 0; i < m->nvneeds; i++) {
			struct verinfo *e = &vi[m->vneeds[i].index & 0x7fff];

			e->name = m->vneeds[i].name;
			e->file = m->vneeds[i].file;
		}
		for (size_t i = 0; i < m->nvdefs; i++) {
			struct verinfo *e = &vi[m->vdefs[i].index & 0x7fff];

			e->name = m->vdefs[i].name;
			e->def = true;
			e->hidden_base = (m->vdefs[i].flags & VER_FLG_BASE) != 0;
		}
	}
	for (size_t i = 1; i < nsyms; i++) {
		Elf64_Sym s;
		uint16_t vs = 1;
		bool undef;
		const char *name;
		struct ak_sym *out;
		unsigned char bind;

		memcpy(&s, t->dynsym.p + i * sizeof s, sizeof s);
		bind = ELF64_ST_BIND(s.st_info);
		if (bind == STB_LOCAL || s.st_name == 0)
			continue;
		undef = s.st_shndx == SHN_UNDEF;
		if (undef ? !(flags & AK_READ_UNDEF) : !(flags & AK_READ_DEFS))
			continue;
		if (!undef && (ELF64_ST_VISIBILITY(s.st_other) == STV_HIDDEN ||
			       ELF64_ST_VISIBILITY(s.st_other) == STV_INTERNAL))
			continue;
		name = str_at(t->dynstr, s.st_name);
		if (name == NULL)
			return bad(err, m, "a dynamic symbol's name lies outside the string table");
		if (m->has_versym)
			memcpy(&vs, t->versym.p + i * 2, 2);
		if (undef) {
			ak_grow((void **)&m->syms, &cap, m->nsyms + 1, sizeof *m->syms);
			out = &m->syms[m->nsyms++];
		} else {
			ak_grow((void **)&defs, &defcap, ndef + 1, sizeof *defs);
			out = &defs[ndef++];
		}
		memset(out, 0, sizeof *out);
		out->name = name;
		out->bind = bind;
		out->type = ELF64_ST_TYPE(s.st_info);
		out->undef = undef;
		out->hidden = (vs & 0x8000) != 0;
		if ((vs & 0x7fff) >= 2) {
			if ((size_t)(vs & 0x7fff) >= nvi || vi[vs & 0x7fff].name == NULL) {
				free(defs);
				return bad(err, m, "a symbol's version index names no version");
			}
			out->version = vi[vs & 0x7fff].name;
			out->file = vi[vs & 0x7fff].def ? NULL : vi[vs & 0x7fff].file;
		}
	}
	m->nundef = m->nsyms;
	if (ndef > 0) {
		ak_grow((void **)&m->syms, &cap, m->nsyms + ndef, sizeof *m->syms);
		memcpy(m->syms + m->nsyms, defs, ndef * sizeof *defs);
		m->nsyms += ndef;
	}
	free(defs);
	return 0;
}

static void classify(struct ak_elf *m, bool glibc_sections)
{
	bool pie_flag = (m->dt_flags_1 & DF_1_PIE) != 0;

	switch (m->etype) {
	case ET_EXEC:
		m->kind = m->interp ? AK_KIND_EXEC : (m->has_dynamic ? AK_KIND_EXEC : AK_KIND_STATIC);
		break;
	case ET_DYN:
		if (m->interp != NULL)
			/* libc.so.6 has an interpreter too, and no DF_1_PIE */
			m->kind = pie_flag || m->soname == NULL ? AK_KIND_PIE : AK_KIND_SHLIB;
		else
			m->kind = pie_flag ? AK_KIND_STATIC_PIE : AK_KIND_SHLIB;
		break;
	case ET_REL: m->kind = AK_KIND_RELOC; break;
	case ET_CORE: m->kind = AK_KIND_CORE; break;
	default: m->kind = AK_KIND_OTHER; break;
	}

	m->libc = AK_LIBC_NONE;
	if (m->interp != NULL && strstr(m->interp, "ld-musl-") != NULL)
		m->libc = AK_LIBC_MUSL;
	for (size_t i = 0; i < m->nneeded && m->libc == AK_LIBC_NONE; i++)
		if (strncmp(m->needed[i], "libc.musl-", 10) == 0)
			m->libc = AK_LIBC_MUSL;
	if (m->libc == AK_LIBC_NONE) {
		for (size_t i = 0; i < m->nvneeds; i++)
			if (strncmp(m->vneeds[i].name, "GLIBC_", 6) == 0)
				m->libc = AK_LIBC_GLIBC;
		for (size_t i = 0; i < m->nneeded; i++)
			if (strcmp(m->needed[i], "libc.so.6") == 0)
				m->libc = AK_LIBC_GLIBC;
		if (m->interp != NULL && strstr(m->interp, "ld-linux") != NULL)
			m->libc = AK_LIBC_GLIBC;
		if (m->soname != NULL && (strcmp(m->soname, "libc.so.6") == 0 ||
					  strncmp(m->soname, "ld-linux", 8) == 0))
			m->libc = AK_LIBC_GLIBC;
	}
	if (m->kind == AK_KIND_STATIC || m->kind == AK_KIND_STATIC_PIE) {
		m->static_glibc = glibc_sections;
		m->libc = glibc_sections ? AK_LIBC_GLIBC : AK_LIBC_UNKNOWN;
	}
}

static void set_unsupported(struct ak_elf *m)
{
	if (m->elfclass != ELFCLASS64)
		m->unsupported = "32-bit ELF";
	else if (m->data != ELFDATA2LSB)
		m->unsupported = "big-endian ELF";
	else if (ak_arch_from_machine(m->machine) < 0)
		m->unsupported = "machine not supported";
	switch (m->etype) {
	case ET_EXEC: m->kind = AK_KIND_EXEC; break;
	case ET_DYN: m->kind = AK_KIND_SHLIB; break;
	case ET_REL: m->kind = AK_KIND_RELOC; break;
	case ET_CORE: m->kind = AK_KIND_CORE; break;
	default: m->kind = AK_KIND_OTHER; break;
	}
	m->libc = AK_LIBC_UNKNOWN;
}

static int parse(struct ak_elf *m, unsigned flags, struct ak_err *err)
{
	GElf_Ehdr eh;
	size_t nph = 0, nsh = 0, shstrndx = 0, nvi = 0;
	size_t rawsize = 0;
	const unsigned char *raw;
	GElf_Phdr *ph = NULL;
	struct tables t;
	struct span dyn = { NULL, 0 };
	bool glibc_sections = false;
	int rc = -1;

	memset(&t, 0, sizeof t);
	raw = (const unsigned char *)elf_rawfile(m->elf, &rawsize);
	if (raw == NULL || gelf_getehdr(m->elf, &eh) == NULL)
		return ak_errf(err, "%s: truncated or corrupt ELF header: %s", m->path, elf_errmsg(-1));
	m->size = rawsize;
	m->etype = eh.e_type;
	m->machine = eh.e_machine;
	if (m->elfclass != ELFCLASS64 || m->data != ELFDATA2LSB || ak_arch_from_machine(eh.e_machine) < 0) {
		set_unsupported(m);
		return 0;
	}
	if (eh.e_phoff > rawsize || (uint64_t)eh.e_phnum * eh.e_phentsize > rawsize - eh.e_phoff)
		return ak_errf(err, "%s: truncated or corrupt: program headers (offset 0x%llx) extend past the end of the file (%zu bytes)",
			       m->path, (unsigned long long)eh.e_phoff, rawsize);
	if (elf_getphdrnum(m->elf, &nph) != 0)
		return ak_errf(err, "%s: corrupt program headers: %s", m->path, elf_errmsg(-1));
	if (elf_getshdrnum(m->elf, &nsh) != 0)
		return ak_errf(err, "%s: truncated or corrupt section headers (offset 0x%llx): %s", m->path,
			       (unsigned long long)eh.e_shoff, elf_errmsg(-1));
	/* libelf may quietly see no sections when their table is cut off; the
	 * header says where it should be, so hold the file to that. */
	if (eh.e_shoff != 0 && eh.e_shnum != 0 && nsh < eh.e_shnum)
		nsh = eh.e_shnum;
	if (eh.e_shoff != 0 && eh.e_shentsize != sizeof(Elf64_Shdr))
		return ak_errf(err, "%s: corrupt ELF: section header size %u, expected %zu", m->path,
			       eh.e_shentsize, sizeof(Elf64_Shdr));
	if (eh.e_shoff != 0 && (eh.e_shoff > rawsize || (uint64_t)(nsh ? nsh : 1) * eh.e_shentsize > rawsize - eh.e_shoff))
		return ak_errf(err, "%s: truncated or corrupt: section headers (offset 0x%llx) extend past the end of the file (%zu bytes)",
			       m->path, (unsigned long long)eh.e_shoff, rawsize);
	ph = ak_xcalloc(nph, sizeof *ph);
	for (size_t i = 0; i < nph; i++) {
		struct span s;

		if (gelf_getphdr(m->elf, (int)i, &ph[i]) == NULL) {
			ak_errf(err, "%s: corrupt program header %zu: %s", m->path, i, elf_errmsg(-1));
			goto out;
		}
		if ((ph[i].p_type == PT_LOAD || ph[i].p_type == PT_INTERP || ph[i].p_type == PT_DYNAMIC) &&
		    !file_span(m, raw, ph[i].p_offset, ph[i].p_filesz, &s)) {
			ak_errf(err, "%s: truncated or corrupt: segment %zu (offset 0x%llx, size 0x%llx) extends past the end of the file (%zu bytes)",
				m->path, i, (unsigned long long)ph[i].p_offset,
				(unsigned long long)ph[i].p_filesz, rawsize);
			goto out;
		}
		switch (ph[i].p_type) {
		case PT_INTERP:
			if (s.size == 0 || memchr(s.p, '\0', s.size) == NULL) {
				bad(err, m, "PT_INTERP is not a NUL-terminated string");
				goto out;
			}
			m->interp = (const char *)s.p;
			break;
		case PT_DYNAMIC:
			m->has_dynamic = true;
			dyn = s;
			break;
		case PT_GNU_STACK:
			m->has_gnu_stack = true;
			m->execstack = (ph[i].p_flags & PF_X) != 0;
			break;
		}
	}
	/* Without PT_GNU_STACK the kernel's default applies: executable on x86_64. */
	if (!m->has_gnu_stack && nph > 0 && m->machine == EM_X86_64)
		m->execstack = true;
	if (nsh > 0) {
		if (elf_getshdrstrndx(m->elf, &shstrndx) != 0) {
			ak_errf(err, "%s: corrupt section name table: %s", m->path, elf_errmsg(-1));
			goto out;
		}
		if (tables_from_sections(m, raw, shstrndx, &t, &glibc_sections, err) < 0)
			goto out;
	}
	if (t.dynamic.p == NULL && dyn.p != NULL &&
	    tables_from_dynamic(m, raw, ph, nph, dyn, &t, err) < 0)
		goto out;
	if (t.dynamic.p != NULL && read_dynamic(m, &t, err) < 0)
		goto out;
	if (read_verneed(m, &t, NULL, &nvi, err) < 0 || read_verdef(m, &t, &nvi, err) < 0)
		goto out;
	if (read_symbols(m, &t, flags, nvi, err) < 0)
		goto out;
	classify(m, glibc_sections);
	rc = 0;
out:
	free(ph);
	return rc;
}

int ak_elf_open(struct ak_elf *m, const char *path, unsigned flags, struct ak_err *err)
{
	struct stat st;
	unsigned char ident[EI_NIDENT];
	ssize_t n;
	int fd;

	memset(m, 0, sizeof *m);
	m->path = path;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return ak_errno(err, errno, "%s", path);
	if (fstat(fd, &st) != 0) {
		ak_errno(err, errno, "%s", path);
		goto fail_fd;
	}
	if (S_ISDIR(st.st_mode)) {
		ak_errf(err, "%s: is a directory", path);
		goto fail_fd;
	}
	if (!S_ISREG(st.st_mode)) {
		ak_errf(err, "%s: not a regular file", path);
		goto fail_fd;
	}
	if (st.st_size == 0) {
		ak_errf(err, "%s: empty file, not ELF", path);
		close(fd);
		return AK_NOT_ELF;
	}
	n = pread(fd, ident, sizeof ident, 0);
	if (n < 0) {
		ak_errno(err, errno, "%s", path);
		goto fail_fd;
	}
	if (n < SELFMAG || memcmp(ident, ELFMAG, SELFMAG) != 0) {
		ak_errf(err, "%s: not an ELF file", path);
		close(fd);
		return AK_NOT_ELF;
	}
	if (n < EI_NIDENT) {
		ak_errf(err, "%s: truncated ELF header (%zd bytes)", path, n);
		goto fail_fd;
	}
	m->elfclass = ident[EI_CLASS];
	m->data = ident[EI_DATA];
	if (m->elfclass != ELFCLASS32 && m->elfclass != ELFCLASS64) {
		ak_errf(err, "%s: corrupt ELF: invalid class %u", path, m->elfclass);
		goto fail_fd;
	}
	if (m->data != ELFDATA2LSB && m->data != ELFDATA2MSB) {
		ak_errf(err, "%s: corrupt ELF: invalid data encoding %u", path, m->data);
		goto fail_fd;
	}
	{
		size_t need = m->elfclass == ELFCLASS64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);

		if ((uint64_t)st.st_size < need) {
			ak_errf(err, "%s: truncated ELF header (%lld bytes, the header alone is %zu)", path,
				(long long)st.st_size, need);
			goto fail_fd;
		}
	}
	elf_version(EV_CURRENT);
	m->elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (m->elf == NULL || elf_kind(m->elf) != ELF_K_ELF) {
		ak_errf(err, "%s: cannot read ELF: %s", path, elf_errmsg(-1));
		goto fail_elf;
	}
	/* Pull everything in (a no-op when mapped), then the descriptor can go. */
	if (elf_cntl(m->elf, ELF_C_FDREAD) != 0) {
		ak_errf(err, "%s: cannot read: %s", path, elf_errmsg(-1));
		goto fail_elf;
	}
	elf_cntl(m->elf, ELF_C_FDDONE);
	close(fd);
	fd = -1;
	if (parse(m, flags, err) < 0)
		goto fail_elf;
	return 0;
fail_elf:
	ak_elf_close(m);
fail_fd:
	if (fd >= 0)
		close(fd);
	return -1;
}

void ak_elf_close(struct ak_elf *m)
{
	free(m->needed);
	free(m->vneeds);
	free(m->vdefs);
	free(m->syms);
	ak_arena_free(&m->arena);
	if (m->elf != NULL)
		elf_end(m->elf);
	m->needed = NULL;
	m->vneeds = NULL;
	m->vdefs = NULL;
	m->syms = NULL;
	m->elf = NULL;
}
