/* The ELF model: what abikit needs to know about one file, read through
 * libelf. Strings point into the file's mapping, which lives as long as the
 * model; ak_elf_close releases both. */
#ifndef ABIKIT_ELFMODEL_H
#define ABIKIT_ELFMODEL_H

#include <gelf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"

enum ak_kind {
	AK_KIND_EXEC,           /* ET_EXEC with an interpreter */
	AK_KIND_PIE,            /* ET_DYN executable */
	AK_KIND_SHLIB,          /* shared library */
	AK_KIND_STATIC,         /* ET_EXEC, no interpreter, no dynamic section */
	AK_KIND_STATIC_PIE,     /* ET_DYN, DF_1_PIE, no interpreter */
	AK_KIND_RELOC,          /* object file */
	AK_KIND_CORE,
	AK_KIND_OTHER
};

enum ak_libc {
	AK_LIBC_NONE,           /* nothing says which (a library with no NEEDED libc) */
	AK_LIBC_GLIBC,
	AK_LIBC_MUSL,
	AK_LIBC_UNKNOWN         /* static, with no sign of glibc (Go, musl, ...) */
};

/* One version a file needs from one library (.gnu.version_r). */
struct ak_vneed {
	const char *file;       /* vn_file: the library's soname */
	const char *name;       /* vna_name: GLIBC_2.34 */
	uint16_t flags;         /* VER_FLG_WEAK: the loader tolerates its absence */
	uint16_t index;         /* vna_other: the .gnu.version index */
};

/* One version the file defines (.gnu.version_d). */
struct ak_vdef {
	const char *name;
	uint16_t index, flags;  /* VER_FLG_BASE marks the file's own name */
};

/* A dynamic symbol: an undefined one with the version it needs, or (with
 * AK_READ_DEFS) a defined, exported one with the version it carries. */
struct ak_sym {
	const char *name;
	const char *version;    /* NULL: unversioned */
	const char *file;       /* undefined: the library the version is needed from */
	unsigned char bind, type;
	bool undef;
	bool hidden;            /* defined: non-default (sym@VER, not sym@@VER) */
};

enum {
	AK_READ_UNDEF = 1u << 0,    /* undefined dynamic symbols */
	AK_READ_DEFS = 1u << 1,     /* exported dynamic symbols */
};

struct ak_elf {
	const char *path;
	size_t size;
	unsigned char elfclass, data;
	uint16_t etype, machine;
	const char *unsupported;    /* non-NULL: why only the header was read */
	enum ak_kind kind;
	enum ak_libc libc;
	bool static_glibc;
	const char *interp, *soname;
	const char **needed;
	size_t nneeded;
	const char *rpath, *runpath;  /* raw, NULL when absent */
	uint64_t dt_flags, dt_flags_1;
	bool has_dynamic, has_gnu_stack, execstack;
	bool has_versym;              /* a .gnu.version table exists */
	struct ak_vneed *vneeds;
	size_t nvneeds;
	struct ak_vdef *vdefs;
	size_t nvdefs;
	struct ak_sym *syms;          /* undefined first, then defined */
	size_t nsyms, nundef;

	/* private */
	Elf *elf;
	struct ak_arena arena;
};

/* Is this a file abikit reads? Checks the 4-byte magic only. -1 on I/O error. */
enum { AK_NOT_ELF = -2 };
int ak_elf_is_elf(const char *path, struct ak_err *err);

/* Read `path` into m. Returns 0; AK_NOT_ELF when the file is not ELF at
 * all (empty, other magic); or -1 (truncated, corrupt, unreadable). Both
 * failures fill err with "PATH: reason". An unsupported ELF (32-bit, big-endian, another
 * machine) still returns 0 with m->unsupported set and only the header read. */
int ak_elf_open(struct ak_elf *m, const char *path, unsigned flags, struct ak_err *err);
void ak_elf_close(struct ak_elf *m);

const char *ak_kind_name(enum ak_kind kind);
const char *ak_libc_name(enum ak_libc libc);
const char *ak_machine_name(unsigned machine);
bool ak_elf_is_executable(const struct ak_elf *m);  /* EXEC, PIE, STATIC, STATIC_PIE */

#endif
