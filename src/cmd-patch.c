/* abikit patch: point chosen binaries at a private runtime, reversibly. */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builtin.h"
#include "fsutil.h"
#include "json.h"
#include "layout.h"
#include "patchelf.h"
#include "rewrite.h"
#include "runtime.h"

void usage_patch(FILE *out)
{
	fputs("usage: abikit patch --runtime NAME|PREFIX [--layout L] [--add-rpath DIR]...\n"
	      "                    [--state DIR] [--dry-run] [--json] FILE...\n"
	      "\n"
	      "Make FILEs use a private glibc runtime: PT_INTERP becomes the runtime's ld.so\n"
	      "and the search path its lib dir, written as DT_RPATH (never DT_RUNPATH: the\n"
	      "loader does not use a program's DT_RUNPATH for its libraries' own\n"
	      "dependencies or for dlopen, which lets the system's libpthread, librt or\n"
	      "libresolv into a new-glibc process). The file's own $ORIGIN-relative and\n"
	      "other private entries are kept after the runtime's; the system's library\n"
	      "directories, empty and relative entries are dropped, with a warning.\n"
	      "Shared libraries get the search path only.\n"
	      "\n"
	      "Safe and reversible: the work is done on a copy beside the file, checked with\n"
	      "abikit's own ELF reader (interpreter and DT_RPATH as asked, every segment in\n"
	      "the file), synced and renamed over the original with its mode, owner,\n"
	      "timestamps and extended attributes. The original bytes and a manifest\n"
	      "(original interpreter, rpath/runpath, size, sha256, and the new sha256) go to\n"
	      "the state directory; 'abikit unpatch' restores the file exactly. Patching\n"
	      "again with the same runtime changes nothing; with another runtime the file is\n"
	      "patched afresh from the kept original.\n"
	      "\n"
	      "Refused, with the reason: static executables, non-ELF files, scripts (patch\n"
	      "the interpreter they name), set-user-ID/set-group-ID files and files with\n"
	      "capabilities (the loader ignores $ORIGIN for them), files of another\n"
	      "architecture than the runtime, and files inside the runtime.\n"
	      "\n"
	      "Do not run strip(1) on a patched file: strip rewrites the file from its\n"
	      "section headers and loses what patchelf moved, leaving a file that crashes.\n"
	      "Strip first, then patch. patchelf may grow a file by a page or more.\n"
	      "\n"
	      "Options:\n"
	      "  -r, --runtime R    the runtime: a name under the runtimes dir or a PREFIX\n"
	      "  -l, --layout L     a layout (sandbox-layouts/): its ${state} holds the\n"
	      "                     records, its ${toolchain_lib} (if any) is searched after\n"
	      "                     the runtime, its ${patchelf} (if present) is used\n"
	      "  -a, --add-rpath D  search D too, after the runtime (repeatable; may use\n"
	      "                     $ORIGIN)\n"
	      "  -s, --state DIR    where records and originals go (default: $ABIKIT_STATE,\n"
	      "                     /var/lib/abikit as root, else ~/.abikit/state)\n"
	      "  -n, --dry-run      say what would change, change nothing\n"
	      "  -j, --json         machine-readable output\n"
	      "  -h, --help         this help\n"
	      "\n"
	      "Needs Debian's patchelf 0.9 or newer ($ABIKIT_PATCHELF names another); it is\n"
	      "called twice per file, --set-rpath first, then --set-interpreter (patchelf\n"
	      "issue 524: the other order, or both at once before 0.14.4, can break files).\n"
	      "\n"
	      "A harvested runtime's ld.so still reads the system's /etc/ld.so.cache and\n"
	      "/lib/<triplet> for libraries not found through DT_RPATH; abikit warns. Use a\n"
	      "built runtime, or 'abikit bundle' whose launcher passes --inhibit-cache.\n"
	      "\n"
	      "Exit status: 0 all patched (or unchanged), 1 some file refused, 2 an error.\n"
	      "\n"
	      "Examples:\n"
	      "  abikit patch --runtime glibc-2.41-x86_64 ~/bin/rg ~/bin/jq\n"
	      "  abikit patch --runtime /opt/rt --add-rpath '$ORIGIN/../lib' ./app/bin/tool\n"
	      "  abikit unpatch ~/bin/rg\n", out);
}

static void print_report(const struct ak_patch_report *r)
{
	if (strcmp(r->action, "unchanged") == 0) {
		printf("unchanged %s: already patched onto this runtime\n", r->path);
		return;
	}
	printf("%s %s\n", r->action, r->path);
	if (r->interp)
		printf("  interpreter %s -> %s\n", r->old_interp ? r->old_interp : "none", r->interp);
	printf("  DT_RPATH    %s%s%s -> %s\n", r->old_runpath ? "(DT_RUNPATH) " : "",
	       r->old_runpath ? r->old_runpath : r->old_rpath ? r->old_rpath : "none", "", r->rpath);
	if (r->size_after && r->size_after != r->size_before)
		printf("  size        %llu -> %llu bytes\n", r->size_before, r->size_after);
}

static void json_report(struct ak_json *j, const struct ak_patch_report *r)
{
	ak_json_kstr(j, "action", r->action);
	ak_json_kstr(j, "real_path", r->real);
	ak_json_kstr(j, "interp", r->interp);
	ak_json_kstr(j, "rpath", r->rpath);
	ak_json_kstr(j, "original_interp", r->old_interp);
	ak_json_kstr(j, "original_rpath", r->old_rpath);
	ak_json_kstr(j, "original_runpath", r->old_runpath);
	ak_json_kint(j, "size_before", (long long)r->size_before);
	ak_json_kint(j, "size_after", (long long)r->size_after);
	ak_json_key(j, "warnings");
	ak_json_arr_begin(j);
	for (size_t i = 0; i < r->warnings.n; i++)
		ak_json_str(j, r->warnings.v[i]);
	ak_json_arr_end(j);
}

