/* One verification: does TARGET start inside ROOT (with a runtime or a
 * bundle bound in), does every object come from where it should, and does
 * every glibc symbol bind to the runtime? Static prediction (the checker)
 * and dynamic result (a sandboxed run with the rtld-audit library, the
 * loader's binding trace and LD_BIND_NOW) must agree. */
#ifndef ABIKIT_VERIFY_H
#define ABIKIT_VERIFY_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "err.h"
#include "runtime.h"

struct ak_verify_opts {
	const char *root;                    /* host directory shown as / */
	const struct ak_runtime_info *rt;    /* a runtime bound at its prefix, or NULL */
	const char *target;
	const char *const *args;             /* NULL: --version */
	const char *expect;                  /* ERE the output must match, or NULL */
	int expect_status;                   /* exit status wanted (default 0) */
	bool restricted;                     /* a second run: no /proc, read-only */
	int timeout;                         /* seconds */
	const char *audit_so;                /* the rtld-audit library */
	char *const *binds;                  /* more HOST[:INSIDE] to bind */
	size_t nbinds;
};

struct ak_verify_run {
	bool ran;
	int status;
	bool timed_out, started;             /* started: the audit saw start-up complete */
	double seconds;
	size_t objects, from_runtime, from_app, from_root;
	size_t bindings, glibc_bindings, glibc_outside;
	struct ak_strvec problems;           /* why it failed, one line each */
	char *loader_error;                  /* the dynamic linker's own words, if any */
	char *output;                        /* the first 4 KiB of stdout */
};

struct ak_verify_result {
	char *target;
	const char *method;                  /* bwrap or unshare+chroot */
	const char *static_verdict;          /* ok, fail, not-judged */
	struct ak_strvec static_problems;
	struct ak_verify_run run, restricted;
	bool uses_runtime;                   /* a private ld.so (runtime or bundle) */
	bool disagreement;                   /* static and dynamic disagree: a kit bug */
	bool passed;
	struct ak_strvec reasons;            /* why it failed, for the one-line report */
};

int ak_verify(const struct ak_verify_opts *o, struct ak_verify_result *r, struct ak_err *err);
void ak_verify_result_free(struct ak_verify_result *r);

/* Where abikit-audit.so is: $ABIKIT_AUDIT, beside the running abikit, else
 * the installed one. malloc'd or NULL. */
char *ak_verify_find_audit(void);

#endif
