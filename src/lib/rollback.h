/* Rolling glibc back: which installed files would still load and start
 * with an older glibc in place of the system's.
 *
 * The older glibc is a release of the ABI database (static only), or real
 * files: a libc6 .deb (unpacked into a temporary directory), a distro root,
 * a libc directory or a runtime. Real files are laid over the system's own
 * glibc files at the paths the system's loader uses, so the static check
 * (a ROOT world "/" with those files mounted, ak_rootfs_mount) and the
 * sandboxed run (the same files bound over the same paths) see one world. */
#ifndef ABIKIT_ROLLBACK_H
#define ABIKIT_ROLLBACK_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "checker.h"
#include "err.h"
#include "world.h"

/* One file of the older glibc laid over the system's. */
struct ak_rb_overlay {
	char *inside;      /* the system's path, symlinks resolved: /usr/lib/x86_64-linux-gnu/libc.so.6 */
	char *host;        /* the older glibc's file (or directory: gconv/) */
};

struct ak_rb_target {
	char label[256];            /* "glibc 2.31 (libc6_2.31-13_amd64.deb)" */
	char *release;              /* --to V: the database release; else NULL */
	char *glibc;                /* the older glibc's version, "" when unknown */
	char *tmpdir;               /* where a .deb was unpacked; removed by free */
	struct ak_rb_overlay *ov;
	size_t nov, capov;
	struct ak_strvec absent;    /* older glibc files the system has no place for */
};

/* spec: a release ("2.31"), a .deb, a directory (a root, or a directory
 * holding libc.so.6), or a runtime's name or prefix. */
int ak_rb_target_open(struct ak_rb_target *t, const char *spec, struct ak_err *err);
void ak_rb_target_free(struct ak_rb_target *t);
/* The world files are judged in: the release, or "/" with the overlay. */
int ak_rb_world(const struct ak_rb_target *t, struct ak_world *w, struct ak_err *err);
/* Is this (real) path one of the system's files the older glibc replaces? */
bool ak_rb_overlaid(const struct ak_rb_target *t, const char *real);

/* dpkg's database, path -> package, read once from the .list files of DIR/info. */
struct ak_pkgmap {
	char **keys;                /* open addressing, NULL: empty slot */
	const char **vals;
	size_t cap, n;
	struct ak_strvec names;     /* package names, owned */
};
/* Absent or unreadable: an empty map (no dpkg here), not an error. */
void ak_pkgmap_load(struct ak_pkgmap *m, const char *admindir);
/* The package of path: as dpkg lists it, or under its merged-/usr alias
 * (/usr/bin/ls is listed as /bin/ls), or its real path. NULL if none. */
const char *ak_pkgmap_find(const struct ak_pkgmap *m, const char *path);
void ak_pkgmap_free(struct ak_pkgmap *m);

/* What the rollback does to one file. */
enum ak_rb_fate {
	AK_RB_LOADS,                /* would load */
	AK_RB_BREAKS,               /* would not */
	AK_RB_NOT_JUDGED,           /* static, musl, another machine */
	AK_RB_REPLACED              /* glibc's own file: the rollback replaces it */
};

struct ak_rb_file {
	char *path;
	const char *package;        /* into the pkgmap, NULL: no package */
	enum ak_rb_fate fate;
	bool executable;            /* run with --version; else dlopen()ed */
	char *why_not_judged;
	struct ak_strvec needs;     /* group keys: GLIBC_2.34, libfoo.so.1, sym@GLIBC_PRIVATE */
	struct ak_strvec why;       /* fatal problems, in the loader's words */
	struct ak_strvec missing;   /* sym@version the file itself lacks */
	bool only_own_symbols;      /* every fatal problem is a symbol of its own */
};

struct ak_rb_check {
	struct ak_rb_file *files;
	size_t nfiles, capfiles;
	size_t loads, breaks, not_judged, replaced, errors, nonelf;
	struct ak_strvec error_lines;
};

/* Judge every ELF file under the trees (recursively) in w. Unreadable
 * paths are counted and reported on stderr. */
void ak_rb_check_trees(const struct ak_rb_target *t, struct ak_world *w, const struct ak_pkgmap *pm,
		       char *const *trees, size_t ntrees, struct ak_rb_check *c);
void ak_rb_check_free(struct ak_rb_check *c);

/* The dynamic side. */
struct ak_rb_verify_opts {
	const struct ak_rb_target *t;
	const char *audit_so;       /* abikit-audit.so */
	int jobs;
	int timeout;                /* seconds per run */
	size_t sample;              /* 0: every file */
	bool progress;              /* files done / total, elapsed, ETA on stderr */
	struct ak_strvec deny;      /* basenames never run */
	struct ak_strvec binds;     /* more host directories shown at their own paths (bundles in /tmp) */
};

enum ak_rb_outcome {
	AK_RB_RUN_SKIPPED,          /* not sampled, not judged, denied, replaced */
	AK_RB_RUN_LOADS,            /* the loader reached main / dlopen succeeded */
	AK_RB_RUN_BREAKS,
	AK_RB_RUN_UNKNOWN           /* the run said nothing (timed out, killed before a word) */
};

struct ak_rb_run {
	enum ak_rb_outcome outcome;
	enum ak_rb_outcome on_system;   /* the same run without the rollback, when one was needed */
	int status;
	bool timed_out;
	char why[512];              /* the loader's or dlerror's words */
	char skip[128];             /* why it was not run */
};

/* Run the files of c (their fates decided) in the rollback sandbox; runs[i]
 * for c->files[i]. -1 with err when the sandbox or the probe cannot be set
 * up. */
int ak_rb_verify(const struct ak_rb_verify_opts *o, const struct ak_rb_check *c, struct ak_rb_run *runs,
		 struct ak_err *err);

/* The files no default run may start, and why. NULL-terminated pairs. */
extern const char *const ak_rb_denylist[];

/* The library probe: its C source, built with cc by ak_rb_build_probe into
 * dir/abikit-dlopen-probe, bound to symbol versions every glibc has. */
int ak_rb_build_probe(const char *dir, char **path, struct ak_err *err);

/* Which symbol@version pairs a shim has stubs for: compat/symbols.txt
 * ("SYMBOL VERSION ..." or "SYMBOL@VERSION ..." lines, '#' comments).
 * -1 with err when no file is there. */
int ak_rb_load_stubs(const char *file, struct ak_strvec *stubs, struct ak_err *err);

#endif
