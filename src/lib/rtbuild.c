/* The from-source build, phase by phase: source, patch, configure, build,
 * install, layout, smoke test. Everything happens in a work directory; the
 * finished tree is kept in a content-keyed cache and renamed into place, so
 * a failure leaves nothing at the prefix and a repeat build is a copy. */
#include <config.h>

#include "rtbuild.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "fsutil.h"
#include "manifest.h"
#include "runtime.h"
#include "sha256.h"
#include "smoke.h"
#include "spawn.h"

#ifndef ABIKIT_PKGDATADIR
#define ABIKIT_PKGDATADIR "/usr/local/share/abikit"
#endif

/* Bump when the recipe below changes what a build produces. */
#define RECIPE "abikit-rtbuild-1"

struct build {
	const char *version, *source, *sha256, *prefix_opt, *min_kernel, *patchdir_opt;
	int jobs;
	bool force, smoke, print_key;
	char *prefix, *cache, *work, *log, *patchdir;
	char source_sum[65], key[65];
	struct ak_strvec patches;     /* full paths, in order */
	struct ak_strvec flags;       /* configure flags */
	char gcc[256], ld[256];
	long started;
	/* Set when the source came from Debian through fetch-source. */
	char *fetched, *dsc, *debian_version;
	const char *suite;
};

static void usage_build(FILE *out)
{
	fputs("usage: abikit runtime build --glibc V [--source TARBALL|DIR|DSC] [--sha256 HEX]\n"
	      "                            [--prefix P] [--min-kernel K] [--jobs N]\n"
	      "                            [--patches DIR] [--force] [--no-smoke] [--print-key]\n"
	      "\n"
	      "Build glibc V from source into a private runtime at P (default: the runtimes\n"
	      "directory's glibc-V-ARCH). Sources: --source (an upstream tarball, checked\n"
	      "against --sha256 when given, an unpacked tree, or a Debian .dsc whose files\n"
	      "dpkg-source checks against it, Debian's own patches left out); without it, Debian's\n"
	      "glibc-source package for 2.36 (/usr/src/glibc/glibc-2.36.tar.xz), else\n"
	      "Debian's source package, fetched and verified by fetch-source (from\n"
	      "$ABIKIT_SCRIPTS, else the installed scripts/) into the cache: 2.31 from\n"
	      "bullseye, 2.36 bookworm, 2.41 trixie, 2.43 sid; the manifest records its\n"
	      ".dsc. Debian's tarballs lack the manual: a stub manual/Makefile stands in.\n"
	      "\n"
	      "Patch sets: PATCHES/V/*.patch in name order (PATCHES: --patches, else\n"
	      "$ABIKIT_PATCHES, else the installed patches/). glibc is configured out of\n"
	      "tree with --prefix=P, so its ld.so has its own trusted directory (P/lib),\n"
	      "ld.so.cache (P/etc) and gconv/locale paths, and never reads the system's:\n"
	      "  --disable-werror --enable-kernel=K --disable-profile --disable-crypt\n"
	      "--min-kernel K (default 3.2) is the oldest kernel the runtime accepts\n"
	      "(older ones stop it with \"FATAL: kernel too old\"); it is recorded in the\n"
	      "manifest. After install: gconv-modules.cache (iconvconfig), a compiled\n"
	      "C.UTF-8 locale (localedef), share/zoneinfo pointing at the system's tzdata,\n"
	      "and the smoke test.\n"
	      "\n"
	      "Cache: the finished tree is kept under $ABIKIT_CACHE/runtime-builds/KEY,\n"
	      "KEY = sha256 of the source's checksum, the patches' contents, the configure\n"
	      "flags, the prefix, and the compiler's and binutils' versions. Same key and\n"
	      "the runtime already at P: nothing to do. Same key cached: a copy. Any\n"
	      "change: a new build. The full log goes to a file whose path is printed.\n"
	      "--print-key prints the key and stops.\n"
	      "\n"
	      "Measured on 2 cores (make check-runtimes, one build at a time, with the\n"
	      "relocatable and --argv0 patches): 2.31 builds in about 7.7 minutes, 2.36\n"
	      "(glibc-source) 8.3, 2.41 10.3, 2.43 9.1. Every set makes a relocatable\n"
	      "runtime (its gconv modules, locales and zoneinfo found beside its own\n"
	      "libc.so), and 2.31's ld.so gets --argv0 (patches/2.31/0003).\n", out);
}

static int usage_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_err(const char *fmt, ...)
{
	va_list ap;

	fputs("abikit runtime build: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'abikit runtime build --help'.\n", stderr);
	return 2;
}

