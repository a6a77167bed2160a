/* abikit bundle: programs, their libraries and a runtime in one directory. */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "bundle.h"
#include "layout.h"
#include "patchelf.h"
#include "rewrite.h"
#include "runtime.h"

void usage_bundle(FILE *out)
{
	fputs("usage: abikit bundle --runtime NAME|PREFIX --out DIR [--launcher | --absolute]\n"
	      "                     [--layout L] [--extra LIB]... [--library-path DIRS]\n"
	      "                     [--data SRC=REL]... [--force] PROGRAM...\n"
	      "\n"
	      "Copy PROGRAMs and every non-glibc shared library they load into DIR, with a\n"
	      "private glibc runtime, so they run on a system whose glibc is too old.\n"
	      "Libraries are found as the loader would find them on this system (DT_RPATH,\n"
	      "DT_RUNPATH, $ORIGIN, ld.so.conf, default dirs); glibc's own libraries come\n"
	      "from the runtime, never from this system. Every copied file gets an\n"
	      "$ORIGIN-relative DT_RPATH (never DT_RUNPATH), so libraries' own needs and\n"
	      "dlopen()s stay inside the bundle too. DIR/abikit-bundle.manifest records\n"
	      "every file: where it came from, its Debian package and version where known,\n"
	      "its SONAME and sha256.\n"
	      "\n"
	      "  DIR/bin/NAME            what you run\n"
	      "  DIR/libexec/NAME        the program itself (launcher mode)\n"
	      "  DIR/lib/                its libraries\n"
	      "  DIR/runtime/lib/        the runtime (launcher mode)\n"
	      "\n"
	      "Modes:\n"
	      "  --launcher (default)  bin/NAME is abikit-launch, a small static program\n"
	      "                        that finds the bundle from /proc/self/exe and starts\n"
	      "                        the program on the bundle's own runtime. The bundle\n"
	      "                        is relocatable: move or copy DIR and it still runs\n"
	      "                        (the first run after a move fixes the program's\n"
	      "                        PT_INTERP in place, so programs that re-execute\n"
	      "                        themselves through /proc/self/exe keep working;\n"
	      "                        a read-only moved bundle runs through\n"
	      "                        'ld.so --inhibit-cache --library-path ... --argv0').\n"
	      "  --absolute            no launcher, no copy of the runtime: PT_INTERP is the\n"
	      "                        runtime's ld.so at its install path, so the bundle\n"
	      "                        only runs where that runtime is installed at the\n"
	      "                        same path.\n"
	      "\n"
	      "Options:\n"
	      "  -r, --runtime R    the runtime: a name under the runtimes dir or a PREFIX\n"
	      "  -o, --out DIR      where the bundle goes (made in a staging dir beside it,\n"
	      "                     renamed into place at the end)\n"
	      "  -l, --layout L     without --out: DIR is the layout's ${apps}/NAME (NAME\n"
	      "                     the first program's)\n"
	      "  -e, --extra LIB    a library the programs dlopen(), with what it needs\n"
	      "                     (repeatable)\n"
	      "  -p, --library-path DIRS\n"
	      "                     colon-separated dirs to find libraries in, searched like\n"
	      "                     LD_LIBRARY_PATH (e.g. packages unpacked elsewhere)\n"
	      "  -d, --data SRC=REL copy the tree SRC into the bundle at REL (default\n"
	      "                     share/NAME): a program's data, such as Python's\n"
	      "                     stdlib at lib/python3.13; ELF files in it are bundled\n"
	      "                     like libraries (their needs added, DT_RPATH set)\n"
	      "  -f, --force        replace an existing bundle at DIR\n"
	      "  -h, --help         this help\n"
	      "\n"
	      "Do not strip(1) bundled files: patchelf moved parts strip does not know.\n"
	      "\n"
	      "Exit status: 0 bundled, 1 a program was refused (static, script, set-id,\n"
	      "another architecture), 2 an error (a library not found, I/O); nothing is\n"
	      "left at DIR unless 0.\n"
	      "\n"
	      "Examples:\n"
	      "  abikit bundle --runtime glibc-2.41-x86_64 --out ~/apps/jq /usr/bin/jq\n"
	      "  abikit bundle --runtime glibc-2.41-x86_64 --out /opt/py /usr/bin/python3.13\n"
	      "  scp -r ~/apps/jq oldhost: && ssh oldhost jq/bin/jq --version\n", out);
}

