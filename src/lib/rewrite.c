#include <config.h>

#include "rewrite.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "abidb.h"
#include "elfmodel.h"
#include "fsutil.h"
#include "manifest.h"
#include "sha256.h"

char *ak_state_dir(const char *layout_state)
{
	const char *env = getenv("ABIKIT_STATE"), *home = getenv("HOME");

	if (layout_state && *layout_state)
		return ak_xstrdup(layout_state);
	if (env && *env)
		return ak_xstrdup(env);
	if (geteuid() == 0 || home == NULL || *home == '\0')
		return ak_xstrdup("/var/lib/abikit");
	return ak_path_join(home, ".abikit/state");
}

/* Fault injection for the crash-safety tests: ABIKIT_TEST_KILL_AT=POINT
 * kills abikit there, as a power cut or kill -9 would. */
static void maybe_die_at(const char *point)
{
	const char *k = getenv("ABIKIT_TEST_KILL_AT");

	if (k && strcmp(k, point) == 0)
		raise(SIGKILL);
}

static bool is_system_lib_dir(const char *d)
{
	static const char *const dirs[] = { "/lib", "/lib64", "/usr/lib", "/usr/lib64", "/usr/local/lib", NULL };
	size_t n = strlen(d);

	while (n > 1 && d[n - 1] == '/')
		n--;
	for (const char *const *s = dirs; *s; s++) {
		size_t k = strlen(*s);

		if (n == k && strncmp(d, *s, k) == 0)
			return true;
		/* /usr/lib/x86_64-linux-gnu and friends: one more component ending in -gnu */
		if (n > k + 1 && strncmp(d, *s, k) == 0 && d[k] == '/' && memchr(d + k + 1, '/', n - k - 1) == NULL &&
		    n - k - 1 > 4 && strncmp(d + n - 4, "-gnu", 4) == 0)
			return true;
	}
	return false;
}

static void warn_if_world_writable(const char *entry, const char *dir, struct ak_strvec *warnings)
{
	struct stat st;
	char msg[PATH_MAX + 128];

	if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & S_IWOTH)) {
		snprintf(msg, sizeof msg, "search path entry %s (%s) is world-writable: anyone can put libraries there",
			 entry, dir);
		ak_strvec_push(warnings, msg);
	}
}

/* $ORIGIN or ${ORIGIN} at the start of an entry, expanded with file_dir. */
static char *expand_origin(const char *entry, const char *file_dir)
{
	size_t skip = strncmp(entry, "$ORIGIN", 7) == 0 ? 7 : strncmp(entry, "${ORIGIN}", 9) == 0 ? 9 : 0;
	struct ak_sbuf b = { 0 };

	if (skip == 0)
		return ak_xstrdup(entry);
	ak_sbuf_addf(&b, "%s%s", file_dir, entry + skip);
	return b.s;
}

char *ak_rewrite_rpath(const char *runtime_lib, const char *const *extra, size_t nextra,
		       const char *old, const char *file_dir, struct ak_strvec *warnings)
{
	struct ak_strvec keep = { 0 };
	struct ak_sbuf out = { 0 };
	char msg[PATH_MAX + 128];

	ak_strvec_push(&keep, runtime_lib);
	warn_if_world_writable(runtime_lib, runtime_lib, warnings);
	for (size_t i = 0; i < nextra; i++) {
		if (extra[i][0] != '/' && strncmp(extra[i], "$ORIGIN", 7) != 0 && strncmp(extra[i], "${ORIGIN}", 9) != 0) {
			snprintf(msg, sizeof msg, "search path entry \"%s\" is relative: the loader resolves it "
				 "from the current directory, wherever the program is started", extra[i]);
			ak_strvec_push(warnings, msg);
		}
		if (!ak_strvec_contains(&keep, extra[i])) {
			char *dir = expand_origin(extra[i], file_dir);

			warn_if_world_writable(extra[i], dir, warnings);
			free(dir);
			ak_strvec_push(&keep, extra[i]);
		}
	}
	for (const char *p = old; p != NULL;) {
		const char *colon = strchr(p, ':');
		size_t n = colon ? (size_t)(colon - p) : strlen(p);
		char *e = ak_xmalloc(n + 1);

		memcpy(e, p, n);
		e[n] = '\0';
		p = colon ? colon + 1 : NULL;
		if (*e == '\0') {
			ak_strvec_push(warnings, "an empty entry in the file's search path (it means the current "
						 "directory) was dropped");
		} else if (e[0] == '$') {
			char *dir = expand_origin(e, file_dir);

			warn_if_world_writable(e, dir, warnings);
			free(dir);
			if (!ak_strvec_contains(&keep, e))
				ak_strvec_push(&keep, e);
		} else if (e[0] != '/') {
			snprintf(msg, sizeof msg, "the relative entry \"%s\" in the file's search path (resolved from "
				 "the current directory) was dropped", e);
			ak_strvec_push(warnings, msg);
		} else if (is_system_lib_dir(e)) {
			snprintf(msg, sizeof msg, "the system library directory %s was dropped from the file's search "
				 "path: it would let the system's glibc libraries in", e);
			ak_strvec_push(warnings, msg);
		} else if (!ak_strvec_contains(&keep, e)) {
			warn_if_world_writable(e, e, warnings);
			ak_strvec_push(&keep, e);
		}
		free(e);
	}
	for (size_t i = 0; i < keep.n; i++)
		ak_sbuf_addf(&out, "%s%s", i ? ":" : "", keep.v[i]);
	ak_strvec_free(&keep);
	return out.s;
}

