/* abikit shim: run a new binary on the old system glibc plus libabikit-compat. */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "json.h"
#include "patchelf.h"
#include "rewrite.h"
#include "shim.h"

void usage_shim(FILE *out)
{
	fputs("usage: abikit shim apply (--base-glibc V | --root DIR) [--library | --system]\n"
	      "                         [--dry-run] [--state DIR] [--json] FILE...\n"
	      "       abikit shim undo [--state DIR] [--force] FILE...\n"
	      "\n"
	      "Make a binary built for a newer glibc load on an older one, keeping the old\n"
	      "system's glibc: the newer symbols it needs (__libc_start_main@GLIBC_2.34,\n"
	      "__isoc23_strtol@GLIBC_2.38, stat@GLIBC_2.33, ...) come from\n"
	      "libabikit-compat (compat/), which defines them with their real version\n"
	      "nodes and semantics. No private runtime, no install path.\n"
	      "\n"
	      "apply judges FILE against the base (--base-glibc V: the ABI database;\n"
	      "--root DIR: that root's real libraries) and says, per file, whether it is\n"
	      "shimmable: every symbol the base lacks has a stub (the list), or not (the\n"
	      "symbols without one: bundle it with a runtime instead). If it is:\n"
	      "\n"
	      "  embedded (the default): the stubs' code is copied into FILE (two new\n"
	      "    segments, ~50 KB), FILE's references to the newer symbols point at it,\n"
	      "    and the version needs the base lacks are gone. Nothing to install\n"
	      "    beside it, no library to map at start-up. x86_64 files whose stubs\n"
	      "    need only libc; others get the library, with a note.\n"
	      "  library (--library): libabikit-compat.so.1 (and -pthread, -dl, ...\n"
	      "    when used) is copied beside FILE and added to DT_NEEDED as\n"
	      "    $ORIGIN/libabikit-compat.so.1; the version needs the base lacks\n"
	      "    point at it (or are marked VER_FLG_WEAK). --system: the libraries\n"
	      "    are installed in the old system's library path instead.\n"
	      "\n"
	      "The result is judged again against the base, then written like 'abikit\n"
	      "patch' writes: a copy beside the file, synced, renamed over it, the\n"
	      "original kept in the state directory. undo restores the original bytes\n"
	      "exactly (same as 'abikit unpatch').\n"
	      "\n"
	      "Options:\n"
	      "  -g, --base-glibc V  the old glibc release (2.17 ... 2.43)\n"
	      "  -R, --root DIR      the old system's root\n"
	      "  -l, --library       the shim as a library beside FILE, not embedded\n"
	      "  -s, --system        the shim library is installed on the old system\n"
	      "                      (implies --library; no $ORIGIN)\n"
	      "  -n, --dry-run       report only\n"
	      "      --state DIR     records and originals (default as 'abikit patch')\n"
	      "  -f, --force         undo: restore even over a changed file\n"
	      "  -j, --json          machine-readable output\n"
	      "  -h, --help          this help\n"
	      "\n"
	      "The shim is $ABIKIT_COMPAT, else the build tree's or the installed\n"
	      "libabikit-compat.so.1. 'abikit verify' finds a shim beside the binary.\n"
	      "\n"
	      "Exit status: 0 done (or nothing needed), 1 a file is not shimmable or was\n"
	      "refused, 2 an error.\n"
	      "\n"
	      "Examples:\n"
	      "  abikit shim apply --base-glibc 2.31 --dry-run ./jq\n"
	      "  abikit shim apply --root /srv/bullseye ./app/bin/*\n"
	      "  abikit shim undo ./app/bin/*\n", out);
}

static void list(struct ak_json *j, const char *key, const struct ak_strvec *v)
{
	ak_json_key(j, key);
	ak_json_arr_begin(j);
	for (size_t i = 0; i < v->n; i++)
		ak_json_str(j, v->v[i]);
	ak_json_arr_end(j);
}

