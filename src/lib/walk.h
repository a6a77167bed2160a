/* Walking the paths a user names: files as they are, directories entry by
 * entry (sorted, so output is stable), subdirectories with `recursive`.
 * Symlinks are followed; a directory or file reached twice (symlink loops,
 * hard links, lib.so -> lib.so.1 chains) is visited once. */
#ifndef ABIKIT_WALK_H
#define ABIKIT_WALK_H

#include <stdbool.h>
#include <stddef.h>

/* explicit: the user named this path (a non-ELF file is then an error, not
 * something to skip silently). */
typedef void (*ak_walk_fn)(const char *path, bool explicit, void *ctx);

/* Called for each path that could not be read, after its line on stderr. */
typedef void (*ak_walk_err_fn)(const char *path, const char *msg, void *ctx);

struct ak_walk_opts {
	bool recursive;
	bool verbose;          /* say what is skipped */
	ak_walk_err_fn on_error;  /* may be NULL */
};

/* Returns the number of paths that could not be read (each already
 * reported on stderr in one line). */
size_t ak_walk(char *const *paths, size_t npaths, const struct ak_walk_opts *opts,
	       ak_walk_fn fn, void *ctx);

#endif
