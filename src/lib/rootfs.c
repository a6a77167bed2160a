#include <config.h>

#include "rootfs.h"

#include <elf.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { MAX_SYMLINKS = 40, MAX_INCLUDE_DEPTH = 16 };

const char *ak_multiarch_triplet(unsigned machine)
{
	switch (machine) {
	case EM_X86_64: return "x86_64-linux-gnu";
	case EM_AARCH64: return "aarch64-linux-gnu";
	}
	return NULL;
}

const char *const *ak_rootfs_default_dirs(unsigned machine)
{
	static const char *const x86_64[] = {
		"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
		"/lib64", "/usr/lib64", "/lib", "/usr/lib", NULL
	};
	static const char *const aarch64[] = {
		"/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
		"/lib64", "/usr/lib64", "/lib", "/usr/lib", NULL
	};
	static const char *const other[] = { "/lib64", "/usr/lib64", "/lib", "/usr/lib", NULL };

	switch (machine) {
	case EM_X86_64: return x86_64;
	case EM_AARCH64: return aarch64;
	}
	return other;
}

void ak_rootfs_mount(struct ak_rootfs *r, const char *inside, const char *host)
{
	size_t n;

	ak_grow((void **)&r->mounts, &r->capmounts, r->nmounts + 1, sizeof *r->mounts);
	r->mounts[r->nmounts].inside = ak_xstrdup(inside);
	r->mounts[r->nmounts].host = ak_xstrdup(host);
	n = strlen(r->mounts[r->nmounts].inside);
	while (n > 1 && r->mounts[r->nmounts].inside[n - 1] == '/')
		r->mounts[r->nmounts].inside[--n] = '\0';
	r->nmounts++;
}

char *ak_rootfs_host_path(const struct ak_rootfs *r, const char *path)
{
	const struct ak_rootfs_mount *best = NULL;
	size_t bestlen = 0, n;
	char *s;

	/* The deepest mount that contains path wins, as in a mount table. */
	for (size_t i = 0; i < r->nmounts; i++) {
		size_t k = strlen(r->mounts[i].inside);

		if (strncmp(path, r->mounts[i].inside, k) == 0 && (path[k] == '/' || path[k] == '\0') && k >= bestlen) {
			best = &r->mounts[i];
			bestlen = k;
		}
	}
	if (best) {
		n = strlen(best->host) + strlen(path + bestlen) + 1;
		s = ak_xmalloc(n);
		snprintf(s, n, "%s%s", best->host, path + bestlen);
		return s;
	}
	n = strlen(r->root) + strlen(path) + 2;
	s = ak_xmalloc(n);

	snprintf(s, n, "%s%s%s", r->root, path[0] == '/' ? "" : "/", path);
	return s;
}

/* Is path a proper ancestor of a mount point (made by the sandbox)? */
static bool mount_ancestor(const struct ak_rootfs *r, const char *path)
{
	size_t n = strlen(path);

	for (size_t i = 0; i < r->nmounts; i++)
		if (strncmp(r->mounts[i].inside, path, n) == 0 && r->mounts[i].inside[n] == '/')
			return true;
	return false;
}

/* Walk components, expanding symlinks inside the root, like a chroot. */
char *ak_rootfs_resolve(const struct ak_rootfs *r, const char *path)
{
	struct ak_sbuf done = { NULL, 0, 0 };
	char *rest = ak_xstrdup(path);
	char *p = rest;
	int links = 0;

	ak_sbuf_add(&done, "");
	while (*p) {
		char *slash, *host, target[PATH_MAX];
		struct stat st;
		ssize_t n;
		size_t save;

		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		slash = strchr(p, '/');
		if (slash)
			*slash = '\0';
		if (strcmp(p, ".") == 0) {
			p = slash ? slash + 1 : p + strlen(p);
			continue;
		}
		if (strcmp(p, "..") == 0) {
			char *last = done.len ? strrchr(done.s, '/') : NULL;

			if (last) {
				*last = '\0';
				done.len = (size_t)(last - done.s);
			}
			p = slash ? slash + 1 : p + strlen(p);
			continue;
		}
		save = done.len;
		ak_sbuf_addf(&done, "/%s", p);
		host = ak_rootfs_host_path(r, done.s);
		if (lstat(host, &st) != 0 && mount_ancestor(r, done.s)) {
			/* A directory a mount point lies below: it exists inside. */
			free(host);
			p = slash ? slash + 1 : p + strlen(p);
			continue;
		}
		if (lstat(host, &st) != 0) {
			int e = errno;

			free(host);
			free(rest);
			ak_sbuf_free(&done);
			errno = e;
			return NULL;
		}
		if (S_ISLNK(st.st_mode)) {
			char *next;
			size_t tail;

			n = readlink(host, target, sizeof target - 1);
			free(host);
			if (n < 0 || ++links > MAX_SYMLINKS) {
				free(rest);
				ak_sbuf_free(&done);
				errno = n < 0 ? errno : ELOOP;
				return NULL;
			}
			target[n] = '\0';
			if (target[0] == '/')
				done.len = 0;
			else
				done.len = save;
			done.s[done.len] = '\0';
			tail = slash ? strlen(slash + 1) : 0;
			next = ak_xmalloc((size_t)n + tail + 2);
			snprintf(next, (size_t)n + tail + 2, "%s/%s", target, slash ? slash + 1 : "");
			free(rest);
			rest = p = next;
			continue;
		}
		free(host);
		p = slash ? slash + 1 : p + strlen(p);
	}
	free(rest);
	if (done.len == 0)
		ak_sbuf_add(&done, "/");
	return done.s;
}

