/* abikit root: old distro roots to verify in. */
#include <config.h>

#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "builtin.h"
#include "fsutil.h"
#include "json.h"
#include "libcinfo.h"
#include "spawn.h"

void usage_root(FILE *out)
{
	fputs("usage: abikit root create --suite SUITE [--arch ARCH] [--refresh] [DIR]\n"
	      "       abikit root list [--json]\n"
	      "\n"
	      "Roots are the old systems 'abikit verify' runs targets in.\n"
	      "\n"
	      "  create  a minimal Debian root of SUITE (bullseye: glibc 2.31, bookworm:\n"
	      "          2.36, trixie: 2.41, ...) with 'debootstrap --variant=minbase' and\n"
	      "          the mirror the system's apt sources name. Roots are cached by\n"
	      "          suite, architecture and month in the cache ($ABIKIT_CACHE, else\n"
	      "          ~/.cache/abikit/roots); a second create reuses it (--refresh\n"
	      "          makes a new one). Prints the root's directory; with DIR, the root\n"
	      "          is copied there (cp -a) too. Needs root (debootstrap does).\n"
	      "  list    the cached roots: suite, architecture, month, glibc, size.\n"
	      "\n"
	      "Any directory tree with a glibc (an unpacked container image, a chroot)\n"
	      "is a root too: give it to 'abikit verify --root' or 'abikit check --root'.\n"
	      "\n"
	      "Exit status: 0 done, 2 an error.\n"
	      "\n"
	      "Examples:\n"
	      "  abikit root create --suite bullseye\n"
	      "  abikit root list\n", out);
}

static char *cache_dir(void)
{
	const char *c = getenv("ABIKIT_CACHE"), *x = getenv("XDG_CACHE_HOME"), *h = getenv("HOME");

	if (c && *c)
		return ak_xstrdup(c);
	if (x && *x)
		return ak_path_join(x, "abikit");
	return ak_path_join(h && *h ? h : "/", ".cache/abikit");
}

static int root_create(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "suite", required_argument, NULL, 's' }, { "arch", required_argument, NULL, 'a' },
		{ "refresh", no_argument, NULL, 'r' },     { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *suite = NULL, *arch = NULL;
	char line[4096];
	bool refresh = false;
	struct ak_err err;
	char *script, *cache;
	int c, st;

	optind = 1;
	while ((c = getopt_long(argc, argv, "s:a:rh", opts, NULL)) != -1) {
		switch (c) {
		case 's': suite = optarg; break;
		case 'a': arch = optarg; break;
		case 'r': refresh = true; break;
		case 'h': usage_root(stdout); return AK_EXIT_OK;
		default: return ak_usage_error("root create", "unknown option");
		}
	}
	if (suite == NULL || argc - optind > 1)
		return ak_usage_error("root create", suite ? "at most one DIR" : "--suite is required");
	script = ak_find_script("mkroot");
	if (script == NULL) {
		fprintf(stderr, "abikit: the mkroot script is not installed (set ABIKIT_SCRIPTS to a source tree's scripts/)\n");
		return AK_EXIT_ERROR;
	}
	cache = cache_dir();
	{
		const char *av[8];
		int n = 0;

		av[n++] = script;
		av[n++] = "--cache";
		av[n++] = cache;
		if (refresh)
			av[n++] = "--refresh";
		av[n++] = suite;
		if (arch)
			av[n++] = arch;
		av[n] = NULL;
		fprintf(stderr, "abikit: making (or reusing) the %s root; a new one takes about a minute\n", suite);
		st = ak_spawn_capture(av, line, sizeof line, &err);
	}
	free(script);
	free(cache);
	if (st != 0) {
		char *last = strrchr(line, '\n');

		while (last && last[1] == '\0' && last > line) {
			*last = '\0';
			last = strrchr(line, '\n');
		}
		fprintf(stderr, "abikit: root create %s failed: %s\n", suite, st < 0 ? err.msg : last ? last + 1 : line);
		return AK_EXIT_ERROR;
	}
	/* mkroot prints the root last. */
	{
		char *end = line + strlen(line);

		while (end > line && end[-1] == '\n')
			*--end = '\0';
		end = strrchr(line, '\n');
		if (end)
			memmove(line, end + 1, strlen(end + 1) + 1);
	}
	if (optind < argc) {
		const char *av[] = { "cp", "-a", "--", line, argv[optind], NULL };
		char out[1024];

		if (ak_exists(argv[optind])) {
			fprintf(stderr, "abikit: %s: exists; give a new directory\n", argv[optind]);
			return AK_EXIT_ERROR;
		}
		if (ak_spawn_capture(av, out, sizeof out, &err) != 0) {
			fprintf(stderr, "abikit: %s: cannot copy the root: %s\n", argv[optind], out);
			return AK_EXIT_ERROR;
		}
		puts(argv[optind]);
	} else {
		puts(line);
	}
	return AK_EXIT_OK;
}

