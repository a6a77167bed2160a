/* abikit rollback: which installed files still load after a glibc downgrade. */
#include <config.h>

#include <getopt.h>
#include <gnu/libc-version.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "builtin.h"
#include "shim.h"
#include "fsutil.h"
#include "json.h"
#include "layout.h"
#include "rollback.h"
#include "runtime.h"
#include "spawn.h"
#include "verify.h"

#ifndef ABIKIT_PKGDATADIR
#define ABIKIT_PKGDATADIR "/usr/local/share/abikit"
#endif

void usage_rollback(FILE *out)
{
	fputs("usage: abikit rollback check  --to (V | DIR | LIBC6.deb | RUNTIME) [--json] [--brief]\n"
	      "                              [--verbose] TREE...\n"
	      "       abikit rollback verify --to (DIR | LIBC6.deb | RUNTIME) [--sample N] [--jobs N]\n"
	      "                              [--timeout S] [--deny NAME]... [--json] [--verbose] TREE...\n"
	      "       abikit rollback plan   --to ... [--stubs FILE] [--runtime R] [--apply] [--json] TREE...\n"
	      "\n"
	      "Before (and after) rolling glibc back (a distro downgrade, pinning an older\n"
	      "libc6, an older base image): which installed ELF files under the TREEs would\n"
	      "stop loading, why, and by package (from dpkg's database).\n"
	      "\n"
	      "The older glibc (--to):\n"
	      "  V            a release (2.17 ... 2.43) of the built-in ABI database; static\n"
	      "               only, and libraries that are not glibc's are not judged\n"
	      "  LIBC6.deb    a libc6 package, unpacked into a temporary directory\n"
	      "  DIR          a distro root (its glibc files), a directory holding libc.so.6,\n"
	      "               or a runtime's prefix\n"
	      "  RUNTIME      a runtime's name (abikit runtime list)\n"
	      "With real files, glibc's own files (libc.so.6, ld.so, libm, libpthread, NSS\n"
	      "modules, gconv/ ...) are laid over this system's at the paths its loader uses,\n"
	      "and every file is judged the way 'abikit check --root /' would judge it there,\n"
	      "its libraries included. Files of the libc6 package itself are counted as\n"
	      "replaced, not judged.\n"
	      "\n"
	      "check   static: every ELF file, grouped by package, with the version nodes,\n"
	      "        libraries and symbols it would miss (\"coreutils: 98 files need\n"
	      "        GLIBC_2.34\"); as fast as 'abikit scan'.\n"
	      "verify  dynamic: the same files run in a sandbox (bubblewrap) that is this\n"
	      "        system, read-only, with the older glibc bound over its own: programs\n"
	      "        with --version, LD_BIND_NOW=1 and the rtld-audit library (a program\n"
	      "        starts when the loader reaches main, whatever it then does),\n"
	      "        libraries dlopen()ed with RTLD_NOW by a small probe built to run on any\n"
	      "        glibc. stdin is /dev/null, /tmp is fresh, a PID namespace, a time\n"
	      "        limit. Each result is compared with the static prediction: a file\n"
	      "        that does not load on this system either (a plugin that needs its\n"
	      "        program's symbols) is an exception, any other difference a mismatch,\n"
	      "        which is a bug of abikit's. A few programs are never run (the\n"
	      "        denylist: reboot, halt, poweroff, shutdown, init, telinit, runlevel\n"
	      "        talk to the init system over /run, which the sandbox still shows).\n"
	      "plan    per broken file: shim (every missing symbol@version has a stub in\n"
	      "        compat/symbols.txt), bundle (a program, with a runtime of the current\n"
	      "        glibc), or accept (a library: bundle the programs that load it).\n"
	      "        --apply carries it out with the layout 'rollback' and verifies it.\n"
	      "\n"
	      "Options:\n"
	      "  -t, --to SPEC      the older glibc (required)\n"
	      "  -j, --json         machine-readable output\n"
	      "  -b, --brief        check, verify: package lines only\n"
	      "  -v, --verbose      also every loader message, and (verify) every file\n"
	      "  -n, --sample N     verify: run N files spread evenly over the candidates\n"
	      "  -J, --jobs N       verify: runs at a time (default: the number of processors)\n"
	      "  -T, --timeout S    verify: time limit of one run (default 2)\n"
	      "  -d, --deny NAME    verify: never run a file of this name (repeatable)\n"
	      "  -s, --stubs FILE   plan: the stub list (default compat/symbols.txt of the\n"
	      "                     source tree, else the installed one)\n"
	      "  -r, --runtime R    plan --apply: the runtime of the current glibc to bundle\n"
	      "                     with (default: harvested from this system into the layout)\n"
	      "  -a, --apply        plan: carry the plan out, then verify the bundles\n"
	      "  -h, --help         this help\n"
	      "\n"
	      "Progress (files done / total, elapsed, ETA) goes to stderr when it is a terminal.\n"
	      "\n"
	      "Exit status: 0 nothing breaks, 1 something would break (verify: or a\n"
	      "mismatch), 2 an error (bad input, no sandbox).\n"
	      "\n"
	      "Examples:\n"
	      "  abikit rollback check --to 2.31 /usr/bin\n"
	      "  abikit rollback check --to libc6_2.31-13+deb11u11_amd64.deb /usr /opt/app\n"
	      "  abikit rollback verify --to libc6_2.31-13+deb11u11_amd64.deb --sample 200 /usr/bin\n"
	      "  abikit rollback plan --to libc6_2.31-13+deb11u11_amd64.deb /opt/app\n", out);
}

