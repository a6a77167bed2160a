#include <config.h>

#include "verify.h"

#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle.h"
#include "checker.h"
#include "elfmodel.h"
#include "fsutil.h"
#include "sandbox.h"
#include "world.h"

#ifndef ABIKIT_PKGLIBEXECDIR
#define ABIKIT_PKGLIBEXECDIR "/usr/local/libexec/abikit"
#endif

/* Inside the sandbox: the audit library, and a writable place for what the
 * audit and the loader's trace write. */
#define IN_AUDIT_DIR "/.abikit"
#define IN_OUT_DIR "/.abikit-out"

char *ak_verify_find_audit(void)
{
	return ak_find_companion("ABIKIT_AUDIT", "abikit-audit.so", ABIKIT_PKGLIBEXECDIR);
}

/* glibc's core objects: one of each may be in a process, and with a
 * private runtime none may come from the root. Old releases name files
 * libc-2.31.so, new ones libc.so.6. */
static bool is_glibc_core(const char *path)
{
	static const char *const names[] = { "libc.so", "libc-2.", "libpthread.so", "libpthread-2.", "librt.so",
					     "librt-2.", "libdl.so", "libdl-2.", "libresolv.so", "libresolv-2.",
					     "libm.so", "libm-2.", "ld-linux", "ld-2.", NULL };
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	for (const char *const *n = names; *n; n++)
		if (strncmp(base, *n, strlen(*n)) == 0)
			return true;
	return false;
}

static bool under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return n > 0 && strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

struct places {
	struct ak_strvec runtime;    /* inside paths of runtimes (prefix, a bundle's runtime/) */
	struct ak_strvec app;        /* inside paths of the target's own directories */
	struct ak_strvec main;       /* names the program itself goes by */
};

/* path with //, /./ and /../ resolved by text alone (the loader's names
 * keep them: "DIR/libexec/../lib/libfoo.so"). malloc'd. */
static char *lexical(const char *path)
{
	char *out = ak_xmalloc(strlen(path) + 2), *copy = ak_xstrdup(path);
	size_t n = 0;

	out[0] = '\0';
	for (char *save = NULL, *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (strcmp(c, ".") == 0)
			continue;
		if (strcmp(c, "..") == 0) {
			while (n > 0 && out[n - 1] != '/')
				n--;
			if (n > 0)
				n--;
			out[n] = '\0';
			continue;
		}
		n += (size_t)sprintf(out + n, "/%s", c);
	}
	if (n == 0)
		strcpy(out, "/");
	free(copy);
	return out;
}

static const char *place_of(const struct places *p, const char *raw)
{
	char *path = lexical(raw);
	const char *place = "root";

	for (size_t i = 0; i < p->runtime.n && strcmp(place, "root") == 0; i++)
		if (under(path, p->runtime.v[i]))
			place = "runtime";
	for (size_t i = 0; i < p->app.n && strcmp(place, "root") == 0; i++)
		if (under(path, p->app.v[i]))
			place = "app";
	free(path);
	return place;
}

/* Mount host dir `dir` at `at`: bound read-only whole, unless a bind lies
 * below it; then its entries one by one, so the bind's mount point can be
 * made in bwrap's tmpfs without writing to the root. */
static void mount_tree(struct ak_sandbox *s, const char *dir, const char *at, const struct ak_sandbox *binds)
{
	bool below = false;
	DIR *d;
	struct dirent *e;

	for (size_t i = 0; i < binds->nbinds && !below; i++)
		below = under(binds->binds[i].inside, at) && strcmp(binds->binds[i].inside, at) != 0;
	if (!below) {
		ak_sandbox_bind(s, dir, at, false);
		return;
	}
	d = opendir(dir);
	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char *p, *q;
		struct stat st;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		p = ak_path_join(dir, e->d_name);
		q = ak_path_join(at, e->d_name);
		if (lstat(p, &st) == 0 && !S_ISLNK(st.st_mode)) {
			if (S_ISDIR(st.st_mode))
				mount_tree(s, p, q, binds);
			else if (S_ISREG(st.st_mode))
				ak_sandbox_bind(s, p, q, false);
		}
		free(p);
		free(q);
	}
	closedir(d);
}

