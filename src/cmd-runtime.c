/* abikit runtime: private glibc runtimes (harvest, build, list, show, remove,
 * env, prune, smoke, ldd, toolchain). */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "fsutil.h"
#include "json.h"
#include "layout.h"
#include "manifest.h"
#include "rtbuild.h"
#include "runtime.h"
#include "smoke.h"
#include "spawn.h"
#include "toolchain.h"

void usage_runtime(FILE *out)
{
	fputs("usage: abikit runtime COMMAND [ARGS...]\n"
	      "\n"
	      "A private runtime is a glibc (ld.so, libc, libm, libpthread, ..., NSS and\n"
	      "gconv modules, locales) that applications use instead of the system's,\n"
	      "under a prefix of its own, described by PREFIX/" AK_RUNTIME_MANIFEST ".\n"
	      "\n"
	      "  harvest (--from-deb FILE... | --from-root DIR) [--prefix P | --layout L]\n"
	      "        [--force] [--no-smoke]\n"
	      "        lay an existing glibc build out as a runtime, without compiling:\n"
	      "        e.g. Debian trixie's libc6 .deb (add libc-bin's .deb for C.UTF-8).\n"
	      "        Its ld.so keeps the distro's compiled-in paths (/etc/ld.so.cache,\n"
	      "        /lib/<triplet>, gconv, locales), so the manifest says how every launch\n"
	      "        compensates: ld.so --inhibit-cache --library-path PREFIX/lib, and\n"
	      "        GCONV_PATH and LOCPATH pointing into the runtime.\n"
	      "  build --glibc V [--source TARBALL|DIR] [--sha256 HEX] [--prefix P]\n"
	      "        [--min-kernel K] [--jobs N] [--force] [--no-smoke]\n"
	      "        compile glibc V with the patch sets of patches/V/ into its own prefix\n"
	      "        (see 'abikit runtime build --help')\n"
	      "  env --layout L --runtime NAME|PREFIX [--plain]\n"
	      "        the environment layout L gives programs launched on that runtime,\n"
	      "        as shell exports (or NAME=VALUE lines with --plain, for\n"
	      "        ~/.ssh/environment); e.g. --layout vscode-server prints\n"
	      "        VSCODE_SERVER_CUSTOM_GLIBC_LINKER, _PATH and VSCODE_SERVER_PATCHELF_PATH\n"
	      "  toolchain NAME|PREFIX --from-deb FILE... [--layout L] [--patchelf FILE]\n"
	      "        what VS Code Remote-SSH's custom-glibc support needs besides the\n"
	      "        runtime. On a host too old for the server, its start script runs\n"
	      "        $VSCODE_SERVER_PATCHELF_PATH there: --set-rpath\n"
	      "        $VSCODE_SERVER_CUSTOM_GLIBC_PATH, then --set-interpreter\n"
	      "        $VSCODE_SERVER_CUSTOM_GLIBC_LINKER on the server's node. So that\n"
	      "        patchelf must run on the old host, and node needs a newer libstdc++\n"
	      "        than the host has. This copies libstdc++.so.6* and libgcc_s.so.1 from\n"
	      "        the .debs (e.g. trixie's libstdc++6 and libgcc-s1, of the runtime's\n"
	      "        architecture) into the layout's ${toolchain_lib}, and installs\n"
	      "        patchelf FILE (default: the one abikit uses) at ${patchelf}, rewritten\n"
	      "        to run on the runtime (interpreter its ld.so, DT_RPATH its lib/ and\n"
	      "        ${toolchain_lib}). Layout default: vscode-server. The manifest records\n"
	      "        toolchain_lib, toolchain_source, toolchain_glibcxx (the newest\n"
	      "        GLIBCXX_ version, what C++ programs may need) and patchelf_path; then\n"
	      "        'runtime env --layout vscode-server --plain' prints the variables.\n"
	      "        Exit 1, changing nothing, when the patchelf would not run on the\n"
	      "        runtime (it needs a library neither the runtime nor the .debs have).\n"
	      "  prune NAME|PREFIX [--keep-gconv LIST] [--dry-run]\n"
	      "        shrink a runtime to what programs load: no headers, static archives,\n"
	      "        tools or translations, debug info stripped, and only the gconv modules\n"
	      "        in LIST (names or prefixes with *, e.g. 'CP1252 ISO8859-*'; 'all' keeps\n"
	      "        every one; default: common legacy charsets)\n"
	      "  smoke NAME|PREFIX [--nsswitch FILE]\n"
	      "        run the smoke test again and audit the NSS modules FILE names\n"
	      "        (default /etc/nsswitch.conf; e.g. a target root's), exit 1 on failure\n"
	      "  ldd NAME|PREFIX FILE...\n"
	      "        what the runtime's loader would load for FILE (ld.so --list, launched\n"
	      "        as the manifest says); exit 1 when something is not found\n"
	      "  list [--json]        the runtimes under the runtimes directory\n"
	      "  show NAME|PREFIX [--json]   one runtime's manifest\n"
	      "  remove NAME|PREFIX   delete a runtime (only a directory with a manifest)\n"
	      "\n"
	      "The runtimes directory is $ABIKIT_RUNTIMES, else /opt/abikit/runtimes for\n"
	      "root, else ~/.abikit/runtimes; a runtime's NAME is its directory name there.\n"
	      "\n"
	      "After install, a smoke test runs small programs with the runtime (hello, the\n"
	      "libc really loaded, threads, dlopen, iconv UTF-8 -> WINDOWS-1252 (a gconv module), NSS\n"
	      "getpwnam/getaddrinfo, setlocale C.UTF-8) and records each result in the\n"
	      "manifest. Nothing is ever half installed: a runtime is staged elsewhere and\n"
	      "renamed into place at the end.\n"
	      "\n"
	      "Exit status: 0 done, 1 done but the smoke test failed, 2 error.\n", out);
}