struct opts {
	const char *to, *stubs, *runtime;
	bool json, brief, verbose, apply;
	struct ak_rb_verify_opts vo;
};

static const char *pkg_name(const struct ak_rb_file *f)
{
	return f->package ? f->package : "(no package)";
}

static int cmp_pkg_path(const void *a, const void *b)
{
	const struct ak_rb_file *x = *(struct ak_rb_file *const *)a, *y = *(struct ak_rb_file *const *)b;
	int c;

	/* Files of no package last. */
	if ((x->package == NULL) != (y->package == NULL))
		return x->package == NULL ? 1 : -1;
	c = strcmp(pkg_name(x), pkg_name(y));
	return c ? c : strcmp(x->path, y->path);
}

/* Counts of each need in a group of files, most frequent first. */
struct tally {
	struct ak_strvec keys;
	size_t *counts;
	size_t cap;
};

static void tally_add(struct tally *t, const char *key)
{
	for (size_t i = 0; i < t->keys.n; i++)
		if (strcmp(t->keys.v[i], key) == 0) {
			t->counts[i]++;
			return;
		}
	ak_strvec_push(&t->keys, key);
	ak_grow((void **)&t->counts, &t->cap, t->keys.n, sizeof *t->counts);
	t->counts[t->keys.n - 1] = 1;
}

static void tally_sort(struct tally *t)
{
	for (size_t i = 1; i < t->keys.n; i++)
		for (size_t j = i; j > 0 && (t->counts[j] > t->counts[j - 1] ||
					     (t->counts[j] == t->counts[j - 1] && strcmp(t->keys.v[j], t->keys.v[j - 1]) < 0));
		     j--) {
			size_t c = t->counts[j];
			char *k = t->keys.v[j];

			t->counts[j] = t->counts[j - 1];
			t->keys.v[j] = t->keys.v[j - 1];
			t->counts[j - 1] = c;
			t->keys.v[j - 1] = k;
		}
}

static void tally_free(struct tally *t)
{
	ak_strvec_free(&t->keys);
	free(t->counts);
	memset(t, 0, sizeof *t);
}

static void print_tally(const struct tally *t, size_t max)
{
	for (size_t i = 0; i < t->keys.n && i < max; i++)
		printf("%s%s (%zu)", i ? ", " : "", t->keys.v[i], t->counts[i]);
	if (t->keys.n > max)
		printf(", ... %zu more", t->keys.n - max);
}

/* The broken files (those `broken` says), grouped by package. */
typedef bool (*pick_fn)(size_t i, void *ctx);

static size_t group_by_package(const struct ak_rb_check *c, pick_fn broken, void *ctx, const char *verb,
			       bool brief, bool verbose, const char *(*line)(size_t i, void *ctx))
{
	struct ak_rb_file **v = ak_xcalloc(c->nfiles + 1, sizeof *v);
	size_t n = 0, npkg = 0;

	for (size_t i = 0; i < c->nfiles; i++)
		if (broken(i, ctx))
			v[n++] = &c->files[i];
	qsort(v, n, sizeof *v, cmp_pkg_path);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		struct tally t = { 0 };

		while (j < n && strcmp(pkg_name(v[j]), pkg_name(v[i])) == 0) {
			for (size_t k = 0; k < v[j]->needs.n; k++)
				tally_add(&t, v[j]->needs.v[k]);
			j++;
		}
		tally_sort(&t);
		printf("%s: %zu file%s %s", pkg_name(v[i]), j - i, j - i == 1 ? "" : "s", verb);
		if (t.keys.n) {
			printf(" ");
			print_tally(&t, 4);
		}
		printf("\n");
		tally_free(&t);
		for (size_t k = i; k < j && !brief; k++) {
			const struct ak_rb_file *f = v[k];
			size_t idx = (size_t)(f - c->files);

			printf("  %s", f->path);
			if (line && line(idx, ctx))
				printf(": %s", line(idx, ctx));
			else
				for (size_t q = 0; q < f->needs.n; q++)
					printf("%s%s", q ? ", " : ": ", f->needs.v[q]);
			printf("\n");
			for (size_t q = 0; verbose && q < f->why.n; q++)
				printf("      %s\n", f->why.v[q]);
		}
		npkg++;
		i = j;
	}
	free(v);
	return npkg;
}

static bool static_broken(size_t i, void *ctx)
{
	const struct ak_rb_check *c = ctx;

	return c->files[i].fate == AK_RB_BREAKS;
}

static void json_target(struct ak_json *j, const struct ak_rb_target *t, const char *spec)
{
	ak_json_key(j, "to");
	ak_json_obj_begin(j);
	ak_json_kstr(j, "spec", spec);
	ak_json_kstr(j, "label", t->label);
	ak_json_kstr(j, "glibc", t->glibc);
	ak_json_kstr(j, "mode", t->release ? "database" : "files");
	ak_json_key(j, "overlay");
	ak_json_arr_begin(j);
	for (size_t i = 0; i < t->nov; i++) {
		ak_json_obj_begin(j);
		ak_json_kstr(j, "path", t->ov[i].inside);
		ak_json_kstr(j, "from", t->ov[i].host);
		ak_json_obj_end(j);
	}
	ak_json_arr_end(j);
	ak_json_key(j, "absent_on_system");
	ak_json_arr_begin(j);
	for (size_t i = 0; i < t->absent.n; i++)
		ak_json_str(j, t->absent.v[i]);
	ak_json_arr_end(j);
	ak_json_obj_end(j);
}

