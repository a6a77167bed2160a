/* glibc versions as numbers, and what a file needs of glibc. */
#ifndef ABIKIT_GLIBCVER_H
#define ABIKIT_GLIBCVER_H

#include <stdbool.h>
#include <stddef.h>

#include "elfmodel.h"

struct ak_ver {
	int major, minor, patch;    /* 0.0.0: none */
};

/* "2.34", "2.2.5" -> version; false when it is not one. */
bool ak_ver_parse(const char *s, struct ak_ver *v);
int ak_ver_cmp(const struct ak_ver *a, const struct ak_ver *b);
/* "2.34" or "2.2.5" into buf (at least 16 bytes). */
const char *ak_ver_format(const struct ak_ver *v, char *buf, size_t size);

/* The glibc release a version node implies: GLIBC_2.34 -> 2.34, and nodes
 * such as GLIBC_ABI_DT_RELR -> the first release defining them (from the
 * database). False for GLIBC_PRIVATE and non-glibc nodes. */
bool ak_glibc_node_version(unsigned machine, const char *lib, const char *node, struct ak_ver *v);

/* Is `soname` one of glibc's libraries (in any release) for this machine? */
bool ak_is_glibc_lib(unsigned machine, const char *soname);

/* What one file needs of glibc: the highest release implied by its version
 * needs on glibc's libraries, and the symbols that need exactly that. */
struct ak_need {
	struct ak_ver ver;          /* 0.0.0 when nothing versioned */
	const char *node;           /* the node giving ver */
	const char **syms;          /* symbols bound to a node implying ver */
	size_t nsyms;
	bool uses_private;          /* needs GLIBC_PRIVATE: tied to one exact build */
};
void ak_need_compute(const struct ak_elf *m, struct ak_need *need);
void ak_need_free(struct ak_need *need);

#endif
