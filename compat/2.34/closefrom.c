/* close_range@GLIBC_2.34 and closefrom@GLIBC_2.34.
 *
 * close_range is the system call (Linux 5.9).  On an older kernel it fails
 * with ENOSYS, as glibc's own close_range does: glibc has no fallback for
 * it either.
 *
 * closefrom(low) closes every descriptor >= low and cannot fail: glibc
 * tries close_range(low, ~0U, 0) and, when that fails (ENOSYS on a kernel
 * older than 5.9), closes what /proc/self/fd lists.  If /proc/self/fd
 * cannot be opened because no descriptor is free (EMFILE, ENFILE, ENOMEM),
 * it first closes the lowest open descriptor >= low to make room; if it
 * still cannot, or /proc is not mounted, it aborts with "*** closefrom
 * failed to close a file descriptor ***: terminated".  Same here. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../compat.h"

#ifndef SYS_close_range
#define SYS_close_range 436
#endif

int compat_close_range(unsigned first, unsigned last, int flags);
COMPAT_SYMBOL(compat_close_range, close_range, "GLIBC_2.34");
void compat_closefrom(int low);
COMPAT_SYMBOL(compat_closefrom, closefrom, "GLIBC_2.34");

int compat_close_range(unsigned first, unsigned last, int flags)
{
	return (int)syscall(SYS_close_range, first, last, flags);
}

/* struct linux_dirent64, which the 2.31 headers do not declare. */
struct dirent64_raw {
	unsigned long long ino;
	long long off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

static bool close_listed(int low)
{
	int dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char buf[1024];
	long n;

	if (dir < 0) {
		if (errno != EMFILE && errno != ENFILE && errno != ENOMEM)
			return false;
		for (int fd = low; fd < INT_MAX; fd++)	/* make room for one */
			if (close(fd) == 0 || errno != EBADF)
				break;
		dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dir < 0)
			return false;
	}
	while ((n = syscall(SYS_getdents64, dir, buf, sizeof buf)) > 0) {
		bool closed = false;

		for (long off = 0; off < n;) {
			struct dirent64_raw *d = (struct dirent64_raw *)(buf + off);
			int fd = 0;

			off += d->reclen;
			if (d->name[0] < '0' || d->name[0] > '9')
				continue;
			for (const char *s = d->name; *s >= '0' && *s <= '9'; s++)
				fd = 10 * fd + (*s - '0');
			if (fd == dir || fd < low)
				continue;
			close(fd);	/* EBADF, EINTR, EIO: released all the same */
			closed = true;
		}
		/* closing changes the directory: read it again from the start */
		if (closed && lseek(dir, 0, SEEK_SET) < 0)
			n = -1;
		if (n < 0)
			break;
	}
	close(dir);
	return n == 0;
}

void compat_closefrom(int low)
{
	static const char msg[] = "*** closefrom failed to close a file descriptor ***: terminated\n";

	if (low < 0)
		low = 0;
	if (compat_close_range((unsigned)low, ~0U, 0) == 0)
		return;
	if (!close_listed(low)) {
		if (write(STDERR_FILENO, msg, sizeof msg - 1) < 0) {
			/* nothing more to say */
		}
		abort();
	}
}