static const char *fate_name(enum ak_rb_fate f)
{
	switch (f) {
	case AK_RB_LOADS: return "loads";
	case AK_RB_BREAKS: return "breaks";
	case AK_RB_NOT_JUDGED: return "not-judged";
	case AK_RB_REPLACED: return "replaced";
	}
	return "?";
}

static const char *outcome_name(enum ak_rb_outcome o)
{
	switch (o) {
	case AK_RB_RUN_SKIPPED: return NULL;
	case AK_RB_RUN_LOADS: return "loads";
	case AK_RB_RUN_BREAKS: return "breaks";
	case AK_RB_RUN_UNKNOWN: return "unknown";
	}
	return NULL;
}

static void json_strvec(struct ak_json *j, const char *key, const struct ak_strvec *v)
{
	ak_json_key(j, key);
	ak_json_arr_begin(j);
	for (size_t i = 0; i < v->n; i++)
		ak_json_str(j, v->v[i]);
	ak_json_arr_end(j);
}

static void json_file_static(struct ak_json *j, const struct ak_rb_file *f)
{
	ak_json_kstr(j, "path", f->path);
	ak_json_kstr(j, "package", f->package);
	ak_json_kstr(j, "kind", f->executable ? "program" : "library");
	ak_json_kstr(j, "predicted", fate_name(f->fate));
	ak_json_kstr(j, "why_not_judged", f->why_not_judged);
	json_strvec(j, "needs", &f->needs);
	json_strvec(j, "problems", &f->why);
	json_strvec(j, "missing_symbols", &f->missing);
}

static void json_packages(struct ak_json *j, const struct ak_rb_check *c, pick_fn broken, void *ctx)
{
	struct ak_rb_file **v = ak_xcalloc(c->nfiles + 1, sizeof *v);
	size_t n = 0;

	for (size_t i = 0; i < c->nfiles; i++)
		if (broken(i, ctx))
			v[n++] = &c->files[i];
	qsort(v, n, sizeof *v, cmp_pkg_path);
	ak_json_key(j, "packages");
	ak_json_arr_begin(j);
	for (size_t i = 0; i < n;) {
		size_t k = i;
		struct tally t = { 0 };

		while (k < n && strcmp(pkg_name(v[k]), pkg_name(v[i])) == 0) {
			for (size_t q = 0; q < v[k]->needs.n; q++)
				tally_add(&t, v[k]->needs.v[q]);
			k++;
		}
		tally_sort(&t);
		ak_json_obj_begin(j);
		ak_json_kstr(j, "package", v[i]->package);
		ak_json_kint(j, "broken", (long long)(k - i));
		ak_json_key(j, "needs");
		ak_json_obj_begin(j);
		for (size_t q = 0; q < t.keys.n; q++)
			ak_json_kint(j, t.keys.v[q], (long long)t.counts[q]);
		ak_json_obj_end(j);
		ak_json_key(j, "files");
		ak_json_arr_begin(j);
		for (size_t q = i; q < k; q++)
			ak_json_str(j, v[q]->path);
		ak_json_arr_end(j);
		ak_json_obj_end(j);
		tally_free(&t);
		i = k;
	}
	ak_json_arr_end(j);
	free(v);
}

/* The target, the world and the static check, shared by the subcommands. */
struct session {
	struct ak_rb_target t;
	struct ak_world w;
	struct ak_pkgmap pm;
	struct ak_rb_check c;
	double check_seconds;
};

