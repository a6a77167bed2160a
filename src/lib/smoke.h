/* The smoke test a fresh runtime must pass: small programs run with it. */
#ifndef ABIKIT_SMOKE_H
#define ABIKIT_SMOKE_H

#include "err.h"
#include "manifest.h"

/* Compile the smoke programs with the host compiler into workdir, run each
 * with the runtime at prefix (as its manifest says to launch it), and
 * record smoke_<test>=pass|fail: reason in the manifest. Returns the
 * number of failed tests, or -1 with err when nothing could be run. */
int ak_smoke_run(const char *prefix, struct ak_manifest *m, const char *workdir, struct ak_err *err);

#endif
