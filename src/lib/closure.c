#include <config.h>

#include "closure.h"

#include <elf.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abidb.h"
#include "elfmodel.h"
#include "fsutil.h"

/* The loader follows NEEDED chains; a loop or a silly depth means a
 * broken tree, not a real program. */
enum { MAX_DEPTH = 64 };

bool ak_is_glibc_soname(unsigned machine, const char *soname)
{
	int arch = ak_arch_from_machine(machine);

	if (strncmp(soname, "ld-linux", 8) == 0 || strncmp(soname, "libnss_", 7) == 0)
		return true;
	return arch >= 0 && ak_abidb_lib_id((enum ak_arch)arch, soname) >= 0;
}

int ak_closure_init(struct ak_closure *c, unsigned machine, const char *glibc_lib, struct ak_err *err)
{
	memset(c, 0, sizeof *c);
	c->machine = machine;
	c->glibc_lib = glibc_lib;
	return ak_rootfs_open(&c->root, "/", err);
}

/* Append the entries of a search path to dirs, $ORIGIN expanded. */
static void add_dirs(struct ak_strvec *dirs, const char *path, const char *origin)
{
	for (const char *p = path; p != NULL;) {
		const char *colon = strchr(p, ':');
		size_t n = colon ? (size_t)(colon - p) : strlen(p);
		struct ak_sbuf b = { 0 };

		if (n >= 7 && strncmp(p, "$ORIGIN", 7) == 0)
			ak_sbuf_addf(&b, "%s%.*s", origin, (int)(n - 7), p + 7);
		else if (n >= 9 && strncmp(p, "${ORIGIN}", 9) == 0)
			ak_sbuf_addf(&b, "%s%.*s", origin, (int)(n - 9), p + 9);
		else if (n > 0 && p[0] == '/')
			ak_sbuf_addf(&b, "%.*s", (int)n, p);
		/* Empty or relative entries, $LIB, $PLATFORM: not followed. */
		if (b.s && b.s[0] == '/' && !ak_strvec_contains(dirs, b.s))
			ak_strvec_push(dirs, b.s);
		ak_sbuf_free(&b);
		p = colon ? colon + 1 : NULL;
	}
}

static const struct ak_closure_lib *find_lib(const struct ak_closure *c, const char *name)
{
	for (size_t i = 0; i < c->nlibs; i++)
		if (strcmp(c->libs[i].name, name) == 0)
			return &c->libs[i];
	return NULL;
}

/* A file the loader would accept for this program: ELF of the same machine. */
static bool usable(const struct ak_closure *c, const char *path, char **soname)
{
	struct ak_elf m;
	struct ak_err e;
	bool ok;

	if (!ak_exists(path) || ak_elf_open(&m, path, 0, &e) != 0)
		return false;
	ok = m.unsupported == NULL && m.machine == c->machine && m.elfclass == ELFCLASS64;
	if (ok && soname)
		*soname = m.soname ? ak_xstrdup(m.soname) : NULL;
	ak_elf_close(&m);
	return ok;
}

