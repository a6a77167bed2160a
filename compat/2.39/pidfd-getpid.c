/* pidfd_getpid@GLIBC_2.39: the process ID a pidfd refers to, read (as
 * glibc does) from the "Pid:" line of /proc/self/fdinfo/FD.  Errors as
 * glibc's: EBADF for a negative fd, a file that cannot be read, an fd
 * that is not a pidfd (no "Pid:" line) or a malformed value; EREMOTE for
 * 0 (the process is in a PID namespace this one cannot see); ESRCH for
 * -1 (the process has exited). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "../compat.h"

pid_t compat_pidfd_getpid(int fd);
COMPAT_SYMBOL(compat_pidfd_getpid, pidfd_getpid, "GLIBC_2.39");

/* The value after "Pid:" up to the end of the line: 1 and *pid set, or 0
 * when malformed.  Digits only, no locale (as glibc). */
static int parse_pid(const char *s, long *pid)
{
	bool neg = false;
	long n = 0;

	while (*s == ' ' || (*s >= '\t' && *s <= '\r'))
		s++;
	if (*s == '+')
		return 0;
	if (*s == '-') {
		neg = true;
		s++;
	}
	if (*s < '0' || *s > '9')
		return 0;
	for (; *s >= '0' && *s <= '9'; s++) {
		n = n * 10 + (*s - '0');
		if (n > INT_MAX)
			return 0;
	}
	if (*s != '\n' && *s != '\0')
		return 0;
	if (neg && n != 1)
		return 0;
	*pid = neg ? -n : n;
	return 1;
}

pid_t compat_pidfd_getpid(int fd)
{
	char path[40], buf[4096];
	const char *line;
	long pid;
	ssize_t len = 0, r;
	int f;

	if (fd < 0) {
		errno = EBADF;
		return -1;
	}
	snprintf(path, sizeof path, "/proc/self/fdinfo/%d", fd);
	if ((f = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		errno = EBADF;
		return -1;
	}
	while (len < (ssize_t)sizeof buf - 1 && (r = read(f, buf + len, sizeof buf - 1 - (size_t)len)) > 0)
		len += r;
	close(f);
	buf[len] = '\0';
	for (line = buf; strncmp(line, "Pid:", 4) != 0; line++)
		if ((line = strchr(line, '\n')) == NULL)
			break;
	if (line == NULL || !parse_pid(line + 4, &pid)) {
		errno = EBADF;
		return -1;
	}
	if (pid == 0) {
		errno = EREMOTE;
		return -1;
	}
	if (pid < 0) {
		errno = ESRCH;
		return -1;
	}
	return (pid_t)pid;
}