static char *read_text(const char *path, size_t max)
{
	struct ak_err e;
	size_t n = 0;
	char *t = ak_read_file(path, &n, &e);

	if (t && n > max)
		t[max] = '\0';
	return t;
}

/* The dynamic linker's own complaint, if stderr has one. */
static char *loader_error(const char *stderr_text)
{
	static const char *const marks[] = { "error while loading shared libraries", "symbol lookup error",
					     "not found (required by", "cannot open shared object",
					     "undefined symbol", "FATAL: kernel too old", NULL };

	for (const char *line = stderr_text; line && *line;) {
		const char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) : strlen(line);

		for (const char *const *m = marks; *m; m++) {
			char *copy = strndup(line, n);

			if (copy && strstr(copy, *m))
				return copy;
			free(copy);
		}
		line = nl ? nl + 1 : NULL;
	}
	return NULL;
}

static void __attribute__((format(printf, 2, 3))) problem(struct ak_strvec *v, const char *fmt, ...)
{
	char msg[PATH_MAX + 256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (!ak_strvec_contains(v, msg))
		ak_strvec_push(v, msg);
}

/* Undo the audit's escapes (\ooo, octal, as in /proc/mounts). */
static void unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '7' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

/* The audit's record (src/audit/abikit-audit.c): "O PID LMID ADDR PATH"
 * per object, "P PID" once start-up is done (la_preinit). Objects of other
 * namespaces (the audit's own) and nameless ones (the vDSO) do not count;
 * only the first process (the target itself, not what it runs) decides
 * whether it started. */
static void read_audit(const char *file, const struct places *pl, bool uses_runtime, struct ak_verify_run *run)
{
	char *text = read_text(file, 64u << 20);
	char first_pid[32] = "";
	size_t libcs = 0;

	for (char *save = NULL, *line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *f[5] = { 0 }, *rest = line;
		int nf = 0;

		while (nf < 5 && rest && *rest) {
			char *sp = nf < 4 ? strchr(rest, ' ') : NULL;

			f[nf++] = rest;
			if (sp)
				*sp = '\0';
			rest = sp ? sp + 1 : NULL;
		}
		if (nf < 2)
			continue;
		if (first_pid[0] == '\0')
			snprintf(first_pid, sizeof first_pid, "%s", f[1]);
		if (strcmp(f[1], first_pid) != 0)
			continue;
		if (strcmp(f[0], "P") == 0) {
			run->started = true;
		} else if (strcmp(f[0], "O") == 0 && nf == 5) {
			const char *place, *base;

			if (strcmp(f[2], "0") != 0)
				continue;
			unescape(f[4]);
			if (f[4][0] != '/')
				continue;
			run->objects++;
			place = place_of(pl, f[4]);
			if (strcmp(place, "runtime") == 0)
				run->from_runtime++;
			else if (strcmp(place, "app") == 0)
				run->from_app++;
			else
				run->from_root++;
			base = strrchr(f[4], '/') + 1;
			if (strncmp(base, "libc.so", 7) == 0 || strncmp(base, "libc-2.", 7) == 0)
				libcs++;
			if (uses_runtime && strcmp(place, "root") == 0 && is_glibc_core(f[4]))
				problem(&run->problems, "%s of the root loaded next to the runtime's glibc", f[4]);
		}
	}
	if (libcs > 1)
		problem(&run->problems, "%zu libc.so.6 in one process", libcs);
	free(text);
}

/* The loader's binding trace (LD_DEBUG=bindings, one file per process):
 * "binding file A [0] to B [0]: normal symbol `NAME' [GLIBC_2.2.5]". With a
 * private runtime every GLIBC_ symbol must bind into the runtime. It covers
 * what rtld-audit does not report (la_symbind is not called for bindings
 * made at start-up under LD_BIND_NOW before glibc 2.35, nor for GLOB_DAT). */
static void read_bindings(const char *outdir, const struct places *pl, bool uses_runtime, struct ak_verify_run *run)
{
	DIR *d = opendir(outdir);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char *path, *text;

		if (strncmp(e->d_name, "bindings.", 9) != 0)
			continue;
		path = ak_path_join(outdir, e->d_name);
		text = read_text(path, 256u << 20);
		for (char *save = NULL, *line = text ? strtok_r(text, "\n", &save) : NULL; line;
		     line = strtok_r(NULL, "\n", &save)) {
			char *b = strstr(line, "binding file "), *to, *def, *sym, *ver;

			if (b == NULL || (to = strstr(b, " [0] to ")) == NULL)
				continue;
			def = to + 8;
			if ((sym = strstr(def, " [0]: ")) == NULL)
				continue;  /* another namespace: the audit's */
			*sym = '\0';
			sym += 6;
			run->bindings++;
			ver = strrchr(sym, '[');
			if (ver == NULL || strncmp(ver + 1, "GLIBC_", 6) != 0 || strncmp(ver + 1, "GLIBC_PRIVATE", 13) == 0)
				continue;
			run->glibc_bindings++;
			/* The program's own definitions are fine: copy relocations
			 * (stdout, environ) move libc's variables into it. */
			if (uses_runtime && strcmp(place_of(pl, def), "runtime") != 0 && !ak_strvec_contains(&pl->main, def)) {
				run->glibc_outside++;
				if (run->glibc_outside <= 3) {
					char *q = strchr(sym, '`'), *q2 = q ? strchr(q + 1, '\'') : NULL;

					if (q && q2)
						*q2 = '\0';
					problem(&run->problems, "a glibc symbol bound outside the runtime: %s in %s",
						q ? q + 1 : sym, def);
				}
			}
		}
		free(text);
		free(path);
	}
	closedir(d);
}

