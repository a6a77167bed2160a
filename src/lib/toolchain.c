#include <config.h>

#include "toolchain.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "abidb.h"
#include "elfmodel.h"
#include "fsutil.h"
#include "glibcver.h"
#include "layout.h"
#include "manifest.h"
#include "patchelf.h"
#include "rewrite.h"
#include "sha256.h"
#include "spawn.h"

/* The two names node and patchelf load; each must come from the packages. */
static const char *const needed_libs[][2] = {
	{ "libstdc++.so.6", "libstdc++6" },
	{ "libgcc_s.so.1", "libgcc-s1" },
};
#define NNEEDED (sizeof needed_libs / sizeof needed_libs[0])

struct deb_info {
	char package[128], version[128], arch[32];
	char sha[65];
};

/* What one run stages before anything is put in place. */
struct job {
	const struct ak_toolchain_opts *o;
	const char *tdir, *pdst;        /* ${toolchain_lib}, ${patchelf} (the layout's) */
	char *stage;                    /* beside tdir: unpack-N/, lib/, old/ */
	char *lib;                      /* stage/lib */
	char *tmp;                      /* the rewritten patchelf, beside pdst */
	struct ak_strvec files;         /* names in lib, in package order */
	struct ak_sbuf sources;         /* deb:PKG_VER_ARCH@sha256:HEX ... */
	char glibcxx[64];
	char pe_version[64];
	bool pe_static;
};

/* Debian's name for a runtime's architecture. */
static const char *deb_arch(const char *arch)
{
	if (strcmp(arch, "x86_64") == 0)
		return "amd64";
	if (strcmp(arch, "aarch64") == 0)
		return "arm64";
	return arch;
}

/* libstdc++.so.6, libstdc++.so.6.0.33 and libgcc_s.so.1; not the gdb
 * helper libstdc++.so.6.0.33-gdb.py or the libstdc++.so link-time file. */
static bool toolchain_file(const char *name)
{
	if (strcmp(name, "libgcc_s.so.1") == 0 || strcmp(name, "libstdc++.so.6") == 0)
		return true;
	return strncmp(name, "libstdc++.so.6.", 15) == 0 && name[15] != '\0' &&
	       strspn(name + 15, "0123456789.") == strlen(name + 15);
}

/* The last non-empty line of a tool's captured output, trimmed in place. */
static const char *last_line(char *out)
{
	char *nl;

	while ((nl = strrchr(out, '\n')) && nl[1] == '\0')
		*nl = '\0';
	nl = strrchr(out, '\n');
	return nl ? nl + 1 : out[0] ? out : "no message";
}

