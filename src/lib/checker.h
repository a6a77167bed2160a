/* Would a file load in a world? The answer, in the dynamic linker's terms. */
#ifndef ABIKIT_CHECKER_H
#define ABIKIT_CHECKER_H

#include <stdbool.h>
#include <stddef.h>

#include "elfmodel.h"
#include "world.h"

enum ak_verdict {
	AK_VERDICT_OK,          /* would load */
	AK_VERDICT_FAIL,        /* would not */
	AK_VERDICT_NOT_JUDGED   /* static, musl, unsupported: nothing to judge */
};

enum ak_problem_kind {
	AK_PB_MISSING_INTERP,   /* PT_INTERP absent from the root */
	AK_PB_MISSING_LIBRARY,
	AK_PB_MISSING_VERSION,
	AK_PB_MISSING_SYMBOL,
	AK_PB_WEAK_VERSION,     /* warning: weak version need not met */
	AK_PB_NO_VERSION_INFO,  /* warning: library has no version definitions */
	AK_PB_PRIVATE_VERSION   /* warning: GLIBC_PRIVATE, which the database cannot judge */
};

struct ak_problem {
	enum ak_problem_kind kind;
	bool fatal;
	char *library;          /* the library (path when known, else soname) */
	char *version;
	char *symbol;
	char *required_by;
	char *message;          /* as the dynamic linker would say it */
};

/* A NEEDED library that was not judged, and why. */
struct ak_unchecked {
	char *library;
	char *why;
};

/* A library the file would load (ROOT and LIBC worlds). */
struct ak_loaded {
	char *name;
	char *path;             /* as the loader opens it: search dir + name */
	char *file;             /* with symlinks resolved (inside the root) */
};

struct ak_check_result {
	enum ak_verdict verdict;
	char *not_judged_why;
	struct ak_problem *problems;
	size_t nproblems, capproblems;
	struct ak_unchecked *unchecked;
	size_t nunchecked, capunchecked;
	struct ak_loaded *loaded;
	size_t nloaded, caploaded;
};

/* Judge m (read with AK_READ_UNDEF) in w. Never fails: what cannot be
 * judged says so in the result. */
void ak_check(struct ak_world *w, const struct ak_elf *m, struct ak_check_result *r);
void ak_check_result_free(struct ak_check_result *r);
const char *ak_problem_kind_name(enum ak_problem_kind kind);
const char *ak_verdict_name(enum ak_verdict v);

/* The directories of a DT_RPATH/DT_RUNPATH value, in order, with $ORIGIN
 * (as `origin`), $LIB and $PLATFORM expanded as the loader does; entries
 * without any of them only when `with_plain`. Appended to `out`. */
void ak_search_path_expand(const char *path, const char *origin, unsigned machine, bool with_plain,
			   struct ak_strvec *out);

#endif