/* The root's glibc, from its libc.so.6 (no program is run). */
static void root_glibc(const char *root, char *out, size_t size)
{
	static const char *const where[] = { "lib/x86_64-linux-gnu/libc.so.6", "lib/aarch64-linux-gnu/libc.so.6",
					     "usr/lib/x86_64-linux-gnu/libc.so.6", "usr/lib/aarch64-linux-gnu/libc.so.6",
					     "lib64/libc.so.6", "usr/lib64/libc.so.6", NULL };

	snprintf(out, size, "-");
	for (const char *const *w = where; *w; w++) {
		char *p = ak_path_join(root, *w);
		struct ak_libc_info info;
		struct ak_err err;

		if (ak_exists(p) && ak_libc_identify(p, &info, &err) == 0 && info.version[0]) {
			snprintf(out, size, "%s", info.version);
			free(p);
			return;
		}
		free(p);
	}
}

static int root_list(int argc, char **argv)
{
	bool json = argc > 1 && strcmp(argv[1], "--json") == 0;
	char *cache = cache_dir(), *dir = ak_path_join(cache, "roots");
	struct ak_strvec names = { 0 };
	struct ak_json j;
	DIR *d;
	struct dirent *e;

	if (argc > 2 || (argc == 2 && !json)) {
		free(dir);
		free(cache);
		return ak_usage_error("root list", "usage: root list [--json]");
	}
	d = opendir(dir);
	while (d && (e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			ak_strvec_push(&names, e->d_name);
	if (d)
		closedir(d);
	if (json) {
		ak_json_init(&j, stdout);
		ak_json_obj_begin(&j);
		ak_json_kstr(&j, "abikit", "root list");
		ak_json_key(&j, "roots");
		ak_json_arr_begin(&j);
	} else {
		printf("%-28s %-6s %6s  %s\n", "ROOT", "GLIBC", "SIZE", "PATH");
	}
	for (size_t i = 0; i < names.n; i++) {
		char *p = ak_path_join(dir, names.v[i]), ver[32];
		unsigned long long size = ak_tree_size(p);

		root_glibc(p, ver, sizeof ver);
		if (json) {
			ak_json_obj_begin(&j);
			ak_json_kstr(&j, "name", names.v[i]);
			ak_json_kstr(&j, "path", p);
			ak_json_kstr(&j, "glibc", ver);
			ak_json_kint(&j, "size_bytes", (long long)size);
			ak_json_obj_end(&j);
		} else {
			printf("%-28s %-6s %5.0fM  %s\n", names.v[i], ver, (double)size / 1048576.0, p);
		}
		free(p);
	}
	if (json) {
		ak_json_arr_end(&j);
		ak_json_obj_end(&j);
		ak_json_end(&j);
	} else if (names.n == 0) {
		printf("(none yet: abikit root create --suite bullseye)\n");
	}
	ak_strvec_free(&names);
	free(dir);
	free(cache);
	return AK_EXIT_OK;
}

int cmd_root(int argc, char **argv)
{
	if (argc < 2) {
		usage_root(stderr);
		return AK_EXIT_ERROR;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage_root(stdout);
		return AK_EXIT_OK;
	}
	if (strcmp(argv[1], "create") == 0)
		return root_create(argc - 1, argv + 1);
	if (strcmp(argv[1], "list") == 0)
		return root_list(argc - 1, argv + 1);
	return ak_usage_error("root", "unknown root command '%s'", argv[1]);
}
