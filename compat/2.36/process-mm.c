/* process_madvise (Linux 5.10) and process_mrelease (5.15) @GLIBC_2.36:
 * the bare system calls, as in glibc; ENOSYS on an older kernel. */
#define _GNU_SOURCE
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#include "../compat.h"

#ifndef SYS_process_madvise
#define SYS_process_madvise 440
#endif
#ifndef SYS_process_mrelease
#define SYS_process_mrelease 448
#endif

ssize_t compat_process_madvise(int pidfd, const struct iovec *iov, size_t n, int advice, unsigned int flags);
int compat_process_mrelease(int pidfd, unsigned int flags);
COMPAT_SYMBOL(compat_process_madvise, process_madvise, "GLIBC_2.36");
COMPAT_SYMBOL(compat_process_mrelease, process_mrelease, "GLIBC_2.36");

ssize_t compat_process_madvise(int pidfd, const struct iovec *iov, size_t n, int advice, unsigned int flags)
{
	return syscall(SYS_process_madvise, pidfd, iov, n, advice, flags);
}

int compat_process_mrelease(int pidfd, unsigned int flags)
{
	return (int)syscall(SYS_process_mrelease, pidfd, flags);
}