int cmd_bundle(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "runtime", required_argument, NULL, 'r' }, { "out", required_argument, NULL, 'o' },
		{ "layout", required_argument, NULL, 'l' },  { "extra", required_argument, NULL, 'e' },
		{ "launcher", no_argument, NULL, 'L' },      { "absolute", no_argument, NULL, 'A' },
		{ "force", no_argument, NULL, 'f' },         { "help", no_argument, NULL, 'h' },
		{ "library-path", required_argument, NULL, 'p' }, { "data", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 }
	};
	const char *runtime = NULL, *out = NULL, *layout = NULL;
	struct ak_strvec extras = { 0 }, libpath = { 0 }, data = { 0 };
	struct ak_bundle_opts bo = { 0 };
	struct ak_runtime_info rt;
	struct ak_patchelf pe;
	struct ak_err err;
	char *launcher = NULL, *outbuf = NULL;
	int c, rc, modes = 0;

	while ((c = getopt_long(argc, argv, "r:o:l:e:p:d:fh", opts, NULL)) != -1) {
		switch (c) {
		case 'r': runtime = optarg; break;
		case 'o': out = optarg; break;
		case 'l': layout = optarg; break;
		case 'e': ak_strvec_push(&extras, optarg); break;
		case 'p': {
			char *copy = strdup(optarg), *save = NULL;

			for (char *d = copy ? strtok_r(copy, ":", &save) : NULL; d; d = strtok_r(NULL, ":", &save))
				ak_strvec_push(&libpath, d);
			free(copy);
			break;
		}
		case 'd': ak_strvec_push(&data, optarg); break;
		case 'L': modes |= 1; break;
		case 'A': modes |= 2; bo.absolute = true; break;
		case 'f': bo.force = true; break;
		case 'h': usage_bundle(stdout); ak_strvec_free(&extras); return AK_EXIT_OK;
		default: ak_strvec_free(&extras); return ak_usage_error("bundle", "unknown option");
		}
	}
	rc = AK_EXIT_ERROR;
	if (runtime == NULL || optind >= argc || (out == NULL && layout == NULL) || modes == 3) {
		ak_strvec_free(&extras);
		return ak_usage_error("bundle", modes == 3 ? "--launcher and --absolute exclude each other"
					      : runtime == NULL ? "--runtime is required"
					      : optind >= argc ? "no PROGRAM given" : "--out DIR (or --layout) is required");
	}
	if (ak_runtime_open(&rt, runtime, &err) < 0) {
		ak_report(&err);
		ak_strvec_free(&extras);
		return AK_EXIT_ERROR;
	}
	if (out == NULL) {
		struct ak_layout l;
		const char *apps;
		char *ncopy = strdup(argv[optind]), *slash = strrchr(ncopy, '/');

		if (ak_runtime_layout(&l, layout, rt.name, rt.glibc, rt.arch, strrchr(rt.ld_so, '/') + 1, rt.prefix,
				      &err) < 0) {
			ak_report(&err);
			free(ncopy);
			goto out;
		}
		apps = ak_layout_path(&l, "apps");
		if (apps == NULL) {
			ak_layout_free(&l);
			free(ncopy);
			fprintf(stderr, "abikit: layout %s has no ${apps}; give --out\n", layout);
			goto out;
		}
		outbuf = malloc(strlen(apps) + strlen(ncopy) + 2);
		sprintf(outbuf, "%s/%s", apps, slash ? slash + 1 : ncopy);
		out = outbuf;
		ak_layout_free(&l);
		free(ncopy);
	}
	if (ak_patchelf_find(&pe, NULL, &err) < 0) {
		ak_report(&err);
		goto out;
	}
	if (!bo.absolute)
		launcher = ak_bundle_find_launcher();
	bo.rt = &rt;
	bo.pe = &pe;
	bo.out = out;
	bo.launcher = launcher;
	bo.programs = argv + optind;
	bo.nprograms = (size_t)(argc - optind);
	bo.extras = extras.v;
	bo.nextras = extras.n;
	bo.library_path = libpath.v;
	bo.nlibrary_path = libpath.n;
	bo.data = data.v;
	bo.ndata = data.n;
	rc = ak_bundle_make(&bo, &err);
	if (rc != 0)
		ak_report(&err);
	rc = rc == 0 ? AK_EXIT_OK : rc == AK_REFUSED ? AK_EXIT_PROBLEM : AK_EXIT_ERROR;
out:
	free(launcher);
	free(outbuf);
	ak_runtime_info_free(&rt);
	ak_strvec_free(&extras);
	ak_strvec_free(&libpath);
	ak_strvec_free(&data);
	return rc;
}
