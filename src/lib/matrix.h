/* Verification matrices: targets x roots x runtimes (x restricted), read
 * from a small line-based file, so packagers can prove a vendored runtime
 * on several distros in CI, one independent cell at a time.
 *
 *   # comment
 *   target NAME PATH [ARGS...]   a program and its arguments (default --version)
 *   expect NAME REGEX            what target NAME must print (ERE, per line)
 *   root NAME DIR                a distro root
 *   runtime NAME R               a runtime (name or prefix); "-" for none
 *   restricted no|yes|both       also run without /proc, read-only (default no)
 *   timeout SECONDS              per run (default 30)
 *
 * Words are split on blanks; 'single quotes' keep blanks in one word. */
#ifndef ABIKIT_MATRIX_H
#define ABIKIT_MATRIX_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "err.h"

struct ak_matrix_target {
	char *name, *path, *expect;
	struct ak_strvec args;
};

struct ak_matrix_item {
	char *name, *value;
};

struct ak_matrix {
	struct ak_matrix_target *targets;
	size_t ntargets, captargets;
	struct ak_matrix_item *roots, *runtimes;
	size_t nroots, caproots, nruntimes, capruntimes;
	bool plain, restricted;     /* which variants: a plain run, a restricted one */
	int timeout;
};

/* One cell: indices into the matrix. */
struct ak_matrix_cell {
	size_t target, root, runtime;
	bool restricted;
	char name[512];             /* TARGET/ROOT/RUNTIME, and /restricted */
};

int ak_matrix_load(struct ak_matrix *m, const char *file, struct ak_err *err);
/* All cells, in file order (targets outermost). malloc'd array. */
struct ak_matrix_cell *ak_matrix_cells(const struct ak_matrix *m, size_t *n);
void ak_matrix_free(struct ak_matrix *m);

#endif
