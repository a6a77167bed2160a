/* execveat@GLIBC_2.34: the system call (Linux 3.19), as glibc calls it;
 * ENOSYS on an older kernel, as with glibc. */
#define _GNU_SOURCE
#include <sys/syscall.h>
#include <unistd.h>

#include "../compat.h"

int compat_execveat(int dirfd, const char *path, char *const argv[], char *const envp[], int flags);
COMPAT_SYMBOL(compat_execveat, execveat, "GLIBC_2.34");

int compat_execveat(int dirfd, const char *path, char *const argv[], char *const envp[], int flags)
{
	return (int)syscall(SYS_execveat, dirfd, path, argv, envp, flags);
}