static int run_once(const struct ak_verify_opts *o, const struct ak_sandbox *binds, const struct places *pl,
		    bool uses_runtime, const char *target_inside, bool restricted, const char **method,
		    struct ak_verify_run *run, struct ak_err *err)
{
	char outdir[] = "/tmp/abikit-verify-XXXXXX";
	struct ak_sandbox s = { 0 };
	struct ak_sandbox_result sr;
	struct ak_strvec argv = { 0 };
	char *outp = NULL, *errp = NULL, *audit_file = NULL, *text;
	int rc = -1;

	if (mkdtemp(outdir) == NULL)
		return ak_errno(err, errno, "%s", outdir);
	s.root = o->root;
	/* The root's top level, with room made for every bind below it. */
	{
		DIR *d = opendir(o->root);
		struct dirent *e;

		if (d == NULL) {
			ak_errno(err, errno, "%s", o->root);
			goto out;
		}
		while ((e = readdir(d)) != NULL) {
			char *p, *at;
			struct stat st;

			if (e->d_name[0] == '.' || strcmp(e->d_name, "proc") == 0 || strcmp(e->d_name, "dev") == 0 ||
			    strcmp(e->d_name, "tmp") == 0)
				continue;
			p = ak_path_join(o->root, e->d_name);
			at = ak_path_join("/", e->d_name);
			if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode) && !S_ISLNK(st.st_mode))
				mount_tree(&s, p, at, binds);
			free(p);
			free(at);
		}
		closedir(d);
	}
	for (size_t i = 0; i < binds->nbinds; i++)
		ak_sandbox_bind(&s, binds->binds[i].host, binds->binds[i].inside, binds->binds[i].writable);
	ak_sandbox_bind(&s, outdir, IN_OUT_DIR, true);
	{
		char *adir = ak_xstrdup(o->audit_so);

		ak_sandbox_bind(&s, dirname(adir), IN_AUDIT_DIR, false);
		free(adir);
	}
	ak_strvec_push(&s.env, "PATH=/usr/local/bin:/usr/bin:/bin");
	ak_strvec_push(&s.env, "HOME=/tmp");
	ak_strvec_push(&s.env, "LD_BIND_NOW=1");
	{
		char buf[PATH_MAX];

		snprintf(buf, sizeof buf, "LD_AUDIT=%s/%s", IN_AUDIT_DIR, strrchr(o->audit_so, '/') + 1);
		ak_strvec_push(&s.env, buf);
	}
	ak_strvec_push(&s.env, "ABIKIT_AUDIT_OUT=" IN_OUT_DIR "/audit");
	ak_strvec_push(&s.env, "LD_DEBUG=bindings");
	ak_strvec_push(&s.env, "LD_DEBUG_OUTPUT=" IN_OUT_DIR "/bindings");
	s.no_proc = restricted;
	s.read_only = restricted;
	s.timeout = o->timeout;
	outp = ak_path_join(outdir, "stdout");
	errp = ak_path_join(outdir, "stderr");
	s.stdout_path = outp;
	s.stderr_path = errp;
	/* Without /proc the audit cannot read ABIKIT_AUDIT_OUT: it writes to
	 * fd 1023, which is this same file. */
	audit_file = ak_path_join(outdir, "audit");
	s.audit_fd_path = audit_file;
	/* The sandbox's sinks live in outdir too, outside the program's view:
	 * it writes them through its fds only. */
	ak_strvec_push(&argv, target_inside);
	if (o->args)
		for (const char *const *a = o->args; *a; a++)
			ak_strvec_push(&argv, *a);
	else
		ak_strvec_push(&argv, "--version");
	ak_grow((void **)&argv.v, &argv.cap, argv.n + 1, sizeof *argv.v);
	argv.v[argv.n] = NULL;
	if (ak_sandbox_run(&s, (const char *const *)argv.v, &sr, err) < 0)
		goto out;
	*method = sr.method;
	run->ran = true;
	run->status = sr.status;
	run->timed_out = sr.timed_out;
	run->seconds = sr.seconds;
	run->output = read_text(outp, 4096);
	text = read_text(errp, 1u << 20);
	/* bwrap's own complaint (no user namespaces, a bind it cannot make)
	 * means the sandbox never ran the target: an error, not a verdict. */
	if (text && strncmp(text, "bwrap: ", 7) == 0 && strstr(text, "execvp") == NULL) {
		text[strcspn(text, "\n")] = '\0';
		ak_errf(err, "the sandbox could not be set up: %s%s", text,
			geteuid() ? " (unprivileged user namespaces may be disabled: run as root, or enable them)" : "");
		free(text);
		goto out;
	}
	run->loader_error = text ? loader_error(text) : NULL;
	if (text && strstr(text, "cannot be loaded as audit interface"))
		problem(&run->problems, "the audit library could not be loaded into the program");
	free(text);
	read_audit(audit_file, pl, uses_runtime, run);
	read_bindings(outdir, pl, uses_runtime, run);
	rc = 0;
