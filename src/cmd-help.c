/* abikit help [COMMAND] */
#include <config.h>

#include <stdio.h>

#include "builtin.h"

void usage_help(FILE *out)
{
	fputs("usage: abikit help [COMMAND]\n"
	      "\n"
	      "Without COMMAND, list the commands; with one, show its full help\n"
	      "(the same as 'abikit COMMAND --help'). The manual page is abikit(1).\n", out);
}

int cmd_help(int argc, char **argv)
{
	const struct ak_command *c;

	if (argc < 2) {
		ak_usage_main(stdout);
		return AK_EXIT_OK;
	}
	if (argc > 2)
		return ak_usage_error("help", "one command at a time");
	c = ak_find_command(argv[1]);
	if (c == NULL) {
		fprintf(stderr, "abikit help: '%s' is not an abikit command. See 'abikit --help'.\n", argv[1]);
		return AK_EXIT_ERROR;
	}
	c->usage(stdout);
	return AK_EXIT_OK;
}
