/* A world is what a file is judged against: a glibc release from the
 * built-in database, one real libc directory, or a whole distro root.
 * Libraries read from disk are cached in the world, so judging a tree reads
 * each library once. */
#ifndef ABIKIT_WORLD_H
#define ABIKIT_WORLD_H

#include <stdbool.h>
#include <stdint.h>

#include "elfmodel.h"
#include "libcinfo.h"
#include "rootfs.h"

enum ak_world_mode { AK_WORLD_GLIBC, AK_WORLD_LIBC, AK_WORLD_ROOT };

/* A library as the world provides it. */
struct ak_dso {
	char *name;             /* the name it is known by (soname, else file name) */
	char *path;             /* where it is (root-relative in a root) */
	int dblib;              /* GLIBC world: database library id */
	struct ak_elf elf;      /* LIBC and ROOT worlds */
	bool has_elf;
	/* exports by name: open addressing over indices into elf.syms */
	uint32_t *slot;
	size_t nslot;
};

struct ak_world {
	enum ak_world_mode mode;
	char label[256];        /* "glibc 2.28", "libc DIR (glibc 2.36)", "root DIR" */
	int rel;                /* database release: GLIBC world; LIBC world when known */
	char *libc_dir;         /* LIBC world */
	struct ak_libc_info libc;
	struct ak_rootfs root;  /* ROOT world */
	struct ak_dso **cache;  /* libraries read so far */
	size_t ncache, capcache;
};

int ak_world_glibc(struct ak_world *w, const char *release, struct ak_err *err);
int ak_world_libc(struct ak_world *w, const char *libc_path, struct ak_err *err);
int ak_world_root(struct ak_world *w, const char *root, struct ak_err *err);
void ak_world_free(struct ak_world *w);

/* Read a library at a host path into the world's cache (NULL with err on
 * failure); `display` is the path reported to the user. */
struct ak_dso *ak_world_load(struct ak_world *w, const char *host_path, const char *display,
			     struct ak_err *err);

/* Versioned lookup the way the loader's check_match does it: does dso
 * define `name` in a way that satisfies a reference to name@version? */
bool ak_dso_defines(const struct ak_dso *d, const char *name, const char *version);
bool ak_dso_has_node(const struct ak_dso *d, const char *node);

#endif
