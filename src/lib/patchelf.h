/* Debian's patchelf, the one tool abikit lets change ELF files: finding it,
 * checking its version, and calling it the safe way round. */
#ifndef ABIKIT_PATCHELF_H
#define ABIKIT_PATCHELF_H

#include <stdbool.h>

#include "err.h"

/* The oldest patchelf abikit accepts: --force-rpath (write DT_RPATH, not
 * DT_RUNPATH) appeared in 0.9. Tested with Debian bookworm's 0.14.3. */
#define AK_PATCHELF_MIN_MAJOR 0
#define AK_PATCHELF_MIN_MINOR 9

struct ak_patchelf {
	char path[4096];         /* what is run: $ABIKIT_PATCHELF, else patchelf in PATH */
	char version[64];        /* "0.14.3" */
	int major, minor;
};

/* Find patchelf and check its version. -1 with err naming what was found
 * and what is needed. `want` overrides the search (e.g. a layout's
 * ${patchelf}); NULL or "" searches. */
int ak_patchelf_find(struct ak_patchelf *pe, const char *want, struct ak_err *err);

/* Set DT_RPATH (never DT_RUNPATH; an existing DT_RUNPATH becomes DT_RPATH)
 * to rpath, then, when interp is non-NULL, PT_INTERP to interp: two calls,
 * rpath first. One call doing both, or the interpreter first, has produced
 * broken files (patchelf issue 524; several modifications in one call are
 * only supported from 0.14.4). Works on `file` in place: callers give it a
 * temporary copy. -1 with err quoting patchelf's message. */
int ak_patchelf_set(const struct ak_patchelf *pe, const char *file, const char *rpath,
		    const char *interp, struct ak_err *err);

#endif
