#include <config.h>

#include "runtime.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "abidb.h"
#include "elfmodel.h"
#include "fsutil.h"
#include "layout.h"
#include "libcinfo.h"
#include "rootfs.h"
#include "sha256.h"
#include "smoke.h"
#include "spawn.h"

char *ak_runtime_root(void)
{
	const char *env = getenv("ABIKIT_RUNTIMES"), *home = getenv("HOME");

	if (env && *env)
		return ak_xstrdup(env);
	if (geteuid() == 0 || home == NULL)
		return ak_xstrdup("/opt/abikit/runtimes");
	return ak_path_join(home, ".abikit/runtimes");
}

#ifndef ABIKIT_PKGDATADIR
#define ABIKIT_PKGDATADIR "/usr/local/share/abikit"
#endif

void ak_layout_dirs(const char **dirs, size_t max, char **storage)
{
	const char *env = getenv("ABIKIT_LAYOUT_PATH");
	size_t n = 0;

	*storage = ak_xstrdup(env ? env : "");
	for (char *save = NULL, *p = strtok_r(*storage, ":", &save); p && n + 2 < max; p = strtok_r(NULL, ":", &save))
		dirs[n++] = p;
	dirs[n++] = ABIKIT_PKGDATADIR "/layouts";
	dirs[n] = NULL;
}

int ak_runtime_layout(struct ak_layout *l, const char *layout, const char *name, const char *version,
		      const char *arch, const char *ld_so, const char *prefix, struct ak_err *err)
{
	const char *dirs[16];
	char *storage;
	const char *home = getenv("HOME");
	int rc;

	ak_layout_dirs(dirs, 16, &storage);
	rc = ak_layout_load(l, layout, dirs, err);
	free(storage);
	if (rc < 0)
		return -1;
	ak_layout_set(l, "runtime_name", name);
	ak_layout_set(l, "glibc_version", version);
	ak_layout_set(l, "arch", arch);
	ak_layout_set(l, "ld_so", ld_so);
	ak_layout_set(l, "home", home && *home ? home : "/");
	if (prefix)
		ak_layout_set(l, "runtime", prefix);
	if (ak_layout_expand(l, err) < 0) {
		ak_layout_free(l);
		return -1;
	}
	return 0;
}