static char *cache_dir(void)
{
	const char *c = getenv("ABIKIT_CACHE"), *x = getenv("XDG_CACHE_HOME"), *h = getenv("HOME");

	if (c && *c)
		return ak_xstrdup(c);
	if (x && *x)
		return ak_path_join(x, "abikit");
	return ak_path_join(h ? h : "/tmp", ".cache/abikit");
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The Debian suite whose glibc source package is each release. */
static const struct {
	const char *glibc, *suite;
} debian_glibc[] = {
	{ "2.31", "bullseye" }, { "2.36", "bookworm" }, { "2.41", "trixie" }, { "2.43", "sid" },
};

static const char *debian_suite(const char *version)
{
	for (size_t i = 0; i < sizeof debian_glibc / sizeof *debian_glibc; i++)
		if (strcmp(debian_glibc[i].glibc, version) == 0)
			return debian_glibc[i].suite;
	return NULL;
}

/* The upstream part of a Debian version: no epoch, no revision. */
static void upstream_version(const char *debver, char *out, size_t size)
{
	const char *colon = strchr(debver, ':'), *dash;
	size_t n;

	if (colon)
		debver = colon + 1;
	dash = strrchr(debver, '-');
	n = dash ? (size_t)(dash - debver) : strlen(debver);
	snprintf(out, size, "%.*s", (int)n, debver);
}

/* fetch-source's download failed (most often: the mirror lags behind its
 * index and lacks the newest upload), and it listed the index's other
 * versions: name those of the same release, and how to build one. */
static void hint_other_uploads(const struct build *b, const char *script, const char *line)
{
	static const char marker[] = "other versions in the index: ";
	const char *list = strstr(line, marker);
	char *copy, *save = NULL;
	struct ak_sbuf same = { NULL, 0, 0 };

	if (list == NULL)
		return;
	copy = ak_xstrdup(list + strlen(marker));
	ak_sbuf_add(&same, "");
	for (char *v = strtok_r(copy, " )", &save); v; v = strtok_r(NULL, " )", &save)) {
		char up[64];

		upstream_version(v, up, sizeof up);
		if (strcmp(up, b->version) == 0)
			ak_sbuf_addf(&same, " %s", v);
	}
	if (same.len)
		fprintf(stderr,
			"abikit runtime build: %s's index also has these uploads of glibc %s:%s\n"
			"abikit runtime build: to build one, fetch it and pass its orig tarball (the last field printed):\n"
			"  %s %s glibc=%s\n"
			"  abikit runtime build --glibc %s --source ORIG_TARBALL\n",
			b->suite, b->version, same.s, script, b->suite, strrchr(same.s, ' ') + 1, b->version);
	else
		fprintf(stderr, "abikit runtime build: %s's index has no other upload of glibc %s; pass --source\n",
			b->suite, b->version);
	ak_sbuf_free(&same);
	free(copy);
}

/* Debian's source package of glibc V through scripts/fetch-source, which
 * verifies it and keeps it in the cache. Its one line of output is
 * "glibc VERSION DIR ORIG_TARBALL"; its errors are lines "fetch-source: ...". */
static int fetch_debian_source(struct build *b, struct ak_err *err)
{
	char *script = ak_find_script("fetch-source");
	char *tmp = NULL, *text = NULL, *save = NULL;
	struct ak_spawn sp;
	int rc = -1, status;

	if (script == NULL)
		return ak_errf(err, "glibc %s: no source given, and fetch-source is neither in $ABIKIT_SCRIPTS nor in %s; "
			       "set ABIKIT_SCRIPTS to abikit's scripts folder or pass --source", b->version,
			       ABIKIT_PKGDATADIR "/scripts");
	fprintf(stderr, "abikit runtime build: fetching Debian %s's glibc source package\n", b->suite);
	{
		char *work = ak_path_join(b->cache, "work");
		int fd;

		if (ak_mkdir_p(work, 0755, err) < 0) {
			free(work);
			goto out;
		}
		tmp = ak_path_join(work, "fetch-source-XXXXXX");
		free(work);
		if ((fd = mkstemp(tmp)) < 0) {
			ak_errno(err, errno, "%s", tmp);
			goto out;
		}
		close(fd);
	}
	{
		const char *argv[] = { script, "--quiet", b->suite, "glibc", NULL };

		memset(&sp, 0, sizeof sp);
		sp.argv = argv;
		sp.log = tmp;      /* stdout and stderr both, read back below */
		sp.phase = "fetch";
		if ((status = ak_spawn_run(&sp, err)) < 0)
			goto out;
	}
	if ((text = ak_read_file(tmp, NULL, err)) == NULL)
		goto out;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char debver[64], up[64];
		int n = 0;

		if (strncmp(l, "fetch-source: ", 14) == 0) {
			fprintf(stderr, "%s\n", l);
			if (status != 0)
				hint_other_uploads(b, script, l);
			continue;
		}
		if (status != 0 || sscanf(l, "glibc %63s %n", debver, &n) != 1 || n == 0)
			continue;
		/* "DIR DIR/NAME": DIR may hold spaces, so find it repeated. */
		for (const char *gap = strchr(l + n, ' '); gap && b->fetched == NULL; gap = strchr(gap + 1, ' ')) {
			size_t dlen = (size_t)(gap - (l + n));

			if (strncmp(l + n, gap + 1, dlen) == 0 && gap[1 + dlen] == '/') {
				char *dir = ak_xstrdup(gap + 1), name[128];

				dir[dlen] = '\0';
				snprintf(name, sizeof name, "glibc_%s.dsc", strchr(debver, ':') ? strchr(debver, ':') + 1 : debver);
				b->dsc = ak_path_join(dir, name);
				b->fetched = ak_xstrdup(gap + 1);
				free(dir);
			}
		}
		if (b->fetched == NULL)
			continue;
		upstream_version(debver, up, sizeof up);
		if (strcmp(up, b->version) != 0) {
			ak_errf(err, "Debian %s's glibc is %s now, not glibc %s: pass --source", b->suite, debver,
				b->version);
			goto out;
		}
		b->debian_version = ak_xstrdup(debver);
	}
	if (status != 0) {
		ak_errf(err, "glibc %s: fetch-source %s glibc failed (exit %d)", b->version, b->suite, status);
		goto out;
	}
	if (b->fetched == NULL || b->debian_version == NULL) {
		ak_errf(err, "glibc %s: fetch-source printed no source package", b->version);
		goto out;
	}
	b->source = b->fetched;
	rc = 0;
out:
	if (tmp)
		unlink(tmp);
	free(tmp);
	free(text);
	free(script);
	return rc;
}