static int session_open(struct session *s, const struct opts *o, char *const *trees, size_t ntrees)
{
	struct ak_err err;
	struct timespec a, b;

	memset(s, 0, sizeof *s);
	if (ak_rb_target_open(&s->t, o->to, &err) < 0) {
		ak_report(&err);
		ak_rb_target_free(&s->t);
		return -1;
	}
	if (ak_rb_world(&s->t, &s->w, &err) < 0) {
		ak_report(&err);
		ak_rb_target_free(&s->t);
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	ak_pkgmap_load(&s->pm, "/var/lib/dpkg");
	ak_rb_check_trees(&s->t, &s->w, &s->pm, trees, ntrees, &s->c);
	clock_gettime(CLOCK_MONOTONIC, &b);
	s->check_seconds = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	return 0;
}

static void session_close(struct session *s)
{
	ak_rb_check_free(&s->c);
	ak_world_free(&s->w);
	ak_pkgmap_free(&s->pm);
	ak_rb_target_free(&s->t);
}

static void print_summary_check(const struct session *s)
{
	const struct ak_rb_check *c = &s->c;

	printf("%zu ELF file%s checked against %s in %.1f s: %zu would load, %zu would not", c->nfiles,
	       c->nfiles == 1 ? "" : "s", s->t.label, s->check_seconds, c->loads, c->breaks);
	if (c->not_judged)
		printf(", %zu not judged (static, musl or another machine)", c->not_judged);
	if (c->replaced)
		printf(", %zu replaced (glibc's own files)", c->replaced);
	if (c->errors)
		printf(", %zu unreadable", c->errors);
	printf(".\n");
}

static int do_check(const struct opts *o, char *const *trees, size_t ntrees)
{
	struct session s;

	if (session_open(&s, o, trees, ntrees) < 0)
		return AK_EXIT_ERROR;
	if (o->json) {
		struct ak_json j;

		ak_json_init(&j, stdout);
		ak_json_obj_begin(&j);
		ak_json_kstr(&j, "abikit", "rollback check");
		ak_json_kint(&j, "schema", 1);
		json_target(&j, &s.t, o->to);
		json_packages(&j, &s.c, static_broken, &s.c);
		ak_json_key(&j, "files");
		ak_json_arr_begin(&j);
		for (size_t i = 0; i < s.c.nfiles; i++) {
			ak_json_obj_begin(&j);
			json_file_static(&j, &s.c.files[i]);
			ak_json_obj_end(&j);
		}
		ak_json_arr_end(&j);
		json_strvec(&j, "errors", &s.c.error_lines);
		ak_json_key(&j, "summary");
		ak_json_obj_begin(&j);
		ak_json_kint(&j, "files", (long long)s.c.nfiles);
		ak_json_kint(&j, "loads", (long long)s.c.loads);
		ak_json_kint(&j, "breaks", (long long)s.c.breaks);
		ak_json_kint(&j, "not_judged", (long long)s.c.not_judged);
		ak_json_kint(&j, "replaced", (long long)s.c.replaced);
		ak_json_kint(&j, "errors", (long long)s.c.errors);
		ak_json_kint(&j, "skipped_non_elf", (long long)s.c.nonelf);
		ak_json_kint(&j, "milliseconds", (long long)(s.check_seconds * 1000));
		ak_json_obj_end(&j);
		ak_json_obj_end(&j);
		ak_json_end(&j);
	} else {
		size_t npkg;

		npkg = group_by_package(&s.c, static_broken, &s.c, "would not load: need", o->brief, o->verbose, NULL);
		if (npkg)
			printf("\n");
		if (s.t.absent.n) {
			printf("Not on this system, so not laid over it:");
			for (size_t i = 0; i < s.t.absent.n; i++)
				printf(" %s", s.t.absent.v[i]);
			printf("\n");
		}
		print_summary_check(&s);
	}
	{
		int rc = s.c.errors ? AK_EXIT_ERROR : s.c.breaks ? AK_EXIT_PROBLEM : AK_EXIT_OK;

		session_close(&s);
		if (fflush(stdout) != 0 || ferror(stdout)) {
			ak_warn("rollback: cannot write output");
			return AK_EXIT_ERROR;
		}
		return rc;
	}
}

/* ---- verify ---- */

enum verdict { V_NONE, V_AGREE, V_EXCEPTION, V_MISMATCH };

struct vctx {
	const struct ak_rb_check *c;
	const struct ak_rb_run *runs;
	enum verdict *v;
};

static enum verdict judge(const struct ak_rb_file *f, const struct ak_rb_run *r)
{
	bool predicted = f->fate == AK_RB_LOADS;

	if (r->outcome == AK_RB_RUN_SKIPPED)
		return V_NONE;
	if (r->outcome == AK_RB_RUN_LOADS && predicted)
		return V_AGREE;
	if (r->outcome == AK_RB_RUN_BREAKS && !predicted)
		return V_AGREE;
	/* It does not load on this system either: the rollback is not to
	 * blame, and the check (which judges symbol versions and libraries,
	 * not what a program or constructor does) cannot see it. */
	if (r->on_system != AK_RB_RUN_SKIPPED && r->on_system != AK_RB_RUN_LOADS)
		return V_EXCEPTION;
	return V_MISMATCH;
}

static bool run_broken(size_t i, void *ctx)
{
	const struct vctx *x = ctx;

	return x->runs[i].outcome == AK_RB_RUN_BREAKS && x->v[i] != V_EXCEPTION;
}

static const char *run_line(size_t i, void *ctx)
{
	const struct vctx *x = ctx;
	const char *why = x->runs[i].why, *path = x->c->files[i].path;
	size_t n = strlen(path);

	/* The loader starts its words with the program's name. */
	if (strncmp(why, path, n) == 0 && strncmp(why + n, ": ", 2) == 0)
		why += n + 2;
	return why[0] ? why : NULL;
}

static int do_verify(struct opts *o, char *const *trees, size_t ntrees)
{
	struct session s;
	struct ak_rb_run *runs;
	enum verdict *v;
	struct ak_err err;
	size_t ran = 0, agree = 0, exc = 0, mism = 0, pred_broken = 0, act_broken = 0, skipped = 0;
	struct timespec a, b;
	double secs;
	int rc;

	if (session_open(&s, o, trees, ntrees) < 0)
		return AK_EXIT_ERROR;
	o->vo.t = &s.t;
	runs = ak_xcalloc(s.c.nfiles + 1, sizeof *runs);
	v = ak_xcalloc(s.c.nfiles + 1, sizeof *v);
	clock_gettime(CLOCK_MONOTONIC, &a);
	if (ak_rb_verify(&o->vo, &s.c, runs, &err) < 0) {
		ak_report(&err);
		free(runs);
		free(v);
		session_close(&s);
		return AK_EXIT_ERROR;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	for (size_t i = 0; i < s.c.nfiles; i++) {
		v[i] = judge(&s.c.files[i], &runs[i]);
		if (v[i] == V_NONE) {
			skipped++;
			continue;
		}
		ran++;
		if (s.c.files[i].fate == AK_RB_BREAKS)
			pred_broken++;
		if (v[i] == V_AGREE)
			agree++;
		else if (v[i] == V_EXCEPTION)
			exc++;
		else
			mism++;
		if (runs[i].outcome == AK_RB_RUN_BREAKS && v[i] != V_EXCEPTION)
			act_broken++;
	}
	if (o->json) {
		struct ak_json j;
		struct vctx x = { &s.c, runs, v };

		ak_json_init(&j, stdout);
		ak_json_obj_begin(&j);
		ak_json_kstr(&j, "abikit", "rollback verify");
		ak_json_kint(&j, "schema", 1);
		json_target(&j, &s.t, o->to);
		json_packages(&j, &s.c, run_broken, &x);
		ak_json_key(&j, "files");
		ak_json_arr_begin(&j);
		for (size_t i = 0; i < s.c.nfiles; i++) {
			static const char *const vn[] = { NULL, "agree", "exception", "mismatch" };

			ak_json_obj_begin(&j);
			json_file_static(&j, &s.c.files[i]);
			ak_json_kstr(&j, "outcome", outcome_name(runs[i].outcome));
			ak_json_kstr(&j, "on_system", outcome_name(runs[i].on_system));
			ak_json_kstr(&j, "run_problem", runs[i].why[0] ? runs[i].why : NULL);
			ak_json_kstr(&j, "skipped", runs[i].skip[0] ? runs[i].skip : NULL);
			ak_json_kstr(&j, "verdict", vn[v[i]]);
			ak_json_obj_end(&j);
		}
		ak_json_arr_end(&j);
		ak_json_key(&j, "summary");
		ak_json_obj_begin(&j);
		ak_json_kint(&j, "files", (long long)s.c.nfiles);
		ak_json_kint(&j, "run", (long long)ran);
		ak_json_kint(&j, "skipped", (long long)skipped);
		ak_json_kint(&j, "predicted_broken", (long long)pred_broken);
		ak_json_kint(&j, "actually_broken", (long long)act_broken);
		ak_json_kint(&j, "agree", (long long)agree);
		ak_json_kint(&j, "exceptions", (long long)exc);
		ak_json_kint(&j, "mismatches", (long long)mism);
		/* in hundredths of a percent: JSON numbers here are integers */
		ak_json_kint(&j, "agreement_basis_points", ran - exc ? (long long)(agree * 10000 / (ran - exc)) : 10000);
		ak_json_kint(&j, "jobs", o->vo.jobs);
		ak_json_kint(&j, "milliseconds", (long long)(secs * 1000));
		ak_json_obj_end(&j);
		ak_json_obj_end(&j);
		ak_json_end(&j);
	} else {
		struct vctx x = { &s.c, runs, v };
		size_t npkg = group_by_package(&s.c, run_broken, &x, "failed to load:", o->brief, o->verbose, run_line);

		if (npkg)
			printf("\n");
		if (mism) {
			printf("Mismatches (the static prediction is not what happened; a bug of abikit's):\n");
			for (size_t i = 0; i < s.c.nfiles; i++)
				if (v[i] == V_MISMATCH)
					printf("  %s: predicted %s, %s%s%s\n", s.c.files[i].path,
					       s.c.files[i].fate == AK_RB_LOADS ? "to load" : "not to load",
					       runs[i].outcome == AK_RB_RUN_LOADS ? "it loaded" :
					       runs[i].outcome == AK_RB_RUN_BREAKS ? "it did not" : "the run said nothing",
					       runs[i].why[0] ? ": " : "", runs[i].why);
			printf("\n");
		}
		if (exc) {
			printf("Exceptions (they do not load on this system either; not the rollback's doing):\n");
			for (size_t i = 0; i < s.c.nfiles; i++)
				if (v[i] == V_EXCEPTION)
					printf("  %s: %s\n", s.c.files[i].path, runs[i].why);
			printf("\n");
		}
		if (o->verbose) {
			printf("Every file:\n");
			for (size_t i = 0; i < s.c.nfiles; i++)
				printf("  %-9s %-10s %s%s%s\n", v[i] == V_AGREE ? "match" : v[i] == V_EXCEPTION ? "exception" :
					v[i] == V_MISMATCH ? "MISMATCH" : "skipped",
					runs[i].outcome == AK_RB_RUN_SKIPPED ? fate_name(s.c.files[i].fate) : outcome_name(runs[i].outcome),
					s.c.files[i].path, runs[i].skip[0] ? ": " : "", runs[i].skip);
			printf("\n");
		}
		printf("%zu file%s run with %s (of %zu ELF files; %zu not run: replaced, not judged, denied%s) in %.1f s with %d job%s:\n",
		       ran, ran == 1 ? "" : "s", s.t.label, s.c.nfiles, skipped, o->vo.sample ? ", not sampled" : "", secs,
		       o->vo.jobs, o->vo.jobs == 1 ? "" : "s");
		printf("predicted broken %zu, actually broken %zu; agreement %.1f%% (%zu of %zu), %zu mismatch%s, %zu exception%s.\n",
		       pred_broken, act_broken, ran - exc ? 100.0 * (double)agree / (double)(ran - exc) : 100.0, agree,
		       ran - exc, mism, mism == 1 ? "" : "es", exc, exc == 1 ? "" : "s");
	}
	rc = s.c.errors ? AK_EXIT_ERROR : (act_broken || mism) ? AK_EXIT_PROBLEM : AK_EXIT_OK;
	free(runs);
	free(v);
	session_close(&s);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		ak_warn("rollback: cannot write output");
		return AK_EXIT_ERROR;
	}
	return rc;
}

/* ---- plan ---- */

enum action { A_SHIM, A_BUNDLE, A_ACCEPT };

static char *default_stubs(void)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);

	/* A build in the source tree: compat/ beside the binary. */
	if (n > 0) {
		char *slash, *p;

		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash)
			*slash = '\0';
		p = ak_path_join(self, "compat/symbols.txt");
		if (ak_exists(p))
			return p;
		free(p);
	}
	return ak_xstrdup(ABIKIT_PKGDATADIR "/compat/symbols.txt");
}

