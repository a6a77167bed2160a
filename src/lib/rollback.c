#include <config.h>

#include "rollback.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "abidb.h"
#include "fsutil.h"
#include "libcinfo.h"
#include "rootfs.h"
#include "runtime.h"
#include "sandbox.h"
#include "spawn.h"
#include "walk.h"

/* The machine abikit runs on is the machine being rolled back. */
#if defined(__aarch64__)
#define HOST_MACHINE EM_AARCH64
#define BASE_VERSION "GLIBC_2.17"
#else
#define HOST_MACHINE EM_X86_64
#define BASE_VERSION "GLIBC_2.2.5"
#endif

/* Inside the sandbox. */
#define IN_AUDIT_DIR "/.abikit"
#define IN_PROBE_DIR "/.abikit-probe"
#define IN_OUT_DIR "/.abikit-out"
#define PROBE_NAME "abikit-dlopen-probe"

/* glibc's own shared objects, by file name. Only these are taken from a
 * root (whose library directory holds every package's libraries), and NSS
 * modules only glibc's: libnss_systemd, _sss, _mdns belong to others.
 * libcrypt.so.1 is left out: Debian's comes from libxcrypt since bullseye. */
static const char *const glibc_files[] = {
	"ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1", "libc.so.6", "libm.so.6", "libmvec.so.1",
	"libpthread.so.0", "libdl.so.2", "librt.so.1", "libresolv.so.2", "libutil.so.1", "libanl.so.1",
	"libnsl.so.1", "libBrokenLocale.so.1", "libthread_db.so.1", "libc_malloc_debug.so.0",
	"libmemusage.so", "libpcprofile.so", "libSegFault.so", "libnss_files.so.2", "libnss_dns.so.2",
	"libnss_compat.so.2", "libnss_hesiod.so.2", "libnss_nis.so.2", "libnss_nisplus.so.2",
	"libnss_db.so.2", NULL
};

/* Directories of glibc's that are replaced whole (iconv modules, the
 * sotruss audit module). */
static const char *const glibc_dirs[] = { "gconv", "audit", NULL };

/* Programs never started by a default run. The run is sandboxed (read-only
 * root, PID namespace, fresh /tmp, stdin /dev/null, a time limit), but
 * /run's sockets stay reachable, and these talk to the init system: one
 * that ignored --version would stop or reboot this machine. */
const char *const ak_rb_denylist[] = {
	"reboot", "talks to the init system (/run/systemd): may reboot the machine",
	"halt", "talks to the init system (/run/systemd): may halt the machine",
	"poweroff", "talks to the init system (/run/systemd): may power the machine off",
	"shutdown", "talks to the init system (/run/systemd): may shut the machine down",
	"telinit", "talks to the init system: may change the runlevel",
	"init", "talks to the init system: may change the runlevel",
	"runlevel", "reads and may talk to the init system's state",
	NULL, NULL
};

static bool in_list(const char *const *list, const char *name)
{
	for (; *list; list++)
		if (strcmp(*list, name) == 0)
			return true;
	return false;
}

static void add_overlay(struct ak_rb_target *t, const char *inside, const char *host)
{
	for (size_t i = 0; i < t->nov; i++)
		if (strcmp(t->ov[i].inside, inside) == 0)
			return;
	ak_grow((void **)&t->ov, &t->capov, t->nov + 1, sizeof *t->ov);
	t->ov[t->nov].inside = ak_xstrdup(inside);
	t->ov[t->nov].host = ak_xstrdup(host);
	t->nov++;
}

/* Lay the glibc files of one directory over the system's. `src` resolves
 * names inside a root (absolute symlinks stay in it); NULL: dir is a plain
 * host directory. */
static void overlay_dir(struct ak_rb_target *t, const struct ak_rootfs *src, const char *dir,
			const struct ak_rootfs *sys)
{
	const char *triplet = ak_multiarch_triplet(HOST_MACHINE);
	char *hostdir = src ? ak_rootfs_host_path(src, dir) : ak_xstrdup(dir);
	DIR *d = opendir(hostdir);
	struct dirent *e;

	free(hostdir);
	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		bool isdir = in_list(glibc_dirs, e->d_name);
		char *name, *resolved, *host, *sysname, *sysres, real[PATH_MAX];
		struct stat st, sst;

		if (!isdir && !in_list(glibc_files, e->d_name))
			continue;
		name = ak_path_join(dir, e->d_name);
		resolved = src ? ak_rootfs_resolve(src, name) : ak_xstrdup(name);
		host = resolved ? (src ? ak_rootfs_host_path(src, resolved) : ak_xstrdup(resolved)) : NULL;
		free(resolved);
		free(name);
		if (host == NULL || realpath(host, real) == NULL || stat(real, &st) != 0 ||
		    (isdir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode))) {
			free(host);
			continue;
		}
		free(host);
		/* Where the system's loader finds it: /lib/TRIPLET/NAME, resolved
		 * (merged /usr: /usr/lib/TRIPLET/NAME). */
		{
			struct ak_sbuf b = { 0 };

			ak_sbuf_addf(&b, "/lib/%s/%s", triplet, e->d_name);
			sysname = b.s;
		}
		sysres = ak_rootfs_resolve(sys, sysname);
		if (sysres == NULL && isdir) {
			/* gconv/ and audit/ live in /usr/lib/TRIPLET on unmerged systems */
			struct ak_sbuf b = { 0 };

			ak_sbuf_addf(&b, "/usr/lib/%s/%s", triplet, e->d_name);
			free(sysname);
			sysname = b.s;
			sysres = ak_rootfs_resolve(sys, sysname);
		}
		if (sysres && stat(sysres, &sst) == 0 && (isdir ? S_ISDIR(sst.st_mode) : S_ISREG(sst.st_mode)))
			add_overlay(t, sysres, real);
		else if (!ak_strvec_contains(&t->absent, e->d_name))
			ak_strvec_push(&t->absent, e->d_name);
		free(sysres);
		free(sysname);
	}
	closedir(d);
}