static int find_patches(struct build *b, struct ak_err *err)
{
	char *dir = ak_path_join(b->patchdir, b->version);
	DIR *d = opendir(dir);
	struct dirent *e;
	struct ak_strvec names = { NULL, 0, 0 };

	if (d == NULL) {
		int rc = errno == ENOENT ? 0 : ak_errno(err, errno, "%s", dir);

		free(dir);
		return rc;   /* no patch set for this release: none needed */
	}
	while ((e = readdir(d)) != NULL)
		if (strlen(e->d_name) > 6 && strcmp(e->d_name + strlen(e->d_name) - 6, ".patch") == 0)
			ak_strvec_push(&names, e->d_name);
	closedir(d);
	if (names.n > 1)
		qsort(names.v, names.n, sizeof *names.v, cmp_str);
	for (size_t i = 0; i < names.n; i++) {
		char *p = ak_path_join(dir, names.v[i]);

		ak_strvec_push(&b->patches, p);
		free(p);
	}
	ak_strvec_free(&names);
	free(dir);
	return 0;
}

static int compute_key(struct build *b, struct ak_err *err)
{
	struct ak_sha256 s;
	const char *gcc[] = { "cc", "--version", NULL }, *ld[] = { "ld", "--version", NULL };

	ak_spawn_first_line(gcc, b->gcc, sizeof b->gcc);
	ak_spawn_first_line(ld, b->ld, sizeof b->ld);
	ak_sha256_init(&s);
	ak_sha256_update(&s, RECIPE "\n", strlen(RECIPE) + 1);
	ak_sha256_update(&s, b->source_sum, 64);
	for (size_t i = 0; i < b->patches.n; i++) {
		size_t len;
		char *text = ak_read_file(b->patches.v[i], &len, err);
		const char *base = strrchr(b->patches.v[i], '/') + 1;

		if (text == NULL)
			return -1;
		ak_sha256_update(&s, base, strlen(base) + 1);
		ak_sha256_update(&s, text, len);
		free(text);
	}
	for (size_t i = 0; i < b->flags.n; i++)
		ak_sha256_update(&s, b->flags.v[i], strlen(b->flags.v[i]) + 1);
	ak_sha256_update(&s, b->gcc, strlen(b->gcc) + 1);
	ak_sha256_update(&s, b->ld, strlen(b->ld) + 1);
	ak_sha256_hex(&s, b->key);
	return 0;
}

static void phase(struct build *b, const char *name)
{
	long t = ak_monotonic_seconds() - b->started;

	fprintf(stderr, "abikit runtime build: [%ld:%02ld] %s\n", t / 60, t % 60, name);
}

/* The last lines of the log that look like the reason. */
static void show_failure(const struct build *b)
{
	char *text = ak_read_file(b->log, NULL, NULL);
	struct ak_strvec hits = { NULL, 0, 0 };
	char *save = NULL;

	if (text == NULL)
		return;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		if (strstr(l, "rror") || strstr(l, "***") || strstr(l, "FAILED") || strstr(l, "can't find file") ||
		    strstr(l, "Hunk") || strstr(l, "No such file"))
			ak_strvec_push(&hits, l);
	fprintf(stderr, "abikit runtime build: the last error lines of the log:\n");
	for (size_t i = hits.n > 12 ? hits.n - 12 : 0; i < hits.n; i++)
		fprintf(stderr, "  %s\n", hits.v[i]);
	fprintf(stderr, "abikit runtime build: full log: %s\n", b->log);
	ak_strvec_free(&hits);
	free(text);
}

