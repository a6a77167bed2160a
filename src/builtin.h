/* One function per subcommand, git-style; each file cmd-NAME.c holds one. */
#ifndef ABIKIT_BUILTIN_H
#define ABIKIT_BUILTIN_H

#include <stdio.h>

/* Exit statuses every subcommand shares. */
enum {
	AK_EXIT_OK = 0,
	AK_EXIT_PROBLEM = 1,    /* the answer is "no": something would not load */
	AK_EXIT_ERROR = 2       /* an input could not be read, or bad usage */
};

struct ak_command {
	const char *name;
	int (*run)(int argc, char **argv);
	void (*usage)(FILE *out);
	const char *summary;
};

int cmd_scan(int argc, char **argv);
void usage_scan(FILE *out);
int cmd_check(int argc, char **argv);
void usage_check(FILE *out);
int cmd_detect(int argc, char **argv);
void usage_detect(FILE *out);
int cmd_runtime(int argc, char **argv);
void usage_runtime(FILE *out);
int cmd_patch(int argc, char **argv);
void usage_patch(FILE *out);
int cmd_unpatch(int argc, char **argv);
void usage_unpatch(FILE *out);
int cmd_bundle(int argc, char **argv);
void usage_bundle(FILE *out);
int cmd_verify(int argc, char **argv);
void usage_verify(FILE *out);
int cmd_root(int argc, char **argv);
void usage_root(FILE *out);
int cmd_shim(int argc, char **argv);
void usage_shim(FILE *out);
int cmd_rollback(int argc, char **argv);
void usage_rollback(FILE *out);
int cmd_help(int argc, char **argv);
void usage_help(FILE *out);

const struct ak_command *ak_find_command(const char *name);
const struct ak_command *ak_commands(void);
void ak_usage_main(FILE *out);

/* "abikit CMD: message" plus a pointer to --help, for usage errors. */
int ak_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
