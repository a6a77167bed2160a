/* abikit check: would these files load there? */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abidb.h"
#include "builtin.h"
#include "checker.h"
#include "elfmodel.h"
#include "json.h"
#include "walk.h"
#include "world.h"

void usage_check(FILE *out)
{
	fputs("usage: abikit check (--glibc V | --root DIR | --libc FILE) [--json] [--recursive]\n"
	      "                    [--verbose] PATH...\n"
	      "\n"
	      "Would these ELF files load there? For each file, list what would fail, in\n"
	      "the dynamic linker's words: a missing library, a missing version node\n"
	      "(version `GLIBC_2.34' not found (required by FILE)), a missing symbol@version.\n"
	      "\n"
	      "Against what (one of):\n"
	      "  -g, --glibc V     glibc release V (2.17 ... 2.43) from the built-in ABI\n"
	      "                    database, for the file's own architecture (x86_64, aarch64)\n"
	      "  -R, --root DIR    the real libraries of a distro root (a debootstrap tree, an\n"
	      "                    unpacked image): searched as the loader would, through the\n"
	      "                    file's DT_RPATH/DT_RUNPATH, the root's ld.so.conf and the\n"
	      "                    default directories, merged /usr or not; the interpreter\n"
	      "                    and every library the file would load are checked too\n"
	      "  -L, --libc FILE   one real libc.so.6 and the glibc libraries beside it\n"
	      "\n"
	      "With --glibc and --libc, libraries that are not glibc's (libstdc++, libssl ...)\n"
	      "are not judged: they are listed as not checked (--verbose, --json) and do not\n"
	      "change the exit status. With --root they are looked up like the loader would,\n"
	      "and a missing one fails. Static, musl and unsupported (32-bit, big-endian,\n"
	      "other machine) files are reported as not judged.\n"
	      "\n"
	      "Options:\n"
	      "  -j, --json        machine-readable output (doc/json-schema.md, \"abikit\": \"check\")\n"
	      "  -r, --recursive   descend into subdirectories\n"
	      "  -v, --verbose     also list files that would load, files not judged, every\n"
	      "                    missing symbol, and libraries not checked\n"
	      "  -h, --help        this help\n"
	      "\n"
	      "Exit status: 0 everything would load, 1 something would not, 2 an input\n"
	      "could not be read (or bad usage).\n"
	      "\n"
	      "Examples:\n"
	      "  abikit check --glibc 2.28 /usr/bin\n"
	      "  abikit check --root /srv/bullseye --json ./node\n"
	      "  abikit check --libc /opt/rt/lib/libc.so.6 ./tool\n", out);
}

enum { SHOWN_SYMBOLS = 5 };

struct check {
	struct ak_world w;
	bool json, verbose;
	struct ak_json j;
	size_t files, ok, fail, not_judged, errors, nonelf;
	struct ak_strvec error_paths, error_lines;
};

static void print_result(struct check *c, const struct ak_elf *m, const struct ak_check_result *r)
{
	size_t nsym = 0;

	if (r->verdict == AK_VERDICT_NOT_JUDGED) {
		if (c->verbose)
			printf("skip  %s: %s\n", m->path, r->not_judged_why);
		return;
	}
	if (r->verdict == AK_VERDICT_OK && !c->verbose)
		return;
	printf("%-5s %s\n", r->verdict == AK_VERDICT_OK ? "ok" : "FAIL", m->path);
	for (size_t i = 0; i < r->nproblems; i++) {
		const struct ak_problem *p = &r->problems[i];

		if (p->kind == AK_PB_MISSING_SYMBOL && nsym++ >= SHOWN_SYMBOLS && !c->verbose)
			continue;
		printf("      %s%s\n", p->fatal ? "" : "warning: ", p->message);
	}
	if (nsym > SHOWN_SYMBOLS && !c->verbose)
		printf("      ... and %zu more undefined symbols (--verbose lists them)\n", nsym - SHOWN_SYMBOLS);
	if (c->verbose)
		for (size_t i = 0; i < r->nunchecked; i++)
			printf("      not checked: %s (%s)\n", r->unchecked[i].library, r->unchecked[i].why);
}

