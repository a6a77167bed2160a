/* The libraries a set of programs loads, found the way glibc's loader would
 * find them on the running system: DT_RPATH (the object's, then the
 * program's) unless DT_RUNPATH is present, DT_RUNPATH, the ld.so.cache
 * directories (from ld.so.conf), then the default directories; $ORIGIN
 * expanded. Libraries that belong to glibc stop the walk: a runtime
 * provides them. */
#ifndef ABIKIT_CLOSURE_H
#define ABIKIT_CLOSURE_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "err.h"
#include "rootfs.h"

struct ak_closure_lib {
	char *name;      /* as NEEDED names it (the file name in a bundle) */
	char *path;      /* where it was found, as the loader would open it */
	char *soname;    /* its DT_SONAME, NULL if none */
	char *needed_by; /* the first object that needs it */
};

struct ak_closure {
	struct ak_rootfs root;
	unsigned machine;
	const char *glibc_lib;     /* the runtime's lib dir: sonames found there are glibc's */
	struct ak_strvec library_path; /* searched like LD_LIBRARY_PATH: after DT_RPATH, before DT_RUNPATH */
	struct ak_closure_lib *libs;
	size_t nlibs, cap;
	struct ak_strvec glibc;    /* glibc libraries the programs need (from the runtime) */
	struct ak_strvec missing;  /* "NAME (needed by X)" not found anywhere */
};

int ak_closure_init(struct ak_closure *c, unsigned machine, const char *glibc_lib, struct ak_err *err);
/* Add a program (or an extra library) and everything it loads. Returns 0,
 * or -1 with err when `path` itself cannot be read. Libraries that cannot
 * be read or found are recorded in missing, and the walk goes on. */
int ak_closure_add(struct ak_closure *c, const char *path, struct ak_err *err);
void ak_closure_free(struct ak_closure *c);

/* Is this soname one of glibc's own libraries (libc.so.6, libm.so.6,
 * ld-linux-*, libnss_*, ...)? */
bool ak_is_glibc_soname(unsigned machine, const char *soname);

#endif
