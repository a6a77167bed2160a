/* abikit verify: run targets inside an old root and prove every binding. */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>
#include <sys/wait.h>
#include <unistd.h>

#include "builtin.h"
#include "fsutil.h"
#include "json.h"
#include "manifest.h"
#include "matrix.h"
#include "runtime.h"
#include "verify.h"

void usage_verify(FILE *out)
{
	fputs("usage: abikit verify [--root DIR] [--runtime R] [--restricted] [--expect RE]\n"
	      "                     [--json | --junit FILE] [--timeout S] [--bind HOST[:IN]]...\n"
	      "                     TARGET... [-- ARGS...]\n"
	      "\n"
	      "Prove that TARGET starts inside DIR (an old distro root, e.g. from\n"
	      "'abikit root create'), that every object it loads comes from where it\n"
	      "should, and that every glibc symbol binds to the right glibc:\n"
	      "\n"
	      "  1. static   'abikit check' of the target and all it would load, against the\n"
	      "              root with the runtime and the target's own directory bound in\n"
	      "  2. dynamic  TARGET ARGS (default --version) run in bubblewrap (else unshare\n"
	      "              + chroot, as root): the root read-only at /, the target's\n"
	      "              directory (a whole bundle for a bundle's bin/NAME), the runtime\n"
	      "              and whatever its PT_INTERP names bound at their own paths, fresh\n"
	      "              /proc /dev /tmp, an empty environment, LD_BIND_NOW=1, a time\n"
	      "              limit, its process group killed at the end\n"
	      "  3. audit    an rtld-audit library (LD_AUDIT; loads into any glibc 2.17+)\n"
	      "              records every object and start-up, and the loader's binding\n"
	      "              trace (LD_DEBUG=bindings) every symbol binding. When the target\n"
	      "              runs on a private runtime: no libc, libpthread, librt, libdl,\n"
	      "              libresolv, libm or ld.so may come from the root, only one libc,\n"
	      "              and every GLIBC_ symbol must bind into the runtime\n"
	      "  4. start-up the exit status (--expect-status, default 0) and --expect\n"
	      "\n"
	      "A target passes when it started, its exit status and output are as\n"
	      "expected, the audit found nothing, and the static prediction agrees with\n"
	      "the run: a disagreement is a failure of abikit itself and is reported.\n"
	      "\n"
	      "Options:\n"
	      "  -R, --root DIR        the root (default /: this system, still sandboxed)\n"
	      "  -r, --runtime R       a runtime (name or PREFIX) to bind at its prefix\n"
	      "  -x, --restricted      run again with no /proc and a read-only file system\n"
	      "                        and report what changes: start-up that needs /proc,\n"
	      "                        e.g. pthread_getattr_np, or $ORIGIN in a program's\n"
	      "                        search path (the loader reads /proc/self/exe for it)\n"
	      "  -e, --expect RE       the output must match this extended regex (^ and $\n"
	      "                        match at every line)\n"
	      "  -s, --expect-status N the exit status wanted (default 0)\n"
	      "  -t, --timeout S       time limit per run (default 30)\n"
	      "  -b, --bind HOST[:IN]  bind HOST at IN (default the same path), read-only\n"
	      "  -j, --json            machine-readable output\n"
	      "  -J, --junit FILE      also write a JUnit XML report for CI systems\n"
	      "  -h, --help            this help\n"
	      "\n"
	      "Matrix: abikit verify --matrix FILE [--jobs N] [--sum FILE] [--json]\n"
	      "        [--junit FILE] runs every cell of targets x roots x runtimes\n"
	      "        (x restricted), N at a time (default: the number of processors),\n"
	      "        and prints a DejaGnu-style summary (PASS:/FAIL: lines and counts;\n"
	      "        --sum writes it to FILE too). Each cell is independent, so a CI\n"
	      "        system can also run one cell per machine. FILE has lines:\n"
	      "          target NAME PATH [ARGS...]   (ARGS default --version)\n"
	      "          expect NAME REGEX\n"
	      "          root NAME DIR\n"
	      "          runtime NAME R               (R a runtime, or - for none)\n"
	      "          restricted no|yes|both\n"
	      "          timeout SECONDS\n"
	      "        '#' starts a comment; 'single quotes' keep blanks in a word.\n"
	      "\n"
	      "Needs bubblewrap (unprivileged user namespaces, or root) or root for the\n"
	      "unshare+chroot fallback; says which was used.\n"
	      "\n"
	      "Exit status: 0 every target passed, 1 one failed, 2 an error.\n"
	      "\n"
	      "Examples:\n"
	      "  abikit root create --suite bullseye\n"
	      "  abikit verify --root ~/.cache/abikit/roots/bullseye-amd64-202611 ./jq -- --version\n"
	      "  abikit verify --root R --runtime glibc-2.41-x86_64 --restricted ~/app/bin/rg\n"
	      "  abikit verify --root R ~/apps/py/bin/python3.13 -- -c 'import ssl'\n", out);
}