int cmd_patch(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "runtime", required_argument, NULL, 'r' }, { "layout", required_argument, NULL, 'l' },
		{ "add-rpath", required_argument, NULL, 'a' }, { "state", required_argument, NULL, 's' },
		{ "dry-run", no_argument, NULL, 'n' },        { "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },           { NULL, 0, NULL, 0 }
	};
	const char *runtime = NULL, *layout = NULL, *state_opt = NULL;
	struct ak_strvec extra = { 0 };
	struct ak_runtime_info rt;
	struct ak_patchelf pe;
	struct ak_patch_opts po = { 0 };
	struct ak_layout l;
	bool have_layout = false, json = false, dry = false;
	char *state = NULL;
	const char *patchelf_want = NULL;
	struct ak_err err;
	struct ak_json j;
	size_t done = 0, refused = 0, errors = 0;
	int c, rc;

	while ((c = getopt_long(argc, argv, "r:l:a:s:njh", opts, NULL)) != -1) {
		switch (c) {
		case 'r': runtime = optarg; break;
		case 'l': layout = optarg; break;
		case 'a': ak_strvec_push(&extra, optarg); break;
		case 's': state_opt = optarg; break;
		case 'n': dry = true; break;
		case 'j': json = true; break;
		case 'h': usage_patch(stdout); ak_strvec_free(&extra); return AK_EXIT_OK;
		default: ak_strvec_free(&extra); return ak_usage_error("patch", "unknown option");
		}
	}
	if (runtime == NULL || optind >= argc) {
		ak_strvec_free(&extra);
		return ak_usage_error("patch", runtime ? "no FILE given" : "--runtime is required");
	}
	if (ak_runtime_open(&rt, runtime, &err) < 0) {
		ak_report(&err);
		ak_strvec_free(&extra);
		return AK_EXIT_ERROR;
	}
	if (layout) {
		if (ak_runtime_layout(&l, layout, rt.name, rt.glibc, rt.arch, strrchr(rt.ld_so, '/') + 1, rt.prefix,
				      &err) < 0) {
			ak_report(&err);
			ak_runtime_info_free(&rt);
			ak_strvec_free(&extra);
			return AK_EXIT_ERROR;
		}
		have_layout = true;
		{
			const char *tl = ak_layout_path(&l, "toolchain_lib"), *p = ak_layout_path(&l, "patchelf");

			if (tl && ak_is_dir(tl))
				ak_strvec_push(&extra, tl);
			if (p && access(p, X_OK) == 0)
				patchelf_want = p;
		}
	}
	state = ak_state_dir(state_opt ? state_opt : have_layout ? ak_layout_path(&l, "state") : NULL);
	rc = AK_EXIT_OK;
	if (ak_patchelf_find(&pe, patchelf_want, &err) < 0) {
		ak_report(&err);
		rc = AK_EXIT_ERROR;
		goto out;
	}
	if (strcmp(rt.kind, "harvested") == 0)
		ak_warn("%s is a harvested runtime: its ld.so reads the system's /etc/ld.so.cache and "
			"/lib/%s-linux-gnu for libraries not found through DT_RPATH", rt.name, rt.arch);
	po.rt = &rt;
	po.pe = &pe;
	po.state = state;
	po.extra_dirs = (const char *const *)extra.v;
	po.nextra = extra.n;
	po.dry_run = dry;
	if (json) {
		ak_json_init(&j, stdout);
		ak_json_obj_begin(&j);
		ak_json_kstr(&j, "abikit", "patch");
		ak_json_kstr(&j, "runtime", rt.prefix);
		ak_json_kstr(&j, "state", state);
		ak_json_kstr(&j, "patchelf", pe.version);
		ak_json_key(&j, "files");
		ak_json_arr_begin(&j);
	}
	for (int i = optind; i < argc; i++) {
		struct ak_patch_report r;
		int e = ak_patch_file(&po, argv[i], &r, &err);

		if (json) {
			ak_json_obj_begin(&j);
			ak_json_kstr(&j, "path", argv[i]);
		}
		if (e == 0) {
			done++;
			for (size_t w = 0; w < r.warnings.n; w++)
				ak_warn("%s: %s", argv[i], r.warnings.v[w]);
			if (json)
				json_report(&j, &r);
			else
				print_report(&r);
		} else {
			e == AK_REFUSED ? refused++ : errors++;
			if (json) {
				ak_json_kstr(&j, "action", e == AK_REFUSED ? "refused" : "error");
				ak_json_kstr(&j, "reason", err.msg);
			}
			ak_report(&err);
		}
		if (json)
			ak_json_obj_end(&j);
		ak_patch_report_free(&r);
	}
	if (json) {
		ak_json_arr_end(&j);
		ak_json_kint(&j, "done", (long long)done);
		ak_json_kint(&j, "refused", (long long)refused);
		ak_json_kint(&j, "errors", (long long)errors);
		ak_json_obj_end(&j);
		ak_json_end(&j);
	}
	rc = errors ? AK_EXIT_ERROR : refused ? AK_EXIT_PROBLEM : AK_EXIT_OK;
out:
	if (have_layout)
		ak_layout_free(&l);
	free(state);
	ak_runtime_info_free(&rt);
	ak_strvec_free(&extra);
	return rc;
}