/* Run one command of the build, output to the log: its exit status, or -1. */
static int step_status(struct build *b, const char *name, const char *const *argv, const char *cwd,
		       const char *const *env, struct ak_err *err)
{
	struct ak_spawn sp;

	memset(&sp, 0, sizeof sp);
	sp.argv = argv;
	sp.cwd = cwd;
	sp.log = b->log;
	sp.env = env;
	sp.phase = name;
	sp.progress = true;
	sp.started = b->started;
	return ak_spawn_run(&sp, err);
}

static int step(struct build *b, const char *name, const char *const *argv, const char *cwd,
		const char *const *env, struct ak_err *err)
{
	int rc = step_status(b, name, argv, cwd, env, err);

	if (rc > 0)
		ak_errf(err, "%s failed (exit %d): %s", name, rc, argv[0]);
	return rc == 0 ? 0 : -1;
}

/* Debian's orig tarballs leave the manual out (its licence is not free
 * enough for main), yet Makeconfig lists manual among the subdirectories
 * every recursive make enters. Upstream tarballs have it: left alone.
 * glibc's own tests that read the manual's texi (tst-errno-manual, which
 * Debian disables) are never run here, so their Makefiles stay as they are. */
static int stub_manual(const char *src, struct ak_err *err)
{
	/* Only what every subdirectory needs; it builds and installs nothing. */
	static const char stub[] =
		"# Written by abikit: this source has no manual (a Debian orig tarball).\n"
		"subdir := manual\n"
		"include ../Makeconfig\n"
		"include ../Rules\n";
	char *manual = ak_path_join(src, "manual");
	char *makefile = ak_path_join(manual, "Makefile");
	char *errlist = ak_path_join(src, "sysdeps/gnu/errlist.awk");
	char *errno_texi = ak_path_join(manual, "errno.texi");
	int rc = -1;

	if (ak_exists(makefile)) {
		rc = 0;
		goto out;
	}
	if (ak_mkdir_p(manual, 0755, err) < 0 || ak_write_atomic(makefile, stub, sizeof stub - 1, 0644, err) < 0)
		goto out;
	/* glibc <= 2.31 has a rule remaking the shipped sysdeps/gnu/errlist.c
	 * from manual/errno.texi; make stops when that prerequisite is missing.
	 * An empty one dated 1970 is never newer, so the shipped file stays. */
	if (ak_exists(errlist) && !ak_exists(errno_texi)) {
		static const struct timespec epoch[2] = { { 0, 0 }, { 0, 0 } };

		if (ak_write_atomic(errno_texi, "", 0, 0644, err) < 0)
			goto out;
		if (utimensat(AT_FDCWD, errno_texi, epoch, 0) != 0) {
			ak_errno(err, errno, "%s", errno_texi);
			goto out;
		}
	}
	rc = 0;
out:
	free(manual);
	free(makefile);
	free(errlist);
	free(errno_texi);
	return rc;
}

static int unpack_and_patch(struct build *b, const char *src, struct ak_err *err)
{
	size_t n = strlen(b->source);

	if (ak_is_dir(b->source)) {
		const char *cp[] = { "cp", "-a", "--", b->source, src, NULL };

		if (step(b, "unpack", cp, NULL, NULL, err) < 0)
			return -1;
	} else if (n > 4 && strcmp(b->source + n - 4, ".dsc") == 0) {
		/* A Debian source package: dpkg-source checks every file against
		 * the .dsc's checksums (and its signature where a keyring is
		 * installed); Debian's own patches are left out, ours apply. */
		const char *dsc[] = { "dpkg-source", "--skip-patches", "-x", b->source, src, NULL };

		if (step(b, "unpack", dsc, NULL, NULL, err) < 0) {
			ak_errf(err, "%s: dpkg-source cannot unpack it (a file missing beside it, or a checksum that "
				"does not match the .dsc); see the log", b->source);
			return -1;
		}
	} else {
		const char *tar[] = { "tar", "-xf", b->source, "-C", src, "--strip-components=1", NULL };

		if (ak_mkdir_p(src, 0755, err) < 0 || step(b, "unpack", tar, NULL, NULL, err) < 0)
			return -1;
	}
	if (stub_manual(src, err) < 0)
		return -1;
	phase(b, "patch");
	for (size_t i = 0; i < b->patches.n; i++) {
		const char *argv[] = { "patch", "-p1", "-N", "--batch", "-i", b->patches.v[i], NULL };

		fprintf(stderr, "  %s\n", strrchr(b->patches.v[i], '/') + 1);
		if (step(b, "patch", argv, src, NULL, err) < 0) {
			ak_errf(err, "patch %s does not apply to glibc %s", strrchr(b->patches.v[i], '/') + 1, b->version);
			return -1;
		}
	}
	return 0;
}