static enum action decide(const struct ak_rb_file *f, const struct ak_strvec *stubs, bool have_stubs,
			  struct ak_sbuf *why)
{
	size_t nostub = 0;

	for (size_t i = 0; i < f->missing.n; i++)
		if (!ak_strvec_contains(stubs, f->missing.v[i]))
			nostub++;
	if (have_stubs && f->only_own_symbols && f->missing.n && nostub == 0) {
		ak_sbuf_addf(why, "shim: a stub for each of its %zu missing symbol%s", f->missing.n,
			     f->missing.n == 1 ? "" : "s");
		return A_SHIM;
	}
	if (!f->only_own_symbols)
		ak_sbuf_add(why, "no stub: a library it loads breaks too, or one is missing");
	else if (!have_stubs)
		ak_sbuf_add(why, "no stub: no stub list (compat/symbols.txt)");
	else {
		size_t shown = 0;

		ak_sbuf_add(why, "no stub for");
		for (size_t i = 0; i < f->missing.n; i++)
			if (!ak_strvec_contains(stubs, f->missing.v[i]) && shown++ < 3)
				ak_sbuf_addf(why, " %s", f->missing.v[i]);
		if (nostub > 3)
			ak_sbuf_addf(why, " (and %zu more)", nostub - 3);
	}
	if (f->executable) {
		ak_sbuf_add(why, "; bundle it with a runtime of the current glibc");
		return A_BUNDLE;
	}
	ak_sbuf_add(why, "; a library: accept it, and bundle the programs that load it (a bundle carries its libraries)");
	return A_ACCEPT;
}