/* The older glibc of a root (a distro tree, an unpacked .deb). */
static int overlay_root(struct ak_rb_target *t, const char *root, const struct ak_rootfs *sys, struct ak_err *err)
{
	const char *triplet = ak_multiarch_triplet(HOST_MACHINE);
	struct ak_rootfs src;
	char *dirs[2];

	if (ak_rootfs_open(&src, root, err) < 0)
		return -1;
	dirs[0] = ak_xmalloc(strlen(triplet) + 16);
	dirs[1] = ak_xmalloc(strlen(triplet) + 16);
	sprintf(dirs[0], "/lib/%s", triplet);
	sprintf(dirs[1], "/usr/lib/%s", triplet);
	for (int i = 0; i < 2; i++)
		overlay_dir(t, &src, dirs[i], sys);
	free(dirs[0]);
	free(dirs[1]);
	ak_rootfs_close(&src);
	return 0;
}

static int unpack_deb(struct ak_rb_target *t, const char *deb, struct ak_err *err)
{
	char tmp[] = "/tmp/abikit-rollback-deb-XXXXXX", out[512];
	const char *argv[] = { "dpkg-deb", "-x", deb, tmp, NULL };
	int rc;

	if (mkdtemp(tmp) == NULL)
		return ak_errno(err, errno, "%s", tmp);
	t->tmpdir = ak_xstrdup(tmp);
	rc = ak_spawn_capture(argv, out, sizeof out, err);
	if (rc < 0)
		return -1;
	if (rc != 0) {
		out[strcspn(out, "\n")] = '\0';
		return ak_errf(err, "%s: dpkg-deb -x failed: %s", deb, out);
	}
	return 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

int ak_rb_target_open(struct ak_rb_target *t, const char *spec, struct ak_err *err)
{
	struct ak_rootfs sys;
	struct stat st;
	char *libdir = NULL, *libc = NULL;
	int rc = -1;

	memset(t, 0, sizeof *t);
	if (stat(spec, &st) != 0 && strchr(spec, '/') == NULL && ak_abidb_release_index(spec) >= 0) {
		t->release = ak_xstrdup(ak_abidb_release_name(ak_abidb_release_index(spec)));
		t->glibc = ak_xstrdup(t->release);
		snprintf(t->label, sizeof t->label, "glibc %s (ABI database)", t->release);
		return 0;
	}
	if (ak_rootfs_open(&sys, "/", err) < 0)
		return -1;
	if (stat(spec, &st) == 0 && S_ISREG(st.st_mode) && ends_with(spec, ".deb")) {
		if (unpack_deb(t, spec, err) < 0 || overlay_root(t, t->tmpdir, &sys, err) < 0)
			goto out;
	} else if (stat(spec, &st) == 0 && S_ISDIR(st.st_mode)) {
		char *a = ak_path_join(spec, "libc.so.6"), *b = ak_path_join(spec, "lib/libc.so.6");

		/* A libc directory, a runtime's prefix, or a whole root. */
		if (ak_exists(a))
			libdir = ak_xstrdup(spec);
		else if (ak_exists(b))
			libdir = ak_path_join(spec, "lib");
		free(a);
		free(b);
		if (libdir)
			overlay_dir(t, NULL, libdir, &sys);
		else if (overlay_root(t, spec, &sys, err) < 0)
			goto out;
	} else {
		struct ak_runtime_info rt;

		if (ak_runtime_open(&rt, spec, err) < 0) {
			ak_errf(err, "--to %s: not a glibc release the database knows, a .deb, a directory or a runtime",
				spec);
			goto out;
		}
		libdir = ak_xstrdup(rt.lib);
		ak_runtime_info_free(&rt);
		overlay_dir(t, NULL, libdir, &sys);
	}
	for (size_t i = 0; i < t->nov && libc == NULL; i++)
		if (strcmp(strrchr(t->ov[i].inside, '/'), "/libc.so.6") == 0)
			libc = t->ov[i].host;
	if (libc == NULL) {
		ak_errf(err, "--to %s: no libc.so.6 in it that could replace the system's", spec);
		goto out;
	}
	{
		struct ak_libc_info li;

		if (ak_libc_identify(libc, &li, err) < 0)
			goto out;
		t->glibc = ak_xstrdup(li.version);
		snprintf(t->label, sizeof t->label, "glibc %s (%s)", li.version[0] ? li.version : "?", spec);
	}
	rc = 0;
out:
	ak_rootfs_close(&sys);
	free(libdir);
	return rc;
}

void ak_rb_target_free(struct ak_rb_target *t)
{
	if (t->tmpdir) {
		struct ak_err e;

		ak_rm_rf(t->tmpdir, &e);
	}
	for (size_t i = 0; i < t->nov; i++) {
		free(t->ov[i].inside);
		free(t->ov[i].host);
	}
	free(t->ov);
	free(t->tmpdir);
	free(t->release);
	free(t->glibc);
	ak_strvec_free(&t->absent);
	memset(t, 0, sizeof *t);
}

int ak_rb_world(const struct ak_rb_target *t, struct ak_world *w, struct ak_err *err)
{
	if (t->release)
		return ak_world_glibc(w, t->release, err);
	if (ak_world_root(w, "/", err) < 0)
		return -1;
	for (size_t i = 0; i < t->nov; i++)
		ak_rootfs_mount(&w->root, t->ov[i].inside, t->ov[i].host);
	snprintf(w->label, sizeof w->label, "%s", t->label);
	return 0;
}

bool ak_rb_overlaid(const struct ak_rb_target *t, const char *real)
{
	for (size_t i = 0; i < t->nov; i++) {
		size_t n = strlen(t->ov[i].inside);

		if (strncmp(real, t->ov[i].inside, n) == 0 && (real[n] == '\0' || real[n] == '/'))
			return true;
	}
	return false;
}

/* ---- dpkg: path -> package ---- */

static size_t hash_path(const char *s)
{
	size_t h = 14695981039346656037ull & (size_t)-1;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

static void pm_put(struct ak_pkgmap *m, char *key, const char *val)
{
	size_t i;

	if (2 * (m->n + 1) > m->cap) {
		struct ak_pkgmap big = { 0 };

		big.cap = m->cap ? 2 * m->cap : 1024;
		big.keys = ak_xcalloc(big.cap, sizeof *big.keys);
		big.vals = ak_xcalloc(big.cap, sizeof *big.vals);
		for (size_t j = 0; j < m->cap; j++)
			if (m->keys[j])
				pm_put(&big, m->keys[j], m->vals[j]);
		free(m->keys);
		free(m->vals);
		m->keys = big.keys;
		m->vals = big.vals;
		m->cap = big.cap;
	}
	for (i = hash_path(key) & (m->cap - 1); m->keys[i]; i = (i + 1) & (m->cap - 1))
		if (strcmp(m->keys[i], key) == 0) {
			free(key);  /* a directory many packages list: the first keeps it */
			return;
		}
	m->keys[i] = key;
	m->vals[i] = val;
	m->n++;
}

static const char *pm_get(const struct ak_pkgmap *m, const char *key)
{
	if (m->cap == 0)
		return NULL;
	for (size_t i = hash_path(key) & (m->cap - 1); m->keys[i]; i = (i + 1) & (m->cap - 1))
		if (strcmp(m->keys[i], key) == 0)
			return m->vals[i];
	return NULL;
}

void ak_pkgmap_load(struct ak_pkgmap *m, const char *admindir)
{
	char *info = ak_path_join(admindir, "info");
	DIR *d = opendir(info);
	struct dirent *e;
	struct ak_strvec lists = { 0 };

	memset(m, 0, sizeof *m);
	if (d == NULL) {
		free(info);
		return;
	}
	while ((e = readdir(d)) != NULL)
		if (ends_with(e->d_name, ".list"))
			ak_strvec_push(&lists, e->d_name);
	closedir(d);
	/* Names are stored first: the map points into them. */
	for (size_t i = 0; i < lists.n; i++) {
		char *n = ak_xstrdup(lists.v[i]);

		n[strlen(n) - 5] = '\0';
		ak_strvec_push(&m->names, n);
		free(n);
	}
	for (size_t i = 0; i < lists.n; i++) {
		char *path = ak_path_join(info, lists.v[i]), *text, *save = NULL;
		size_t len;
		struct ak_err err;

		text = ak_read_file(path, &len, &err);
		free(path);
		for (char *line = text ? strtok_r(text, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save))
			if (line[0] == '/')
				pm_put(m, ak_xstrdup(line), m->names.v[i]);
		free(text);
	}
	ak_strvec_free(&lists);
	free(info);
}

/* dpkg lists a file where its package put it; merged /usr moved /bin,
 * /sbin and /lib* under /usr (and a package may also list the new path). */
static const char *pm_alias(const struct ak_pkgmap *m, const char *path)
{
	static const char *const top[] = { "/bin/", "/sbin/", "/lib/", "/lib64/", "/lib32/", "/libx32/", NULL };
	const char *p = pm_get(m, path);

	if (p)
		return p;
	for (const char *const *t = top; *t && !p; t++) {
		size_t n = strlen(*t);
		char buf[PATH_MAX];

		if (strncmp(path, "/usr", 4) == 0 && strncmp(path + 4, *t, n) == 0)
			p = pm_get(m, path + 4);
		else if (strncmp(path, *t, n) == 0 && snprintf(buf, sizeof buf, "/usr%s", path) < (int)sizeof buf)
			p = pm_get(m, buf);
	}
	return p;
}

const char *ak_pkgmap_find(const struct ak_pkgmap *m, const char *path)
{
	char real[PATH_MAX];
	const char *p = pm_alias(m, path);

	if (p == NULL && realpath(path, real) != NULL && strcmp(real, path) != 0)
		p = pm_alias(m, real);
	return p;
}

void ak_pkgmap_free(struct ak_pkgmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->vals);
	ak_strvec_free(&m->names);
	memset(m, 0, sizeof *m);
}

/* ---- the static check ---- */

struct walkctx {
	const struct ak_rb_target *t;
	struct ak_world *w;
	const struct ak_pkgmap *pm;
	struct ak_rb_check *c;
};

static bool is_glibc_package(const char *pkg)
{
	size_t n = strcspn(pkg, ":");

	return n == 5 && strncmp(pkg, "libc6", 5) == 0;
}

static void record(struct ak_rb_file *f, const char *path, const struct ak_check_result *r)
{
	f->only_own_symbols = true;
	for (size_t i = 0; i < r->nproblems; i++) {
		const struct ak_problem *p = &r->problems[i];
		bool own = p->required_by && strcmp(p->required_by, path) == 0;
		char key[512];

		if (!p->fatal)
			continue;
		ak_strvec_push(&f->why, p->message);
		key[0] = '\0';
		switch (p->kind) {
		case AK_PB_MISSING_VERSION:
			snprintf(key, sizeof key, "%s", p->version);
			break;
		case AK_PB_MISSING_SYMBOL: {
			/* A symbol of a missing version is told by the version. */
			bool node_missing = false;

			for (size_t k = 0; k < r->nproblems; k++)
				if (r->problems[k].kind == AK_PB_MISSING_VERSION && r->problems[k].version &&
				    strcmp(r->problems[k].version, p->version) == 0)
					node_missing = true;
			if (!node_missing)
				snprintf(key, sizeof key, "%s@%s", p->symbol, p->version);
			if (own) {
				char sv[512];

				snprintf(sv, sizeof sv, "%s@%s", p->symbol, p->version);
				if (!ak_strvec_contains(&f->missing, sv))
					ak_strvec_push(&f->missing, sv);
			}
			break;
		}
		case AK_PB_MISSING_LIBRARY:
			snprintf(key, sizeof key, "%s (not found)", p->library);
			break;
		case AK_PB_MISSING_INTERP:
			snprintf(key, sizeof key, "%s (interpreter not found)", p->library);
			break;
		default:
			break;
		}
		if (!own || (p->kind != AK_PB_MISSING_VERSION && p->kind != AK_PB_MISSING_SYMBOL))
			f->only_own_symbols = false;
		if (key[0] && !ak_strvec_contains(&f->needs, key))
			ak_strvec_push(&f->needs, key);
	}
}

static void check_one(const char *path, bool explicit, void *ctx)
{
	struct walkctx *x = ctx;
	struct ak_rb_check *c = x->c;
	struct ak_rb_file *f;
	struct ak_elf m;
	struct ak_err err;
	char real[PATH_MAX];
	int rc = ak_elf_open(&m, path, AK_READ_UNDEF, &err);

	if (rc == AK_NOT_ELF && !explicit) {
		c->nonelf++;
		return;
	}
	if (rc != 0) {
		ak_report(&err);
		ak_strvec_push(&c->error_lines, err.msg);
		c->errors++;
		return;
	}
	ak_grow((void **)&c->files, &c->capfiles, c->nfiles + 1, sizeof *c->files);
	f = &c->files[c->nfiles++];
	memset(f, 0, sizeof *f);
	f->path = ak_xstrdup(path);
	f->package = x->pm ? ak_pkgmap_find(x->pm, path) : NULL;
	/* A library with an interpreter (libc.so.6, pam_cap.so) is run only
	 * when it may be: else it is dlopen()ed like any library. */
	f->executable = ak_elf_is_executable(&m) && m.interp != NULL && access(path, X_OK) == 0;
	if (realpath(path, real) == NULL)
		snprintf(real, sizeof real, "%s", path);
	if (ak_rb_overlaid(x->t, real) || (f->package && is_glibc_package(f->package))) {
		f->fate = AK_RB_REPLACED;
		c->replaced++;
	} else {
		struct ak_check_result r;

		ak_check(x->w, &m, &r);
		switch (r.verdict) {
		case AK_VERDICT_OK:
			f->fate = AK_RB_LOADS;
			c->loads++;
			break;
		case AK_VERDICT_FAIL:
			f->fate = AK_RB_BREAKS;
			c->breaks++;
			record(f, path, &r);
			break;
		case AK_VERDICT_NOT_JUDGED:
			f->fate = AK_RB_NOT_JUDGED;
			f->why_not_judged = ak_xstrdup(r.not_judged_why ? r.not_judged_why : "not judged");
			c->not_judged++;
			break;
		}
		ak_check_result_free(&r);
	}
	ak_elf_close(&m);
}

static void walk_error(const char *path, const char *msg, void *ctx)
{
	struct walkctx *x = ctx;

	(void)path;
	ak_strvec_push(&x->c->error_lines, msg);
}

void ak_rb_check_trees(const struct ak_rb_target *t, struct ak_world *w, const struct ak_pkgmap *pm,
		       char *const *trees, size_t ntrees, struct ak_rb_check *c)
{
	struct ak_walk_opts wo = { true, false, walk_error };
	struct walkctx x = { t, w, pm, c };

	memset(c, 0, sizeof *c);
	c->errors += ak_walk(trees, ntrees, &wo, check_one, &x);
}

void ak_rb_check_free(struct ak_rb_check *c)
{
	for (size_t i = 0; i < c->nfiles; i++) {
		struct ak_rb_file *f = &c->files[i];

		free(f->path);
		free(f->why_not_judged);
		ak_strvec_free(&f->needs);
		ak_strvec_free(&f->why);
		ak_strvec_free(&f->missing);
	}
	free(c->files);
	ak_strvec_free(&c->error_lines);
	memset(c, 0, sizeof *c);
}

/* ---- the library probe ---- */

/* Built on this system but run with the older glibc too: every symbol is
 * bound to the base version every glibc of the machine has (dlopen and
 * dlerror lived in libdl.so.2 before 2.34, so libdl is NEEDED; the loader
 * looks a versioned symbol up in every object of the scope). crt1.o of
 * glibc 2.34+ calls __libc_start_main@GLIBC_2.34, so the call is wrapped
 * (ld --wrap) onto the old version. */
static const char probe_source[] =
	"#include <dlfcn.h>\n#include <string.h>\n#include <unistd.h>\n"
	"extern void *old_dlopen(const char *, int);\n"
	"extern char *old_dlerror(void);\n"
	"extern int old_start(int (*)(int, char **, char **), int, char **, void (*)(void), void (*)(void),\n"
	"                     void (*)(void), void *);\n"
	"__asm__(\".symver old_dlopen,dlopen@" BASE_VERSION "\");\n"
	"__asm__(\".symver old_dlerror,dlerror@" BASE_VERSION "\");\n"
	"__asm__(\".symver old_start,__libc_start_main@" BASE_VERSION "\");\n"
	"int __wrap___libc_start_main(int (*m)(int, char **, char **), int c, char **v, void (*i)(void),\n"
	"                             void (*f)(void), void (*r)(void), void *s);\n"
	"int __wrap___libc_start_main(int (*m)(int, char **, char **), int c, char **v, void (*i)(void),\n"
	"                             void (*f)(void), void (*r)(void), void *s)\n"
	"{ return old_start(m, c, v, i, f, r, s); }\n"
	"static void say(const char *s) { if (write(1, s, strlen(s)) < 0) _exit(3); }\n"
	"int main(int argc, char **argv)\n"
	"{\n"
	"  const char *e;\n"
	"  if (argc != 2) { say(\"usage: " PROBE_NAME " LIBRARY\\n\"); return 2; }\n"
	"  if (old_dlopen(argv[1], RTLD_NOW) != NULL) { say(\"ok\\n\"); _exit(0); }\n"
	"  e = old_dlerror();\n"
	"  say(\"fail \"); say(e ? e : \"(no dlerror)\"); say(\"\\n\");\n"
	"  _exit(1);\n"
	"}\n";

int ak_rb_build_probe(const char *dir, char **path, struct ak_err *err)
{
	const char *triplet = ak_multiarch_triplet(HOST_MACHINE);
	char *src = ak_path_join(dir, PROBE_NAME ".c"), *out = ak_path_join(dir, PROBE_NAME), *libdl = NULL;
	char log[2048];
	struct ak_rootfs sys;
	int rc = -1;

	*path = NULL;
	if (ak_write_atomic(src, probe_source, sizeof probe_source - 1, 0644, err) < 0)
		goto done;
	/* libdl.so.2 by its path: glibc 2.34+ ships no libdl.so to link with. */
	if (ak_rootfs_open(&sys, "/", err) < 0)
		goto done;
	{
		char name[256];

		snprintf(name, sizeof name, "/lib/%s/libdl.so.2", triplet);
		libdl = ak_rootfs_resolve(&sys, name);
	}
	ak_rootfs_close(&sys);
	if (libdl == NULL) {
		ak_errf(err, "the dlopen probe: no libdl.so.2 on this system to link with");
		goto done;
	}
	{
		const char *argv[] = { "cc", "-O1", "-fno-stack-protector", "-U_FORTIFY_SOURCE", "-o", out, src,
				       "-Wl,--wrap=__libc_start_main", "-Wl,--no-as-needed", libdl, NULL };

		rc = ak_spawn_capture(argv, log, sizeof log, err);
		if (rc > 0) {
			ak_errf(err, "the dlopen probe does not compile (cc %s): %s", src, log);
			rc = -1;
		}
	}
	if (rc == 0)
		*path = ak_xstrdup(out);
done:
	free(libdl);
	free(src);
	free(out);
	return rc;
}

/* ---- the dynamic side ---- */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The loader's own complaint in a program's stderr. */
static void loader_words(const char *text, char *out, size_t size)
{
	static const char *const marks[] = { "error while loading shared libraries", "not found (required by",
					     "symbol lookup error", "undefined symbol", "cannot open shared object",
					     "FATAL: kernel too old", NULL };

	out[0] = '\0';
	for (const char *line = text; line && *line;) {
		const char *nl = strchr(line, '\n');
		int n = nl ? (int)(nl - line) : (int)strlen(line);

		for (const char *const *m = marks; *m; m++) {
			const char *hit = strstr(line, *m);

			if (hit && (nl == NULL || hit < nl)) {
				snprintf(out, size, "%.*s", n, line);
				return;
			}
		}
		line = nl ? nl + 1 : NULL;
	}
}

/* Did the first process of the audit's record reach main ("P PID")? 1 yes,
 * 0 no, -1 the audit wrote nothing (it never ran). */
static int reached_main(const char *audit_text)
{
	char first[32] = "";
	int seen = -1;

	for (const char *line = audit_text; line && *line;) {
		const char *nl = strchr(line, '\n');
		char kind = line[0], pid[32];

		if (sscanf(line, "%*c %31s", pid) == 1) {
			if (first[0] == '\0')
				snprintf(first, sizeof first, "%s", pid);
			if (strcmp(pid, first) == 0) {
				seen = seen < 0 ? 0 : seen;
				if (kind == 'P')
					return 1;
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	return seen;
}

static char *slurp(const char *path)
{
	size_t n;
	struct ak_err e;

	return ak_read_file(path, &n, &e);
}

struct runner {
	const struct ak_rb_verify_opts *o;
	const char *probe_dir;
	char *audit_dir, *audit_in;
};

/* One run of one file: with the older glibc bound in (rollback), or on the
 * system as it is. */
static enum ak_rb_outcome run_file(const struct runner *rn, const struct ak_rb_file *f, bool rollback,
				   struct ak_rb_run *res)
{
	char outdir[] = "/tmp/abikit-rollback-run-XXXXXX";
	struct ak_sandbox s = { 0 };
	struct ak_sandbox_result sr;
	struct ak_err err;
	char *outp, *errp, *auditp, *out = NULL, *errt = NULL, *audit = NULL, probe[PATH_MAX];
	enum ak_rb_outcome oc = AK_RB_RUN_UNKNOWN;
	const char *argv[4];

	if (mkdtemp(outdir) == NULL) {
		snprintf(res->why, sizeof res->why, "%s: %s", outdir, strerror(errno));
		return AK_RB_RUN_UNKNOWN;
	}
	outp = ak_path_join(outdir, "stdout");
	errp = ak_path_join(outdir, "stderr");
	auditp = ak_path_join(outdir, "audit");
	s.root = "/";
	if (rollback)
		for (size_t i = 0; i < rn->o->t->nov; i++)
			ak_sandbox_bind(&s, rn->o->t->ov[i].host, rn->o->t->ov[i].inside, false);
	ak_sandbox_bind(&s, rn->audit_dir, IN_AUDIT_DIR, false);
	ak_sandbox_bind(&s, rn->probe_dir, IN_PROBE_DIR, false);
	for (size_t i = 0; i < rn->o->binds.n; i++)
		ak_sandbox_bind(&s, rn->o->binds.v[i], rn->o->binds.v[i], false);
	/* The sandbox's /tmp is a fresh tmpfs: a file under this system's
	 * /tmp is shown at its own path. */
	if (strncmp(f->path, "/tmp/", 5) == 0) {
		char *c = ak_xstrdup(f->path), *dir = dirname(c);

		ak_sandbox_bind(&s, dir, dir, false);
		free(c);
	}
	ak_sandbox_bind(&s, outdir, IN_OUT_DIR, true);
	ak_strvec_push(&s.env, "PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");
	ak_strvec_push(&s.env, "HOME=/tmp");
	ak_strvec_push(&s.env, "LD_BIND_NOW=1");
	s.timeout = rn->o->timeout;
	s.stdout_path = outp;
	s.stderr_path = errp;
	if (f->executable) {
		ak_strvec_push(&s.env, rn->audit_in);
		ak_strvec_push(&s.env, "ABIKIT_AUDIT_OUT=" IN_OUT_DIR "/audit");
		s.audit_fd_path = auditp;
		argv[0] = f->path;
		argv[1] = "--version";
		argv[2] = NULL;
	} else {
		snprintf(probe, sizeof probe, "%s/%s", IN_PROBE_DIR, PROBE_NAME);
		argv[0] = probe;
		argv[1] = f->path;
		argv[2] = NULL;
	}
	if (ak_sandbox_run(&s, argv, &sr, &err) < 0) {
		snprintf(res->why, sizeof res->why, "sandbox: %.480s", err.msg);
		goto out;
	}
	res->status = sr.status;
	res->timed_out = sr.timed_out;
	out = slurp(outp);
	errt = slurp(errp);
	if (errt && strncmp(errt, "bwrap: ", 7) == 0) {
		snprintf(res->why, sizeof res->why, "sandbox: %.*s", (int)strcspn(errt, "\n"), errt);
		goto out;
	}
	if (f->executable) {
		int r;

		audit = slurp(auditp);
		r = reached_main(audit);
		loader_words(errt, res->why, sizeof res->why);
		if (r == 1) {
			oc = AK_RB_RUN_LOADS;
			res->why[0] = '\0';
		} else if (res->why[0]) {
			oc = AK_RB_RUN_BREAKS;
		} else if (sr.timed_out) {
			snprintf(res->why, sizeof res->why, "timed out after %d s before main", rn->o->timeout);
		} else if (r < 0) {
			snprintf(res->why, sizeof res->why, "the audit library saw nothing (status %d)", sr.status);
		} else {
			oc = AK_RB_RUN_BREAKS;
			snprintf(res->why, sizeof res->why, "ended with status %d before main: %.200s", sr.status,
				 errt ? errt : "");
			res->why[strcspn(res->why, "\n")] = '\0';
		}
	} else if (out && strncmp(out, "ok\n", 3) == 0) {
		oc = AK_RB_RUN_LOADS;
		res->why[0] = '\0';
	} else if (out && strncmp(out, "fail ", 5) == 0) {
		oc = AK_RB_RUN_BREAKS;
		snprintf(res->why, sizeof res->why, "%.*s", (int)strcspn(out + 5, "\n"), out + 5);
	} else {
		/* No word from the probe: it could not start, or a constructor
		 * of the library (or of one it needs) ended or hung it. */
		loader_words(errt, res->why, sizeof res->why);
		if (res->why[0] == '\0')
			snprintf(res->why, sizeof res->why, "the probe %s in dlopen (status %d)",
				 sr.timed_out ? "timed out" : "died", sr.status);
	}
out:
	{
		struct ak_err e2;

		ak_rm_rf(outdir, &e2);
	}
	ak_sandbox_free(&s);
	free(out);
	free(errt);
	free(audit);
	free(outp);
	free(errp);
	free(auditp);
	return oc;
}

static void one(const struct runner *rn, const struct ak_rb_file *f, struct ak_rb_run *res)
{
	res->outcome = run_file(rn, f, true, res);
	res->on_system = AK_RB_RUN_SKIPPED;
	/* Predicted to load and did not: is the rollback to blame, or does it
	 * not load on this system either (a plugin needing its program's
	 * symbols, a constructor that exits)? */
	if (res->outcome != AK_RB_RUN_LOADS && (f->fate == AK_RB_LOADS || res->outcome == AK_RB_RUN_UNKNOWN)) {
		struct ak_rb_run sys;

		memset(&sys, 0, sizeof sys);
		res->on_system = run_file(rn, f, false, &sys);
	}
}

static bool denied(const struct ak_rb_verify_opts *o, const char *path, char *why, size_t size)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;

	for (size_t i = 0; ak_rb_denylist[i]; i += 2)
		if (strcmp(base, ak_rb_denylist[i]) == 0) {
			snprintf(why, size, "denylist: %s", ak_rb_denylist[i + 1]);
			return true;
		}
	if (ak_strvec_contains(&o->deny, base)) {
		snprintf(why, size, "--deny %s", base);
		return true;
	}
	return false;
}

static void show_progress(size_t done, size_t total, double start, bool last)
{
	double el = now() - start, eta = done ? el / (double)done * (double)(total - done) : 0;

	fprintf(stderr, "\rrollback verify: %zu/%zu files, %d:%02d elapsed, ETA %d:%02d  ", done, total,
		(int)el / 60, (int)el % 60, (int)eta / 60, (int)eta % 60);
	if (last)
		fputc('\n', stderr);
	fflush(stderr);
}

/* Shared between the workers (processes: a sandbox run forks and waits,
 * and each worker's waits are its own). */
struct shared {
	size_t next, done;
	struct ak_rb_run runs[];
};

int ak_rb_verify(const struct ak_rb_verify_opts *o, const struct ak_rb_check *c, struct ak_rb_run *runs,
		 struct ak_err *err)
{
	char probedir[] = "/tmp/abikit-rollback-probe-XXXXXX";
	struct runner rn = { o, probedir, NULL, NULL };
	size_t *sel = NULL, nsel = 0, ncand = 0, mapsize;
	struct shared *sh = MAP_FAILED;
	char *probe = NULL;
	pid_t *pids = NULL;
	int rc = -1, jobs = o->jobs > 0 ? o->jobs : 1;
	double start = now();

	if (o->t->release)
		return ak_errf(err, "verify needs the older glibc's files (a .deb, a root or a runtime), not a release number");
	if (o->audit_so == NULL || !ak_exists(o->audit_so))
		return ak_errf(err, "abikit-audit.so not found (set ABIKIT_AUDIT)");
	if (ak_sandbox_method(err) == NULL)
		return -1;
	if (mkdtemp(probedir) == NULL)
		return ak_errno(err, errno, "%s", probedir);
	if (ak_rb_build_probe(probedir, &probe, err) < 0)
		goto out;
	/* The probe must load with the older glibc, judged like everything. */
	{
		struct ak_world w;
		struct ak_elf m;
		struct ak_check_result r;
		bool ok;

		if (ak_rb_world(o->t, &w, err) < 0)
			goto out;
		if (ak_elf_open(&m, probe, AK_READ_UNDEF, err) != 0) {
			ak_world_free(&w);
			goto out;
		}
		ak_check(&w, &m, &r);
		ok = r.verdict == AK_VERDICT_OK;
		if (!ok)
			ak_errf(err, "the dlopen probe would not load with %s: %s", o->t->label,
				r.nproblems ? r.problems[0].message : "?");
		ak_check_result_free(&r);
		ak_elf_close(&m);
		ak_world_free(&w);
		if (!ok)
			goto out;
	}
	{
		char *copy = ak_xstrdup(o->audit_so);
		struct ak_sbuf b = { 0 };

		rn.audit_dir = ak_xstrdup(dirname(copy));
		free(copy);
		ak_sbuf_addf(&b, "LD_AUDIT=%s/%s", IN_AUDIT_DIR, strrchr(o->audit_so, '/') ? strrchr(o->audit_so, '/') + 1 : o->audit_so);
		rn.audit_in = b.s;
	}
	for (size_t i = 0; i < c->nfiles; i++) {
		const struct ak_rb_file *f = &c->files[i];

		memset(&runs[i], 0, sizeof runs[i]);
		runs[i].outcome = runs[i].on_system = AK_RB_RUN_SKIPPED;
		if (f->fate == AK_RB_REPLACED)
			snprintf(runs[i].skip, sizeof runs[i].skip, "glibc's own file: the rollback replaces it");
		else if (f->fate == AK_RB_NOT_JUDGED)
			snprintf(runs[i].skip, sizeof runs[i].skip, "not judged: %.100s", f->why_not_judged);
		else if (!denied(o, f->path, runs[i].skip, sizeof runs[i].skip))
			ncand++;
	}
	/* The sample: evenly spread over the (sorted) candidates, so a rerun
	 * picks the same files. */
	sel = ak_xcalloc(ncand + 1, sizeof *sel);
	{
		size_t want = o->sample && o->sample < ncand ? o->sample : ncand, k = 0;

		for (size_t i = 0; i < c->nfiles; i++) {
			if (c->files[i].fate != AK_RB_LOADS && c->files[i].fate != AK_RB_BREAKS)
				continue;
			if (runs[i].skip[0])
				continue;
			if (want == ncand || (k * want) / ncand != ((k + 1) * want) / ncand)
				sel[nsel++] = i;
			else
				snprintf(runs[i].skip, sizeof runs[i].skip, "not in the sample");
			k++;
		}
	}
	mapsize = sizeof *sh + (nsel + 1) * sizeof sh->runs[0];
	sh = mmap(NULL, mapsize, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		ak_errno(err, errno, "mmap");
		goto out;
	}
	sh->next = sh->done = 0;
	if ((size_t)jobs > nsel)
		jobs = nsel ? (int)nsel : 1;
	pids = ak_xcalloc((size_t)jobs, sizeof *pids);
	fflush(stdout);
	fflush(stderr);
	for (int j = 0; j < jobs; j++) {
		pids[j] = fork();
		if (pids[j] == 0) {
			for (;;) {
				size_t k = __atomic_fetch_add(&sh->next, 1, __ATOMIC_SEQ_CST);

				if (k >= nsel)
					break;
				one(&rn, &c->files[sel[k]], &sh->runs[k]);
				__atomic_fetch_add(&sh->done, 1, __ATOMIC_SEQ_CST);
			}
			_exit(0);
		}
		if (pids[j] < 0) {
			ak_errno(err, errno, "fork");
			for (int k = 0; k < j; k++)
				kill(pids[k], SIGKILL);
			for (int k = 0; k < j; k++)
				waitpid(pids[k], NULL, 0);
			goto out;
		}
	}
	{
		int left = jobs;
		double shown = 0;

		while (left > 0) {
			int st;
			pid_t w = waitpid(-1, &st, WNOHANG);

			if (w > 0) {
				for (int j = 0; j < jobs; j++)
					if (pids[j] == w)
						left--;
				continue;
			}
			if (w < 0 && errno != EINTR)
				break;
			if (o->progress && now() - shown >= 0.5) {
				show_progress(__atomic_load_n(&sh->done, __ATOMIC_SEQ_CST), nsel, start, false);
				shown = now();
			}
			usleep(50 * 1000);
		}
		if (o->progress)
			show_progress(sh->done, nsel, start, true);
	}
	for (size_t k = 0; k < nsel; k++) {
		runs[sel[k]] = sh->runs[k];
		if (k >= sh->done && runs[sel[k]].outcome == AK_RB_RUN_SKIPPED) {
			runs[sel[k]].outcome = AK_RB_RUN_UNKNOWN;
			snprintf(runs[sel[k]].why, sizeof runs[sel[k]].why, "its worker died");
		}
	}
	rc = 0;
out:
	if (sh != MAP_FAILED)
		munmap(sh, mapsize);
	{
		struct ak_err e2;

		ak_rm_rf(probedir, &e2);
	}
	free(probe);
	free(pids);
	free(sel);
	free(rn.audit_dir);
	free(rn.audit_in);
	return rc;
}

int ak_rb_load_stubs(const char *file, struct ak_strvec *stubs, struct ak_err *err)
{
	size_t len;
	char *text = ak_read_file(file, &len, err), *save = NULL;

	if (text == NULL)
		return -1;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *s2 = NULL, *a, *b, *rest, key[512];
		bool stub = true;

		if (strchr(line, '#'))
			*strchr(line, '#') = '\0';
		a = strtok_r(line, " \t\r", &s2);
		if (a == NULL)
			continue;
		b = strchr(a, '@') ? NULL : strtok_r(NULL, " \t\r", &s2);
		if (!strchr(a, '@') && b == NULL)
			continue;
		/* A column saying the stub is not written yet ("no",
		 * "unimplemented") means no stub. */
		while ((rest = strtok_r(NULL, " \t\r", &s2)) != NULL)
			if (strcmp(rest, "no") == 0 || strcmp(rest, "unimplemented") == 0 || strcmp(rest, "missing") == 0)
				stub = false;
		if (!stub)
			continue;
		if (b)
			snprintf(key, sizeof key, "%s@%s", a, b);
		else
			snprintf(key, sizeof key, "%s", a);
		if (!ak_strvec_contains(stubs, key))
			ak_strvec_push(stubs, key);
	}
	free(text);
	return 0;
}