static void xml(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t')
				fputc(*s, f);
		}
	}
}

/* JUnit XML for CI systems: a testsuite of one testcase per target or
 * cell; `kind` is NULL (passed), "failure" or "error". */
static FILE *junit_open(const char *path, const char *suite, size_t tests, size_t failures, size_t errors)
{
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		perror(path);
		return NULL;
	}
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		   "<testsuite name=\"%s\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\">\n",
		suite, tests, failures, errors);
	return f;
}

static void junit_case(FILE *f, const char *name, double seconds, const char *kind, const char *message)
{
	fputs("  <testcase classname=\"abikit.verify\" name=\"", f);
	xml(f, name);
	fprintf(f, "\" time=\"%.3f\">", seconds);
	if (kind) {
		fprintf(f, "<%s message=\"", kind);
		xml(f, message);
		fputs("\"/>", f);
	}
	fputs("</testcase>\n", f);
}

static int junit_close(FILE *f, const char *path)
{
	fputs("</testsuite>\n", f);
	if (fclose(f) != 0) {
		perror(path);
		return -1;
	}
	return 0;
}

static void json_run(struct ak_json *j, const char *key, const struct ak_verify_run *run)
{
	ak_json_key(j, key);
	ak_json_obj_begin(j);
	ak_json_kint(j, "status", run->status);
	ak_json_kbool(j, "started", run->started);
	ak_json_kbool(j, "timed_out", run->timed_out);
	ak_json_kint(j, "milliseconds", (long long)(run->seconds * 1000));
	ak_json_kint(j, "objects", (long long)run->objects);
	ak_json_kint(j, "from_runtime", (long long)run->from_runtime);
	ak_json_kint(j, "from_app", (long long)run->from_app);
	ak_json_kint(j, "from_root", (long long)run->from_root);
	ak_json_kint(j, "bindings", (long long)run->bindings);
	ak_json_kint(j, "glibc_bindings", (long long)run->glibc_bindings);
	ak_json_kint(j, "glibc_bindings_outside_runtime", (long long)run->glibc_outside);
	ak_json_kstr(j, "loader_error", run->loader_error);
	ak_json_key(j, "problems");
	ak_json_arr_begin(j);
	for (size_t i = 0; i < run->problems.n; i++)
		ak_json_str(j, run->problems.v[i]);
	ak_json_arr_end(j);
	ak_json_obj_end(j);
}