out:
	{
		struct ak_err e2;

		ak_rm_rf(outdir, &e2);
	}
	ak_sandbox_free(&s);
	ak_strvec_free(&argv);
	free(audit_file);
	free(outp);
	free(errp);
	return rc;
}

/* A bundle's launcher (a static bin/NAME beside abikit-launch.conf) runs
 * DIR/libexec/NAME: that is the file to judge. */
static char *judged_file(const char *target, char **bundle_dir)
{
	char *copy = ak_xstrdup(target), *bindir = dirname(copy), *dcopy = ak_xstrdup(bindir);
	char *dir = dirname(dcopy), *conf = ak_path_join(dir, AK_LAUNCH_CONF), *out = NULL;

	*bundle_dir = NULL;
	if (ak_exists(conf) && strcmp(strrchr(bindir, '/') ? strrchr(bindir, '/') + 1 : bindir, "bin") == 0) {
		char *tcopy = ak_xstrdup(target), *libexec = ak_path_join(dir, "libexec");

		out = ak_path_join(libexec, basename(tcopy));
		*bundle_dir = ak_xstrdup(dir);
		free(libexec);
		free(tcopy);
	}
	free(conf);
	free(dcopy);
	free(copy);
	return out ? out : ak_xstrdup(target);
}

static void bind_same(struct ak_sandbox *b, struct ak_rootfs *rfs, const char *host, bool writable)
{
	for (size_t i = 0; i < b->nbinds; i++)
		if (under(host, b->binds[i].inside))
			return;
	ak_sandbox_bind(b, host, host, writable);
	ak_rootfs_mount(rfs, host, host);
}