static int runtime_harvest(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "from-deb", no_argument, NULL, 'd' },
		{ "from-root", required_argument, NULL, 'R' },
		{ "prefix", required_argument, NULL, 'p' },
		{ "layout", required_argument, NULL, 'l' },
		{ "force", no_argument, NULL, 'f' },
		{ "no-smoke", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct ak_harvest h;
	struct ak_err err;
	bool debs = false;
	int c;

	memset(&h, 0, sizeof h);
	h.smoke = true;
	optind = 1;
	while ((c = getopt_long(argc, argv, "dR:p:l:fSh", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': debs = true; break;
		case 'R': h.root = optarg; break;
		case 'p': h.prefix = optarg; break;
		case 'l': h.layout = optarg; break;
		case 'f': h.force = true; break;
		case 'S': h.smoke = false; break;
		case 'h': usage_runtime(stdout); return AK_EXIT_OK;
		default: return ak_usage_error("runtime harvest", "unknown option");
		}
	}
	if (debs == !!h.root)
		return ak_usage_error("runtime harvest", "say where from: --from-deb FILE... or --from-root DIR");
	if (debs) {
		if (optind >= argc)
			return ak_usage_error("runtime harvest", "--from-deb needs at least one .deb file");
		h.debs = argv + optind;
		h.ndebs = (size_t)(argc - optind);
	} else if (optind < argc) {
		return ak_usage_error("runtime harvest", "unexpected argument '%s'", argv[optind]);
	}
	if (ak_runtime_harvest(&h, &err) < 0) {
		ak_report(&err);
		return AK_EXIT_ERROR;
	}
	return AK_EXIT_OK;
}

static void json_manifest(struct ak_json *j, const struct ak_manifest *m, const char *prefix)
{
	ak_json_obj_begin(j);
	ak_json_kstr(j, "prefix", prefix);
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->keys[i], "prefix") != 0)
			ak_json_kstr(j, m->keys[i], m->values[i]);
	ak_json_obj_end(j);
}

static int load_runtime(const char *what, char **prefix, struct ak_manifest *m)
{
	struct ak_err err;
	char *path;

	*prefix = ak_runtime_find(what, &err);
	if (*prefix == NULL) {
		ak_report(&err);
		return -1;
	}
	path = ak_path_join(*prefix, AK_RUNTIME_MANIFEST);
	if (ak_manifest_load(m, path, &err) < 0) {
		ak_report(&err);
		free(path);
		free(*prefix);
		return -1;
	}
	free(path);
	return 0;
}

static const char *get(const struct ak_manifest *m, const char *key)
{
	const char *v = ak_manifest_get(m, key);

	return v && *v ? v : "-";
}

