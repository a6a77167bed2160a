/* File system helpers with the project's rules: errors name the path, and
 * nothing is ever left half written (temp file + fsync + rename). */
#ifndef ABIKIT_FSUTIL_H
#define ABIKIT_FSUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "err.h"

char *ak_path_join(const char *a, const char *b);          /* malloc'd a/b */
bool ak_exists(const char *path);
bool ak_is_dir(const char *path);
int ak_mkdir_p(const char *path, mode_t mode, struct ak_err *err);
/* Remove a tree without following symlinks. Absent is fine. */
int ak_rm_rf(const char *path, struct ak_err *err);
/* Write data to path atomically (same-directory temp, fsync, rename). */
int ak_write_atomic(const char *path, const void *data, size_t n, mode_t mode, struct ak_err *err);
/* Read a whole (small) file; malloc'd, NUL-terminated. */
char *ak_read_file(const char *path, size_t *len, struct ak_err *err);
/* Copy one regular file (following symlinks at src), mode kept. */
int ak_copy_file(const char *src, const char *dst, struct ak_err *err);
/* Copy the tree src to dst (created): directories, regular files (mode
 * kept) and symlinks as symlinks. Entries whose name `skip` accepts are
 * left out (skip may be NULL). */
int ak_copy_tree(const char *src, const char *dst, int (*skip)(const char *name), struct ak_err *err);
/* A file abikit ships beside itself (abikit-launch, abikit-audit.so, the
 * compat libraries): $envvar if set (NULL when that file is missing), else
 * `rel` beside the running abikit (a build tree), else installed/rel.
 * malloc'd, or NULL when there is none. */
char *ak_find_companion(const char *envvar, const char *rel, const char *installed);

/* Total size in bytes of the regular files below path (no symlinks). */
unsigned long long ak_tree_size(const char *path);

#endif
