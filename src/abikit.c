/* abikit: the command dispatcher. */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "builtin.h"

static const struct ak_command commands[] = {
	{ "scan", cmd_scan, usage_scan, "show what ELF files need: interpreter, libraries, glibc versions" },
	{ "check", cmd_check, usage_check, "judge whether files would load against a glibc release, libc or root" },
	{ "detect", cmd_detect, usage_detect, "tell which glibc is really in use (system, root, process)" },
	{ "runtime", cmd_runtime, usage_runtime, "build, harvest and manage private glibc runtimes" },
	{ "patch", cmd_patch, usage_patch, "point binaries at a private runtime (PT_INTERP, DT_RPATH), reversibly" },
	{ "unpatch", cmd_unpatch, usage_unpatch, "restore files abikit patched to their original bytes" },
	{ "bundle", cmd_bundle, usage_bundle, "copy programs, their libraries and a runtime into a relocatable directory" },
	{ "shim", cmd_shim, usage_shim, "run a new binary on the old system glibc plus libabikit-compat" },
	{ "rollback", cmd_rollback, usage_rollback, "which installed files still load after a glibc downgrade (check, verify, plan)" },
	{ "root", cmd_root, usage_root, "make and list old distro roots (debootstrap minbase, cached)" },
	{ "verify", cmd_verify, usage_verify, "run targets in an old root and prove every object and binding" },
	{ "help", cmd_help, usage_help, "show help for abikit or one of its commands" },
	{ NULL, NULL, NULL, NULL }
};

const struct ak_command *ak_commands(void)
{
	return commands;
}

const struct ak_command *ak_find_command(const char *name)
{
	for (const struct ak_command *c = commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

void ak_usage_main(FILE *out)
{
	fputs("usage: abikit [--version] [--help] COMMAND [ARGS...]\n"
	      "\n"
	      "abikit decouples a program's glibc from the system's and proves the result works.\n"
	      "\n"
	      "Commands:\n", out);
	for (const struct ak_command *c = commands; c->name; c++)
		fprintf(out, "  %-8s %s\n", c->name, c->summary);
	fputs("\n"
	      "Examples:\n"
	      "  abikit scan --recursive /opt/app          what the app needs of glibc\n"
	      "  abikit check --glibc 2.28 /usr/bin        would these load on glibc 2.28?\n"
	      "  abikit check --root /srv/bullseye ./tool  would it load in that distro root?\n"
	      "  abikit detect --pid 1234                  which glibc does process 1234 use?\n"
	      "\n"
	      "'abikit help COMMAND' or 'abikit COMMAND --help' explains each command.\n"
	      "Exit status: 0 fine, 1 the answer is no (something would not load), 2 error.\n", out);
}

int ak_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "abikit %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'abikit %s --help'.\n", cmd);
	return AK_EXIT_ERROR;
}

int main(int argc, char **argv)
{
	const struct ak_command *c;

	if (argc < 2) {
		ak_usage_main(stderr);
		return AK_EXIT_ERROR;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		ak_usage_main(stdout);
		return AK_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("abikit %s\n", ABIKIT_VERSION);
		return AK_EXIT_OK;
	}
	/* Reports can be large (scan --json of a whole tree): write in big blocks. */
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	c = ak_find_command(argv[1]);
	if (c == NULL) {
		fprintf(stderr, "abikit: '%s' is not an abikit command. See 'abikit --help'.\n", argv[1]);
		return AK_EXIT_ERROR;
	}
	return c->run(argc - 1, argv + 1);
}
