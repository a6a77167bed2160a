/* A newer C++ runtime and a patchelf beside a private glibc runtime, for
 * VS Code Remote-SSH's custom-glibc support. Its server start script runs
 * $VSCODE_SERVER_PATCHELF_PATH on the old host to point its node at
 * $VSCODE_SERVER_CUSTOM_GLIBC_PATH and _LINKER; node also needs a
 * libstdc++ newer than an old host's. So the runtime gets:
 *
 *   ${toolchain_lib}   libstdc++.so.6* and libgcc_s.so.1 from Debian packages
 *   ${patchelf}        a patchelf rewritten onto the runtime (PT_INTERP its
 *                      ld.so, DT_RPATH its lib/ and ${toolchain_lib}), so it
 *                      needs neither the host's glibc nor its libstdc++
 *
 * both paths from a layout (vscode-server by default), and records them in
 * the runtime's manifest. */
#ifndef ABIKIT_TOOLCHAIN_H
#define ABIKIT_TOOLCHAIN_H

#include <stddef.h>

#include "err.h"
#include "runtime.h"

#define AK_TOOLCHAIN_LAYOUT "vscode-server"

/* Returned when the patchelf to install would not run on the runtime (it
 * needs a library neither the runtime nor ${toolchain_lib} has, or does not
 * start): a "no", with the reason in err; nothing was changed. */
enum { AK_TOOLCHAIN_NORUN = 1 };

struct ak_toolchain_opts {
	const struct ak_runtime_info *rt;
	const char *layout;          /* names ${toolchain_lib}, ${patchelf}; NULL: vscode-server */
	char *const *debs;           /* libstdc++6 and libgcc-s1 .debs (any others are errors) */
	size_t ndebs;
	const char *patchelf;        /* the patchelf to install; NULL: the one abikit uses */
};

/* Stage everything (the unpacked packages and the libraries in a directory
 * beside ${toolchain_lib}, the rewritten patchelf in a temporary file beside
 * ${patchelf}), check it, then rename it into place and update the manifest.
 * Prints what it did. 0 done, AK_TOOLCHAIN_NORUN, or -1 with err (a package
 * without the libraries or of another architecture, unreadable input). */
int ak_toolchain_install(const struct ak_toolchain_opts *o, struct ak_err *err);

#endif