static int runtime_list(int argc, char **argv)
{
	struct ak_strvec names = { NULL, 0, 0 };
	bool json = argc > 1 && strcmp(argv[1], "--json") == 0;
	struct ak_json j;
	char *root = ak_runtime_root();

	if (argc > 1 && !json)
		return ak_usage_error("runtime list", "unexpected argument '%s'", argv[1]);
	ak_runtime_list(&names);
	if (json) {
		ak_json_init(&j, stdout);
		ak_json_obj_begin(&j);
		ak_json_kstr(&j, "abikit", "runtime list");
		ak_json_kint(&j, "schema", 1);
		ak_json_kstr(&j, "root", root);
		ak_json_key(&j, "runtimes");
		ak_json_arr_begin(&j);
	} else if (names.n == 0) {
		printf("no runtimes in %s\n", root);
	} else {
		printf("%-24s %-6s %-8s %-9s %-6s %-5s %7s\n", "NAME", "GLIBC", "ARCH", "KIND", "KERNEL", "SMOKE", "SIZE");
	}
	for (size_t i = 0; i < names.n; i++) {
		struct ak_manifest m;
		char *prefix;

		if (load_runtime(names.v[i], &prefix, &m) < 0)
			continue;
		if (json) {
			json_manifest(&j, &m, prefix);
		} else {
			const char *size = ak_manifest_get(&m, "size_bytes");

			/* KERNEL: the oldest kernel a built runtime accepts. */
			printf("%-24s %-6s %-8s %-9s %-6s %-5s %6.1fM\n", names.v[i], get(&m, "glibc"), get(&m, "arch"),
			       get(&m, "kind"), get(&m, "min_kernel"), get(&m, "smoke"),
			       size ? strtod(size, NULL) / 1048576.0 : 0.0);
		}
		ak_manifest_free(&m);
		free(prefix);
	}
	if (json) {
		ak_json_arr_end(&j);
		ak_json_obj_end(&j);
		ak_json_end(&j);
	}
	ak_strvec_free(&names);
	free(root);
	return AK_EXIT_OK;
}

static int runtime_show(int argc, char **argv)
{
	bool json = false;
	const char *what = NULL;
	struct ak_manifest m;
	char *prefix;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = true;
		else if (what == NULL)
			what = argv[i];
		else
			return ak_usage_error("runtime show", "one runtime at a time");
	}
	if (what == NULL)
		return ak_usage_error("runtime show", "which runtime? (NAME or PREFIX)");
	if (load_runtime(what, &prefix, &m) < 0)
		return AK_EXIT_ERROR;
	if (json) {
		struct ak_json j;

		ak_json_init(&j, stdout);
		json_manifest(&j, &m, prefix);
		ak_json_end(&j);
	} else {
		printf("%s\n", prefix);
		for (size_t i = 0; i < m.n; i++)
			printf("  %-18s %s\n", m.keys[i], m.values[i]);
	}
	ak_manifest_free(&m);
	free(prefix);
	return AK_EXIT_OK;
}

static int runtime_remove(int argc, char **argv)
{
	struct ak_err err;
	char *prefix;

	if (argc != 2)
		return ak_usage_error("runtime remove", "name one runtime (NAME or PREFIX)");
	prefix = ak_runtime_find(argv[1], &err);
	if (prefix == NULL) {
		ak_report(&err);
		return AK_EXIT_ERROR;
	}
	if (ak_rm_rf(prefix, &err) < 0) {
		ak_report(&err);
		free(prefix);
		return AK_EXIT_ERROR;
	}
	printf("removed %s\n", prefix);
	free(prefix);
	return AK_EXIT_OK;
}

static int runtime_env(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "layout", required_argument, NULL, 'l' },
		{ "runtime", required_argument, NULL, 'r' },
		{ "plain", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *layout = NULL, *runtime = NULL;
	enum ak_layout_env_style style = AK_LAYOUT_ENV_SH;
	struct ak_manifest m;
	struct ak_layout l;
	struct ak_err err;
	char *prefix;
	const char *ld;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "l:r:Ph", longopts, NULL)) != -1) {
		switch (c) {
		case 'l': layout = optarg; break;
		case 'r': runtime = optarg; break;
		case 'P': style = AK_LAYOUT_ENV_PLAIN; break;
		case 'h': usage_runtime(stdout); return AK_EXIT_OK;
		default: return ak_usage_error("runtime env", "unknown option");
		}
	}
	if (layout == NULL || runtime == NULL)
		return ak_usage_error("runtime env", "needs --layout NAME and --runtime NAME|PREFIX");
	if (load_runtime(runtime, &prefix, &m) < 0)
		return AK_EXIT_ERROR;
	ld = strrchr(get(&m, "ld_so"), '/') ? strrchr(get(&m, "ld_so"), '/') + 1 : get(&m, "ld_so");
	rc = ak_runtime_layout(&l, layout, get(&m, "name"), get(&m, "glibc"), get(&m, "arch"), ld, prefix, &err);
	if (rc == 0) {
		rc = ak_layout_write_env(&l, stdout, style, &err);
		ak_layout_free(&l);
	}
	ak_manifest_free(&m);
	free(prefix);
	if (rc < 0) {
		ak_report(&err);
		return AK_EXIT_ERROR;
	}
	return AK_EXIT_OK;
}