static void json_result(struct check *c, const struct ak_elf *m, const struct ak_check_result *r)
{
	struct ak_json *j = &c->j;

	ak_json_obj_begin(j);
	ak_json_kstr(j, "path", m->path);
	ak_json_kstr(j, "machine", ak_machine_name(m->machine));
	ak_json_kstr(j, "verdict", ak_verdict_name(r->verdict));
	ak_json_kstr(j, "why_not_judged", r->not_judged_why);
	ak_json_key(j, "problems");
	ak_json_arr_begin(j);
	for (size_t i = 0; i < r->nproblems; i++) {
		const struct ak_problem *p = &r->problems[i];

		ak_json_obj_begin(j);
		ak_json_kstr(j, "kind", ak_problem_kind_name(p->kind));
		ak_json_kbool(j, "fatal", p->fatal);
		ak_json_kstr(j, "library", p->library);
		ak_json_kstr(j, "version", p->version);
		ak_json_kstr(j, "symbol", p->symbol);
		ak_json_kstr(j, "required_by", p->required_by);
		ak_json_kstr(j, "message", p->message);
		ak_json_obj_end(j);
	}
	ak_json_arr_end(j);
	ak_json_key(j, "not_checked");
	ak_json_arr_begin(j);
	for (size_t i = 0; i < r->nunchecked; i++) {
		ak_json_obj_begin(j);
		ak_json_kstr(j, "library", r->unchecked[i].library);
		ak_json_kstr(j, "why", r->unchecked[i].why);
		ak_json_obj_end(j);
	}
	ak_json_arr_end(j);
	ak_json_key(j, "loads");
	ak_json_arr_begin(j);
	for (size_t i = 0; i < r->nloaded; i++) {
		ak_json_obj_begin(j);
		ak_json_kstr(j, "name", r->loaded[i].name);
		ak_json_kstr(j, "path", r->loaded[i].path);
		ak_json_kstr(j, "file", r->loaded[i].file);
		ak_json_obj_end(j);
	}
	ak_json_arr_end(j);
	ak_json_obj_end(j);
}

static void check_walk_error(const char *path, const char *msg, void *ctx)
{
	struct check *c = ctx;

	if (c->json) {
		ak_strvec_push(&c->error_paths, path);
		ak_strvec_push(&c->error_lines, msg);
	}
}

static void check_error(struct check *c, const char *path, const struct ak_err *err)
{
	ak_report(err);
	c->errors++;
	if (c->json) {
		ak_strvec_push(&c->error_paths, path);
		ak_strvec_push(&c->error_lines, err->msg);
	}
}

static void check_one(const char *path, bool explicit, void *ctx)
{
	struct check *c = ctx;
	struct ak_elf m;
	struct ak_err err;
	struct ak_check_result r;
	int rc = ak_elf_open(&m, path, AK_READ_UNDEF, &err);

	if (rc == AK_NOT_ELF && !explicit) {
		c->nonelf++;
		return;
	}
	if (rc != 0) {
		check_error(c, path, &err);
		return;
	}
	c->files++;
	ak_check(&c->w, &m, &r);
	switch (r.verdict) {
	case AK_VERDICT_OK: c->ok++; break;
	case AK_VERDICT_FAIL: c->fail++; break;
	case AK_VERDICT_NOT_JUDGED: c->not_judged++; break;
	}
	if (c->json)
		json_result(c, &m, &r);
	else
		print_result(c, &m, &r);
	ak_check_result_free(&r);
	ak_elf_close(&m);
}

int cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "glibc", required_argument, NULL, 'g' },
		{ "root", required_argument, NULL, 'R' },
		{ "libc", required_argument, NULL, 'L' },
		{ "json", no_argument, NULL, 'j' },
		{ "recursive", no_argument, NULL, 'r' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct ak_walk_opts wo = { false, false, NULL };
	const char *glibc = NULL, *root = NULL, *libc = NULL;
	struct check c;
	struct ak_err err;
	int opt, rc, targets;

	memset(&c, 0, sizeof c);
	optind = 1;
	while ((opt = getopt_long(argc, argv, "g:R:L:jrvh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'g': glibc = optarg; break;
		case 'R': root = optarg; break;
		case 'L': libc = optarg; break;
		case 'j': c.json = true; break;
		case 'r': wo.recursive = true; break;
		case 'v': c.verbose = wo.verbose = true; break;
		case 'h': usage_check(stdout); return AK_EXIT_OK;
		default: return ak_usage_error("check", "unknown option");
		}
	}
	targets = !!glibc + !!root + !!libc;
	if (targets != 1)
		return ak_usage_error("check", "say what to check against: exactly one of --glibc V, --root DIR, --libc FILE");
	if (optind >= argc)
		return ak_usage_error("check", "no PATH given");
	if (glibc)
		rc = ak_world_glibc(&c.w, glibc, &err);
	else if (root)
		rc = ak_world_root(&c.w, root, &err);
	else
		rc = ak_world_libc(&c.w, libc, &err);
	if (rc < 0) {
		ak_report(&err);
		return AK_EXIT_ERROR;
	}
	if (c.json) {
		ak_json_init(&c.j, stdout);
		ak_json_obj_begin(&c.j);
		ak_json_kstr(&c.j, "abikit", "check");
		ak_json_kint(&c.j, "schema", 1);
		ak_json_key(&c.j, "against");
		ak_json_obj_begin(&c.j);
		ak_json_kstr(&c.j, "mode", glibc ? "glibc" : root ? "root" : "libc");
		ak_json_kstr(&c.j, "label", c.w.label);
		ak_json_kstr(&c.j, "glibc", glibc ? ak_abidb_release_name(c.w.rel) : libc ? c.w.libc.version : NULL);
		ak_json_kstr(&c.j, "path", root ? root : libc);
		ak_json_obj_end(&c.j);
		ak_json_key(&c.j, "files");
		ak_json_arr_begin(&c.j);
	}
	wo.on_error = check_walk_error;
	c.errors += ak_walk(argv + optind, (size_t)(argc - optind), &wo, check_one, &c);
	if (c.json) {
		ak_json_arr_end(&c.j);
		ak_json_key(&c.j, "errors");
		ak_json_arr_begin(&c.j);
		for (size_t i = 0; i < c.error_lines.n; i++) {
			ak_json_obj_begin(&c.j);
			ak_json_kstr(&c.j, "path", c.error_paths.v[i]);
			ak_json_kstr(&c.j, "error", c.error_lines.v[i]);
			ak_json_obj_end(&c.j);
		}
		ak_json_arr_end(&c.j);
		ak_json_key(&c.j, "summary");
		ak_json_obj_begin(&c.j);
		ak_json_kint(&c.j, "files", (long long)c.files);
		ak_json_kint(&c.j, "ok", (long long)c.ok);
		ak_json_kint(&c.j, "fail", (long long)c.fail);
		ak_json_kint(&c.j, "not_judged", (long long)c.not_judged);
		ak_json_kint(&c.j, "errors", (long long)c.errors);
		ak_json_kint(&c.j, "skipped_non_elf", (long long)c.nonelf);
		ak_json_obj_end(&c.j);
		ak_json_obj_end(&c.j);
		ak_json_end(&c.j);
	} else {
		printf("%zu file%s checked against %s: %zu would load, %zu would not",
		       c.files, c.files == 1 ? "" : "s", c.w.label, c.ok, c.fail);
		if (c.not_judged)
			printf(", %zu not judged (static, musl or unsupported%s)", c.not_judged,
			       c.verbose ? "" : "; --verbose says which");
		if (c.errors)
			printf(", %zu unreadable", c.errors);
		printf(".\n");
	}
	ak_world_free(&c.w);
	ak_strvec_free(&c.error_lines);
	ak_strvec_free(&c.error_paths);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		ak_warn("check: cannot write output");
		return AK_EXIT_ERROR;
	}
	if (c.errors)
		return AK_EXIT_ERROR;
	return c.fail ? AK_EXIT_PROBLEM : AK_EXIT_OK;
}
