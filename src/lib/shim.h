/* The shim path: run a binary built for a newer glibc on an older glibc
 * plus libabikit-compat (compat/), which defines the newer symbols with
 * their real version nodes. By default the stubs are embedded in the file
 * (embed.h: no library to map, no version need left on the base); with
 * o->embed false, or where embedding cannot be done, the library is used:
 * the binary's version needs that the base glibc lacks are pointed at the
 * shim (or, as a fallback, marked VER_FLG_WEAK) and libabikit-compat.so.1
 * is added to DT_NEEDED, beside the binary ("$ORIGIN/libabikit-compat.so.1",
 * then the plain name) or from the system's library path. Kept
 * reversible like `abikit patch`. */
#ifndef ABIKIT_SHIM_H
#define ABIKIT_SHIM_H

#include <stdbool.h>

#include "buf.h"
#include "err.h"
#include "patchelf.h"

#define AK_COMPAT_SONAME "libabikit-compat.so.1"

struct ak_shim_opts {
	const char *base_glibc;     /* judge against this release (ABI database) ... */
	const char *root;           /* ... or against this root's real libraries */
	const char *compat;         /* libabikit-compat.so.1 to use */
	bool system;                /* the shim is installed in the system's library path:
				       no copy beside the file, no $ORIGIN */
	const struct ak_patchelf *pe;
	const char *state;
	bool dry_run;
	bool embed;                 /* the shim's code into the file itself (embed.h),
				       where it can be; else the library */
};

struct ak_shim_report {
	char *real;
	const char *action;         /* shimmed, unchanged, not-needed, would-shim, not-shimmable */
	struct ak_strvec provided;  /* SYM@VERSION the shim provides to this file */
	struct ak_strvec missing;   /* SYM@VERSION with no stub */
	struct ak_strvec other;     /* problems the shim cannot solve (a missing library ...) */
	struct ak_strvec weakened;  /* LIBRARY VERSION needs marked weak */
	const char *how;            /* shimmed: "embedded" or "library" */
	char *embed_note;           /* why the shim was not embedded (o->embed) */
};

/* 0 with r->action; AK_REFUSED (from rewrite.h) when the file cannot be
 * shimmed (r->missing / r->other say why) or must not be rewritten; -1 on
 * errors. */
int ak_shim_apply(const struct ak_shim_opts *o, const char *path, struct ak_shim_report *r, struct ak_err *err);
void ak_shim_report_free(struct ak_shim_report *r);

/* What a shim library defines: "NAME@VERSION" for every versioned export. */
int ak_shim_defs(const char *compat, struct ak_strvec *defs, struct ak_err *err);

/* Where libabikit-compat.so.1 is: $ABIKIT_COMPAT, beside the running
 * abikit (a build tree's compat/), else the installed one. malloc'd/NULL. */
char *ak_shim_find_compat(void);

#endif