/* Run abikit itself (/proc/self/exe) with args; its output goes to ours. */
static int self_run(const char *const *args, struct ak_err *err)
{
	struct ak_spawn sp;

	memset(&sp, 0, sizeof sp);
	sp.argv = args;
	return ak_spawn_run(&sp, err);
}

/* Where the layout 'rollback' puts this system's glibc as a runtime, and
 * the bundles (malloc'd; NULL with err). */
static int layout_paths(char **runtime, char **apps, struct ak_err *err)
{
	struct ak_layout l;
	char name[128];
	const char *arch =
#if defined(__aarch64__)
		"aarch64", *ld = "ld-linux-aarch64.so.1";
#else
		"x86_64", *ld = "ld-linux-x86-64.so.2";
#endif

	/* runtime harvest names a runtime glibc-VERSION-ARCH */
	snprintf(name, sizeof name, "glibc-%s-%s", gnu_get_libc_version(), arch);
	if (ak_runtime_layout(&l, "rollback", name, gnu_get_libc_version(), arch, ld, NULL, err) < 0)
		return -1;
	*runtime = ak_layout_path(&l, "runtime") ? ak_xstrdup(ak_layout_path(&l, "runtime")) : NULL;
	*apps = ak_layout_path(&l, "apps") ? ak_xstrdup(ak_layout_path(&l, "apps")) : NULL;
	ak_layout_free(&l);
	if (*runtime == NULL || *apps == NULL) {
		free(*runtime);
		free(*apps);
		return ak_errf(err, "layout rollback: no ${runtime} or ${apps}");
	}
	return 0;
}

