/* Private glibc runtimes: where they live, how they are laid out, and
 * their manifests. A runtime is a directory PREFIX with lib/ (ld.so, libc,
 * the other glibc libraries, NSS modules, gconv/, locale/), etc/, and
 * PREFIX/abikit-runtime.manifest saying what it is and how to launch with it. */
#ifndef ABIKIT_RUNTIME_H
#define ABIKIT_RUNTIME_H

#include <stdbool.h>

#include "buf.h"
#include "err.h"
#include "manifest.h"

#define AK_RUNTIME_MANIFEST "abikit-runtime.manifest"

/* Where runtimes go when no --prefix is given: $ABIKIT_RUNTIMES, else
 * /opt/abikit/runtimes for root, else ~/.abikit/runtimes. malloc'd. */
char *ak_runtime_root(void);
/* A runtime NAME (under the root) or a PREFIX path -> its prefix, malloc'd;
 * NULL with err when there is no runtime there. */
char *ak_runtime_find(const char *name_or_prefix, struct ak_err *err);
/* What rewriting a file onto a runtime needs to know, from its manifest.
 * All paths absolute and real (symlinks resolved), malloc'd. */
struct ak_runtime_info {
	char *prefix;
	char *name;
	char *ld_so;        /* PREFIX/lib/ld-linux-x86-64.so.2 */
	char *lib;          /* PREFIX/lib */
	char *arch;         /* "x86_64", "aarch64" */
	char *kind;         /* "built" or "harvested" */
	char *glibc;        /* "2.41" */
	char *launch_env;   /* NAME=VALUE ... with ${prefix}, "" when none is needed */
	bool relocatable;   /* finds its data beside its own libc.so */
	bool argv0;         /* its ld.so has --argv0 */
};
int ak_runtime_open(struct ak_runtime_info *rt, const char *name_or_prefix, struct ak_err *err);
void ak_runtime_info_free(struct ak_runtime_info *rt);

/* Names of the runtimes under the root. */
void ak_runtime_list(struct ak_strvec *names);

/* Where layouts are looked for: $ABIKIT_LAYOUT_PATH (colon-separated),
 * then the installed ones. Fills dirs (NULL-terminated, max entries). */
void ak_layout_dirs(const char **dirs, size_t max, char **storage);
/* A layout loaded and expanded for one runtime (its manifest's name,
 * version, arch and ld.so; prefix overrides the layout's runtime path). */
struct ak_layout;
struct ak_manifest;
int ak_runtime_layout(struct ak_layout *l, const char *layout, const char *name, const char *version,
		      const char *arch, const char *ld_so, const char *prefix, struct ak_err *err);

struct ak_harvest {
	const char *layout;         /* where the runtime goes (default: opt) */
	char *const *debs;          /* --from-deb files */
	size_t ndebs;
	const char *root;           /* --from-root DIR */
	const char *prefix;         /* NULL: root/glibc-V-ARCH */
	bool force;                 /* replace an existing runtime */
	bool smoke;                 /* run the smoke test */
};

/* Lay an existing glibc build out as a runtime; prints the prefix. */
int ak_runtime_harvest(const struct ak_harvest *h, struct ak_err *err);

/* Which NSS modules the nsswitch.conf at `conf` names that the runtime at
 * prefix lacks (libnss_NAME.so.2 in PREFIX/lib): recorded in the manifest
 * as nss_missing, since glibc would otherwise skip them silently and a
 * lookup would just answer "not found". Returns how many are missing. */
int ak_runtime_nss_audit(const char *prefix, const char *conf, struct ak_manifest *m);

/* Shrink a runtime to what programs load: drop headers, static archives,
 * tools, translations and gconv modules outside `keep_gconv` (NULL: a
 * default set of common legacy charsets; "all": none dropped), and strip
 * debug information from the shared objects. Records pruned and the sizes
 * in the manifest. Prints what it did. */
int ak_runtime_prune(const char *prefix, const char *keep_gconv, bool dry_run, struct ak_err *err);

/* Move a finished staging tree to prefix: atomic rename, replacing an older
 * runtime only with force. */
int ak_runtime_install(const char *staged, const char *prefix, bool force, struct ak_err *err);

#endif