/* dpkg-deb's own check that this is a package, and what it is. */
static int deb_read(const char *deb, struct deb_info *d, struct ak_err *err)
{
	const char *argv[] = { "dpkg-deb", "--field", deb, "Package", "Version", "Architecture", NULL };
	char out[2048], *save = NULL;
	struct ak_err e2;
	int st;

	memset(d, 0, sizeof *d);
	if (access(deb, R_OK) != 0)
		return ak_errno(err, errno, "%s", deb);
	st = ak_spawn_capture(argv, out, sizeof out, &e2);
	if (st < 0)
		return ak_errf(err, "%s: %s", deb, e2.msg);
	if (st != 0)
		return ak_errf(err, "%s: not a Debian package (%s)", deb, last_line(out));
	for (char *l = strtok_r(out, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (strncmp(l, "Package: ", 9) == 0)
			snprintf(d->package, sizeof d->package, "%s", l + 9);
		else if (strncmp(l, "Version: ", 9) == 0)
			snprintf(d->version, sizeof d->version, "%s", l + 9);
		else if (strncmp(l, "Architecture: ", 14) == 0)
			snprintf(d->arch, sizeof d->arch, "%s", l + 14);
	}
	if (d->package[0] == '\0' || d->arch[0] == '\0')
		return ak_errf(err, "%s: not a Debian package (no Package or Architecture field)", deb);
	return ak_sha256_file(deb, d->sha, err);
}

static int deb_unpack(const char *deb, const char *dir, struct ak_err *err)
{
	const char *argv[] = { "dpkg-deb", "-x", deb, dir, NULL };
	char out[1024];
	struct ak_err e2;
	int st = ak_spawn_capture(argv, out, sizeof out, &e2);

	if (st < 0)
		return ak_errf(err, "%s: %s", deb, e2.msg);
	if (st != 0)
		return ak_errf(err, "%s: dpkg-deb cannot unpack it (%s)", deb, last_line(out));
	return 0;
}

/* A library from a package must be for the runtime's machine: the package's
 * Architecture says so, but a mislabelled or hand-made one would only show
 * when the loader skips the file on the old host. */
static int check_machine(const char *deb, const char *path, const char *name, const struct ak_runtime_info *rt,
			 struct ak_err *err)
{
	struct ak_elf m;
	int arch, rc = 0;

	if (ak_elf_open(&m, path, 0, err) != 0)
		return -1;
	arch = ak_arch_from_machine(m.machine);
	if (m.unsupported || arch < 0 || strcmp(ak_arch_name((enum ak_arch)arch), rt->arch) != 0)
		rc = ak_errf(err, "%s: %s is built for %s, but the runtime %s is %s", deb, name,
			     ak_machine_name(m.machine), rt->name, rt->arch);
	else if (m.kind != AK_KIND_SHLIB)
		rc = ak_errf(err, "%s: %s is a %s, not a shared library", deb, name, ak_kind_name(m.kind));
	ak_elf_close(&m);
	return rc;
}

/* Copy one entry of a package's library directory into the stage: a
 * symlink within the directory stays a symlink (libstdc++.so.6 ->
 * libstdc++.so.6.0.33, as ldconfig made it), anything else is copied. */
static int take_file(struct job *j, const char *deb, const char *src, const char *name, struct ak_err *err)
{
	char *dst = ak_path_join(j->lib, name), target[PATH_MAX];
	struct stat st;
	ssize_t n;
	int rc = -1;

	if (ak_strvec_contains(&j->files, name)) {
		ak_errf(err, "%s: %s is also in another of the given packages", deb, name);
		goto out;
	}
	if (lstat(src, &st) != 0) {
		ak_errno(err, errno, "%s", src);
		goto out;
	}
	if (S_ISLNK(st.st_mode) && (n = readlink(src, target, sizeof target - 1)) > 0) {
		target[n] = '\0';
		if (strchr(target, '/') == NULL) {
			if (symlink(target, dst) != 0) {
				ak_errno(err, errno, "%s", dst);
				goto out;
			}
			ak_strvec_push(&j->files, name);
			rc = 0;
			goto out;
		}
	}
	if (check_machine(deb, src, name, j->o->rt, err) < 0 || ak_copy_file(src, dst, err) < 0)
		goto out;
	ak_strvec_push(&j->files, name);
	rc = 0;
out:
	free(dst);
	return rc;
}

/* Unpack one package and take its libraries from the runtime's multiarch
 * directories (Debian moved them from lib/ to usr/lib/ in trixie). */
static int take_deb(struct job *j, size_t i, struct ak_err *err)
{
	static const char *const bases[] = { "usr/lib", "lib", NULL };
	const char *deb = j->o->debs[i];
	const struct ak_runtime_info *rt = j->o->rt;
	struct deb_info d;
	char sub[64], triplet[64];
	char *unpack;
	size_t before = j->files.n;
	int rc = -1;

	if (deb_read(deb, &d, err) < 0)
		return -1;
	if (strcmp(d.arch, deb_arch(rt->arch)) != 0 && strcmp(d.arch, "all") != 0)
		return ak_errf(err, "%s: a package for %s, but the runtime %s is %s (%s)", deb, d.arch, rt->name,
			       deb_arch(rt->arch), rt->arch);
	snprintf(sub, sizeof sub, "unpack-%zu", i);
	snprintf(triplet, sizeof triplet, "%s-linux-gnu", rt->arch);
	unpack = ak_path_join(j->stage, sub);
	if (ak_mkdir_p(unpack, 0755, err) < 0 || deb_unpack(deb, unpack, err) < 0)
		goto out;
	for (size_t b = 0; bases[b]; b++) {
		char *base = ak_path_join(unpack, bases[b]), *dir = ak_path_join(base, triplet);
		DIR *dh = opendir(dir);
		struct dirent *e;
		int failed = 0;

		while (dh && !failed && (e = readdir(dh)) != NULL) {
			char *src;

			if (!toolchain_file(e->d_name))
				continue;
			src = ak_path_join(dir, e->d_name);
			failed = take_file(j, deb, src, e->d_name, err);
			free(src);
		}
		if (dh)
			closedir(dh);
		free(dir);
		free(base);
		if (failed)
			goto out;
	}
	if (j->files.n == before) {
		ak_errf(err, "%s: no libstdc++.so.6 or libgcc_s.so.1 in usr/lib/%s or lib/%s (%s is not libstdc++6 or libgcc-s1)",
			deb, triplet, triplet, d.package);
		goto out;
	}
	ak_sbuf_addf(&j->sources, "%sdeb:%s_%s_%s@sha256:%s", j->sources.len ? " " : "", d.package, d.version,
		     d.arch, d.sha);
	rc = 0;
out:
	free(unpack);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The highest GLIBCXX_ version node libstdc++ defines: what a C++ program
 * built against it may need ("GLIBCXX_3.4.33" is GCC 14's). */
static int highest_glibcxx(const char *path, char *out, size_t size, struct ak_err *err)
{
	struct ak_ver best = { 0, 0, 0 }, v;
	struct ak_elf m;

	if (ak_elf_open(&m, path, 0, err) != 0)
		return -1;
	out[0] = '\0';
	for (size_t i = 0; i < m.nvdefs; i++) {
		const char *n = m.vdefs[i].name;

		if (strncmp(n, "GLIBCXX_", 8) == 0 && ak_ver_parse(n + 8, &v) && ak_ver_cmp(&v, &best) > 0) {
			best = v;
			snprintf(out, size, "%s", n);
		}
	}
	ak_elf_close(&m);
	if (out[0] == '\0')
		return ak_errf(err, "%s: defines no GLIBCXX_ version: not GCC's libstdc++", path);
	return 0;
}

/* Every library the patchelf needs must be in the runtime or the staged
 * toolchain directory: otherwise the old host's would be loaded, or none. */
static int check_needed(const struct job *j, const char *src, const struct ak_elf *m, struct ak_err *err)
{
	for (size_t i = 0; i < m->nneeded; i++) {
		char *a = ak_path_join(j->o->rt->lib, m->needed[i]), *b = ak_path_join(j->lib, m->needed[i]);
		bool found = ak_exists(a) || ak_exists(b);

		free(a);
		free(b);
		if (!found) {
			ak_errf(err, "%s needs %s, which neither the runtime nor the given packages have; "
				"add the package holding it", src, m->needed[i]);
			return AK_TOOLCHAIN_NORUN;
		}
	}
	return 0;
}

/* Copy src to a temporary file beside ${patchelf} and rewrite it onto the
 * runtime with the patchelf abikit uses, rpath first. A statically linked
 * patchelf runs anywhere already and is copied as it is. */
static int stage_patchelf(struct job *j, const struct ak_patchelf *pe, const char *src, const char *rpath,
			  struct ak_err *err)
{
	const struct ak_runtime_info *rt = j->o->rt;
	char *dir = ak_xstrdup(j->pdst), *slash = strrchr(dir, '/');
	const char *base = strrchr(j->pdst, '/') + 1;
	struct ak_sbuf t = { NULL, 0, 0 };
	unsigned long long size;
	struct ak_elf m;
	int rc, fd;

	rc = ak_elf_open(&m, src, 0, err);
	if (rc != 0) {
		free(dir);
		return -1;
	}
	j->pe_static = m.kind == AK_KIND_STATIC || m.kind == AK_KIND_STATIC_PIE;
	rc = j->pe_static ? 0 : ak_rewrite_check_elf(src, &m, rt, err);
	if (rc == 0)
		rc = check_needed(j, src, &m, err);
	ak_elf_close(&m);
	if (rc != 0) {
		free(dir);
		return rc == AK_TOOLCHAIN_NORUN ? rc : -1;
	}
	*slash = '\0';
	if (ak_mkdir_p(dir, 0755, err) < 0) {
		free(dir);
		return -1;
	}
	ak_sbuf_addf(&t, "%s/.%s.abikit-XXXXXX", dir, base);
	free(dir);
	j->tmp = t.s;
	fd = mkstemp(j->tmp);
	if (fd < 0) {
		ak_errno(err, errno, "%s: cannot create a temporary file beside it", j->pdst);
		free(j->tmp);
		j->tmp = NULL;
		return -1;
	}
	close(fd);
	if (ak_copy_file(src, j->tmp, err) < 0)
		return -1;
	if (chmod(j->tmp, 0755) != 0)
		return ak_errno(err, errno, "%s", j->tmp);
	if (j->pe_static)
		return 0;
	if (ak_patchelf_set(pe, j->tmp, rpath, rt->ld_so, err) < 0 ||
	    ak_rewrite_validate(j->tmp, rt->ld_so, rpath, &size, err) < 0)
		return -1;
	return 0;
}

/* Start the staged patchelf on the runtime: through its ld.so with the
 * staged libraries (${toolchain_lib} is not in place yet) and never the
 * host's cache. Only where the host can run the runtime's machine. */
static int try_patchelf(struct job *j, const char *src, struct ak_err *err)
{
	const struct ak_runtime_info *rt = j->o->rt;
	struct utsname u;
	struct ak_sbuf path = { NULL, 0, 0 };
	char out[1024];
	struct ak_err e2;
	int st;

	memset(&u, 0, sizeof u);
	if (uname(&u) != 0 || strcmp(u.machine, rt->arch) != 0) {
		snprintf(j->pe_version, sizeof j->pe_version, "not run (this host is %.20s)",
			 u.machine[0] ? u.machine : "unknown");
		return 0;
	}
	ak_sbuf_addf(&path, "%s:%s", rt->lib, j->lib);
	{
		const char *ld[] = { rt->ld_so, "--inhibit-cache", "--library-path", path.s, j->tmp, "--version", NULL };
		const char *direct[] = { j->tmp, "--version", NULL };

		st = ak_spawn_capture(j->pe_static ? direct : ld, out, sizeof out, &e2);
	}
	ak_sbuf_free(&path);
	if (st < 0)
		return ak_errf(err, "%s: %s", src, e2.msg);
	if (st != 0) {
		ak_errf(err, "%s does not start on the runtime %s (exit %d): %s", src, rt->name, st, last_line(out));
		return AK_TOOLCHAIN_NORUN;
	}
	out[strcspn(out, "\n")] = '\0';
	if (strncmp(out, "patchelf ", 9) != 0)
		return ak_errf(err, "%s: not a patchelf (--version printed \"%s\")", src, out);
	snprintf(j->pe_version, sizeof j->pe_version, "%.63s", out + 9);
	return 0;
}

static int sync_file(const char *path, struct ak_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fsync(fd) != 0) {
		ak_errno(err, errno, "%s: cannot sync", path);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* Put everything staged in place: the library directory (the old one moved
 * into the stage, back again if the patchelf cannot follow), then the
 * patchelf. */
static int commit(struct job *j, struct ak_err *err)
{
	char *old = ak_path_join(j->stage, "old");
	bool had_old = false;
	int rc = -1;

	if (sync_file(j->tmp, err) < 0)
		goto out;
	if (ak_exists(j->tdir)) {
		if (rename(j->tdir, old) != 0) {
			ak_errno(err, errno, "%s: cannot move the old one aside", j->tdir);
			goto out;
		}
		had_old = true;
	}
	if (rename(j->lib, j->tdir) != 0) {
		ak_errno(err, errno, "%s: cannot move the new one into place", j->tdir);
		if (had_old)
			rename(old, j->tdir);
		goto out;
	}
	if (rename(j->tmp, j->pdst) != 0) {
		ak_errno(err, errno, "%s: cannot rename into place", j->pdst);
		rename(j->tdir, j->lib);
		if (had_old)
			rename(old, j->tdir);
		goto out;
	}
	free(j->tmp);
	j->tmp = NULL;
	rc = 0;
out:
	free(old);
	return rc;
}

static int record(const struct job *j, const char *src, struct ak_err *err)
{
	char *mpath = ak_path_join(j->o->rt->prefix, AK_RUNTIME_MANIFEST);
	struct ak_manifest m;
	struct ak_sbuf files = { NULL, 0, 0 };
	int rc;

	if (ak_manifest_load(&m, mpath, err) < 0) {
		free(mpath);
		return -1;
	}
	ak_sbuf_add(&files, "");
	for (size_t i = 0; i < j->files.n; i++)
		ak_sbuf_addf(&files, "%s%s", i ? " " : "", j->files.v[i]);
	ak_manifest_set(&m, "toolchain_lib", j->tdir);
	ak_manifest_set(&m, "toolchain_files", files.s);
	ak_manifest_set(&m, "toolchain_source", j->sources.s);
	ak_manifest_set(&m, "toolchain_glibcxx", j->glibcxx);
	ak_manifest_set(&m, "patchelf_path", j->pdst);
	ak_manifest_set(&m, "patchelf_version", j->pe_version);
	ak_manifest_setf(&m, "patchelf_source", "%s%s", src, j->pe_static ? " (static, copied as is)" : "");
	rc = ak_manifest_save(&m, mpath, err);
	ak_manifest_free(&m);
	ak_sbuf_free(&files);
	free(mpath);
	return rc;
}

/* ${toolchain_lib} and ${patchelf} of the layout, for this runtime. */
static int layout_paths(const struct ak_toolchain_opts *o, struct ak_layout *l, struct ak_err *err)
{
	const struct ak_runtime_info *rt = o->rt;
	const char *layout = o->layout ? o->layout : AK_TOOLCHAIN_LAYOUT;
	const char *ld = strrchr(rt->ld_so, '/') + 1;

	if (ak_runtime_layout(l, layout, rt->name, rt->glibc, rt->arch, ld, rt->prefix, err) < 0)
		return -1;
	if (ak_layout_path(l, "toolchain_lib") && ak_layout_path(l, "patchelf"))
		return 0;
	ak_errf(err, "%s: no %s in [paths]: the layout does not say where the toolchain goes (%s's does)", l->file,
		ak_layout_path(l, "toolchain_lib") ? "patchelf" : "toolchain_lib", AK_TOOLCHAIN_LAYOUT);
	ak_layout_free(l);
	return -1;
}

int ak_toolchain_install(const struct ak_toolchain_opts *o, struct ak_err *err)
{
	const struct ak_runtime_info *rt = o->rt;
	struct ak_patchelf pe;
	struct ak_layout l;
	struct job j;
	struct ak_sbuf rpath = { NULL, 0, 0 };
	char *parent = NULL, *stdcxx = NULL;
	const char *src;
	int rc = -1;

	if (layout_paths(o, &l, err) < 0)
		return -1;
	memset(&j, 0, sizeof j);
	j.o = o;
	j.tdir = ak_layout_path(&l, "toolchain_lib");
	j.pdst = ak_layout_path(&l, "patchelf");
	ak_sbuf_add(&j.sources, "");
	if (ak_patchelf_find(&pe, NULL, err) < 0)
		goto out;
	src = o->patchelf ? o->patchelf : pe.path;

	/* The stage lies beside ${toolchain_lib}, so it renames into place. */
	parent = ak_xstrdup(j.tdir);
	*strrchr(parent, '/') = '\0';
	if (ak_mkdir_p(*parent ? parent : "/", 0755, err) < 0)
		goto out;
	{
		struct ak_sbuf s = { NULL, 0, 0 };

		ak_sbuf_addf(&s, "%s/.%s.abikit-XXXXXX", parent, strrchr(j.tdir, '/') + 1);
		j.stage = s.s;
	}
	if (mkdtemp(j.stage) == NULL) {
		ak_errno(err, errno, "%s: cannot create a staging directory", j.stage);
		free(j.stage);
		j.stage = NULL;
		goto out;
	}
	j.lib = ak_path_join(j.stage, "lib");
	if (ak_mkdir_p(j.lib, 0755, err) < 0)
		goto out;
	for (size_t i = 0; i < o->ndebs; i++)
		if (take_deb(&j, i, err) < 0)
			goto out;
	if (j.files.n > 1)
		qsort(j.files.v, j.files.n, sizeof *j.files.v, cmp_str);
	for (size_t i = 0; i < NNEEDED; i++) {
		char *p = ak_path_join(j.lib, needed_libs[i][0]);
		bool ok = ak_exists(p);

		free(p);
		if (!ok) {
			ak_errf(err, "no %s among the given packages: add %s's .deb (node needs both %s and %s)",
				needed_libs[i][0], needed_libs[i][1], needed_libs[0][0], needed_libs[1][0]);
			goto out;
		}
	}
	stdcxx = ak_path_join(j.lib, "libstdc++.so.6");
	if (highest_glibcxx(stdcxx, j.glibcxx, sizeof j.glibcxx, err) < 0)
		goto out;

	/* The patchelf: DT_RPATH, not DT_RUNPATH, so libstdc++'s own needs
	 * (libm, libgcc_s) are found there too, before the host's. */
	ak_sbuf_addf(&rpath, "%s:%s", rt->lib, j.tdir);
	rc = stage_patchelf(&j, &pe, src, rpath.s, err);
	if (rc == 0)
		rc = try_patchelf(&j, src, err);
	if (rc != 0) {
		rc = rc == AK_TOOLCHAIN_NORUN ? rc : -1;
		goto out;
	}
	rc = -1;
	if (commit(&j, err) < 0 || record(&j, src, err) < 0)
		goto out;
	printf("%s: ", j.tdir);
	for (size_t i = 0; i < j.files.n; i++)
		printf("%s%s", i ? " " : "", j.files.v[i]);
	printf(" (%s)\n  from %s\n", j.glibcxx, j.sources.s);
	printf("%s: patchelf %s from %s%s\n", j.pdst, j.pe_version, src,
	       j.pe_static ? ", static, copied as is" : "");
	if (!j.pe_static)
		printf("  interpreter %s, DT_RPATH %s\n", rt->ld_so, rpath.s);
	printf("recorded in %s/%s\n", rt->prefix, AK_RUNTIME_MANIFEST);
	printf("VS Code's variables: abikit runtime env --layout %s --runtime %s --plain\n",
	       o->layout ? o->layout : AK_TOOLCHAIN_LAYOUT, rt->prefix);
	rc = 0;
out:
	if (j.tmp)
		unlink(j.tmp);
	if (j.stage)
		ak_rm_rf(j.stage, NULL);
	free(j.tmp);
	free(j.stage);
	free(j.lib);
	ak_strvec_free(&j.files);
	ak_sbuf_free(&j.sources);
	ak_sbuf_free(&rpath);
	free(parent);
	free(stdcxx);
	ak_layout_free(&l);
	return rc;
}