int ak_verify(const struct ak_verify_opts *o, struct ak_verify_result *r, struct ak_err *err)
{
	char real[PATH_MAX], rootreal[PATH_MAX];
	struct ak_sandbox binds = { 0 };
	struct places pl = { 0 };
	struct ak_world w;
	struct ak_elf m;
	bool have_world = false, have_elf = false;
	char *judged = NULL, *bundle = NULL, *inside = NULL;
	int rc = -1;

	memset(r, 0, sizeof *r);
	r->target = ak_xstrdup(o->target);
	if (realpath(o->target, real) == NULL)
		return ak_errno(err, errno, "%s", o->target);
	if (realpath(o->root, rootreal) == NULL)
		return ak_errno(err, errno, "%s", o->root);
	if (o->audit_so == NULL || !ak_exists(o->audit_so))
		return ak_errf(err, "abikit-audit.so not found (set ABIKIT_AUDIT)");
	if (ak_world_root(&w, rootreal, err) < 0)
		return -1;
	have_world = true;

	/* What is bound in: the target's own directory (the whole bundle for a
	 * bundle), the runtime, and whatever its PT_INTERP and DT_RPATH name
	 * outside the root; all at the same paths as on this machine. */
	judged = judged_file(real, &bundle);
	if (strcmp(rootreal, "/") != 0 && under(real, rootreal)) {
		inside = ak_xstrdup(real + strlen(rootreal));
	} else {
		inside = ak_xstrdup(real);
		if (bundle) {
			bind_same(&binds, &w.root, bundle, false);
			ak_strvec_push(&pl.app, bundle);
			{
				char *rtd = ak_path_join(bundle, "runtime");

				ak_strvec_push(&pl.runtime, rtd);
				free(rtd);
			}
		} else {
			/* PREFIX/bin/NAME: the application is PREFIX (its lib/, share/). */
			char *copy = ak_xstrdup(real), *dir = dirname(copy), *c2 = ak_xstrdup(dir);
			const char *base = strrchr(dir, '/') ? strrchr(dir, '/') + 1 : dir;
			char *app = strcmp(base, "bin") == 0 && strcmp(dirname(c2), "/") != 0 ? c2 : dir;

			bind_same(&binds, &w.root, app, false);
			ak_strvec_push(&pl.app, app);
			free(c2);
			free(copy);
		}
	}
	if (o->rt) {
		bind_same(&binds, &w.root, o->rt->prefix, false);
		ak_strvec_push(&pl.runtime, o->rt->prefix);
	}
	for (size_t i = 0; i < o->nbinds; i++) {
		char *spec = ak_xstrdup(o->binds[i]), *colon = strchr(spec, ':');

		if (colon)
			*colon = '\0';
		ak_sandbox_bind(&binds, spec, colon ? colon + 1 : spec, false);
		ak_rootfs_mount(&w.root, colon ? colon + 1 : spec, spec);
		ak_strvec_push(&pl.app, colon ? colon + 1 : spec);
		free(spec);
	}
	{
		int e = ak_elf_open(&m, judged, AK_READ_UNDEF, err);

		if (e != 0) {
			if (e == AK_NOT_ELF)
				ak_errf(err, "%s: not an ELF file", o->target);
			goto out;
		}
		have_elf = true;
	}
	/* Search path entries outside the root ($ORIGIN/../lib of an app,
	 * absolute directories of this machine) are bound as well. */
	{
		char *copy = ak_xstrdup(judged), *origin = dirname(copy);
		struct ak_strvec dirs = { 0 };

		ak_search_path_expand(m.rpath, origin, m.machine, true, &dirs);
		ak_search_path_expand(m.runpath, origin, m.machine, true, &dirs);
		for (size_t i = 0; i < dirs.n; i++) {
			char *dir, *in_root;

			if (dirs.v[i][0] != '/')
				continue;
			dir = lexical(dirs.v[i]);
			in_root = ak_rootfs_host_path(&w.root, dir);
			if (!ak_exists(in_root) && ak_is_dir(dir)) {
				bind_same(&binds, &w.root, dir, false);
				if (!ak_strvec_contains(&pl.app, dir) && strcmp(place_of(&pl, dir), "runtime") != 0)
					ak_strvec_push(&pl.app, dir);
			}
			free(in_root);
			free(dir);
		}
		ak_strvec_free(&dirs);
		free(copy);
	}
	/* A private loader outside the root: its runtime is bound too. */
	{
		char *in_root = m.interp ? ak_rootfs_host_path(&w.root, m.interp) : NULL;

		if (in_root && !ak_exists(in_root) && ak_exists(m.interp)) {
			char *c1 = ak_xstrdup(m.interp), *lib = dirname(c1), *c2 = ak_xstrdup(lib), *prefix = dirname(c2);

			bind_same(&binds, &w.root, prefix, false);
			if (!ak_strvec_contains(&pl.runtime, prefix))
				ak_strvec_push(&pl.runtime, prefix);
			free(c2);
			free(c1);
		}
		free(in_root);
	}
	ak_strvec_push(&pl.main, inside);
	ak_strvec_push(&pl.main, judged);
	r->uses_runtime = pl.runtime.n > 0 && m.interp != NULL &&
			  strcmp(place_of(&pl, m.interp), "runtime") == 0;
	/* the static prediction */
	{
		struct ak_check_result cr;

		ak_check(&w, &m, &cr);
		r->static_verdict = cr.verdict == AK_VERDICT_OK ? "ok" : cr.verdict == AK_VERDICT_FAIL ? "fail" : "not-judged";
		for (size_t i = 0; i < cr.nproblems; i++)
			if (cr.problems[i].fatal)
				ak_strvec_push(&r->static_problems, cr.problems[i].message);
		ak_check_result_free(&cr);
	}
	/* the dynamic result */
	if (run_once(o, &binds, &pl, r->uses_runtime, inside, false, &r->method, &r->run, err) < 0)
		goto out;
	if (o->restricted &&
	    run_once(o, &binds, &pl, r->uses_runtime, inside, true, &r->method, &r->restricted, err) < 0)
		goto out;

	/* the verdict */
	{
		struct ak_verify_run *run = &r->run;
		bool static_ok = strcmp(r->static_verdict, "ok") == 0;

		if (run->timed_out)
			problem(&r->reasons, "timed out after %d s", o->timeout);
		if (!run->started)
			problem(&r->reasons, "did not start: %s", run->loader_error ? run->loader_error : "no start-up seen by the audit");
		else if (run->status != o->expect_status)
			problem(&r->reasons, "exit status %d, wanted %d", run->status, o->expect_status);
		for (size_t i = 0; i < run->problems.n; i++)
			ak_strvec_push(&r->reasons, run->problems.v[i]);
		if (o->expect && run->started) {
			regex_t re;

			if (regcomp(&re, o->expect, REG_EXTENDED | REG_NOSUB | REG_NEWLINE) == 0) {
				if (regexec(&re, run->output ? run->output : "", 0, NULL, 0) != 0)
					problem(&r->reasons, "output does not match %s", o->expect);
				regfree(&re);
			} else {
				problem(&r->reasons, "bad --expect pattern %s", o->expect);
			}
		}
		if (strcmp(r->static_verdict, "not-judged") != 0 && static_ok != run->started && !run->timed_out) {
			r->disagreement = true;
			problem(&r->reasons, "abikit disagrees with itself: check predicted %s, the run %s",
				static_ok ? "it would load" : "it would not load",
				run->started ? "started" : "did not start");
		}
		if (o->restricted && r->restricted.ran && r->restricted.started != run->started)
			problem(&r->reasons, "with no /proc and a read-only file system it %s%s%s",
				r->restricted.started ? "starts (and not without)" : "does not start",
				r->restricted.loader_error ? ": " : "",
				r->restricted.loader_error ? r->restricted.loader_error : "");
		if (o->restricted && r->restricted.ran && r->restricted.status != run->status && run->started)
			problem(&r->reasons, "with no /proc and a read-only file system the exit status is %d, not %d", r->restricted.status, run->status);
		r->passed = r->reasons.n == 0;
	}
	rc = 0;
out:
	if (have_elf)
		ak_elf_close(&m);
	if (have_world)
		ak_world_free(&w);
	ak_sandbox_free(&binds);
	ak_strvec_free(&pl.runtime);
	ak_strvec_free(&pl.app);
	ak_strvec_free(&pl.main);
	free(judged);
	free(bundle);
	free(inside);
	return rc;
}

static void run_free(struct ak_verify_run *run)
{
	ak_strvec_free(&run->problems);
	free(run->loader_error);
	free(run->output);
}

void ak_verify_result_free(struct ak_verify_result *r)
{
	free(r->target);
	ak_strvec_free(&r->static_problems);
	run_free(&r->run);
	run_free(&r->restricted);
	ak_strvec_free(&r->reasons);
	memset(r, 0, sizeof *r);
}