static int shim_apply(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "base-glibc", required_argument, NULL, 'g' }, { "root", required_argument, NULL, 'R' },
		{ "system", no_argument, NULL, 's' },           { "dry-run", no_argument, NULL, 'n' },
		{ "state", required_argument, NULL, 'S' },      { "json", no_argument, NULL, 'j' },
		{ "library", no_argument, NULL, 'l' },          { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct ak_shim_opts so = { 0 };
	struct ak_patchelf pe;
	struct ak_err err;
	struct ak_json j;
	const char *state_opt = NULL;
	char *compat = NULL, *state = NULL;
	bool json = false, library = false;
	size_t done = 0, refused = 0, errors = 0;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "g:R:snljh", opts, NULL)) != -1) {
		switch (c) {
		case 'g': so.base_glibc = optarg; break;
		case 'R': so.root = optarg; break;
		case 's': so.system = true; break;
		case 'n': so.dry_run = true; break;
		case 'l': library = true; break;
		case 'S': state_opt = optarg; break;
		case 'j': json = true; break;
		case 'h': usage_shim(stdout); return AK_EXIT_OK;
		default: return ak_usage_error("shim apply", "unknown option");
		}
	}
	if ((so.base_glibc == NULL) == (so.root == NULL) || optind >= argc)
		return ak_usage_error("shim apply", optind >= argc ? "no FILE given" : "give one of --base-glibc V or --root DIR");
	compat = ak_shim_find_compat();
	if (compat == NULL) {
		fprintf(stderr, "abikit: libabikit-compat.so.1 not found (build compat/, or set ABIKIT_COMPAT)\n");
		return AK_EXIT_ERROR;
	}
	if (!so.dry_run && ak_patchelf_find(&pe, NULL, &err) < 0) {
		ak_report(&err);
		free(compat);
		return AK_EXIT_ERROR;
	}
	state = ak_state_dir(state_opt);
	so.embed = !library && !so.system;
	so.compat = compat;
	so.pe = &pe;
	so.state = state;
	if (json) {
		ak_json_init(&j, stdout);
		ak_json_obj_begin(&j);
		ak_json_kstr(&j, "abikit", "shim apply");
		ak_json_kstr(&j, "base", so.root ? so.root : so.base_glibc);
		ak_json_kstr(&j, "shim", compat);
		ak_json_key(&j, "files");
		ak_json_arr_begin(&j);
	}
	for (int i = optind; i < argc; i++) {
		struct ak_shim_report r;
		int e = ak_shim_apply(&so, argv[i], &r, &err);

		e == 0 ? done++ : e == AK_REFUSED ? refused++ : errors++;
		if (json) {
			ak_json_obj_begin(&j);
			ak_json_kstr(&j, "path", argv[i]);
			ak_json_kstr(&j, "action", e == 0 || r.action ? r.action : e == AK_REFUSED ? "refused" : "error");
			if (e != 0)
				ak_json_kstr(&j, "reason", err.msg);
			list(&j, "provided_by_shim", &r.provided);
			list(&j, "no_stub", &r.missing);
			list(&j, "other_problems", &r.other);
			list(&j, "version_needs", &r.weakened);
			if (r.how)
				ak_json_kstr(&j, "how", r.how);
			if (r.embed_note)
				ak_json_kstr(&j, "not_embedded", r.embed_note);
			ak_json_obj_end(&j);
		} else if (e == 0) {
			printf("%s %s", r.action, argv[i]);
			if (r.provided.n)
				printf(": %zu symbol%s from the shim (", r.provided.n, r.provided.n == 1 ? "" : "s");
			for (size_t k = 0; k < r.provided.n && k < 6; k++)
				printf("%s%s", k ? ", " : "", r.provided.v[k]);
			printf("%s", r.provided.n > 6 ? ", ...)" : r.provided.n ? ")" : "");
			if (r.how)
				printf(" [%s]", r.how);
			putchar('\n');
			if (r.embed_note)
				fprintf(stderr, "abikit: not embedded, the library is used: %s\n", r.embed_note);
		}
		if (e != 0) {
			ak_report(&err);
			for (size_t k = 0; !json && k < r.missing.n; k++)
				fprintf(stderr, "  no stub: %s\n", r.missing.v[k]);
		}
		ak_shim_report_free(&r);
	}
	if (json) {
		ak_json_arr_end(&j);
		ak_json_kint(&j, "done", (long long)done);
		ak_json_kint(&j, "refused", (long long)refused);
		ak_json_kint(&j, "errors", (long long)errors);
		ak_json_obj_end(&j);
		ak_json_end(&j);
	}
	free(compat);
	free(state);
	return errors ? AK_EXIT_ERROR : refused ? AK_EXIT_PROBLEM : AK_EXIT_OK;
}

/* The same records as abikit patch keeps: undo is unpatch. */
static int shim_undo(int argc, char **argv)
{
	optind = 1;
	return cmd_unpatch(argc, argv);
}

int cmd_shim(int argc, char **argv)
{
	if (argc < 2) {
		usage_shim(stderr);
		return AK_EXIT_ERROR;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage_shim(stdout);
		return AK_EXIT_OK;
	}
	if (strcmp(argv[1], "apply") == 0)
		return shim_apply(argc - 1, argv + 1);
	if (strcmp(argv[1], "undo") == 0)
		return shim_undo(argc - 1, argv + 1);
	return ak_usage_error("shim", "unknown shim command '%s'", argv[1]);
}