/* One cell, in a child process: its result goes to `out` as a manifest. */
static void run_cell(const struct ak_matrix *m, const struct ak_matrix_cell *c, const char *audit, const char *out)
{
	struct ak_verify_opts vo = { 0 };
	struct ak_verify_result r;
	struct ak_runtime_info rt;
	struct ak_manifest man = { 0 };
	struct ak_sbuf reasons = { 0 };
	struct ak_err err;
	const struct ak_matrix_target *t = &m->targets[c->target];
	const char *rtspec = m->runtimes[c->runtime].value;
	char **args = ak_xcalloc(t->args.n + 1, sizeof *args);
	int rc = -1;

	memcpy(args, t->args.v, t->args.n * sizeof *args);
	vo.root = m->roots[c->root].value;
	vo.target = t->path;
	vo.args = t->args.n ? (const char *const *)args : NULL;
	vo.expect = t->expect;
	vo.restricted = c->restricted;
	vo.timeout = m->timeout;
	vo.audit_so = audit;
	if (strcmp(rtspec, "-") != 0) {
		if (ak_runtime_open(&rt, rtspec, &err) < 0)
			goto done;
		vo.rt = &rt;
	}
	rc = ak_verify(&vo, &r, &err);
	if (vo.rt)
		ak_runtime_info_free(&rt);
done:
	if (rc < 0) {
		ak_manifest_set(&man, "error", err.msg);
	} else {
		for (size_t k = 0; k < r.reasons.n; k++)
			ak_sbuf_addf(&reasons, "%s%s", k ? "; " : "", r.reasons.v[k]);
		ak_manifest_set(&man, "passed", r.passed ? "yes" : "no");
		ak_manifest_set(&man, "reasons", reasons.s ? reasons.s : "");
		ak_manifest_set(&man, "static", r.static_verdict);
		ak_manifest_set(&man, "disagreement", r.disagreement ? "yes" : "no");
		ak_manifest_set(&man, "sandbox", r.method ? r.method : "");
		ak_manifest_setf(&man, "status", "%d", r.run.status);
		ak_manifest_setf(&man, "ms", "%.1f", r.run.seconds * 1000);
		ak_manifest_setf(&man, "objects", "%zu %zu %zu %zu", r.run.objects, r.run.from_runtime, r.run.from_app,
				 r.run.from_root);
		ak_manifest_setf(&man, "bindings", "%zu %zu %zu", r.run.bindings, r.run.glibc_bindings, r.run.glibc_outside);
		ak_verify_result_free(&r);
	}
	ak_manifest_save(&man, out, &err);
	ak_manifest_free(&man);
	ak_sbuf_free(&reasons);
	free(args);
}

static const char *mget(const struct ak_manifest *m, const char *k)
{
	const char *v = ak_manifest_get(m, k);

	return v ? v : "";
}