int ak_replace_file(const char *path, const char *tmp, int fd, const struct stat *st, struct ak_err *err)
{
	char names[8192], value[65536];
	ssize_t len = llistxattr(path, names, sizeof names);
	struct timespec times[2] = { st->st_atim, st->st_mtim };
	char *dircopy;
	int dfd;

	/* Extended attributes (ACLs, SELinux labels) where we may set them. */
	for (ssize_t i = 0; len > 0 && i < len; i += (ssize_t)strlen(names + i) + 1) {
		ssize_t vlen = lgetxattr(path, names + i, value, sizeof value);

		if (vlen >= 0)
			(void)fsetxattr(fd, names + i, value, (size_t)vlen, 0);
	}
	/* Owner before mode: chown clears set-id bits. As non-root only the
	 * group may change, so failing here is expected and harmless. */
	if (fchown(fd, st->st_uid, st->st_gid) != 0)
		(void)fchown(fd, (uid_t)-1, st->st_gid);
	if (fchmod(fd, st->st_mode & 07777) != 0)
		return ak_errno(err, errno, "%s: cannot set the mode", tmp);
	if (futimens(fd, times) != 0)
		return ak_errno(err, errno, "%s: cannot set the timestamps", tmp);
	if (fsync(fd) != 0)
		return ak_errno(err, errno, "%s: cannot sync", tmp);
	maybe_die_at("before-rename");
	if (rename(tmp, path) != 0)
		return ak_errno(err, errno, "%s: cannot rename into place", path);
	dircopy = ak_xstrdup(path);
	dfd = open(dirname(dircopy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	free(dircopy);
	return 0;
}

/* A temporary file beside `path` (.NAME.abikit-XXXXXX), holding a copy of
 * src. Returns its name (malloc'd), or NULL with err. */
char *ak_rewrite_temp_copy(const char *path, const char *src, struct ak_err *err)
{
	char *dircopy = ak_xstrdup(path), *basecopy = ak_xstrdup(path);
	struct ak_sbuf t = { 0 };
	char buf[65536];
	ssize_t n = 0;
	int in, out;

	ak_sbuf_addf(&t, "%s/.%s.abikit-XXXXXX", dirname(dircopy), basename(basecopy));
	free(dircopy);
	free(basecopy);
	out = mkstemp(t.s);
	if (out < 0) {
		ak_errno(err, errno, "%s: cannot create a temporary file beside it", path);
		free(t.s);
		return NULL;
	}
	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		ak_errno(err, errno, "%s", src);
		goto fail;
	}
	while ((n = read(in, buf, sizeof buf)) > 0)
		if (write(out, buf, (size_t)n) != n) {
			n = -1;
			break;
		}
	close(in);
	if (n < 0) {
		ak_errno(err, errno, "%s: cannot copy to %s", src, t.s);
		goto fail;
	}
	if (close(out) != 0) {
		out = -1;
		ak_errno(err, errno, "%s", t.s);
		goto fail;
	}
	return t.s;
fail:
	if (out >= 0)
		close(out);
	unlink(t.s);
	free(t.s);
	return NULL;
}

/* Keep the original bytes: STATE/originals/SHA, written atomically. */
int ak_rewrite_keep_original(const char *state, const char *src, const char *sha, struct ak_err *err)
{
	char *dir = ak_path_join(state, "originals"), *dst = ak_path_join(dir, sha), *tmp = NULL;
	char hex[65];
	int fd, rc = -1;

	if (ak_exists(dst) && ak_sha256_file(dst, hex, err) == 0 && strcmp(hex, sha) == 0) {
		rc = 0;
		goto out;
	}
	if (ak_mkdir_p(dir, 0700, err) < 0)
		goto out;
	tmp = ak_rewrite_temp_copy(dst, src, err);
	if (tmp == NULL)
		goto out;
	fd = open(tmp, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) != 0 || rename(tmp, dst) != 0) {
		ak_errno(err, errno, "%s: cannot keep the original", dst);
		if (fd >= 0)
			close(fd);
		unlink(tmp);
		goto out;
	}
	close(fd);
	rc = 0;
out:
	free(tmp);
	free(dst);
	free(dir);
	return rc;
}