static int apply_plan(struct opts *o, struct session *s, const enum action *act)
{
	char self[PATH_MAX], *rtpath = NULL, *apps = NULL;
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	struct ak_err err;
	struct ak_rb_check bc;
	struct ak_strvec bundles = { 0 };
	size_t failed = 0;

	if (n <= 0) {
		fprintf(stderr, "abikit: rollback plan --apply: cannot find abikit itself (/proc/self/exe)\n");
		return AK_EXIT_ERROR;
	}
	self[n] = '\0';
	if (s->t.release) {
		fprintf(stderr, "abikit: rollback plan --apply verifies with the older glibc's files: give --to a .deb, a root or a runtime\n");
		return AK_EXIT_ERROR;
	}
	if (layout_paths(&rtpath, &apps, &err) < 0) {
		ak_report(&err);
		return AK_EXIT_ERROR;
	}
	if (o->runtime == NULL) {
		struct ak_sbuf m = { 0 };

		ak_sbuf_addf(&m, "%s/%s", rtpath, AK_RUNTIME_MANIFEST);
		if (!ak_exists(m.s)) {
			/* The current glibc, harvested from this system into the layout. */
			const char *harvest[] = { self, "runtime", "harvest", "--from-root", "/", "--layout", "rollback", NULL };

			printf("== harvest a runtime of this system's glibc into %s\n", rtpath);
			fflush(stdout);
			if (self_run(harvest, &err) != 0)
				failed++;
		}
		ak_sbuf_free(&m);
	}
	for (size_t i = 0; i < s->c.nfiles && failed == 0; i++) {
		const struct ak_rb_file *f = &s->c.files[i];
		const char *base = strrchr(f->path, '/') ? strrchr(f->path, '/') + 1 : f->path;

		if (f->fate != AK_RB_BREAKS)
			continue;
		if (act[i] == A_SHIM) {
			const char *shim[] = { self, "shim", "apply", "--base-glibc", s->t.glibc, f->path, NULL };

			printf("== shim %s\n", f->path);
			fflush(stdout);
			if (ak_find_command("shim") == NULL) {
				printf("   not done: this abikit has no 'shim' command yet\n");
				failed++;
			} else if (self_run(shim, &err) != 0) {
				failed++;
			}
		} else if (act[i] == A_BUNDLE) {
			const char *bundle[] = { self, "bundle", "--runtime", o->runtime ? o->runtime : rtpath,
						 "--layout", "rollback", "--force", f->path, NULL };
			struct ak_sbuf b = { 0 };

			printf("== bundle %s\n", f->path);
			fflush(stdout);
			if (self_run(bundle, &err) != 0) {
				failed++;
				continue;
			}
			ak_sbuf_addf(&b, "%s/%s/bin/%s", apps, base, base);
			ak_strvec_push(&bundles, b.s);
			ak_sbuf_free(&b);
		}
	}
	/* Verify: every bundle must start with the older glibc in place. */
	memset(&bc, 0, sizeof bc);
	for (size_t i = 0; i < bundles.n; i++) {
		struct ak_rb_file *f;

		ak_grow((void **)&bc.files, &bc.capfiles, bc.nfiles + 1, sizeof *bc.files);
		f = &bc.files[bc.nfiles++];
		memset(f, 0, sizeof *f);
		f->path = ak_xstrdup(bundles.v[i]);
		f->fate = AK_RB_LOADS;
		f->executable = true;
	}
	if (bc.nfiles) {
		struct ak_rb_run *runs = ak_xcalloc(bc.nfiles, sizeof *runs);

		printf("== verify %zu bundle%s with %s\n", bc.nfiles, bc.nfiles == 1 ? "" : "s", s->t.label);
		fflush(stdout);
		o->vo.t = &s->t;
		o->vo.sample = 0;
		/* The bundles' own paths, visible in the sandbox wherever they are
		 * (its /tmp is fresh). */
		ak_strvec_push(&o->vo.binds, apps);
		if (!o->runtime)
			ak_strvec_push(&o->vo.binds, rtpath);
		if (ak_rb_verify(&o->vo, &bc, runs, &err) < 0) {
			ak_report(&err);
			failed++;
		} else {
			for (size_t i = 0; i < bc.nfiles; i++) {
				bool ok = runs[i].outcome == AK_RB_RUN_LOADS;

				printf("%s %s%s%s\n", ok ? "ok  " : "FAIL", bc.files[i].path, ok ? "" : ": ", ok ? "" : runs[i].why);
				failed += !ok;
			}
		}
		free(runs);
	}
	ak_rb_check_free(&bc);
	ak_strvec_free(&bundles);
	free(rtpath);
	free(apps);
	return failed ? AK_EXIT_PROBLEM : AK_EXIT_OK;
}

static int do_plan(struct opts *o, char *const *trees, size_t ntrees)
{
	struct session s;
	struct ak_strvec stubs = { 0 };
	struct ak_err err;
	char *stubfile = o->stubs ? ak_xstrdup(o->stubs) : default_stubs();
	bool have_stubs = ak_rb_load_stubs(stubfile, &stubs, &err) == 0;

	/* No list: what the shim library itself defines is the list. */
	if (!have_stubs && o->stubs == NULL) {
		char *compat = ak_shim_find_compat();

		if (compat && ak_shim_defs(compat, &stubs, &err) == 0) {
			free(stubfile);
			stubfile = compat;
			compat = NULL;
			have_stubs = true;
		}
		free(compat);
	}
	enum action *act;
	struct ak_sbuf *why;
	size_t count[3] = { 0, 0, 0 };
	static const char *const names[] = { "shim", "bundle", "accept" };
	int rc;

	if (o->stubs && !have_stubs) {
		ak_report(&err);
		free(stubfile);
		return AK_EXIT_ERROR;
	}
	if (session_open(&s, o, trees, ntrees) < 0) {
		free(stubfile);
		ak_strvec_free(&stubs);
		return AK_EXIT_ERROR;
	}
	act = ak_xcalloc(s.c.nfiles + 1, sizeof *act);
	why = ak_xcalloc(s.c.nfiles + 1, sizeof *why);
	for (size_t i = 0; i < s.c.nfiles; i++)
		if (s.c.files[i].fate == AK_RB_BREAKS) {
			act[i] = decide(&s.c.files[i], &stubs, have_stubs, &why[i]);
			count[act[i]]++;
		}
	if (o->json) {
		struct ak_json j;

		ak_json_init(&j, stdout);
		ak_json_obj_begin(&j);
		ak_json_kstr(&j, "abikit", "rollback plan");
		ak_json_kint(&j, "schema", 1);
		json_target(&j, &s.t, o->to);
		ak_json_kstr(&j, "stubs", have_stubs ? stubfile : NULL);
		ak_json_key(&j, "files");
		ak_json_arr_begin(&j);
		for (size_t i = 0; i < s.c.nfiles; i++) {
			if (s.c.files[i].fate != AK_RB_BREAKS)
				continue;
			ak_json_obj_begin(&j);
			json_file_static(&j, &s.c.files[i]);
			ak_json_kstr(&j, "action", names[act[i]]);
			ak_json_kstr(&j, "why", why[i].s);
			ak_json_obj_end(&j);
		}
		ak_json_arr_end(&j);
		ak_json_key(&j, "summary");
		ak_json_obj_begin(&j);
		ak_json_kint(&j, "broken", (long long)s.c.breaks);
		for (int k = 0; k < 3; k++)
			ak_json_kint(&j, names[k], (long long)count[k]);
		ak_json_obj_end(&j);
		ak_json_obj_end(&j);
		ak_json_end(&j);
	} else {
		for (int k = 0; k < 3; k++) {
			if (count[k] == 0)
				continue;
			printf("%s (%zu):\n", names[k], count[k]);
			for (size_t i = 0; i < s.c.nfiles; i++)
				if (s.c.files[i].fate == AK_RB_BREAKS && act[i] == (enum action)k)
					printf("  %s [%s]: %s\n", s.c.files[i].path, pkg_name(&s.c.files[i]), why[i].s);
			printf("\n");
		}
		printf("%zu file%s would not load with %s: %zu to shim, %zu to bundle, %zu to accept%s.\n", s.c.breaks,
		       s.c.breaks == 1 ? "" : "s", s.t.label, count[A_SHIM], count[A_BUNDLE], count[A_ACCEPT],
		       have_stubs ? "" : " (no stub list: nothing can be shimmed)");
	}
	rc = s.c.errors ? AK_EXIT_ERROR : s.c.breaks ? AK_EXIT_PROBLEM : AK_EXIT_OK;
	if (o->apply && s.c.breaks) {
		fflush(stdout);
		rc = apply_plan(o, &s, act);
	}
	for (size_t i = 0; i < s.c.nfiles; i++)
		ak_sbuf_free(&why[i]);
	free(why);
	free(act);
	free(stubfile);
	ak_strvec_free(&stubs);
	session_close(&s);
	return rc;
}

