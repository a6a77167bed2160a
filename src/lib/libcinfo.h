/* Which C library a file is, and which release, read from the file alone
 * (nothing is executed: a root may be of another architecture). */
#ifndef ABIKIT_LIBCINFO_H
#define ABIKIT_LIBCINFO_H

#include <stdbool.h>

#include "err.h"

struct ak_libc_info {
	char family[8];        /* "glibc", "musl" */
	char version[32];      /* "2.36"; "" when unknown */
	char banner[160];      /* "GNU C Library (Debian GLIBC 2.36-9+deb12u10) stable release version 2.36." */
	unsigned machine;
	unsigned char elfclass;  /* ELFCLASS32 or ELFCLASS64 */
};

/* Identify a libc.so.6 (or ld-musl-*.so.1 / libc.musl-*.so.1). The glibc
 * release comes from its banner string, else its highest GLIBC_x.y node. */
int ak_libc_identify(const char *path, struct ak_libc_info *info, struct ak_err *err);

#endif
