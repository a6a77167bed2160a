/* stat, fstat, lstat, fstatat and their *64 twins @GLIBC_2.33.
 *
 * Before 2.33 these names were not in libc.so.6 at all: <sys/stat.h> and
 * libc_nonshared.a turned stat(p, b) into __xstat(_STAT_VER, p, b), with a
 * version number for the layout of struct stat.  2.33 exported them as
 * real functions; on x86_64 both reach the same system calls (stat,
 * newfstatat, fstat, lstat) and fill the same struct stat (struct stat64
 * is the same layout), so each is the 2.31 __x*stat call with the version
 * the 2.31 headers define (_STAT_VER = 1 on x86_64). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/stat.h>

#include "../compat.h"

int compat_stat(const char *path, struct stat *st);
int compat_fstat(int fd, struct stat *st);
int compat_lstat(const char *path, struct stat *st);
int compat_fstatat(int dirfd, const char *path, struct stat *st, int flags);
int compat_stat64(const char *path, struct stat64 *st);
int compat_fstat64(int fd, struct stat64 *st);
int compat_lstat64(const char *path, struct stat64 *st);
int compat_fstatat64(int dirfd, const char *path, struct stat64 *st, int flags);
COMPAT_SYMBOL(compat_stat, stat, "GLIBC_2.33");
COMPAT_SYMBOL(compat_fstat, fstat, "GLIBC_2.33");
COMPAT_SYMBOL(compat_lstat, lstat, "GLIBC_2.33");
COMPAT_SYMBOL(compat_fstatat, fstatat, "GLIBC_2.33");
COMPAT_SYMBOL(compat_stat64, stat64, "GLIBC_2.33");
COMPAT_SYMBOL(compat_fstat64, fstat64, "GLIBC_2.33");
COMPAT_SYMBOL(compat_lstat64, lstat64, "GLIBC_2.33");
COMPAT_SYMBOL(compat_fstatat64, fstatat64, "GLIBC_2.33");

int compat_stat(const char *path, struct stat *st)
{
	return __xstat(_STAT_VER, path, st);
}

int compat_fstat(int fd, struct stat *st)
{
	return __fxstat(_STAT_VER, fd, st);
}

int compat_lstat(const char *path, struct stat *st)
{
	return __lxstat(_STAT_VER, path, st);
}

int compat_fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	return __fxstatat(_STAT_VER, dirfd, path, st, flags);
}

int compat_stat64(const char *path, struct stat64 *st)
{
	return __xstat64(_STAT_VER, path, st);
}

int compat_fstat64(int fd, struct stat64 *st)
{
	return __fxstat64(_STAT_VER, fd, st);
}

int compat_lstat64(const char *path, struct stat64 *st)
{
	return __lxstat64(_STAT_VER, path, st);
}

int compat_fstatat64(int dirfd, const char *path, struct stat64 *st, int flags)
{
	return __fxstatat64(_STAT_VER, dirfd, path, st, flags);
}
