/* libabikit-compat, GLIBC_2.33: stat, fstat, lstat, fstatat and their
 * *64 twins, mknod, mknodat, mallinfo2.  argv[1] is a scratch directory
 * (the same path in both runs).  Built and run by
 * tests/abikit.compat/compat.exp (see unit-compat-isoc23.c). */
#define _GNU_SOURCE
#include <dejagnu.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "check.h"

static void show(const char *what, int r, const struct stat *st)
{
	int e = errno;

	if (r != 0)
		note("%s = %d errno %d", what, r, e);
	else
		note("%s = 0: mode %o size %lld nlink %lu", what, st->st_mode, (long long)st->st_size,
		     (unsigned long)st->st_nlink);
}

static void test_stat(const char *dir)
{
	char file[4096], link[4096], fifo[4096], fifo2[4096];
	struct stat a, b, c;
	struct stat64 a64;
	int fd, dfd, r;

	snprintf(file, sizeof file, "%s/stat-file", dir);
	snprintf(link, sizeof link, "%s/stat-link", dir);
	snprintf(fifo, sizeof fifo, "%s/stat-fifo", dir);
	snprintf(fifo2, sizeof fifo2, "%s/stat-fifo2", dir);
	unlink(file);
	unlink(link);
	unlink(fifo);
	unlink(fifo2);
	fd = open(file, O_CREAT | O_RDWR | O_TRUNC, 0640);
	if (fd < 0 || write(fd, "12345", 5) != 5 || symlink("stat-file", link) != 0) {
		fail("stat: cannot set up files in %s", dir);
		return;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY);

	errno = 0;
	show("stat(file)", r = stat(file, &a), &a);
	check(r == 0 && S_ISREG(a.st_mode) && (a.st_mode & 0777) == 0640 && a.st_size == 5, "stat sees a 5-byte 0640 file");
	show("lstat(link)", r = lstat(link, &b), &b);
	check(r == 0 && S_ISLNK(b.st_mode) && b.st_size == 9, "lstat sees the symlink itself");
	show("stat(link)", r = stat(link, &c), &c);
	check(r == 0 && c.st_ino == a.st_ino, "stat follows the symlink");
	show("fstat(fd)", r = fstat(fd, &b), &b);
	check(r == 0 && b.st_ino == a.st_ino && b.st_dev == a.st_dev, "fstat: same file");
	show("fstatat(dir, link, NOFOLLOW)", r = fstatat(dfd, "stat-link", &b, AT_SYMLINK_NOFOLLOW), &b);
	check(r == 0 && S_ISLNK(b.st_mode), "fstatat with AT_SYMLINK_NOFOLLOW");
	show("fstatat(fd, \"\", EMPTY_PATH)", r = fstatat(fd, "", &b, AT_EMPTY_PATH), &b);
	check(r == 0 && b.st_ino == a.st_ino, "fstatat with AT_EMPTY_PATH");
	r = stat64(file, &a64);
	check(r == 0 && a64.st_ino == a.st_ino && a64.st_size == 5, "stat64");
	r = lstat64(link, &a64);
	check(r == 0 && S_ISLNK(a64.st_mode), "lstat64");
	r = fstat64(fd, &a64);
	check(r == 0 && a64.st_ino == a.st_ino, "fstat64");
	r = fstatat64(dfd, "stat-file", &a64, 0);
	check(r == 0 && a64.st_ino == a.st_ino, "fstatat64");

	show("stat(missing)", stat("/nonexistent/x", &b), &b);
	show("lstat(\"\")", lstat("", &b), &b);
	show("fstat(-1)", fstat(-1, &b), &b);
	show("fstatat(-1, relative)", fstatat(-1, "x", &b, 0), &b);
	show("fstatat(dir, file, bad flag)", fstatat(dfd, "stat-file", &b, 0x7000000), &b);
	errno = 0;
	check(stat("/nonexistent/x", &b) == -1 && errno == ENOENT, "stat of a missing path: ENOENT");
	errno = 0;
	check(fstat(-1, &b) == -1 && errno == EBADF, "fstat(-1): EBADF");

	errno = 0;
	r = mknod(fifo, S_IFIFO | 0600, 0);
	note("mknod(fifo) = %d errno %d", r, r ? errno : 0);
	check(r == 0 && stat(fifo, &b) == 0 && S_ISFIFO(b.st_mode), "mknod makes a FIFO");
	r = mknodat(dfd, "stat-fifo2", S_IFIFO | 0600, 0);
	check(r == 0 && stat(fifo2, &b) == 0 && S_ISFIFO(b.st_mode), "mknodat makes a FIFO");
	errno = 0;
	r = mknod(fifo, S_IFIFO | 0600, 0);
	note("mknod(existing) = %d errno %d", r, errno);
	check(r == -1 && errno == EEXIST, "mknod over an existing name: EEXIST");
	errno = 0;
	r = mknod("/nonexistent/x", S_IFCHR | 0600, makedev(1, 3));
	note("mknod(char 1:3 under a missing dir) = %d errno %d", r, errno);

	close(fd);
	close(dfd);
	unlink(file);
	unlink(link);
	unlink(fifo);
	unlink(fifo2);
}

static void test_mallinfo2(void)
{
	struct mallinfo2 before = mallinfo2(), after;
	void *volatile p = malloc(1 << 20);
	void *volatile q = malloc(1000);
	struct mallinfo old;

	after = mallinfo2();
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"	/* mallinfo: the reference */
	old = mallinfo();
#pragma GCC diagnostic pop
	check(after.uordblks >= before.uordblks + 1000, "mallinfo2: in-use bytes grow with malloc (%zu -> %zu)",
	      before.uordblks, after.uordblks);
	check(after.hblks >= 1 && after.hblkhd >= (1 << 20), "mallinfo2: the 1 MiB block is mmapped (%zu, %zu)",
	      after.hblks, after.hblkhd);
	check(after.arena == (size_t)(unsigned)old.arena && after.uordblks == (size_t)(unsigned)old.uordblks &&
	      after.hblkhd == (size_t)(unsigned)old.hblkhd && after.fordblks == (size_t)(unsigned)old.fordblks,
	      "mallinfo2 and mallinfo agree below 4 GiB");
	free(p);
	free(q);
}

int main(int argc, char **argv)
{
	test_stat(argc > 1 ? argv[1] : "/tmp");
	test_mallinfo2();
	totals();
	return 0;
}