char *ak_rewrite_manifest_path(const char *state, const char *real)
{
	struct ak_sha256 s;
	char hex[65], name[80];
	char *dir = ak_path_join(state, "patched"), *p;

	ak_sha256_init(&s);
	ak_sha256_update(&s, real, strlen(real));
	ak_sha256_hex(&s, hex);
	snprintf(name, sizeof name, "%s.manifest", hex);
	p = ak_path_join(dir, name);
	free(dir);
	return p;
}

/* Re-read the result with abikit's own reader: the interpreter and search
 * path as asked, no DT_RUNPATH, every segment inside the file and its
 * offset congruent to its address (patchelf issue 492: a misaligned
 * PT_LOAD that old loaders refuse). */
int ak_rewrite_validate(const char *tmp, const char *interp, const char *rpath, unsigned long long *size,
		    struct ak_err *err)
{
	struct ak_elf m;
	size_t nph = 0;
	int rc = -1;

	if (ak_elf_open(&m, tmp, 0, err) != 0)
		return -1;
	*size = m.size;
	if (interp && (m.interp == NULL || strcmp(m.interp, interp) != 0)) {
		ak_errf(err, "%s: after patchelf the interpreter is %s, not %s", tmp, m.interp ? m.interp : "none", interp);
		goto out;
	}
	if (m.rpath == NULL || strcmp(m.rpath, rpath) != 0 || m.runpath != NULL) {
		ak_errf(err, "%s: after patchelf DT_RPATH is \"%s\" and DT_RUNPATH \"%s\", not the DT_RPATH \"%s\"", tmp,
			m.rpath ? m.rpath : "", m.runpath ? m.runpath : "", rpath);
		goto out;
	}
	if (elf_getphdrnum(m.elf, &nph) != 0) {
		ak_errf(err, "%s: after patchelf the program headers cannot be read", tmp);
		goto out;
	}
	for (size_t i = 0; i < nph; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(m.elf, (int)i, &ph) == NULL || ph.p_offset > m.size || ph.p_filesz > m.size - ph.p_offset) {
			ak_errf(err, "%s: after patchelf program header %zu lies outside the file", tmp, i);
			goto out;
		}
		if (ph.p_type == PT_LOAD && ph.p_align > 1 && ph.p_offset % ph.p_align != ph.p_vaddr % ph.p_align) {
			ak_errf(err, "%s: after patchelf segment %zu has offset 0x%llx not congruent to its address 0x%llx",
				tmp, i, (unsigned long long)ph.p_offset, (unsigned long long)ph.p_vaddr);
			goto out;
		}
	}
	rc = 0;
out:
	ak_elf_close(&m);
	return rc;
}

