#include <config.h>

#include "walk.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "err.h"

struct devino {
	dev_t dev;
	ino_t ino;
	bool used;
};

/* Open-addressing set of (dev, ino). */
struct seen {
	struct devino *slot;
	size_t cap, n;
};

static size_t devino_hash(dev_t dev, ino_t ino)
{
	uint64_t h = (uint64_t)ino * 0x9e3779b97f4a7c15ull ^ (uint64_t)dev;

	return (size_t)(h ^ (h >> 29));
}

/* True when newly added. */
static bool seen_add(struct seen *s, dev_t dev, ino_t ino)
{
	size_t i;

	if (2 * (s->n + 1) > s->cap) {
		struct seen bigger = { NULL, s->cap ? s->cap * 2 : 256, 0 };

		bigger.slot = ak_xcalloc(bigger.cap, sizeof *bigger.slot);
		for (size_t j = 0; j < s->cap; j++)
			if (s->slot[j].used)
				seen_add(&bigger, s->slot[j].dev, s->slot[j].ino);
		free(s->slot);
		*s = bigger;
	}
	for (i = devino_hash(dev, ino) & (s->cap - 1); s->slot[i].used; i = (i + 1) & (s->cap - 1))
		if (s->slot[i].dev == dev && s->slot[i].ino == ino)
			return false;
	s->slot[i].dev = dev;
	s->slot[i].ino = ino;
	s->slot[i].used = true;
	s->n++;
	return true;
}

struct walker {
	const struct ak_walk_opts *opts;
	ak_walk_fn fn;
	void *ctx;
	struct seen files, dirs;
	size_t errors;
};

/* One line on stderr, counted, and passed on for reports that list errors. */
static void walk_error(struct walker *w, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void walk_error(struct walker *w, const char *path, const char *fmt, ...)
{
	char msg[1200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fprintf(stderr, "abikit: %s\n", msg);
	w->errors++;
	if (w->opts->on_error)
		w->opts->on_error(path, msg, w->ctx);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void visit(struct walker *w, const char *path, bool explicit, int depth);

static void visit_dir(struct walker *w, const char *path, int depth)
{
	DIR *d = opendir(path);
	struct ak_strvec names = { NULL, 0, 0 };
	struct dirent *e;
	size_t plen = strlen(path);

	if (d == NULL) {
		walk_error(w, path, "%s: cannot open directory: %s", path, strerror(errno));
		return;
	}
	errno = 0;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		ak_strvec_push(&names, e->d_name);
	}
	if (errno != 0) {
		walk_error(w, path, "%s: cannot read directory: %s", path, strerror(errno));
	}
	closedir(d);
	/* An empty directory has no vector at all: qsort(NULL) is undefined. */
	if (names.n)
		qsort(names.v, names.n, sizeof *names.v, cmp_names);
	for (size_t i = 0; i < names.n; i++) {
		size_t n = plen + strlen(names.v[i]) + 2;
		char *child = ak_xmalloc(n);

		snprintf(child, n, "%s%s%s", path, plen && path[plen - 1] == '/' ? "" : "/", names.v[i]);
		visit(w, child, false, depth + 1);
		free(child);
	}
	ak_strvec_free(&names);
}

static void visit(struct walker *w, const char *path, bool explicit, int depth)
{
	struct stat st, lst;

	if (stat(path, &st) != 0) {
		int e = errno;

		if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode)) {
			if (explicit) {
				walk_error(w, path, "%s: dangling symlink: %s", path, strerror(e));
			} else {
				ak_warn("%s: skipped dangling symlink", path);
			}
			return;
		}
		walk_error(w, path, "%s: %s", path, strerror(e));
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		if (depth > 0 && !w->opts->recursive)
			return;
		if (!seen_add(&w->dirs, st.st_dev, st.st_ino)) {
			if (w->opts->verbose)
				ak_warn("%s: directory already walked (symlink loop or repeat), skipped", path);
			return;
		}
		visit_dir(w, path, depth);
		return;
	}
	if (!S_ISREG(st.st_mode)) {
		if (explicit) {
			walk_error(w, path, "%s: not a regular file", path);
		} else if (w->opts->verbose) {
			ak_warn("%s: not a regular file, skipped", path);
		}
		return;
	}
	/* Inside a walk, a symlink to a file is a second name for something the
	 * walk usually reaches directly (lib.so -> lib.so.1.2): report files
	 * under their own names. */
	if (!explicit && lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode)) {
		if (w->opts->verbose)
			ak_warn("%s: symlink to a file, skipped", path);
		return;
	}
	if (!seen_add(&w->files, st.st_dev, st.st_ino)) {
		if (w->opts->verbose)
			ak_warn("%s: same file as one already read, skipped", path);
		return;
	}
	w->fn(path, explicit, w->ctx);
}

size_t ak_walk(char *const *paths, size_t npaths, const struct ak_walk_opts *opts,
	       ak_walk_fn fn, void *ctx)
{
	struct walker w;

	memset(&w, 0, sizeof w);
	w.opts = opts;
	w.fn = fn;
	w.ctx = ctx;
	for (size_t i = 0; i < npaths; i++)
		visit(&w, paths[i], true, 0);
	free(w.files.slot);
	free(w.dirs.slot);
	return w.errors;
}