/* What make install leaves out: gconv cache, C.UTF-8, zoneinfo. */
static int finish_layout(struct build *b, const char *dest, const char *src, struct ak_err *err)
{
	char *root = ak_path_join(dest, b->prefix);
	char *ldso = ak_path_join(root, "lib/ld-linux-x86-64.so.2");
	char *libdir = ak_path_join(root, "lib");
	char *iconvconfig = ak_path_join(root, "sbin/iconvconfig");
	char *localedef = ak_path_join(root, "bin/localedef");
	char *gconv = ak_path_join(b->prefix, "lib/gconv");
	char *locdir = ak_path_join(root, "lib/locale");
	char *out = ak_path_join(locdir, "C.utf8");
	char *i18n = ak_path_join(src, "localedata");
	char *charmap = ak_path_join(i18n, "charmaps/UTF-8");
	char *cdef = ak_path_join(i18n, "locales/C");
	char *prefix_arg = ak_xmalloc(strlen(dest) + 16);
	char *i18n_env = ak_xmalloc(strlen(i18n) + 16);
	char *zone = ak_path_join(root, "share/zoneinfo");
	int rc = -1;

	if (!ak_exists(ldso)) {
		free(ldso);
		ldso = ak_path_join(root, "lib/ld-linux-aarch64.so.1");
	}
	sprintf(prefix_arg, "--prefix=%s", dest);
	sprintf(i18n_env, "I18NPATH=%s", i18n);
	{
		const char *argv[] = { ldso, "--library-path", libdir, iconvconfig, prefix_arg, gconv, NULL };

		if (step(b, "iconvconfig", argv, NULL, NULL, err) < 0)
			goto out;
	}
	if (ak_mkdir_p(locdir, 0755, err) < 0)
		goto out;
	{
		/* glibc < 2.35 has no C locale source; POSIX is its equivalent. It
		 * lacks LC_PAPER and five more categories, so localedef warns and
		 * exits 1, which localedef(1) calls "warnings, output written".
		 * LC_ALL=C: the caller's locale may not exist in this runtime. */
		const char *input = ak_exists(cdef) ? cdef : "POSIX";
		const char *argv[] = { ldso, "--library-path", libdir, localedef, "--no-archive", "-c", "-i", input,
				       "-f", charmap, out, NULL };
		const char *env[] = { i18n_env, "LC_ALL=C", NULL };
		char *ctype = ak_path_join(out, "LC_CTYPE");
		int st = step_status(b, "localedef", argv, NULL, env, err);
		bool written = ak_exists(ctype);

		free(ctype);
		if (st < 0)
			goto out;
		if (st > 1 || (st == 1 && !written)) {
			ak_errf(err, "localedef failed (exit %d): %s", st, localedef);
			goto out;
		}
	}
	{
		char *parent = ak_path_join(root, "share");

		if (ak_mkdir_p(parent, 0755, err) < 0) {
			free(parent);
			goto out;
		}
		free(parent);
		/* tzdata's format is stable across glibc releases: share the system's. */
		if (!ak_exists(zone) && symlink("/usr/share/zoneinfo", zone) != 0) {
			ak_errno(err, errno, "%s", zone);
			goto out;
		}
	}
	rc = 0;
out:
	free(root); free(ldso); free(libdir); free(iconvconfig); free(localedef); free(gconv);
	free(locdir); free(out); free(i18n); free(charmap); free(cdef); free(prefix_arg); free(i18n_env); free(zone);
	return rc;
}