static void parse_conf(struct ak_rootfs *r, const char *path, int depth);

static void include_glob(struct ak_rootfs *r, const char *dir, const char *pattern, int depth)
{
	struct ak_sbuf pat = { NULL, 0, 0 };
	size_t rootlen = strlen(r->root);
	glob_t g;

	if (pattern[0] == '/')
		ak_sbuf_addf(&pat, "%s%s", r->root, pattern);
	else
		ak_sbuf_addf(&pat, "%s%s/%s", r->root, dir, pattern);
	if (glob(pat.s, 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++)
			parse_conf(r, g.gl_pathv[i] + rootlen, depth + 1);
		globfree(&g);
	}
	ak_sbuf_free(&pat);
}

static void parse_conf(struct ak_rootfs *r, const char *path, int depth)
{
	char *resolved, *host, *line = NULL, *dir;
	size_t cap = 0;
	FILE *f;

	if (depth > MAX_INCLUDE_DEPTH || (resolved = ak_rootfs_resolve(r, path)) == NULL)
		return;
	host = ak_rootfs_host_path(r, resolved);
	f = fopen(host, "re");
	free(host);
	dir = ak_xstrdup(resolved);
	if (strrchr(dir, '/'))
		*strrchr(dir, '/') = '\0';
	free(resolved);
	if (f == NULL) {
		free(dir);
		return;
	}
	while (getline(&line, &cap, f) > 0) {
		char *s = line, *tok, *save = NULL;

		if (strchr(s, '#'))
			*strchr(s, '#') = '\0';
		tok = strtok_r(s, " \t\r\n", &save);
		if (tok == NULL)
			continue;
		if (strcmp(tok, "include") == 0) {
			while ((tok = strtok_r(NULL, " \t\r\n", &save)) != NULL)
				include_glob(r, dir, tok, depth);
			continue;
		}
		if (strcmp(tok, "hwcap") == 0)
			continue;
		/* Old syntax allowed several dirs a line, and "dir=TYPE". */
		for (; tok; tok = strtok_r(NULL, " \t\r\n,:", &save)) {
			size_t n;

			if (strchr(tok, '='))
				*strchr(tok, '=') = '\0';
			n = strlen(tok);
			while (n > 1 && tok[n - 1] == '/')
				tok[--n] = '\0';
			if (tok[0] == '/' && !ak_strvec_contains(&r->conf_dirs, tok))
				ak_strvec_push(&r->conf_dirs, tok);
		}
	}
	free(line);
	free(dir);
	fclose(f);
}

int ak_rootfs_open(struct ak_rootfs *r, const char *root, struct ak_err *err)
{
	struct stat st;
	size_t n;

	memset(r, 0, sizeof *r);
	if (stat(root, &st) != 0)
		return ak_errno(err, errno, "%s", root);
	if (!S_ISDIR(st.st_mode))
		return ak_errf(err, "%s: not a directory (a root must be a directory tree)", root);
	r->root = ak_xstrdup(root);
	n = strlen(r->root);
	while (n > 0 && r->root[n - 1] == '/')
		r->root[--n] = '\0';
	parse_conf(r, "/etc/ld.so.conf", 0);
	return 0;
}

void ak_rootfs_close(struct ak_rootfs *r)
{
	free(r->root);
	ak_strvec_free(&r->conf_dirs);
	for (size_t i = 0; i < r->nmounts; i++) {
		free(r->mounts[i].inside);
		free(r->mounts[i].host);
	}
	free(r->mounts);
	r->mounts = NULL;
	r->nmounts = r->capmounts = 0;
	r->root = NULL;
}
