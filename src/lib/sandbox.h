/* Running a program inside a distro root, isolated: bubblewrap when it
 * works, else unshare + chroot (root only). The root is read-only at /,
 * host paths are bound at chosen places, /proc, /dev and /tmp are fresh,
 * the environment is only what the caller gives, and the whole process
 * group is killed when the time limit passes or the program ends. */
#ifndef ABIKIT_SANDBOX_H
#define ABIKIT_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "err.h"

struct ak_bind {
	char *host, *inside;
	bool writable;
};

struct ak_sandbox {
	const char *root;            /* host dir shown as / ("/" for the host itself) */
	struct ak_bind *binds;
	size_t nbinds, capbinds;
	struct ak_strvec env;        /* NAME=VALUE, the whole environment */
	bool no_proc;                /* --restricted: no /proc mounted */
	bool read_only;              /* --restricted: no writable /tmp either */
	int timeout;                 /* seconds; 0: none */
	const char *stdout_path;     /* where the program's output goes */
	const char *stderr_path;
	const char *audit_fd_path;   /* opened O_APPEND as fd 1023 for the audit library */
};

struct ak_sandbox_result {
	int status;                  /* exit status, or 128+signal */
	bool timed_out;
	const char *method;          /* "bwrap" or "unshare+chroot" */
	double seconds;
};

void ak_sandbox_bind(struct ak_sandbox *s, const char *host, const char *inside, bool writable);
void ak_sandbox_free(struct ak_sandbox *s);

/* Which method works here: "bwrap", "unshare+chroot", or NULL with err
 * saying what is missing (no bwrap, no user namespaces, not root). */
const char *ak_sandbox_method(struct ak_err *err);

/* Run argv inside. -1 with err when the sandbox itself could not be set
 * up; otherwise 0 with the program's status in r. */
int ak_sandbox_run(const struct ak_sandbox *s, const char *const *argv, struct ak_sandbox_result *r,
		   struct ak_err *err);

#endif