static void write_manifest(struct build *b, struct ak_manifest *m)
{
	struct ak_sbuf s = { NULL, 0, 0 };
	time_t now = time(NULL);
	char when[64];

	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	ak_manifest_set(m, "name", strrchr(b->prefix, '/') ? strrchr(b->prefix, '/') + 1 : b->prefix);
	ak_manifest_set(m, "kind", "built");
	ak_manifest_set(m, "glibc", b->version);
	ak_manifest_set(m, "arch", "x86_64");
	if (b->dsc) {
		/* The .dsc names the package; the checksum is of its orig tarball. */
		ak_manifest_set(m, "source", b->dsc);
		ak_manifest_setf(m, "source_version", "%s (Debian %s)", b->debian_version, b->suite);
		ak_manifest_set(m, "source_tarball", b->source);
	} else {
		ak_manifest_set(m, "source", b->source);
	}
	ak_manifest_set(m, "source_sha256", b->source_sum);
	ak_sbuf_add(&s, "");
	for (size_t i = 0; i < b->patches.n; i++)
		ak_sbuf_addf(&s, "%s%s", i ? " " : "", strrchr(b->patches.v[i], '/') + 1);
	ak_manifest_set(m, "patches", s.s);
	s.len = 0;
	s.s[0] = '\0';
	for (size_t i = 0; i < b->flags.n; i++)
		ak_sbuf_addf(&s, "%s%s", i ? " " : "", b->flags.v[i]);
	ak_manifest_set(m, "configure_flags", s.s);
	ak_sbuf_free(&s);
	ak_manifest_set(m, "min_kernel", b->min_kernel);
	ak_manifest_set(m, "compiler", b->gcc);
	ak_manifest_set(m, "binutils", b->ld);
	ak_manifest_set(m, "cache_key", b->key);
	ak_manifest_set(m, "ld_so", "lib/ld-linux-x86-64.so.2");
	ak_manifest_set(m, "lib_dir", "lib");
	ak_manifest_set(m, "prefix", b->prefix);
	ak_manifest_set(m, "created", when);
	ak_manifest_set(m, "compiled_in_paths", "the prefix's own (lib, etc/ld.so.cache, lib/gconv, lib/locale)");
	ak_manifest_set(m, "launch_ld_so_args", "--inhibit-cache --library-path ${prefix}/lib");
	{
		bool reloc = false, argv0 = false;
		unsigned major = 0, minor = 0;

		for (size_t i = 0; i < b->patches.n; i++) {
			reloc |= strstr(strrchr(b->patches.v[i], '/'), "relocatable") != NULL;
			argv0 |= strstr(strrchr(b->patches.v[i], '/'), "argv0") != NULL;
		}
		/* ld.so --argv0 is stock from 2.33, a backport before. */
		if (sscanf(b->version, "%u.%u", &major, &minor) == 2 && (major > 2 || (major == 2 && minor >= 33)))
			argv0 = true;
		ak_manifest_set(m, "argv0", argv0 ? "yes" : "no");
		/* A relocatable runtime finds gconv, locales and zoneinfo beside its
		 * libc.so: no variables that children on another glibc inherit. */
		ak_manifest_set(m, "relocatable", reloc ? "yes" : "no");
		ak_manifest_set(m, "launch_env", reloc ? "" : "GCONV_PATH=${prefix}/lib/gconv LOCPATH=${prefix}/lib/locale");
	}
	ak_manifest_set(m, "locale_policy", "the runtime's own lib/locale (C.utf8 compiled at build time); the system's locale-archive is never read while LOCPATH is set");
}

static int build_tree(struct build *b, const char *dest, struct ak_err *err)
{
	char *src = ak_path_join(b->work, "src"), *obj = ak_path_join(b->work, "build");
	char *configure = ak_path_join(src, "configure");
	char jobs[32], destdir[4200];
	int rc = -1;

	phase(b, "unpack");
	if (ak_rm_rf(b->work, err) < 0 || ak_mkdir_p(obj, 0755, err) < 0 || unpack_and_patch(b, src, err) < 0)
		goto out;
	phase(b, "configure");
	{
		const char **argv = ak_xcalloc(b->flags.n + 2, sizeof *argv);
		const char *env[] = { "CXX=", NULL };

		argv[0] = configure;
		for (size_t i = 0; i < b->flags.n; i++)
			argv[i + 1] = b->flags.v[i];
		rc = step(b, "configure", argv, obj, env, err);
		free(argv);
		if (rc < 0)
			goto out;
		rc = -1;
	}
	phase(b, "build");
	snprintf(jobs, sizeof jobs, "-j%d", b->jobs);
	{
		/* CXX= keeps the host's newer libstdc++ out of glibc's test links. */
		const char *argv[] = { "make", jobs, "CXX=", NULL };

		if (step(b, "build", argv, obj, NULL, err) < 0)
			goto out;
	}
	phase(b, "install");
	snprintf(destdir, sizeof destdir, "DESTDIR=%s", dest);
	{
		const char *argv[] = { "make", jobs, "install", destdir, "MAKEINFO=:", "CXX=", NULL };

		if (step(b, "install", argv, obj, NULL, err) < 0)
			goto out;
	}
	phase(b, "layout");
	if (finish_layout(b, dest, src, err) < 0)
		goto out;
	rc = 0;
out:
	free(src);
	free(obj);
	free(configure);
	return rc;
}

/* A rebuild (another key) replaces the runtime abikit built at the prefix;
 * any other directory there is left alone unless --force. */
static bool replaces_runtime(const char *prefix)
{
	char *p = ak_path_join(prefix, AK_RUNTIME_MANIFEST);
	struct ak_manifest m;
	struct ak_err ignore;
	bool built = false;

	if (ak_manifest_load(&m, p, &ignore) == 0) {
		const char *kind = ak_manifest_get(&m, "kind");

		built = kind != NULL && strcmp(kind, "built") == 0;
		ak_manifest_free(&m);
	}
	free(p);
	return built;
}

