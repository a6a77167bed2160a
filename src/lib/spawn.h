/* Running the tools a build needs (tar, patch, configure, make) with their
 * output in a log file, and progress on a terminal. */
#ifndef ABIKIT_SPAWN_H
#define ABIKIT_SPAWN_H

#include <stdbool.h>

#include <stddef.h>

#include "err.h"

struct ak_spawn {
	const char *const *argv;
	const char *cwd;            /* NULL: the current directory */
	const char *log;            /* appended to; NULL: inherit stdout/stderr */
	const char *const *env;     /* NAME=VALUE added to the environment; NULL-terminated */
	const char *phase;          /* shown in progress lines */
	bool progress;              /* show elapsed time and log lines on stderr */
	long started;               /* the whole job's start (monotonic s), for elapsed */
};

/* Run and wait. Returns the exit status (0..255), or -1 with err when the
 * command could not be run or died from a signal. */
int ak_spawn_run(const struct ak_spawn *sp, struct ak_err *err);
long ak_monotonic_seconds(void);

/* Capture a command's first output line (e.g. `gcc --version`) into buf. */
int ak_spawn_first_line(const char *const *argv, char *buf, size_t size);

/* Run argv (stdin from /dev/null) and keep what it printed on stdout and
 * stderr, up to size-1 bytes, in out. Returns the exit status, or -1 with
 * err when it could not be run or died from a signal. */
int ak_spawn_capture(const char *const *argv, char *out, size_t size, struct ak_err *err);

/* A helper script of abikit's (fetch-source, fetch-debs, mkroot):
 * $ABIKIT_SCRIPTS (a source tree's scripts/), else scripts/ beside the
 * running abikit (a build in the source tree), else the installed copy.
 * malloc'd; NULL when none is there. */
char *ak_find_script(const char *name);

#endif