int cmd_rollback(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "to", required_argument, NULL, 't' },      { "json", no_argument, NULL, 'j' },
		{ "brief", no_argument, NULL, 'b' },         { "verbose", no_argument, NULL, 'v' },
		{ "sample", required_argument, NULL, 'n' },  { "jobs", required_argument, NULL, 'J' },
		{ "timeout", required_argument, NULL, 'T' }, { "deny", required_argument, NULL, 'd' },
		{ "stubs", required_argument, NULL, 's' },   { "runtime", required_argument, NULL, 'r' },
		{ "apply", no_argument, NULL, 'a' },         { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct opts o;
	const char *sub;
	int opt, rc;

	if (argc < 2) {
		usage_rollback(stderr);
		return AK_EXIT_ERROR;
	}
	sub = argv[1];
	if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
		usage_rollback(stdout);
		return AK_EXIT_OK;
	}
	if (strcmp(sub, "check") != 0 && strcmp(sub, "verify") != 0 && strcmp(sub, "plan") != 0)
		return ak_usage_error("rollback", "unknown subcommand '%s' (check, verify or plan)", sub);
	memset(&o, 0, sizeof o);
	o.vo.jobs = (int)sysconf(_SC_NPROCESSORS_ONLN);
	o.vo.timeout = 2;
	o.vo.progress = isatty(STDERR_FILENO);
	argc--;
	argv++;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "t:jbvn:J:T:d:s:r:ah", longopts, NULL)) != -1) {
		switch (opt) {
		case 't': o.to = optarg; break;
		case 'j': o.json = true; break;
		case 'b': o.brief = true; break;
		case 'v': o.verbose = true; break;
		case 'n': o.vo.sample = (size_t)strtoul(optarg, NULL, 10); break;
		case 'J': o.vo.jobs = atoi(optarg) > 0 ? atoi(optarg) : 1; break;
		case 'T': o.vo.timeout = atoi(optarg) > 0 ? atoi(optarg) : 1; break;
		case 'd': ak_strvec_push(&o.vo.deny, optarg); break;
		case 's': o.stubs = optarg; break;
		case 'r': o.runtime = optarg; break;
		case 'a': o.apply = true; break;
		case 'h': usage_rollback(stdout); ak_strvec_free(&o.vo.deny); return AK_EXIT_OK;
		default: ak_strvec_free(&o.vo.deny); return ak_usage_error("rollback", "unknown option");
		}
	}
	if (o.to == NULL) {
		ak_strvec_free(&o.vo.deny);
		return ak_usage_error("rollback", "say which glibc to roll back to: --to V, DIR, LIBC6.deb or RUNTIME");
	}
	if (optind >= argc) {
		ak_strvec_free(&o.vo.deny);
		return ak_usage_error("rollback", "no TREE given (e.g. /usr /opt/app)");
	}
	if (strcmp(sub, "verify") == 0 || o.apply) {
		char *audit = ak_verify_find_audit();

		o.vo.audit_so = audit;
		rc = strcmp(sub, "verify") == 0 ? do_verify(&o, argv + optind, (size_t)(argc - optind))
						: do_plan(&o, argv + optind, (size_t)(argc - optind));
		free(audit);
	} else if (strcmp(sub, "check") == 0) {
		rc = do_check(&o, argv + optind, (size_t)(argc - optind));
	} else {
		rc = do_plan(&o, argv + optind, (size_t)(argc - optind));
	}
	ak_strvec_free(&o.vo.deny);
	ak_strvec_free(&o.vo.binds);
	return rc;
}