static int run_build(struct build *b, struct ak_err *err)
{
	char *builds = ak_path_join(b->cache, "runtime-builds");
	char *cached = ak_path_join(builds, b->key);
	char *cached_rt = ak_path_join(cached, "runtime");
	char *stage = NULL, *mpath = NULL;
	struct ak_manifest m;
	int rc = -1, failed = 0;

	memset(&m, 0, sizeof m);
	/* Up to date already? */
	{
		struct ak_manifest old;
		char *p = ak_path_join(b->prefix, AK_RUNTIME_MANIFEST);
		struct ak_err ignore;

		if (!b->force && ak_manifest_load(&old, p, &ignore) == 0) {
			const char *k = ak_manifest_get(&old, "cache_key");

			if (k && strcmp(k, b->key) == 0) {
				printf("%s\n", b->prefix);
				fprintf(stderr, "abikit runtime build: %s is up to date (key %.16s)\n", b->prefix, b->key);
				ak_manifest_free(&old);
				free(p);
				rc = 0;
				goto out;
			}
			ak_manifest_free(&old);
		}
		free(p);
	}
	if (ak_is_dir(cached_rt)) {
		phase(b, "cached build found: copying");
	} else {
		char *dest = ak_path_join(b->work, "dest"), *tree;

		fprintf(stderr, "abikit runtime build: glibc %s -> %s (key %.16s)\nabikit runtime build: log: %s\n",
			b->version, b->prefix, b->key, b->log);
		if (build_tree(b, dest, err) < 0) {
			show_failure(b);
			free(dest);
			goto out;
		}
		/* Into the cache: the prefix's tree, renamed in when complete. */
		tree = ak_path_join(dest, b->prefix);
		if (ak_mkdir_p(cached, 0755, err) < 0 || rename(tree, cached_rt) != 0) {
			if (err->msg[0] == '\0')
				ak_errno(err, errno, "%s: cannot store the build in the cache", cached_rt);
			free(tree);
			free(dest);
			goto out;
		}
		free(tree);
		free(dest);
	}
	/* Stage a copy beside the prefix, then rename it into place. */
	stage = ak_xmalloc(strlen(b->prefix) + 32);
	sprintf(stage, "%s.abikit-stage-%ld", b->prefix, (long)getpid());
	{
		char *parent = ak_xstrdup(b->prefix);
		const char *cp[] = { "cp", "-a", "--", cached_rt, stage, NULL };

		if (strrchr(parent, '/') && strrchr(parent, '/') != parent)
			*strrchr(parent, '/') = '\0';
		if (ak_mkdir_p(parent, 0755, err) < 0 || step(b, "install", cp, NULL, NULL, err) < 0) {
			free(parent);
			goto out;
		}
		free(parent);
	}
	write_manifest(b, &m);
	mpath = ak_path_join(stage, AK_RUNTIME_MANIFEST);
	if (ak_manifest_save(&m, mpath, err) < 0 || ak_runtime_install(stage, b->prefix, b->force || replaces_runtime(b->prefix), err) < 0)
		goto out;
	free(mpath);
	mpath = ak_path_join(b->prefix, AK_RUNTIME_MANIFEST);
	/* Paths are compiled in: the smoke test runs at the final place. */
	if (b->smoke) {
		char *work = ak_path_join(b->work, "smoke");

		phase(b, "smoke test");
		if (ak_mkdir_p(work, 0755, err) < 0) {
			free(work);
			goto out;
		}
		failed = ak_smoke_run(b->prefix, &m, work, err);
		free(work);
		if (failed < 0)
			goto out;
	}
	ak_runtime_nss_audit(b->prefix, "/etc/nsswitch.conf", &m);
	ak_manifest_setf(&m, "size_bytes", "%llu", ak_tree_size(b->prefix));
	if (ak_manifest_save(&m, mpath, err) < 0)
		goto out;
	phase(b, failed ? "done, but the smoke test failed (see the manifest)" : "done");
	printf("%s\n", b->prefix);
	rc = failed ? 1 : 0;
out:
	if (stage && ak_exists(stage))
		ak_rm_rf(stage, NULL);
	ak_manifest_free(&m);
	free(builds);
	free(cached);
	free(cached_rt);
	free(stage);
	free(mpath);
	return rc;
}

