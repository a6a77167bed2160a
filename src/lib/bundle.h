/* Bundles: programs, the non-glibc libraries they load, and a private glibc
 * runtime in one directory that runs on an older system.
 *
 *   DIR/bin/NAME               the launcher (or, with absolute, the program)
 *   DIR/libexec/NAME           the program (launcher mode)
 *   DIR/lib/                   its libraries, DT_RPATH $ORIGIN-relative
 *   DIR/runtime/lib/           the runtime's lib dir (launcher mode)
 *   DIR/abikit-launch.conf     what the launcher needs
 *   DIR/abikit-bundle.manifest every file: origin, package, soname, sha256 */
#ifndef ABIKIT_BUNDLE_H
#define ABIKIT_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "patchelf.h"
#include "runtime.h"

#define AK_BUNDLE_MANIFEST "abikit-bundle.manifest"
#define AK_LAUNCH_CONF "abikit-launch.conf"
/* Room kept in a bundled program's PT_INTERP so the launcher can rewrite
 * it in place when the bundle moves (the kernel takes up to PATH_MAX). */
#define AK_BUNDLE_INTERP_ROOM 512

struct ak_bundle_opts {
	const struct ak_runtime_info *rt;
	const struct ak_patchelf *pe;
	const char *out;
	bool absolute;              /* PT_INTERP at the runtime's install path, no launcher */
	bool force;                 /* replace an existing bundle at out */
	const char *launcher;       /* the abikit-launch binary (launcher mode) */
	char *const *programs;
	size_t nprograms;
	char *const *extras;        /* dlopen()ed libraries to add with their needs */
	size_t nextras;
	char *const *library_path;  /* more dirs to find libraries in (like LD_LIBRARY_PATH) */
	size_t nlibrary_path;
	char *const *data;          /* SRC=REL: a tree copied into the bundle at REL */
	size_t ndata;
};

/* Make the bundle in a staging directory beside out and rename it into
 * place; prints what it did. -1 with err, leaving nothing at out. */
int ak_bundle_make(const struct ak_bundle_opts *o, struct ak_err *err);

/* Where abikit-launch is: $ABIKIT_LAUNCH, beside the running abikit (a
 * build tree), else the installed one. malloc'd, NULL if none exists. */
char *ak_bundle_find_launcher(void);

#endif
