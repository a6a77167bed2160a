/* Rewriting one ELF file onto a private runtime (PT_INTERP and DT_RPATH),
 * reversibly: the original bytes are kept in abikit's state directory and a
 * manifest records what was there and what was written, so `unpatch` can
 * restore the file exactly or refuse when someone else changed it.
 *
 * State: STATE/patched/SHA256-OF-PATH.manifest, one per patched file, and
 * STATE/originals/SHA256-OF-CONTENT, the original bytes (shared by equal
 * files). */
#ifndef ABIKIT_REWRITE_H
#define ABIKIT_REWRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "buf.h"
#include "err.h"
#include "patchelf.h"
#include "runtime.h"

/* Returned for files abikit will not rewrite (static, script, setuid, ...):
 * not an error of the run, a "no" with the reason in err. */
enum { AK_REFUSED = -3 };

/* abikit's state directory: the layout's ${state} when given, else
 * $ABIKIT_STATE, else /var/lib/abikit for root, else ~/.abikit/state.
 * malloc'd. */
char *ak_state_dir(const char *layout_state);

struct ak_patch_opts {
	const struct ak_runtime_info *rt;
	const struct ak_patchelf *pe;
	const char *state;
	const char *const *extra_dirs;   /* searched after the runtime's lib dir */
	size_t nextra;
	bool dry_run;                    /* say what would be done, change nothing */
};

struct ak_patch_report {
	const char *path;            /* the file as given */
	char *real;                  /* what was rewritten (symlinks resolved) */
	const char *action;          /* patched, repatched, unchanged, would-patch */
	char *interp, *rpath;        /* as written (interp NULL for libraries) */
	char *old_interp, *old_rpath, *old_runpath;
	unsigned long long size_before, size_after;
	struct ak_strvec warnings;   /* insecure search paths, dropped entries, ... */
};

/* Patch one file. 0 done (see r->action), AK_REFUSED with the reason in
 * err, -1 on errors; the file is untouched unless 0 is returned. */
int ak_patch_file(const struct ak_patch_opts *o, const char *path, struct ak_patch_report *r,
		  struct ak_err *err);
void ak_patch_report_free(struct ak_patch_report *r);

struct ak_unpatch_report {
	char *real;
	const char *action;          /* restored, already-original */
	char sha256[65];
};

/* Restore the original bytes of a patched file. AK_REFUSED when the file
 * changed since it was patched (unless force) or was never patched. */
int ak_unpatch_file(const char *state, const char *path, bool force, struct ak_unpatch_report *r,
		    struct ak_err *err);
void ak_unpatch_report_free(struct ak_unpatch_report *r);

/* The search path abikit writes: the runtime's lib dir, the extra dirs,
 * then the file's own entries from its old DT_RPATH/DT_RUNPATH that are
 * $ORIGIN-relative or absolute non-system directories. Entries that are
 * empty or relative (searched from the current directory) and the
 * system's library directories are dropped with a warning. malloc'd. */
char *ak_rewrite_rpath(const char *runtime_lib, const char *const *extra, size_t nextra,
		       const char *old, const char *file_dir, struct ak_strvec *warnings);

/* Copy the xattrs, owner, mode and timestamps of `from` (st) onto the open
 * file `fd`, fsync it, and rename `tmp` over `path`; fsyncs the directory.
 * Mode, owner and times are best-effort only where the caller may not set
 * them (owner as non-root). */
int ak_replace_file(const char *path, const char *tmp, int fd, const struct stat *st, struct ak_err *err);

/* The checks `patch` and `bundle` share. ak_rewrite_refusal: AK_REFUSED
 * (reason in err) for files that must not be rewritten: not regular, inside
 * the runtime, set-id or with capabilities, scripts. ak_rewrite_check_elf:
 * the same for an opened file: unsupported, another architecture, static,
 * not an executable or library, musl. ak_rewrite_validate: re-read a
 * rewritten file; -1 unless interp (if non-NULL) and DT_RPATH are as asked,
 * there is no DT_RUNPATH and every segment lies in the file. */
struct ak_elf;
int ak_rewrite_refusal(const char *real, const struct stat *st, const struct ak_runtime_info *rt,
		       struct ak_err *err);
int ak_rewrite_check_elf(const char *real, const struct ak_elf *m, const struct ak_runtime_info *rt,
			 struct ak_err *err);
int ak_rewrite_validate(const char *file, const char *interp, const char *rpath, unsigned long long *size,
			struct ak_err *err);

/* Shared with `abikit shim`, which keeps its records the same way:
 * a copy of src beside path (.NAME.abikit-XXXXXX; malloc'd name), the
 * original bytes kept as STATE/originals/SHA, and the record's path. */
char *ak_rewrite_temp_copy(const char *path, const char *src, struct ak_err *err);
int ak_rewrite_keep_original(const char *state, const char *src, const char *sha, struct ak_err *err);
char *ak_rewrite_manifest_path(const char *state, const char *real);

#endif