/* Why abikit will not rewrite this file, if it will not. */
int ak_rewrite_refusal(const char *real, const struct stat *st, const struct ak_runtime_info *rt, struct ak_err *err)
{
	char head[256] = "";
	ssize_t n;
	int fd;
	size_t plen = strlen(rt->prefix);

	if (!S_ISREG(st->st_mode))
		return ak_errf(err, "%s: not a regular file", real), AK_REFUSED;
	if (strncmp(real, rt->prefix, plen) == 0 && real[plen] == '/')
		return ak_errf(err, "%s: belongs to the runtime %s itself", real, rt->name), AK_REFUSED;
	if (st->st_mode & (S_ISUID | S_ISGID))
		return ak_errf(err, "%s: set-user-ID or set-group-ID: the loader ignores $ORIGIN and LD_* for "
			       "it, so a private runtime cannot be trusted to load; not patched", real), AK_REFUSED;
	if (lgetxattr(real, "security.capability", NULL, 0) >= 0)
		return ak_errf(err, "%s: has file capabilities: like set-user-ID files it runs in secure mode, "
			       "where the loader ignores $ORIGIN; not patched", real), AK_REFUSED;
	fd = open(real, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ak_errno(err, errno, "%s", real);
	n = read(fd, head, sizeof head - 1);
	close(fd);
	if (n < 0)
		return ak_errno(err, errno, "%s: cannot read", real);
	head[n > 0 ? n : 0] = '\0';
	if (n >= 2 && head[0] == '#' && head[1] == '!') {
		char *interp = head + 2;

		interp += strspn(interp, " \t");
		interp[strcspn(interp, " \t\r\n")] = '\0';
		return ak_errf(err, "%s: a script; patch the interpreter it names instead (%s)", real,
			       *interp ? interp : "none named"), AK_REFUSED;
	}
	return 0;
}

int ak_rewrite_check_elf(const char *real, const struct ak_elf *m, const struct ak_runtime_info *rt, struct ak_err *err)
{
	int arch = ak_arch_from_machine(m->machine);

	if (m->unsupported)
		return ak_errf(err, "%s: %s; not patched", real, m->unsupported), AK_REFUSED;
	if (arch < 0 || strcmp(ak_arch_name((enum ak_arch)arch), rt->arch) != 0)
		return ak_errf(err, "%s: built for %s, but the runtime %s is %s", real, ak_machine_name(m->machine),
			       rt->name, rt->arch), AK_REFUSED;
	switch (m->kind) {
	case AK_KIND_EXEC:
	case AK_KIND_PIE:
	case AK_KIND_SHLIB:
		break;
	case AK_KIND_STATIC:
	case AK_KIND_STATIC_PIE:
		return ak_errf(err, "%s: statically linked: it has no interpreter or libraries to redirect", real),
		       AK_REFUSED;
	default:
		return ak_errf(err, "%s: a %s, not an executable or shared library", real, ak_kind_name(m->kind)),
		       AK_REFUSED;
	}
	if (m->libc == AK_LIBC_MUSL)
		return ak_errf(err, "%s: linked with musl, not glibc", real), AK_REFUSED;
	return 0;
}

/* The libraries the file needs, looked up through the new search path: one
 * that has DT_RUNPATH will not pass the runtime on to its own needs and
 * dlopen()s; one that is not there at all will come from the system. */
static void warn_about_needed(const struct ak_elf *m, const char *rpath, const char *runtime_lib,
			      const char *file_dir, struct ak_strvec *warnings)
{
	char msg[PATH_MAX + 256];

	for (size_t i = 0; i < m->nneeded; i++) {
		bool found = false;

		for (const char *p = rpath; p != NULL && !found;) {
			const char *colon = strchr(p, ':');
			size_t n = colon ? (size_t)(colon - p) : strlen(p);
			char *entry = ak_xmalloc(n + 1), *dir, *lib;
			struct ak_elf dep;
			struct ak_err e;

			memcpy(entry, p, n);
			entry[n] = '\0';
			p = colon ? colon + 1 : NULL;
			dir = expand_origin(entry, file_dir);
			lib = ak_path_join(dir, m->needed[i]);
			found = ak_exists(lib);
			if (found && strcmp(dir, runtime_lib) != 0 && ak_elf_open(&dep, lib, 0, &e) == 0) {
				if (dep.runpath) {
					snprintf(msg, sizeof msg, "%s has DT_RUNPATH: the loader looks up its own "
						 "needs and dlopen()s through that alone, not this file's DT_RPATH; "
						 "patch it too, or use abikit bundle", lib);
					ak_strvec_push(warnings, msg);
				}
				ak_elf_close(&dep);
			}
			free(lib);
			free(dir);
			free(entry);
		}
		if (!found) {
			snprintf(msg, sizeof msg, "needs %s, which is neither in the runtime nor in the file's "
				 "own search path: the system's copy will be loaded (add its directory with "
				 "--add-rpath, or use abikit bundle)", m->needed[i]);
			ak_strvec_push(warnings, msg);
		}
	}
}

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

static char *now_utc(void)
{
	char buf[32];
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return ak_xstrdup(buf);
}

int ak_patch_file(const struct ak_patch_opts *o, const char *path, struct ak_patch_report *r, struct ak_err *err)
{
	char real[PATH_MAX], cur_sha[65], src_sha[65], new_sha[65];
	struct ak_manifest man = { 0 };
	struct ak_elf src_elf;
	bool have_elf = false, have_manifest;
	char *mpath = NULL, *blob = NULL, *tmp = NULL, *dircopy = NULL, *when = NULL;
	const char *src;
	struct stat st;
	int rc = -1, fd = -1;

	memset(r, 0, sizeof *r);
	r->path = path;
	if (realpath(path, real) == NULL)
		return ak_errno(err, errno, "%s", path);
	r->real = ak_xstrdup(real);
	if (stat(real, &st) != 0)
		return ak_errno(err, errno, "%s", path);
	rc = ak_rewrite_refusal(real, &st, o->rt, err);
	if (rc != 0)
		return rc;
	rc = -1;
	if (ak_sha256_file(real, cur_sha, err) < 0)
		return -1;

	/* Patched before? Then patch from the kept original, never from our
	 * own output: results do not pile up and the first original stays. */
	mpath = ak_rewrite_manifest_path(o->state, real);
	have_manifest = ak_exists(mpath);
	src = real;
	if (have_manifest) {
		const char *prev_new, *prev_orig;

		if (ak_manifest_load(&man, mpath, err) < 0)
			goto out;
		prev_new = or_empty(ak_manifest_get(&man, "new_sha256"));
		if (strcmp(or_empty(ak_manifest_get(&man, "kind")), "shim") == 0 && strcmp(cur_sha, prev_new) == 0) {
			ak_errf(err, "%s: shimmed by abikit shim apply; undo that first (abikit shim undo)", path);
			rc = AK_REFUSED;
			goto out;
		}
		prev_orig = or_empty(ak_manifest_get(&man, "original_sha256"));
		if (strcmp(cur_sha, prev_new) == 0) {
			char *odir = ak_path_join(o->state, "originals");

			blob = ak_path_join(odir, prev_orig);
			free(odir);
			if (!ak_exists(blob)) {
				ak_errf(err, "%s: patched before, but its original %s is missing from the state directory",
					path, blob);
				goto out;
			}
			src = blob;
		} else {
			if (strcmp(cur_sha, prev_orig) != 0) {
				char msg[PATH_MAX + 128];

				snprintf(msg, sizeof msg, "%s changed since abikit patched it; its current content is "
					 "taken as the original", path);
				ak_strvec_push(&r->warnings, msg);
			}
			ak_manifest_free(&man);
			have_manifest = false;
		}
	}
	if (src == real)
		memcpy(src_sha, cur_sha, sizeof src_sha);
	else if (ak_sha256_file(src, src_sha, err) < 0)
		goto out;

	{
		int e = ak_elf_open(&src_elf, src, 0, err);

		if (e == AK_NOT_ELF) {
			ak_errf(err, "%s: not an ELF file", path);
			rc = AK_REFUSED;
			goto out;
		}
		if (e != 0)
			goto out;
		have_elf = true;
	}
	rc = ak_rewrite_check_elf(real, &src_elf, o->rt, err);
	if (rc != 0)
		goto out;
	rc = -1;
	r->old_interp = src_elf.interp ? ak_xstrdup(src_elf.interp) : NULL;
	r->old_rpath = src_elf.rpath ? ak_xstrdup(src_elf.rpath) : NULL;
	r->old_runpath = src_elf.runpath ? ak_xstrdup(src_elf.runpath) : NULL;
	r->size_before = st.st_size;
	dircopy = ak_xstrdup(real);
	{
		/* Both DT_RPATH and DT_RUNPATH present: the loader ignores
		 * DT_RPATH, so DT_RUNPATH's entries are the ones that count. */
		const char *old = src_elf.runpath ? src_elf.runpath : src_elf.rpath;

		r->rpath = ak_rewrite_rpath(o->rt->lib, o->extra_dirs, o->nextra, old, dirname(dircopy), &r->warnings);
	}
	r->interp = src_elf.interp ? ak_xstrdup(o->rt->ld_so) : NULL;
	{
		char *dc = ak_xstrdup(real);

		warn_about_needed(&src_elf, r->rpath, o->rt->lib, dirname(dc), &r->warnings);
		free(dc);
	}

	if (have_manifest && strcmp(or_empty(ak_manifest_get(&man, "interp")), or_empty(r->interp)) == 0 &&
	    strcmp(or_empty(ak_manifest_get(&man, "rpath")), r->rpath) == 0) {
		r->action = "unchanged";
		r->size_after = st.st_size;
		rc = 0;
		goto out;
	}
	if (o->dry_run) {
		r->action = have_manifest ? "would-repatch" : "would-patch";
		rc = 0;
		goto out;
	}

	tmp = ak_rewrite_temp_copy(real, src, err);
	if (tmp == NULL)
		goto out;
	if (ak_patchelf_set(o->pe, tmp, r->rpath, r->interp, err) < 0 ||
	    ak_rewrite_validate(tmp, r->interp, r->rpath, &r->size_after, err) < 0 || ak_sha256_file(tmp, new_sha, err) < 0)
		goto fail;

	/* patchelf makes room by moving headers to the end and page-aligning
	 * them; on some files that is a large, surprising growth. */
	if (r->size_after > r->size_before + 65536 && r->size_after > r->size_before + r->size_before / 4) {
		char msg[256];

		snprintf(msg, sizeof msg, "patchelf grew the file from %llu to %llu bytes", r->size_before,
			 r->size_after);
		ak_strvec_push(&r->warnings, msg);
	}
	/* The original is safe in the state directory and the manifest is
	 * written before the file is replaced: a crash at any point leaves
	 * either the original or the patched file with its record. */
	if (ak_rewrite_keep_original(o->state, src, src_sha, err) < 0)
		goto fail;
	when = now_utc();
	if (!have_manifest) {
		ak_manifest_set(&man, "kind", "patch");
		ak_manifest_set(&man, "path", real);
		ak_manifest_set(&man, "original_sha256", src_sha);
		ak_manifest_setf(&man, "original_size", "%llu", (unsigned long long)st.st_size);
		ak_manifest_set(&man, "original_interp", or_empty(r->old_interp));
		ak_manifest_set(&man, "original_rpath", or_empty(r->old_rpath));
		ak_manifest_set(&man, "original_runpath", or_empty(r->old_runpath));
		ak_manifest_set(&man, "first_patched", when);
	}
	ak_manifest_set(&man, "runtime", o->rt->name);
	ak_manifest_set(&man, "runtime_prefix", o->rt->prefix);
	ak_manifest_set(&man, "runtime_kind", o->rt->kind);
	ak_manifest_set(&man, "interp", or_empty(r->interp));
	ak_manifest_set(&man, "rpath", r->rpath);
	ak_manifest_set(&man, "new_sha256", new_sha);
	ak_manifest_setf(&man, "new_size", "%llu", r->size_after);
	ak_manifest_setf(&man, "patchelf", "%s %s", o->pe->path, o->pe->version);
	ak_manifest_set(&man, "patched", when);
	{
		char *pdir = ak_path_join(o->state, "patched");
		int e = ak_mkdir_p(pdir, 0700, err);

		free(pdir);
		if (e < 0 || ak_manifest_save(&man, mpath, err) < 0)
			goto fail;
	}
	fd = open(tmp, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ak_errno(err, errno, "%s", tmp);
		goto fail;
	}
	if (ak_replace_file(real, tmp, fd, &st, err) < 0)
		goto fail;
	r->action = have_manifest ? "repatched" : "patched";
	rc = 0;
	goto out;
fail:
	if (tmp)
		unlink(tmp);
out:
	if (fd >= 0)
		close(fd);
	if (have_elf)
		ak_elf_close(&src_elf);
	ak_manifest_free(&man);
	free(when);
	free(dircopy);
	free(tmp);
	free(blob);
	free(mpath);
	return rc;
}

void ak_patch_report_free(struct ak_patch_report *r)
{
	free(r->real);
	free(r->interp);
	free(r->rpath);
	free(r->old_interp);
	free(r->old_rpath);
	free(r->old_runpath);
	ak_strvec_free(&r->warnings);
	memset(r, 0, sizeof *r);
}

/* The kept original goes once no record names it (equal files patched in
 * several places share one copy). */
static void drop_unused_original(const char *state, const char *sha)
{
	char *pdir = ak_path_join(state, "patched"), *odir, *blob;
	DIR *d = opendir(pdir);
	struct dirent *e;
	bool used = false;

	while (d && !used && (e = readdir(d)) != NULL) {
		struct ak_manifest m = { 0 };
		struct ak_err err;
		char *p;
		const char *v;

		if (strstr(e->d_name, ".manifest") == NULL)
			continue;
		p = ak_path_join(pdir, e->d_name);
		if (ak_manifest_load(&m, p, &err) == 0 && (v = ak_manifest_get(&m, "original_sha256")) && strcmp(v, sha) == 0)
			used = true;
		ak_manifest_free(&m);
		free(p);
	}
	if (d)
		closedir(d);
	odir = ak_path_join(state, "originals");
	blob = ak_path_join(odir, sha);
	if (!used && sha[0])
		unlink(blob);
	free(blob);
	free(odir);
	free(pdir);
}

int ak_unpatch_file(const char *state, const char *path, bool force, struct ak_unpatch_report *r,
		    struct ak_err *err)
{
	char real[PATH_MAX], cur[65], check[65];
	struct ak_manifest man = { 0 };
	char *mpath = NULL, *blob = NULL, *tmp = NULL, *odir;
	const char *orig, *patched;
	struct stat st;
	int rc = -1, fd = -1;

	memset(r, 0, sizeof *r);
	if (realpath(path, real) == NULL || stat(real, &st) != 0)
		return ak_errno(err, errno, "%s", path);
	r->real = ak_xstrdup(real);
	mpath = ak_rewrite_manifest_path(state, real);
	if (!ak_exists(mpath)) {
		ak_errf(err, "%s: not patched by abikit (no record in %s)", path, state);
		rc = AK_REFUSED;
		goto out;
	}
	if (ak_manifest_load(&man, mpath, err) < 0 || ak_sha256_file(real, cur, err) < 0)
		goto out;
	orig = or_empty(ak_manifest_get(&man, "original_sha256"));
	patched = or_empty(ak_manifest_get(&man, "new_sha256"));
	memcpy(r->sha256, orig, strlen(orig) < 65 ? strlen(orig) + 1 : 1);
	if (strcmp(cur, orig) == 0) {
		r->action = "already-original";
		goto forget;
	}
	if (strcmp(cur, patched) != 0 && !force) {
		ak_errf(err, "%s: changed since abikit patched it (sha256 %.12s..., abikit wrote %.12s...); "
			"not restoring over someone else's change (--force restores anyway)", path, cur, patched);
		rc = AK_REFUSED;
		goto out;
	}
	odir = ak_path_join(state, "originals");
	blob = ak_path_join(odir, orig);
	free(odir);
	tmp = ak_rewrite_temp_copy(real, blob, err);
	if (tmp == NULL)
		goto out;
	if (ak_sha256_file(tmp, check, err) < 0)
		goto fail;
	if (strcmp(check, orig) != 0) {
		ak_errf(err, "%s: the kept original %s does not match its recorded sha256; not restoring", path, blob);
		goto fail;
	}
	fd = open(tmp, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ak_errno(err, errno, "%s", tmp);
		goto fail;
	}
	if (ak_replace_file(real, tmp, fd, &st, err) < 0)
		goto fail;
	r->action = "restored";
forget:
	if (unlink(mpath) != 0 && errno != ENOENT) {
		ak_errno(err, errno, "%s: restored, but its record cannot be removed", mpath);
		goto out;
	}
	drop_unused_original(state, orig);
	rc = 0;
	goto out;
fail:
	unlink(tmp);
out:
	if (fd >= 0)
		close(fd);
	ak_manifest_free(&man);
	free(tmp);
	free(blob);
	free(mpath);
	return rc;
}

void ak_unpatch_report_free(struct ak_unpatch_report *r)
{
	free(r->real);
	memset(r, 0, sizeof *r);
}
