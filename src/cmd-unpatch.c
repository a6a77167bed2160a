/* abikit unpatch: give patched files their original bytes back. */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "json.h"
#include "layout.h"
#include "rewrite.h"
#include "runtime.h"

void usage_unpatch(FILE *out)
{
	fputs("usage: abikit unpatch [--state DIR | --layout L] [--force] [--json] FILE...\n"
	      "\n"
	      "Restore files that 'abikit patch' rewrote to their original bytes, exactly:\n"
	      "the kept original is checked against the sha256 recorded when it was\n"
	      "patched, written beside the file, synced and renamed over it (mode, owner,\n"
	      "timestamps and extended attributes kept), and the record is removed.\n"
	      "\n"
	      "A file that changed since abikit patched it (a package upgrade, someone\n"
	      "else's patchelf) is not overwritten: abikit refuses and says so. A file that\n"
	      "already has its original content just loses its record.\n"
	      "\n"
	      "Options:\n"
	      "  -s, --state DIR    where 'abikit patch' kept its records (default:\n"
	      "                     $ABIKIT_STATE, /var/lib/abikit as root, else\n"
	      "                     ~/.abikit/state)\n"
	      "  -l, --layout L     use the layout's ${state}\n"
	      "  -f, --force        restore even over a changed file\n"
	      "  -j, --json         machine-readable output\n"
	      "  -h, --help         this help\n"
	      "\n"
	      "Exit status: 0 all restored, 1 some file refused (changed, never patched),\n"
	      "2 an error.\n"
	      "\n"
	      "Example:\n"
	      "  abikit unpatch ~/bin/rg ~/bin/jq\n", out);
}

int cmd_unpatch(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "state", required_argument, NULL, 's' }, { "layout", required_argument, NULL, 'l' },
		{ "force", no_argument, NULL, 'f' },       { "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },        { NULL, 0, NULL, 0 }
	};
	const char *state_opt = NULL, *layout = NULL;
	bool force = false, json = false;
	size_t done = 0, refused = 0, errors = 0;
	struct ak_err err;
	struct ak_json j;
	char *state;
	int c;

	while ((c = getopt_long(argc, argv, "s:l:fjh", opts, NULL)) != -1) {
		switch (c) {
		case 's': state_opt = optarg; break;
		case 'l': layout = optarg; break;
		case 'f': force = true; break;
		case 'j': json = true; break;
		case 'h': usage_unpatch(stdout); return AK_EXIT_OK;
		default: return ak_usage_error("unpatch", "unknown option");
		}
	}
	if (optind >= argc)
		return ak_usage_error("unpatch", "no FILE given");
	if (layout && !state_opt) {
		struct ak_layout l;

		/* Only ${state} is wanted; the runtime variables get placeholders. */
		if (ak_runtime_layout(&l, layout, "none", "0", "x86_64", "ld.so", NULL, &err) < 0) {
			ak_report(&err);
			return AK_EXIT_ERROR;
		}
		state = ak_state_dir(ak_layout_path(&l, "state"));
		ak_layout_free(&l);
	} else {
		state = ak_state_dir(state_opt);
	}
	if (json) {
		ak_json_init(&j, stdout);
		ak_json_obj_begin(&j);
		ak_json_kstr(&j, "abikit", "unpatch");
		ak_json_kstr(&j, "state", state);
		ak_json_key(&j, "files");
		ak_json_arr_begin(&j);
	}
	for (int i = optind; i < argc; i++) {
		struct ak_unpatch_report r;
		int e = ak_unpatch_file(state, argv[i], force, &r, &err);

		if (e == 0)
			done++;
		else
			e == AK_REFUSED ? refused++ : errors++;
		if (json) {
			ak_json_obj_begin(&j);
			ak_json_kstr(&j, "path", argv[i]);
			ak_json_kstr(&j, "action", e == 0 ? r.action : e == AK_REFUSED ? "refused" : "error");
			if (e == 0)
				ak_json_kstr(&j, "sha256", r.sha256);
			else
				ak_json_kstr(&j, "reason", err.msg);
			ak_json_obj_end(&j);
		} else if (e == 0) {
			printf("%s %s\n", r.action, argv[i]);
		}
		if (e != 0)
			ak_report(&err);
		ak_unpatch_report_free(&r);
	}
	if (json) {
		ak_json_arr_end(&j);
		ak_json_kint(&j, "done", (long long)done);
		ak_json_kint(&j, "refused", (long long)refused);
		ak_json_kint(&j, "errors", (long long)errors);
		ak_json_obj_end(&j);
		ak_json_end(&j);
	}
	free(state);
	return errors ? AK_EXIT_ERROR : refused ? AK_EXIT_PROBLEM : AK_EXIT_OK;
}