char *ak_runtime_find(const char *name_or_prefix, struct ak_err *err)
{
	char *prefix, *manifest;

	if (strchr(name_or_prefix, '/')) {
		prefix = ak_xstrdup(name_or_prefix);
	} else {
		char *root = ak_runtime_root();

		prefix = ak_path_join(root, name_or_prefix);
		free(root);
	}
	manifest = ak_path_join(prefix, AK_RUNTIME_MANIFEST);
	if (!ak_exists(manifest)) {
		ak_errf(err, "%s: no runtime there (no %s)", prefix, AK_RUNTIME_MANIFEST);
		free(manifest);
		free(prefix);
		return NULL;
	}
	free(manifest);
	return prefix;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void ak_runtime_list(struct ak_strvec *names)
{
	char *root = ak_runtime_root();
	DIR *d = opendir(root);
	struct dirent *e;

	if (d != NULL) {
		while ((e = readdir(d)) != NULL) {
			char *dir, *mf;

			if (e->d_name[0] == '.')
				continue;
			dir = ak_path_join(root, e->d_name);
			mf = ak_path_join(dir, AK_RUNTIME_MANIFEST);
			if (ak_exists(mf))
				ak_strvec_push(names, e->d_name);
			free(mf);
			free(dir);
		}
		closedir(d);
	}
	free(root);
	if (names->n > 1)
		qsort(names->v, names->n, sizeof *names->v, cmp_str);
}

static int copy_tree(const char *src, const char *dst, struct ak_err *err)
{
	const char *argv[] = { "cp", "-a", "--", src, dst, NULL };
	struct ak_spawn sp;
	int rc;

	memset(&sp, 0, sizeof sp);
	sp.argv = argv;
	sp.phase = "copy";
	rc = ak_spawn_run(&sp, err);
	if (rc > 0)
		return ak_errf(err, "%s: cannot copy to %s", src, dst);
	return rc;
}

int ak_runtime_install(const char *staged, const char *prefix, bool force, struct ak_err *err)
{
	char *old = NULL, *parent = ak_xstrdup(prefix), *slash = strrchr(parent, '/');
	int rc = -1;

	if (slash && slash != parent) {
		*slash = '\0';
		if (ak_mkdir_p(parent, 0755, err) < 0)
			goto out;
	}
	if (ak_exists(prefix)) {
		if (!force) {
			ak_errf(err, "%s: already exists; use --force to replace it, or 'abikit runtime remove'", prefix);
			goto out;
		}
		old = ak_xmalloc(strlen(prefix) + 32);
		sprintf(old, "%s.abikit-old-%ld", prefix, (long)getpid());
		if (rename(prefix, old) != 0) {
			ak_errno(err, errno, "%s: cannot move the old runtime aside", prefix);
			goto out;
		}
	}
	if (rename(staged, prefix) != 0) {
		int e = errno;

		/* Another file system: copy beside the prefix, then rename. */
		if (e == EXDEV) {
			char *beside = ak_xmalloc(strlen(prefix) + 32);

			sprintf(beside, "%s.abikit-new-%ld", prefix, (long)getpid());
			if (copy_tree(staged, beside, err) == 0 && rename(beside, prefix) == 0) {
				free(beside);
				goto installed;
			}
			e = errno;
			ak_rm_rf(beside, NULL);
			free(beside);
		}
		ak_errno(err, e, "%s: cannot move the new runtime into place", prefix);
		if (old)
			rename(old, prefix);
		goto out;
	}
installed:
	if (old)
		ak_rm_rf(old, NULL);
	rc = 0;
out:
	free(old);
	free(parent);
	return rc;
}

int ak_runtime_nss_audit(const char *prefix, const char *conf, struct ak_manifest *m)
{
	FILE *f = fopen(conf, "re");
	struct ak_strvec missing = { NULL, 0, 0 }, named = { NULL, 0, 0 };
	struct ak_sbuf b = { NULL, 0, 0 };
	char *line = NULL;
	size_t cap = 0;
	int n;

	if (f == NULL) {
		ak_manifest_setf(m, "nss_audit", "no %s to audit", conf);
		return 0;
	}
	while (getline(&line, &cap, f) > 0) {
		char *colon, *save = NULL;

		if (strchr(line, '#'))
			*strchr(line, '#') = '\0';
		colon = strchr(line, ':');
		if (colon == NULL)
			continue;
		for (char *t = strtok_r(colon + 1, " \t\n", &save); t; t = strtok_r(NULL, " \t\n", &save)) {
			char so[128], *path;

			if (t[0] == '[')
				continue;   /* [NOTFOUND=return] and friends */
			if (ak_strvec_contains(&named, t))
				continue;
			ak_strvec_push(&named, t);
			snprintf(so, sizeof so, "lib/libnss_%s.so.2", t);
			path = ak_path_join(prefix, so);
			if (!ak_exists(path))
				ak_strvec_push(&missing, t);
			free(path);
		}
	}
	free(line);
	fclose(f);
	ak_sbuf_add(&b, "");
	for (size_t i = 0; i < missing.n; i++)
		ak_sbuf_addf(&b, "%s%s", i ? " " : "", missing.v[i]);
	ak_manifest_set(m, "nss_missing", b.s);
	ak_manifest_setf(m, "nss_audit", "%s names %zu module%s; the runtime lacks %zu", conf, named.n,
			 named.n == 1 ? "" : "s", missing.n);
	if (missing.n)
		fprintf(stderr, "abikit: warning: %s names NSS module%s the runtime lacks: %s; lookups will skip %s and may answer \"not found\"\n",
			conf, missing.n == 1 ? "" : "s", b.s, missing.n == 1 ? "it" : "them");
	n = (int)missing.n;
	ak_sbuf_free(&b);
	ak_strvec_free(&missing);
	ak_strvec_free(&named);
	return n;
}

/* Common legacy charsets and the helper libraries their modules need. */
static const char default_gconv[] =
	"ISO8859-* CP125* KOI8-R KOI8-U UTF-16 UTF-32 UTF-7 UNICODE IBM437 IBM850 "
	"EUC-JP SJIS GBK BIG5 EUC-KR EUC-CN libJIS libGB libKSC libCNS";

static bool keep_module(const char *file, const char *keep)
{
	char *copy, *save = NULL;
	bool hit = false;
	size_t base = strcspn(file, ".");

	if (strcmp(keep, "all") == 0)
		return true;
	copy = ak_xstrdup(keep);
	for (char *t = strtok_r(copy, " ,", &save); t && !hit; t = strtok_r(NULL, " ,", &save)) {
		size_t n = strlen(t);

		if (n > 0 && t[n - 1] == '*')
			hit = strncmp(file, t, n - 1) == 0;
		else
			hit = n == base && strncmp(file, t, n) == 0;
	}
	free(copy);
	return hit;
}

static void drop(const char *path, bool dry_run, unsigned long long *freed, size_t *count)
{
	struct stat st;

	if (lstat(path, &st) != 0)
		return;
	*freed += S_ISDIR(st.st_mode) ? ak_tree_size(path) : (unsigned long long)st.st_size;
	(*count)++;
	if (!dry_run)
		ak_rm_rf(path, NULL);
}

int ak_runtime_prune(const char *prefix, const char *keep_gconv, bool dry_run, struct ak_err *err)
{
	static const char *const trees[] = { "include", "bin", "sbin", "libexec", "var", "share/i18n",
					     "share/locale", "share/info", "lib/audit", NULL };
	unsigned long long before = ak_tree_size(prefix), freed = 0;
	char *mpath = ak_path_join(prefix, AK_RUNTIME_MANIFEST), *lib = ak_path_join(prefix, "lib");
	char *gconv = ak_path_join(lib, "gconv");
	struct ak_manifest m;
	size_t count = 0, modules = 0, kept = 0;
	struct ak_strvec strip = { NULL, 0, 0 };
	DIR *d;
	struct dirent *e;
	int rc = -1;

	if (ak_manifest_load(&m, mpath, err) < 0)
		goto out_nom;
	if (!keep_gconv)
		keep_gconv = default_gconv;
	for (size_t i = 0; trees[i]; i++) {
		char *p = ak_path_join(prefix, trees[i]);

		drop(p, dry_run, &freed, &count);
		free(p);
	}
	/* lib/: static archives, crt objects, link-time .so scripts and
	 * profiling/debug tools go; lib*.so.N, ld.so and the dirs stay. */
	if ((d = opendir(lib)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			const char *n = e->d_name;
			size_t len = strlen(n);
			char *p = ak_path_join(lib, n);
			bool gone = (len > 2 && strcmp(n + len - 2, ".a") == 0) ||
				    (len > 2 && strcmp(n + len - 2, ".o") == 0) ||
				    (len > 3 && strcmp(n + len - 3, ".so") == 0);

			if (gone)
				drop(p, dry_run, &freed, &count);
			else if (strstr(n, ".so.") != NULL && !ak_is_dir(p))
				ak_strvec_push(&strip, p);
			free(p);
		}
		closedir(d);
	}
	if ((d = opendir(gconv)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			size_t len = strlen(e->d_name);
			char *p;

			if (len < 4 || strcmp(e->d_name + len - 3, ".so") != 0)
				continue;
			modules++;
			p = ak_path_join(gconv, e->d_name);
			if (keep_module(e->d_name, keep_gconv)) {
				kept++;
				ak_strvec_push(&strip, p);
			} else {
				drop(p, dry_run, &freed, &count);
			}
			free(p);
		}
		closedir(d);
	}
	if (!dry_run && strip.n > 0) {
		const char **argv = ak_xcalloc(strip.n + 3, sizeof *argv);
		struct ak_spawn sp;
		int st;

		argv[0] = "strip";
		argv[1] = "--strip-debug";
		for (size_t i = 0; i < strip.n; i++)
			argv[i + 2] = strip.v[i];
		memset(&sp, 0, sizeof sp);
		sp.argv = argv;
		sp.phase = "strip";
		st = ak_spawn_run(&sp, err);
		free(argv);
		if (st != 0) {
			if (st > 0)
				ak_errf(err, "%s: strip --strip-debug failed", prefix);
			goto out;
		}
	}
	printf("%s%s: %zu items removed, gconv modules kept %zu of %zu, %zu objects %s; %.1f MB -> %.1f MB\n",
	       dry_run ? "would prune " : "pruned ", prefix, count, kept, modules, strip.n,
	       dry_run ? "to strip" : "stripped", before / 1048576.0,
	       dry_run ? (before - freed) / 1048576.0 : ak_tree_size(prefix) / 1048576.0);
	if (!dry_run) {
		ak_manifest_set(&m, "pruned", "yes");
		ak_manifest_set(&m, "pruned_gconv_kept", keep_gconv);
		ak_manifest_setf(&m, "size_bytes", "%llu", ak_tree_size(prefix));
		if (ak_manifest_save(&m, mpath, err) < 0)
			goto out;
	}
	rc = 0;
out:
	ak_manifest_free(&m);
out_nom:
	ak_strvec_free(&strip);
	free(mpath);
	free(lib);
	free(gconv);
	return rc;
}

/* The multiarch directory holding libc.so.6 in an unpacked tree. */
static char *find_libdir(const char *tree, struct ak_err *err)
{
	static const char *const dirs[] = {
		"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
		"/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
		"/lib64", "/usr/lib64", "/lib", "/usr/lib", NULL
	};
	struct ak_rootfs r;

	if (ak_rootfs_open(&r, tree, err) < 0)
		return NULL;
	for (size_t i = 0; dirs[i]; i++) {
		char *cand = ak_path_join(dirs[i], "libc.so.6"), *res = ak_rootfs_resolve(&r, cand);

		free(cand);
		if (res) {
			char *host, *slash;

			host = ak_rootfs_host_path(&r, res);
			free(res);
			slash = strrchr(host, '/');
			*slash = '\0';
			ak_rootfs_close(&r);
			return host;
		}
	}
	ak_rootfs_close(&r);
	ak_errf(err, "%s: no libc.so.6 in it (looked in the multiarch, lib64 and lib directories)", tree);
	return NULL;
}

/* Is this file name one of glibc's shared objects (any release)? */
static bool glibc_file(const char *name, enum ak_arch arch)
{
	if (ak_abidb_lib_id(arch, name) >= 0)
		return true;
	if (strncmp(name, "libnss_", 7) == 0 && strstr(name, ".so.2") != NULL)
		return true;
	return strcmp(name, "libmemusage.so") == 0 || strcmp(name, "libpcprofile.so") == 0;
}

int ak_runtime_harvest(const struct ak_harvest *h, struct ak_err *err)
{
	struct ak_manifest m;
	struct ak_libc_info info;
	struct ak_sbuf sources = { NULL, 0, 0 };
	char *stage = NULL, *unpack = NULL, *rt = NULL, *libdir = NULL, *prefix = NULL, *path;
	char *dstlib = NULL;
	int rc = -1, arch;
	DIR *d = NULL;
	struct dirent *e;
	size_t copied = 0;
	time_t now = time(NULL);
	char when[64];

	memset(&m, 0, sizeof m);
	ak_sbuf_add(&sources, "");
	stage = ak_xmalloc(64);
	snprintf(stage, 64, "%s", "abikit-harvest-XXXXXX");
	{
		const char *tmp = getenv("TMPDIR");
		char *t = ak_path_join(tmp && *tmp ? tmp : "/tmp", stage);

		free(stage);
		stage = t;
	}
	if (mkdtemp(stage) == NULL) {
		ak_errno(err, errno, "%s: cannot create a staging directory", stage);
		goto out;
	}
	unpack = ak_path_join(stage, "unpack");
	rt = ak_path_join(stage, "runtime");
	if (ak_mkdir_p(unpack, 0755, err) < 0 || ak_mkdir_p(rt, 0755, err) < 0)
		goto out;
	if (h->root) {
		free(unpack);
		unpack = ak_xstrdup(h->root);
		ak_sbuf_addf(&sources, "root:%s", h->root);
	}
	for (size_t i = 0; i < h->ndebs; i++) {
		const char *argv[] = { "dpkg-deb", "-x", h->debs[i], unpack, NULL };
		struct ak_spawn sp;
		char sum[65];
		int st;

		if (ak_sha256_file(h->debs[i], sum, err) < 0)
			goto out;
		memset(&sp, 0, sizeof sp);
		sp.argv = argv;
		sp.phase = "unpack";
		st = ak_spawn_run(&sp, err);
		if (st != 0) {
			if (st > 0)
				ak_errf(err, "%s: dpkg-deb cannot unpack it (not a .deb?)", h->debs[i]);
			goto out;
		}
		ak_sbuf_addf(&sources, "%sdeb:%s@sha256:%s", sources.len ? " " : "",
			     strrchr(h->debs[i], '/') ? strrchr(h->debs[i], '/') + 1 : h->debs[i], sum);
	}
	libdir = find_libdir(unpack, err);
	if (libdir == NULL)
		goto out;
	path = ak_path_join(libdir, "libc.so.6");
	rc = ak_libc_identify(path, &info, err);
	free(path);
	if (rc < 0 || strcmp(info.family, "glibc") != 0 || info.version[0] == '\0') {
		if (rc == 0)
			ak_errf(err, "%s: not a glibc of a known version", libdir);
		rc = -1;
		goto out;
	}
	rc = -1;
	arch = ak_arch_from_machine(info.machine);
	if (arch < 0) {
		ak_errf(err, "%s/libc.so.6: %s is not a supported machine", libdir, ak_machine_name(info.machine));
		goto out;
	}
	if (h->prefix) {
		prefix = ak_xstrdup(h->prefix);
	} else if (h->layout) {
		struct ak_layout l;
		char name[64];

		snprintf(name, sizeof name, "glibc-%s-%s", info.version, ak_arch_name((enum ak_arch)arch));
		if (ak_runtime_layout(&l, h->layout, name, info.version, ak_arch_name((enum ak_arch)arch),
				      arch == AK_ARCH_X86_64 ? "ld-linux-x86-64.so.2" : "ld-linux-aarch64.so.1",
				      NULL, err) < 0)
			goto out;
		prefix = ak_xstrdup(ak_layout_path(&l, "runtime"));
		ak_layout_free(&l);
	} else {
		char *root = ak_runtime_root(), name[64];

		snprintf(name, sizeof name, "glibc-%s-%s", info.version, ak_arch_name((enum ak_arch)arch));
		prefix = ak_path_join(root, name);
		free(root);
	}
	dstlib = ak_path_join(rt, "lib");
	if (ak_mkdir_p(dstlib, 0755, err) < 0)
		goto out;
	/* glibc's own objects only: a root's directory holds everyone's. */
	d = opendir(libdir);
	if (d == NULL) {
		ak_errno(err, errno, "%s", libdir);
		goto out;
	}
	while ((e = readdir(d)) != NULL) {
		char *src, *dst;

		if (!glibc_file(e->d_name, (enum ak_arch)arch))
			continue;
		src = ak_path_join(libdir, e->d_name);
		dst = ak_path_join(dstlib, e->d_name);
		if (ak_is_dir(src) || (ak_exists(src) && access(src, R_OK) != 0)) {
			free(src);
			free(dst);
			continue;
		}
		if (ak_copy_file(src, dst, err) < 0) {
			free(src);
			free(dst);
			goto out;
		}
		copied++;
		free(src);
		free(dst);
	}
	/* A newer C++ runtime, when the sources carry one (libstdc++6 and
	 * libgcc-s1 .debs): programs like VS Code's node need GLIBCXX_3.4.21+. */
	{
		static const char *const tool[] = { "libstdc++.so.6", "libgcc_s.so.1", NULL };
		char *tdir = ak_path_join(rt, "toolchain-lib");

		for (size_t i = 0; tool[i]; i++) {
			char *src = ak_path_join(libdir, tool[i]), *dst = ak_path_join(tdir, tool[i]);

			if (ak_exists(src) && (ak_mkdir_p(tdir, 0755, err) < 0 || ak_copy_file(src, dst, err) < 0)) {
				free(src);
				free(dst);
				free(tdir);
				goto out;
			}
			free(src);
			free(dst);
		}
		free(tdir);
	}
	{
		char *gsrc = ak_path_join(libdir, "gconv"), *gdst = ak_path_join(dstlib, "gconv");

		if (ak_is_dir(gsrc) && copy_tree(gsrc, gdst, err) < 0) {
			free(gsrc);
			free(gdst);
			goto out;
		}
		free(gsrc);
		free(gdst);
	}
	{
		char *lsrc = ak_path_join(unpack, "usr/lib/locale/C.utf8"), *ldst = ak_path_join(dstlib, "locale");

		if (ak_mkdir_p(ldst, 0755, err) < 0) {
			free(lsrc);
			free(ldst);
			goto out;
		}
		if (ak_is_dir(lsrc)) {
			char *to = ak_path_join(ldst, "C.utf8");

			if (copy_tree(lsrc, to, err) < 0) {
				free(to);
				free(lsrc);
				free(ldst);
				goto out;
			}
			free(to);
		}
		free(lsrc);
		free(ldst);
	}
	{
		char *etc = ak_path_join(rt, "etc"), *conf;
		static const char text[] = "# This runtime searches only its own lib/ (see abikit-runtime.manifest).\n";

		if (ak_mkdir_p(etc, 0755, err) < 0) {
			free(etc);
			goto out;
		}
		conf = ak_path_join(etc, "ld.so.conf");
		rc = ak_write_atomic(conf, text, sizeof text - 1, 0644, err);
		free(conf);
		free(etc);
		if (rc < 0)
			goto out;
		rc = -1;
	}
	{
		const char *ld = ak_abidb_lib_soname((enum ak_arch)arch, ak_abidb_lib_id((enum ak_arch)arch,
			arch == AK_ARCH_X86_64 ? "ld-linux-x86-64.so.2" : "ld-linux-aarch64.so.1"));
		char *ldpath = ak_path_join(dstlib, ld);

		if (!ak_exists(ldpath)) {
			ak_errf(err, "%s: no %s beside libc.so.6", libdir, ld);
			free(ldpath);
			goto out;
		}
		free(ldpath);
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
		ak_manifest_set(&m, "name", strrchr(prefix, '/') ? strrchr(prefix, '/') + 1 : prefix);
		ak_manifest_set(&m, "kind", "harvested");
		ak_manifest_set(&m, "layout", h->layout ? h->layout : "");
		ak_manifest_set(&m, "glibc", info.version);
		ak_manifest_set(&m, "glibc_banner", info.banner);
		ak_manifest_set(&m, "arch", ak_arch_name((enum ak_arch)arch));
		ak_manifest_set(&m, "source", sources.s);
		ak_manifest_setf(&m, "ld_so", "lib/%s", ld);
		ak_manifest_set(&m, "lib_dir", "lib");
		ak_manifest_set(&m, "prefix", prefix);
		ak_manifest_set(&m, "created", when);
		/* A harvested loader has its distro's paths compiled in: every
		 * launch must keep it off the host's cache, dirs and data. */
		ak_manifest_setf(&m, "compiled_in_paths", "/etc/ld.so.cache /etc/ld.so.preload /lib/%s-linux-gnu /usr/lib/%s-linux-gnu /usr/lib/%s-linux-gnu/gconv /usr/lib/locale",
				 ak_arch_name((enum ak_arch)arch), ak_arch_name((enum ak_arch)arch), ak_arch_name((enum ak_arch)arch));
		ak_manifest_set(&m, "launch_ld_so_args", "--inhibit-cache --library-path ${prefix}/lib");
		ak_manifest_set(&m, "launch_env", "GCONV_PATH=${prefix}/lib/gconv LOCPATH=${prefix}/lib/locale");
		ak_manifest_set(&m, "locale_policy", "LOCPATH is always set to the runtime's lib/locale, so the system's locale-archive is never read; the runtime carries C.utf8 when the source had it");
		ak_manifest_setf(&m, "files", "%zu", copied);
	}
	if (h->smoke) {
		char *work = ak_path_join(stage, "smoke");
		int failed;

		if (ak_mkdir_p(work, 0755, err) < 0) {
			free(work);
			goto out;
		}
		failed = ak_smoke_run(rt, &m, work, err);
		free(work);
		if (failed < 0)
			goto out;
		if (failed > 0)
			fprintf(stderr, "abikit: %s: %d smoke test%s failed (see %s)\n", prefix, failed,
				failed == 1 ? "" : "s", AK_RUNTIME_MANIFEST);
	}
	ak_runtime_nss_audit(rt, "/etc/nsswitch.conf", &m);
	ak_manifest_setf(&m, "size_bytes", "%llu", ak_tree_size(rt));
	path = ak_path_join(rt, AK_RUNTIME_MANIFEST);
	rc = ak_manifest_save(&m, path, err);
	free(path);
	if (rc < 0)
		goto out;
	rc = ak_runtime_install(rt, prefix, h->force, err);
	if (rc == 0)
		printf("%s\n", prefix);
out:
	if (d)
		closedir(d);
	if (stage)
		ak_rm_rf(stage, NULL);
	ak_manifest_free(&m);
	ak_sbuf_free(&sources);
	free(stage);
	free(unpack);
	free(rt);
	free(libdir);
	free(prefix);
	free(dstlib);
	return rc;
}

int ak_runtime_open(struct ak_runtime_info *rt, const char *name_or_prefix, struct ak_err *err)
{
	struct ak_manifest m = { 0 };
	char *prefix = ak_runtime_find(name_or_prefix, err), *mpath, real[PATH_MAX];
	const char *ld, *lib, *arch, *v;
	int rc = -1;

	memset(rt, 0, sizeof *rt);
	if (prefix == NULL)
		return -1;
	if (realpath(prefix, real) == NULL) {
		ak_errno(err, errno, "%s", prefix);
		free(prefix);
		return -1;
	}
	free(prefix);
	mpath = ak_path_join(real, AK_RUNTIME_MANIFEST);
	if (ak_manifest_load(&m, mpath, err) < 0)
		goto out;
	ld = ak_manifest_get(&m, "ld_so");
	lib = ak_manifest_get(&m, "lib_dir");
	arch = ak_manifest_get(&m, "arch");
	if (ld == NULL || arch == NULL) {
		ak_errf(err, "%s: no ld_so or arch in the manifest", mpath);
		goto out;
	}
	rt->prefix = ak_xstrdup(real);
	rt->name = ak_xstrdup(strrchr(real, '/') ? strrchr(real, '/') + 1 : real);
	rt->ld_so = ak_path_join(real, ld);
	rt->lib = ak_path_join(real, lib ? lib : "lib");
	rt->arch = ak_xstrdup(arch);
	rt->kind = ak_xstrdup((v = ak_manifest_get(&m, "kind")) ? v : "unknown");
	rt->glibc = ak_xstrdup((v = ak_manifest_get(&m, "glibc")) ? v : "");
	rt->launch_env = ak_xstrdup((v = ak_manifest_get(&m, "launch_env")) ? v : "");
	rt->relocatable = (v = ak_manifest_get(&m, "relocatable")) && strcmp(v, "yes") == 0;
	/* --argv0 is in ld.so from 2.33; older ones only with abikit's backport. */
	if ((v = ak_manifest_get(&m, "argv0")))
		rt->argv0 = strcmp(v, "yes") == 0;
	else {
		unsigned major = 0, minor = 0;

		rt->argv0 = sscanf(rt->glibc, "%u.%u", &major, &minor) == 2 &&
			    (major > 2 || (major == 2 && minor >= 33));
	}
	if (!ak_exists(rt->ld_so)) {
		ak_errf(err, "%s: the runtime's ld.so is missing", rt->ld_so);
		ak_runtime_info_free(rt);
		goto out;
	}
	rc = 0;
out:
	free(mpath);
	ak_manifest_free(&m);
	return rc;
}

void ak_runtime_info_free(struct ak_runtime_info *rt)
{
	free(rt->prefix);
	free(rt->name);
	free(rt->ld_so);
	free(rt->lib);
	free(rt->arch);
	free(rt->kind);
	free(rt->glibc);
	free(rt->launch_env);
	memset(rt, 0, sizeof *rt);
}