static int run_matrix(const char *file, int jobs, const char *sum, bool json, const char *junit, const char *audit)
{
	struct ak_matrix m;
	struct ak_matrix_cell *cells;
	struct ak_manifest *res;
	struct ak_err err;
	char dir[] = "/tmp/abikit-matrix-XXXXXX";
	size_t n, next = 0, running = 0, passed = 0, failed = 0, errors = 0;
	pid_t *pids;
	struct ak_sbuf text = { 0 };

	if (ak_matrix_load(&m, file, &err) < 0) {
		ak_report(&err);
		return AK_EXIT_ERROR;
	}
	cells = ak_matrix_cells(&m, &n);
	res = ak_xcalloc(n + 1, sizeof *res);
	pids = ak_xcalloc(n + 1, sizeof *pids);
	if (mkdtemp(dir) == NULL) {
		fprintf(stderr, "abikit: %s: %s\n", dir, strerror(errno));
		ak_matrix_free(&m);
		free(cells);
		free(res);
		free(pids);
		return AK_EXIT_ERROR;
	}
	fflush(stdout);
	/* Cells are independent processes, at most `jobs` at a time. */
	while (next < n || running > 0) {
		if (next < n && running < (size_t)jobs) {
			char out[64];
			pid_t pid;

			snprintf(out, sizeof out, "%s/%zu", dir, next);
			pid = fork();
			if (pid == 0) {
				run_cell(&m, &cells[next], audit, out);
				_exit(0);
			}
			if (pid > 0) {
				pids[next] = pid;
				running++;
			}
			next++;
			continue;
		}
		{
			int st;
			pid_t w = wait(&st);

			if (w < 0)
				break;
			running--;
		}
	}
	for (size_t i = 0; i < n; i++) {
		char out[64];

		snprintf(out, sizeof out, "%s/%zu", dir, i);
		if (ak_manifest_load(&res[i], out, &err) < 0)
			ak_manifest_set(&res[i], "error", "the cell's process left no result");
		if (ak_manifest_get(&res[i], "error"))
			errors++;
		else if (strcmp(mget(&res[i], "passed"), "yes") == 0)
			passed++;
		else
			failed++;
	}
	ak_rm_rf(dir, &err);

	for (size_t i = 0; i < n; i++) {
		if (ak_manifest_get(&res[i], "error"))
			ak_sbuf_addf(&text, "ERROR: %s: %s\n", cells[i].name, mget(&res[i], "error"));
		else if (strcmp(mget(&res[i], "passed"), "yes") == 0)
			ak_sbuf_addf(&text, "PASS: %s\n", cells[i].name);
		else
			ak_sbuf_addf(&text, "FAIL: %s: %s\n", cells[i].name, mget(&res[i], "reasons"));
	}
	ak_sbuf_addf(&text, "\n\t\t=== abikit verify Summary ===\n\n# of expected passes\t\t%zu\n", passed);
	if (failed)
		ak_sbuf_addf(&text, "# of unexpected failures\t%zu\n", failed);
	if (errors)
		ak_sbuf_addf(&text, "# of unresolved testcases\t%zu\n", errors);
	if (sum && ak_write_atomic(sum, text.s, text.len, 0644, &err) < 0) {
		ak_report(&err);
		errors++;
	}
	if (json) {
		struct ak_json j;

		ak_json_init(&j, stdout);
		ak_json_obj_begin(&j);
		ak_json_kstr(&j, "abikit", "verify matrix");
		ak_json_kint(&j, "schema", 1);
		ak_json_key(&j, "cells");
		ak_json_arr_begin(&j);
		for (size_t i = 0; i < n; i++) {
			ak_json_obj_begin(&j);
			ak_json_kstr(&j, "name", cells[i].name);
			ak_json_kstr(&j, "target", m.targets[cells[i].target].path);
			ak_json_kstr(&j, "root", m.roots[cells[i].root].value);
			ak_json_kstr(&j, "runtime", m.runtimes[cells[i].runtime].value);
			ak_json_kbool(&j, "restricted", cells[i].restricted);
			for (size_t k = 0; k < res[i].n; k++)
				ak_json_kstr(&j, res[i].keys[k], res[i].values[k]);
			ak_json_obj_end(&j);
		}
		ak_json_arr_end(&j);
		ak_json_kint(&j, "passed", (long long)passed);
		ak_json_kint(&j, "failed", (long long)failed);
		ak_json_kint(&j, "errors", (long long)errors);
		ak_json_obj_end(&j);
		ak_json_end(&j);
	} else {
		fputs(text.s, stdout);
	}
	if (junit) {
		FILE *f = junit_open(junit, "abikit verify matrix", n, failed, errors);

		for (size_t i = 0; f && i < n; i++) {
			bool error = ak_manifest_get(&res[i], "error") != NULL;
			bool ok = strcmp(mget(&res[i], "passed"), "yes") == 0;

			junit_case(f, cells[i].name, atof(mget(&res[i], "ms")) / 1000,
				   error ? "error" : ok ? NULL : "failure", mget(&res[i], error ? "error" : "reasons"));
		}
		if (f == NULL || junit_close(f, junit) < 0)
			errors++;
	}
	for (size_t i = 0; i < n; i++)
		ak_manifest_free(&res[i]);
	ak_sbuf_free(&text);
	free(res);
	free(pids);
	free(cells);
	ak_matrix_free(&m);
	return errors ? AK_EXIT_ERROR : failed ? AK_EXIT_PROBLEM : AK_EXIT_OK;
}

int cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'R' },    { "runtime", required_argument, NULL, 'r' },
		{ "restricted", no_argument, NULL, 'x' },    { "expect", required_argument, NULL, 'e' },
		{ "expect-status", required_argument, NULL, 's' }, { "timeout", required_argument, NULL, 't' },
		{ "bind", required_argument, NULL, 'b' },    { "json", no_argument, NULL, 'j' },
		{ "junit", required_argument, NULL, 'J' },   { "help", no_argument, NULL, 'h' },
		{ "matrix", required_argument, NULL, 'M' },  { "jobs", required_argument, NULL, 'N' },
		{ "sum", required_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 }
	};
	struct ak_verify_opts vo = { .root = "/", .timeout = 30 };
	struct ak_strvec binds = { 0 };
	struct ak_runtime_info rt;
	bool have_rt = false, json = false;
	const char *runtime = NULL, *junit = NULL, *matrix = NULL, *sum = NULL;
	int jobs = (int)sysconf(_SC_NPROCESSORS_ONLN);
	char *audit = NULL;
	int c, ntargets, dashdash = -1, rc = AK_EXIT_ERROR;
	size_t passed = 0, failed = 0, errors = 0;
	struct ak_verify_result *res = NULL;
	struct ak_json j;

	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			dashdash = i;
			break;
		}
	if (dashdash > 0) {
		argv[dashdash] = NULL;
		vo.args = (const char *const *)argv + dashdash + 1;
		argc = dashdash;
	}
	while ((c = getopt_long(argc, argv, "R:r:xe:s:t:b:jJ:M:N:S:h", opts, NULL)) != -1) {
		switch (c) {
		case 'R': vo.root = optarg; break;
		case 'r': runtime = optarg; break;
		case 'x': vo.restricted = true; break;
		case 'e': vo.expect = optarg; break;
		case 's': vo.expect_status = atoi(optarg); break;
		case 't': vo.timeout = atoi(optarg); break;
		case 'b': ak_strvec_push(&binds, optarg); break;
		case 'j': json = true; break;
		case 'J': junit = optarg; break;
		case 'M': matrix = optarg; break;
		case 'N': jobs = atoi(optarg) > 0 ? atoi(optarg) : 1; break;
		case 'S': sum = optarg; break;
		case 'h': usage_verify(stdout); ak_strvec_free(&binds); return AK_EXIT_OK;
		default: ak_strvec_free(&binds); return ak_usage_error("verify", "unknown option");
		}
	}
	ntargets = argc - optind;
	if (matrix) {
		ak_strvec_free(&binds);
		if (ntargets > 0)
			return ak_usage_error("verify", "--matrix takes its targets from the file");
		audit = ak_verify_find_audit();
		if (audit == NULL) {
			fprintf(stderr, "abikit: abikit-audit.so not found (install abikit, or set ABIKIT_AUDIT)\n");
			return AK_EXIT_ERROR;
		}
		rc = run_matrix(matrix, jobs, sum, json, junit, audit);
		free(audit);
		return rc;
	}
	if (ntargets <= 0) {
		ak_strvec_free(&binds);
		return ak_usage_error("verify", "no TARGET given");
	}
	{
		struct ak_err err;

		if (runtime) {
			if (ak_runtime_open(&rt, runtime, &err) < 0) {
				ak_report(&err);
				goto out;
			}
			have_rt = true;
			vo.rt = &rt;
		}
		audit = ak_verify_find_audit();
		if (audit == NULL) {
			fprintf(stderr, "abikit: abikit-audit.so not found (install abikit, or set ABIKIT_AUDIT)\n");
			goto out;
		}
	}
	vo.audit_so = audit;
	vo.binds = binds.v;
	vo.nbinds = binds.n;
	res = ak_xcalloc((size_t)ntargets, sizeof *res);
	if (json) {
		ak_json_init(&j, stdout);
		ak_json_obj_begin(&j);
		ak_json_kstr(&j, "abikit", "verify");
		ak_json_kint(&j, "schema", 1);
		ak_json_kstr(&j, "root", vo.root);
		ak_json_kstr(&j, "runtime", have_rt ? rt.prefix : NULL);
		ak_json_key(&j, "targets");
		ak_json_arr_begin(&j);
	}
	for (int i = 0; i < ntargets; i++) {
		struct ak_verify_result *r = &res[i];
		struct ak_err err;

		vo.target = argv[optind + i];
		if (ak_verify(&vo, r, &err) < 0) {
			ak_report(&err);
			errors++;
			free(r->target);
			r->target = NULL;
			continue;
		}
		r->passed ? passed++ : failed++;
		if (json) {
			ak_json_obj_begin(&j);
			ak_json_kstr(&j, "target", r->target);
			ak_json_kbool(&j, "passed", r->passed);
			ak_json_kstr(&j, "sandbox", r->method);
			ak_json_kstr(&j, "static_verdict", r->static_verdict);
			ak_json_kbool(&j, "uses_private_runtime", r->uses_runtime);
			ak_json_kbool(&j, "disagreement", r->disagreement);
			ak_json_key(&j, "static_problems");
			ak_json_arr_begin(&j);
			for (size_t k = 0; k < r->static_problems.n; k++)
				ak_json_str(&j, r->static_problems.v[k]);
			ak_json_arr_end(&j);
			json_run(&j, "run", &r->run);
			if (vo.restricted)
				json_run(&j, "restricted", &r->restricted);
			ak_json_key(&j, "reasons");
			ak_json_arr_begin(&j);
			for (size_t k = 0; k < r->reasons.n; k++)
				ak_json_str(&j, r->reasons.v[k]);
			ak_json_arr_end(&j);
			ak_json_obj_end(&j);
		} else {
			printf("%s  %s", r->passed ? "PASS" : "FAIL", r->target);
			for (size_t k = 0; k < r->reasons.n; k++)
				printf("%s%s", k ? "; " : ": ", r->reasons.v[k]);
			printf("\n      %zu objects (%zu runtime, %zu app, %zu root), %zu bindings (%zu glibc, %zu outside the "
			       "runtime), static %s, exit %d, %.0f ms, %s\n",
			       r->run.objects, r->run.from_runtime, r->run.from_app, r->run.from_root, r->run.bindings,
			       r->run.glibc_bindings, r->run.glibc_outside, r->static_verdict, r->run.status,
			       r->run.seconds * 1000, r->method);
		}
	}
	if (json) {
		ak_json_arr_end(&j);
		ak_json_kint(&j, "passed", (long long)passed);
		ak_json_kint(&j, "failed", (long long)failed);
		ak_json_kint(&j, "errors", (long long)errors);
		ak_json_obj_end(&j);
		ak_json_end(&j);
	}
	if (junit) {
		FILE *f = junit_open(junit, "abikit verify", (size_t)ntargets, failed, errors);

		for (int i = 0; f && i < ntargets; i++) {
			struct ak_sbuf why = { 0 };

			if (res[i].target == NULL)
				continue;
			for (size_t k = 0; k < res[i].reasons.n; k++)
				ak_sbuf_addf(&why, "%s%s", k ? "; " : "", res[i].reasons.v[k]);
			junit_case(f, res[i].target, res[i].run.seconds, res[i].passed ? NULL : "failure", why.s ? why.s : "");
			ak_sbuf_free(&why);
		}
		if (f == NULL || junit_close(f, junit) < 0)
			errors++;
	}
	rc = errors ? AK_EXIT_ERROR : failed ? AK_EXIT_PROBLEM : AK_EXIT_OK;
out:
	for (int i = 0; res && i < ntargets; i++)
		ak_verify_result_free(&res[i]);
	free(res);
	free(audit);
	if (have_rt)
		ak_runtime_info_free(&rt);
	ak_strvec_free(&binds);
	return rc;
}