/* libstdc++, libgcc_s and a patchelf that runs on the runtime, for VS
 * Code's custom-glibc support (see src/lib/toolchain.h). */
static int runtime_toolchain(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "from-deb", no_argument, NULL, 'd' },
		{ "layout", required_argument, NULL, 'l' },
		{ "patchelf", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct ak_toolchain_opts o;
	struct ak_runtime_info rt;
	struct ak_err err;
	bool debs = false;
	int c, rc;

	memset(&o, 0, sizeof o);
	optind = 1;
	while ((c = getopt_long(argc, argv, "dl:p:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': debs = true; break;
		case 'l': o.layout = optarg; break;
		case 'p': o.patchelf = optarg; break;
		case 'h': usage_runtime(stdout); return AK_EXIT_OK;
		default: return ak_usage_error("runtime toolchain", "unknown option");
		}
	}
	if (optind >= argc)
		return ak_usage_error("runtime toolchain", "which runtime? (NAME or PREFIX)");
	if (!debs || optind + 1 >= argc)
		return ak_usage_error("runtime toolchain", "say where from: --from-deb FILE... (libstdc++6 and libgcc-s1)");
	if (ak_runtime_open(&rt, argv[optind], &err) < 0) {
		ak_report(&err);
		return AK_EXIT_ERROR;
	}
	o.rt = &rt;
	o.debs = argv + optind + 1;
	o.ndebs = (size_t)(argc - optind - 1);
	rc = ak_toolchain_install(&o, &err);
	ak_runtime_info_free(&rt);
	if (rc != 0) {
		ak_report(&err);
		return rc == AK_TOOLCHAIN_NORUN ? AK_EXIT_PROBLEM : AK_EXIT_ERROR;
	}
	return AK_EXIT_OK;
}

static int runtime_prune(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "keep-gconv", required_argument, NULL, 'k' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *keep = NULL;
	bool dry = false;
	struct ak_err err;
	char *prefix;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "k:nh", longopts, NULL)) != -1) {
		switch (c) {
		case 'k': keep = optarg; break;
		case 'n': dry = true; break;
		case 'h': usage_runtime(stdout); return AK_EXIT_OK;
		default: return ak_usage_error("runtime prune", "unknown option");
		}
	}
	if (optind + 1 != argc)
		return ak_usage_error("runtime prune", "name one runtime (NAME or PREFIX)");
	prefix = ak_runtime_find(argv[optind], &err);
	if (prefix == NULL) {
		ak_report(&err);
		return AK_EXIT_ERROR;
	}
	rc = ak_runtime_prune(prefix, keep, dry, &err);
	free(prefix);
	if (rc < 0) {
		ak_report(&err);
		return AK_EXIT_ERROR;
	}
	return AK_EXIT_OK;
}

/* Re-run the smoke test (after a prune, a move, an upgrade of the host). */
static int runtime_smoke(int argc, char **argv)
{
	struct ak_manifest m;
	struct ak_err err;
	char *prefix, *path, work[] = "/tmp/abikit-smoke-XXXXXX";
	const char *nsswitch = "/etc/nsswitch.conf", *what = NULL;
	int failed;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--nsswitch") == 0 && i + 1 < argc)
			nsswitch = argv[++i];
		else if (what == NULL && argv[i][0] != '-')
			what = argv[i];
		else
			return ak_usage_error("runtime smoke", "usage: runtime smoke NAME|PREFIX [--nsswitch FILE]");
	}
	if (what == NULL)
		return ak_usage_error("runtime smoke", "name one runtime (NAME or PREFIX)");
	if (load_runtime(what, &prefix, &m) < 0)
		return AK_EXIT_ERROR;
	/* The NSS modules the target system's nsswitch.conf names should be
	 * in the runtime: a missing one makes lookups answer "not found". It
	 * is reported and recorded; only the smoke tests decide the status,
	 * since modules from other packages (systemd, sss) are often absent
	 * on purpose. */
	ak_runtime_nss_audit(prefix, nsswitch, &m);
	failed = 0;
	if (mkdtemp(work) == NULL) {
		ak_warn("%s: %s", work, strerror(errno));
		failed = -1;
	} else {
		failed = ak_smoke_run(prefix, &m, work, &err);
		ak_rm_rf(work, NULL);
	}
	path = ak_path_join(prefix, AK_RUNTIME_MANIFEST);
	if (failed < 0 || ak_manifest_save(&m, path, &err) < 0) {
		if (failed >= 0 || errno)
			ak_report(&err);
		failed = -1;
	}
	for (size_t i = 0; failed >= 0 && i < m.n; i++)
		if (strncmp(m.keys[i], "smoke", 5) == 0 || strncmp(m.keys[i], "nss_", 4) == 0)
			printf("%-14s %s\n", m.keys[i], m.values[i]);
	free(path);
	free(prefix);
	ak_manifest_free(&m);
	return failed < 0 ? AK_EXIT_ERROR : failed ? AK_EXIT_PROBLEM : AK_EXIT_OK;
}