int ak_rtbuild_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "glibc", required_argument, NULL, 'g' },
		{ "source", required_argument, NULL, 's' },
		{ "sha256", required_argument, NULL, 'S' },
		{ "prefix", required_argument, NULL, 'p' },
		{ "min-kernel", required_argument, NULL, 'k' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "patches", required_argument, NULL, 'P' },
		{ "force", no_argument, NULL, 'f' },
		{ "no-smoke", no_argument, NULL, 'n' },
		{ "print-key", no_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct build b;
	struct ak_err err;
	char flag[4300];
	int c, rc = 2;

	memset(&b, 0, sizeof b);
	memset(&err, 0, sizeof err);
	b.min_kernel = "3.2";
	b.smoke = true;
	b.jobs = (int)sysconf(_SC_NPROCESSORS_ONLN);
	optind = 1;
	while ((c = getopt_long(argc, argv, "g:s:S:p:k:j:P:fnKh", longopts, NULL)) != -1) {
		switch (c) {
		case 'g': b.version = optarg; break;
		case 's': b.source = optarg; break;
		case 'S': b.sha256 = optarg; break;
		case 'p': b.prefix_opt = optarg; break;
		case 'k': b.min_kernel = optarg; break;
		case 'j': b.jobs = atoi(optarg); break;
		case 'P': b.patchdir_opt = optarg; break;
		case 'f': b.force = true; break;
		case 'n': b.smoke = false; break;
		case 'K': b.print_key = true; break;
		case 'h': usage_build(stdout); return 0;
		default: return usage_err("unknown option");
		}
	}
	if (b.version == NULL)
		return usage_err("which glibc? --glibc V (e.g. 2.36)");
	if (optind < argc)
		return usage_err("unexpected argument '%s'", argv[optind]);
	if (b.jobs < 1)
		b.jobs = 1;
	b.started = ak_monotonic_seconds();
	b.cache = cache_dir();
	if (b.source == NULL) {
		static char debian[64];

		/* glibc-source, when installed, is its suite's glibc at hand. */
		snprintf(debian, sizeof debian, "/usr/src/glibc/glibc-%s.tar.xz", b.version);
		b.suite = debian_suite(b.version);
		if (ak_exists(debian)) {
			b.source = debian;
		} else if (b.suite == NULL) {
			ak_warn("runtime build: no source for glibc %s: pass --source TARBALL (glibc-%s.tar.xz) or DIR "
				"(without it, Debian's source is fetched for 2.31, 2.36, 2.41 and 2.43)", b.version, b.version);
			rc = 2;
			goto out;
		} else if (fetch_debian_source(&b, &err) < 0) {
			goto fail;
		}
	}
	if (!ak_exists(b.source)) {
		ak_warn("runtime build: %s: no such file or directory", b.source);
		rc = 2;
		goto out;
	}
	if (ak_is_dir(b.source)) {
		/* A tree has no single checksum; its path and version stand in. */
		struct ak_sha256 s;

		ak_sha256_init(&s);
		ak_sha256_update(&s, b.source, strlen(b.source));
		ak_sha256_hex(&s, b.source_sum);
	} else {
		phase(&b, "checksum");
		if (ak_sha256_file(b.source, b.source_sum, &err) < 0)
			goto fail;
		if (b.sha256 && strcasecmp(b.sha256, b.source_sum) != 0) {
			ak_errf(&err, "%s: sha256 %s, expected %s", b.source, b.source_sum, b.sha256);
			goto fail;
		}
	}
	if (b.prefix_opt) {
		b.prefix = ak_xstrdup(b.prefix_opt);
	} else {
		char *root = ak_runtime_root(), name[64];

		snprintf(name, sizeof name, "glibc-%s-x86_64", b.version);
		b.prefix = ak_path_join(root, name);
		free(root);
	}
	if (b.prefix[0] != '/') {
		ak_errf(&err, "--prefix %s: must be an absolute path (it is compiled into the runtime)", b.prefix);
		goto fail;
	}
	{
		const char *env = getenv("ABIKIT_PATCHES");

		b.patchdir = ak_xstrdup(b.patchdir_opt ? b.patchdir_opt : env && *env ? env : ABIKIT_PKGDATADIR "/patches");
	}
	if (find_patches(&b, &err) < 0)
		goto fail;
	snprintf(flag, sizeof flag, "--prefix=%s", b.prefix);
	ak_strvec_push(&b.flags, flag);
	ak_strvec_push(&b.flags, "--disable-werror");
	snprintf(flag, sizeof flag, "--enable-kernel=%s", b.min_kernel);
	ak_strvec_push(&b.flags, flag);
	ak_strvec_push(&b.flags, "--disable-profile");
	ak_strvec_push(&b.flags, "--disable-crypt");
	if (compute_key(&b, &err) < 0)
		goto fail;
	if (b.print_key) {
		printf("%s\n", b.key);
		rc = 0;
		goto out;
	}
	{
		char *logs = ak_path_join(b.cache, "logs"), name[128];
		time_t now = time(NULL);

		strftime(name, sizeof name, "build-glibc-%Y%m%d-%H%M%S", gmtime(&now));
		snprintf(name + strlen(name), sizeof name - strlen(name), "-%.12s.log", b.key);
		if (ak_mkdir_p(logs, 0755, &err) < 0) {
			free(logs);
			goto fail;
		}
		b.log = ak_path_join(logs, name);
		free(logs);
		snprintf(name, sizeof name, "work/%.16s-%ld", b.key, (long)getpid());
		b.work = ak_path_join(b.cache, name);
	}
	rc = run_build(&b, &err);
	if (b.work)
		ak_rm_rf(b.work, NULL);
	if (rc < 0)
		goto fail;
	goto out;
fail:
	ak_report(&err);
	rc = 2;
out:
	free(b.prefix);
	free(b.cache);
	free(b.work);
	free(b.log);
	free(b.patchdir);
	free(b.fetched);
	free(b.dsc);
	free(b.debian_version);
	ak_strvec_free(&b.patches);
	ak_strvec_free(&b.flags);
	return rc;
}
