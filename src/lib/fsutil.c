#include <config.h>

#include "fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"

char *ak_path_join(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *s = ak_xmalloc(n);
	bool slash = a[0] && a[strlen(a) - 1] == '/';

	while (*b == '/' && (slash || !a[0]) && b[1])
		b++;
	snprintf(s, n, "%s%s%s", a, a[0] && !slash && *b != '/' ? "/" : "", b);
	return s;
}

bool ak_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

bool ak_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int ak_mkdir_p(const char *path, mode_t mode, struct ak_err *err)
{
	char *p = ak_xstrdup(path);

	for (char *s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;

			*s = '\0';
			if (mkdir(p, mode) != 0 && errno != EEXIST) {
				int e = errno;

				ak_errno(err, e, "%s: cannot create directory", p);
				free(p);
				return -1;
			}
			if (!ak_is_dir(p)) {
				ak_errf(err, "%s: exists and is not a directory", p);
				free(p);
				return -1;
			}
			*s = c;
			if (c == '\0')
				break;
		}
	}
	free(p);
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(path);
	return unlink(path);
}

int ak_rm_rf(const char *path, struct ak_err *err)
{
	if (!ak_exists(path))
		return 0;
	/* Make closed directories removable first: a failed build can leave some. */
	if (nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS) != 0)
		return ak_errno(err, errno, "%s: cannot remove", path);
	return 0;
}

int ak_write_atomic(const char *path, const void *data, size_t n, mode_t mode, struct ak_err *err)
{
	char *dircopy = ak_xstrdup(path), *dir = dirname(dircopy);
	size_t tn = strlen(path) + 16;
	char *tmp = ak_xmalloc(tn);
	int fd, dfd;

	snprintf(tmp, tn, "%s.tmpXXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		ak_errno(err, errno, "%s: cannot create a temporary file", path);
		goto fail;
	}
	if (fchmod(fd, mode) != 0 || write(fd, data, n) != (ssize_t)n || fsync(fd) != 0) {
		ak_errno(err, errno, "%s: cannot write", tmp);
		close(fd);
		unlink(tmp);
		goto fail;
	}
	close(fd);
	if (rename(tmp, path) != 0) {
		ak_errno(err, errno, "%s: cannot rename into place", path);
		unlink(tmp);
		goto fail;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	free(tmp);
	free(dircopy);
	return 0;
fail:
	free(tmp);
	free(dircopy);
	return -1;
}

char *ak_read_file(const char *path, size_t *len, struct ak_err *err)
{
	FILE *f = fopen(path, "rbe");
	char *buf = NULL;
	size_t n = 0, cap = 0, r;

	if (f == NULL) {
		ak_errno(err, errno, "%s", path);
		return NULL;
	}
	do {
		ak_grow((void **)&buf, &cap, n + 4097, 1);
		r = fread(buf + n, 1, 4096, f);
		n += r;
	} while (r > 0);
	if (ferror(f)) {
		ak_errno(err, errno, "%s: cannot read", path);
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

int ak_copy_file(const char *src, const char *dst, struct ak_err *err)
{
	struct stat st;
	char buf[65536];
	ssize_t n;
	int in, out;

	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0 || fstat(in, &st) != 0) {
		ak_errno(err, errno, "%s", src);
		if (in >= 0)
			close(in);
		return -1;
	}
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, st.st_mode & 07777);
	if (out < 0) {
		ak_errno(err, errno, "%s", dst);
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof buf)) > 0)
		if (write(out, buf, (size_t)n) != n) {
			n = -1;
			break;
		}
	if (n < 0 || fchmod(out, st.st_mode & 07777) != 0) {
		ak_errno(err, errno, "%s: cannot copy to %s", src, dst);
		close(in);
		close(out);
		unlink(dst);
		return -1;
	}
	close(in);
	if (close(out) != 0)
		return ak_errno(err, errno, "%s", dst);
	return 0;
}

static unsigned long long dir_size(int dfd)
{
	DIR *d = fdopendir(dfd);
	unsigned long long sum = 0;
	struct dirent *e;

	if (d == NULL) {
		close(dfd);
		return 0;
	}
	while ((e = readdir(d)) != NULL) {
		struct stat st;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
		    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		if (S_ISREG(st.st_mode)) {
			sum += (unsigned long long)st.st_size;
		} else if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (sub >= 0)
				sum += dir_size(sub);
		}
	}
	closedir(d);
	return sum;
}

unsigned long long ak_tree_size(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	return fd < 0 ? 0 : dir_size(fd);
}

int ak_copy_tree(const char *src, const char *dst, int (*skip)(const char *name), struct ak_err *err)
{
	DIR *d;
	struct dirent *e;
	struct stat st;
	int rc = 0;

	if (lstat(src, &st) != 0)
		return ak_errno(err, errno, "%s", src);
	if (mkdir(dst, (st.st_mode & 07777) | 0700) != 0 && errno != EEXIST)
		return ak_errno(err, errno, "%s", dst);
	d = opendir(src);
	if (d == NULL)
		return ak_errno(err, errno, "%s", src);
	while (rc == 0 && (e = readdir(d)) != NULL) {
		char *s, *t;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 || (skip && skip(e->d_name)))
			continue;
		s = ak_path_join(src, e->d_name);
		t = ak_path_join(dst, e->d_name);
		if (lstat(s, &st) != 0) {
			rc = ak_errno(err, errno, "%s", s);
		} else if (S_ISDIR(st.st_mode)) {
			rc = ak_copy_tree(s, t, skip, err);
		} else if (S_ISLNK(st.st_mode)) {
			char target[PATH_MAX];
			ssize_t n = readlink(s, target, sizeof target - 1);

			if (n < 0)
				rc = ak_errno(err, errno, "%s", s);
			else {
				target[n] = '\0';
				if (symlink(target, t) != 0)
					rc = ak_errno(err, errno, "%s", t);
			}
		} else if (S_ISREG(st.st_mode)) {
			rc = ak_copy_file(s, t, err);
		}
		free(s);
		free(t);
	}
	closedir(d);
	return rc;
}

char *ak_find_companion(const char *envvar, const char *rel, const char *installed)
{
	const char *env = getenv(envvar);
	char self[PATH_MAX], *p;
	ssize_t n;

	if (env && *env)
		return ak_exists(env) ? ak_xstrdup(env) : NULL;
	n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n > 0) {
		self[n] = '\0';
		p = ak_path_join(dirname(self), rel);
		if (ak_exists(p))
			return p;
		free(p);
	}
	p = ak_path_join(installed, rel);
	if (ak_exists(p))
		return p;
	free(p);
	return NULL;
}