/* What the runtime's own loader would load for each file: ld.so --list,
 * launched the way the manifest says (the runtime's installed ldd script
 * knows nothing of --inhibit-cache or a harvested loader's paths). */
static int runtime_ldd(int argc, char **argv)
{
	struct ak_manifest m;
	char *prefix, *ldso, *libdir, *gconv, *locpath;
	int worst = 0;

	if (argc < 3)
		return ak_usage_error("runtime ldd", "usage: runtime ldd NAME|PREFIX FILE...");
	if (load_runtime(argv[1], &prefix, &m) < 0)
		return AK_EXIT_ERROR;
	ldso = ak_path_join(prefix, get(&m, "ld_so"));
	libdir = ak_path_join(prefix, "lib");
	gconv = ak_xmalloc(strlen(prefix) + 32);
	locpath = ak_xmalloc(strlen(prefix) + 32);
	sprintf(gconv, "GCONV_PATH=%s/lib/gconv", prefix);
	sprintf(locpath, "LOCPATH=%s/lib/locale", prefix);
	for (int i = 2; i < argc; i++) {
		const char *av[] = { ldso, "--inhibit-cache", "--library-path", libdir, "--list", argv[i], NULL };
		const char *env[] = { gconv, locpath, NULL };
		struct ak_spawn sp;
		struct ak_err err;
		int rc;

		if (argc > 3)
			printf("%s:\n", argv[i]);
		fflush(stdout);
		memset(&sp, 0, sizeof sp);
		sp.argv = av;
		sp.env = env;
		sp.phase = "ldd";
		rc = ak_spawn_run(&sp, &err);
		if (rc < 0) {
			ak_report(&err);
			worst = AK_EXIT_ERROR;
		} else if (rc != 0 && worst == 0) {
			worst = AK_EXIT_PROBLEM;
		}
	}
	free(ldso);
	free(libdir);
	free(gconv);
	free(locpath);
	free(prefix);
	ak_manifest_free(&m);
	return worst;
}

int cmd_runtime(int argc, char **argv)
{
	if (argc < 2) {
		usage_runtime(stderr);
		return AK_EXIT_ERROR;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage_runtime(stdout);
		return AK_EXIT_OK;
	}
	if (strcmp(argv[1], "harvest") == 0)
		return runtime_harvest(argc - 1, argv + 1);
	if (strcmp(argv[1], "build") == 0)
		return ak_rtbuild_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "list") == 0)
		return runtime_list(argc - 1, argv + 1);
	if (strcmp(argv[1], "show") == 0)
		return runtime_show(argc - 1, argv + 1);
	if (strcmp(argv[1], "remove") == 0)
		return runtime_remove(argc - 1, argv + 1);
	if (strcmp(argv[1], "env") == 0)
		return runtime_env(argc - 1, argv + 1);
	if (strcmp(argv[1], "toolchain") == 0)
		return runtime_toolchain(argc - 1, argv + 1);
	if (strcmp(argv[1], "prune") == 0)
		return runtime_prune(argc - 1, argv + 1);
	if (strcmp(argv[1], "smoke") == 0)
		return runtime_smoke(argc - 1, argv + 1);
	if (strcmp(argv[1], "ldd") == 0)
		return runtime_ldd(argc - 1, argv + 1);
	return ak_usage_error("runtime", "unknown runtime command '%s'", argv[1]);
}
