/* Sandbox layouts: where a private runtime, the applications bundled with it
 * and abikit's state live, the environment a program launched on the runtime
 * gets, and what a verification sandbox binds. One NAME.layout file each, in
 * the format of sandbox-layouts/README.md, so the commands share paths
 * instead of hard-coding them.
 *
 * Use: ak_layout_load, ak_layout_set for each caller variable (runtime_name,
 * glibc_version, arch, ld_so, home), ak_layout_expand, then the getters;
 * ak_layout_free at the end. */
#ifndef ABIKIT_LAYOUT_H
#define ABIKIT_LAYOUT_H

#include <stddef.h>
#include <stdio.h>

#include "buf.h"
#include "err.h"

/* A [paths] key or caller variable, an [env] entry, or a [bind] path (key
 * NULL). */
struct ak_layout_entry {
	char *key;
	char *value;     /* as written until expanded, then expanded */
	unsigned line;   /* in the file; 0 when set by the caller (taken literally) */
	int mark;        /* expansion state, the parser's */
};

struct ak_layout_list {
	struct ak_layout_entry *v;
	size_t n, cap;
};

/* Read it through the functions below; the lists are in file order. */
struct ak_layout {
	char *file;          /* the file read, as errors name it */
	char *name;          /* [layout] name */
	char *description;   /* [layout] description, "" if none */
	struct ak_layout_list vars, env, binds;
};

/* Load NAME.layout from the first of `dirs` (NULL-terminated, may be NULL)
 * holding it, or the file NAME itself if NAME contains a '/'. Returns 0, or
 * -1 with err "FILE:LINE: reason" (nothing to free then). */
int ak_layout_load(struct ak_layout *l, const char *name, const char *const *dirs,
		   struct ak_err *err);

/* Set a caller variable before ak_layout_expand; value is copied and used
 * literally. A [paths] key of the same name is replaced (how --prefix-like
 * options override a layout). */
void ak_layout_set(struct ak_layout *l, const char *key, const char *value);

/* Expand every [paths], [env] and [bind] value and check the paths are
 * absolute. Returns 0, or -1 with err "FILE:LINE: reason" (undefined
 * variable, cycle, relative path); after a failure, setting the missing
 * variable and expanding again is fine. */
int ak_layout_expand(struct ak_layout *l, struct ak_err *err);

/* After ak_layout_expand: the value of a [paths] key or caller variable, or
 * NULL if there is none. */
const char *ak_layout_path(const struct ak_layout *l, const char *key);

size_t ak_layout_env_count(const struct ak_layout *l);
const char *ak_layout_env_key(const struct ak_layout *l, size_t i);
const char *ak_layout_env_value(const struct ak_layout *l, size_t i);
size_t ak_layout_bind_count(const struct ak_layout *l);
const char *ak_layout_bind(const struct ak_layout *l, size_t i);

enum ak_layout_env_style {
	AK_LAYOUT_ENV_SH,      /* export NAME='VALUE', for eval in a POSIX shell */
	AK_LAYOUT_ENV_PLAIN    /* NAME=VALUE, for ~/.ssh/environment, /etc/environment,
				  a systemd EnvironmentFile */
};

/* Print the expanded [env], one variable a line. Fails (writing nothing) if a
 * value cannot be written in that style: a newline in a PLAIN value. */
int ak_layout_write_env(const struct ak_layout *l, FILE *out, enum ak_layout_env_style style,
			struct ak_err *err);

void ak_layout_free(struct ak_layout *l);

/* Append the names of the layouts in `dirs` (NULL-terminated) to `names`,
 * each once, sorted; missing or unreadable directories are skipped. */
void ak_layout_names(const char *const *dirs, struct ak_strvec *names);

#endif