static void walk(struct ak_closure *c, const char *path, const struct ak_strvec *inherited, int depth)
{
	struct ak_elf m;
	struct ak_err e;
	struct ak_strvec dirs = { 0 };
	char *dircopy, *origin;

	if (depth > MAX_DEPTH || ak_elf_open(&m, path, 0, &e) != 0)
		return;
	dircopy = ak_xstrdup(path);
	origin = dirname(dircopy);
	/* DT_RUNPATH present: DT_RPATH (its own and the program's) is ignored. */
	if (m.runpath == NULL) {
		if (m.rpath)
			add_dirs(&dirs, m.rpath, origin);
		for (size_t i = 0; inherited && i < inherited->n; i++)
			if (!ak_strvec_contains(&dirs, inherited->v[i]))
				ak_strvec_push(&dirs, inherited->v[i]);
	}
	for (size_t i = 0; i < c->library_path.n; i++)
		if (!ak_strvec_contains(&dirs, c->library_path.v[i]))
			ak_strvec_push(&dirs, c->library_path.v[i]);
	if (m.runpath)
		add_dirs(&dirs, m.runpath, origin);
	for (size_t i = 0; i < c->root.conf_dirs.n; i++)
		if (!ak_strvec_contains(&dirs, c->root.conf_dirs.v[i]))
			ak_strvec_push(&dirs, c->root.conf_dirs.v[i]);
	for (const char *const *d = ak_rootfs_default_dirs(c->machine); *d; d++)
		if (!ak_strvec_contains(&dirs, *d))
			ak_strvec_push(&dirs, *d);

	for (size_t i = 0; i < m.nneeded; i++) {
		const char *name = m.needed[i];
		char *found = NULL, *soname = NULL;

		if (find_lib(c, name) || ak_strvec_contains(&c->glibc, name))
			continue;
		if (ak_is_glibc_soname(c->machine, name)) {
			char *in_rt = ak_path_join(c->glibc_lib, name);
			bool have = ak_exists(in_rt);

			free(in_rt);
			/* ld.so is the interpreter, never copied; other glibc
			 * libraries come from the runtime when it has them
			 * (libcrypt.so.1 is libxcrypt's on Debian, not glibc's). */
			if (have || strncmp(name, "ld-linux", 8) == 0) {
				ak_strvec_push(&c->glibc, name);
				continue;
			}
		}
		if (strchr(name, '/')) {
			if (usable(c, name, &soname))
				found = ak_xstrdup(name);
		} else {
			for (size_t d = 0; d < dirs.n && !found; d++) {
				char *cand = ak_path_join(dirs.v[d], name);

				if (usable(c, cand, &soname))
					found = cand;
				else
					free(cand);
			}
		}
		if (found == NULL) {
			struct ak_sbuf b = { 0 };

			ak_sbuf_addf(&b, "%s (needed by %s)", name, path);
			ak_strvec_push(&c->missing, b.s);
			ak_sbuf_free(&b);
			continue;
		}
		ak_grow((void **)&c->libs, &c->cap, c->nlibs + 1, sizeof *c->libs);
		c->libs[c->nlibs].name = ak_xstrdup(name);
		c->libs[c->nlibs].path = found;
		c->libs[c->nlibs].soname = soname;
		c->libs[c->nlibs].needed_by = ak_xstrdup(path);
		c->nlibs++;
		walk(c, found, inherited, depth + 1);
	}
	ak_strvec_free(&dirs);
	free(dircopy);
	ak_elf_close(&m);
}

int ak_closure_add(struct ak_closure *c, const char *path, struct ak_err *err)
{
	struct ak_elf m;
	struct ak_strvec inherited = { 0 };
	char *dircopy;

	if (ak_elf_open(&m, path, 0, err) != 0)
		return -1;
	/* A program's DT_RPATH (without DT_RUNPATH) serves all it loads. */
	dircopy = ak_xstrdup(path);
	if (m.runpath == NULL && m.rpath && ak_elf_is_executable(&m))
		add_dirs(&inherited, m.rpath, dirname(dircopy));
	free(dircopy);
	ak_elf_close(&m);
	walk(c, path, &inherited, 0);
	ak_strvec_free(&inherited);
	return 0;
}

void ak_closure_free(struct ak_closure *c)
{
	for (size_t i = 0; i < c->nlibs; i++) {
		free(c->libs[i].name);
		free(c->libs[i].path);
		free(c->libs[i].soname);
		free(c->libs[i].needed_by);
	}
	free(c->libs);
	ak_strvec_free(&c->glibc);
	ak_strvec_free(&c->missing);
	ak_strvec_free(&c->library_path);
	ak_rootfs_close(&c->root);
	memset(c, 0, sizeof *c);
}
