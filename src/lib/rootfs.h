/* A distro root seen from outside: paths resolved the way they would be
 * inside it (absolute symlinks stay in the root), its ld.so.conf, and the
 * loader's default directories. Root "/" is the running system. */
#ifndef ABIKIT_ROOTFS_H
#define ABIKIT_ROOTFS_H

#include "buf.h"
#include "err.h"

/* A host directory seen inside the root at another path (what a sandbox
 * binds there: a runtime, a bundle). */
struct ak_rootfs_mount {
	char *inside, *host;
};

struct ak_rootfs {
	char *root;                  /* host path of the root, no trailing slash ("" for /) */
	struct ak_strvec conf_dirs;  /* from etc/ld.so.conf and its includes, in order */
	struct ak_rootfs_mount *mounts;
	size_t nmounts, capmounts;
};

int ak_rootfs_open(struct ak_rootfs *r, const char *root, struct ak_err *err);
void ak_rootfs_close(struct ak_rootfs *r);
/* Show host directory `host` at `inside` (absolute) in the root. */
void ak_rootfs_mount(struct ak_rootfs *r, const char *inside, const char *host);

/* Resolve `path` (absolute, inside the root) following symlinks as the
 * root would. Returns the resolved root-relative path (malloc'd), or NULL
 * when it does not exist (errno set). */
char *ak_rootfs_resolve(const struct ak_rootfs *r, const char *path);
/* Host path of a root-relative path (malloc'd). */
char *ak_rootfs_host_path(const struct ak_rootfs *r, const char *path);

/* The dynamic loader's built-in directories for a machine (Debian multiarch
 * first, then lib64 and lib), NULL-terminated. */
const char *const *ak_rootfs_default_dirs(unsigned machine);
const char *ak_multiarch_triplet(unsigned machine);

#endif
