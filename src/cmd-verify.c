/* abikit verify: run targets inside an old root and prove every binding. */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "json.h"
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

int cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'R' },    { "runtime", required_argument, NULL, 'r' },
		{ "restricted", no_argument, NULL, 'x' },    { "expect", required_argument, NULL, 'e' },
		{ "expect-status", required_argument, NULL, 's' }, { "timeout", required_argument, NULL, 't' },
		{ "bind", required_argument, NULL, 'b' },    { "json", no_argument, NULL, 'j' },
		{ "junit", required_argument, NULL, 'J' },   { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct ak_verify_opts vo = { .root = "/", .timeout = 30 };
	struct ak_strvec binds = { 0 };
	struct ak_runtime_info rt;
	bool have_rt = false, json = false;
	const char *runtime = NULL, *junit = NULL;
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
	while ((c = getopt_long(argc, argv, "R:r:xe:s:t:b:jJ:h", opts, NULL)) != -1) {
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
		case 'h': usage_verify(stdout); ak_strvec_free(&binds); return AK_EXIT_OK;
		default: ak_strvec_free(&binds); return ak_usage_error("verify", "unknown option");
		}
	}
	ntargets = argc - optind;
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
		FILE *f = fopen(junit, "w");

		if (f == NULL) {
			perror(junit);
			errors++;
		} else {
			fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
				   "<testsuite name=\"abikit verify\" tests=\"%d\" failures=\"%zu\" errors=\"%zu\">\n",
				ntargets, failed, errors);
			for (int i = 0; i < ntargets; i++) {
				if (res[i].target == NULL)
					continue;
				fputs("  <testcase classname=\"abikit.verify\" name=\"", f);
				xml(f, res[i].target);
				fprintf(f, "\" time=\"%.3f\">", res[i].run.seconds);
				if (!res[i].passed) {
					fputs("\n    <failure message=\"", f);
					for (size_t k = 0; k < res[i].reasons.n; k++) {
						xml(f, k ? "; " : "");
						xml(f, res[i].reasons.v[k]);
					}
					fputs("\"/>\n  ", f);
				}
				fputs("</testcase>\n", f);
			}
			fputs("</testsuite>\n", f);
			if (fclose(f) != 0) {
				perror(junit);
				errors++;
			}
		}
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
