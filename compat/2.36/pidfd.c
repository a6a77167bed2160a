/* pidfd_open, pidfd_getfd, pidfd_send_signal @GLIBC_2.36: the system
 * calls (Linux 5.3, 5.6 and 5.1), which is all glibc does; on an older
 * kernel they fail with ENOSYS, as glibc's do. */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include "../compat.h"

#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

int compat_pidfd_open(pid_t pid, unsigned int flags);
int compat_pidfd_getfd(int pidfd, int targetfd, unsigned int flags);
int compat_pidfd_send_signal(int pidfd, int sig, siginfo_t *info, unsigned int flags);
COMPAT_SYMBOL(compat_pidfd_open, pidfd_open, "GLIBC_2.36");
COMPAT_SYMBOL(compat_pidfd_getfd, pidfd_getfd, "GLIBC_2.36");
COMPAT_SYMBOL(compat_pidfd_send_signal, pidfd_send_signal, "GLIBC_2.36");

int compat_pidfd_open(pid_t pid, unsigned int flags)
{
	return (int)syscall(SYS_pidfd_open, pid, flags);
}

int compat_pidfd_getfd(int pidfd, int targetfd, unsigned int flags)
{
	return (int)syscall(SYS_pidfd_getfd, pidfd, targetfd, flags);
}

int compat_pidfd_send_signal(int pidfd, int sig, siginfo_t *info, unsigned int flags)
{
	return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, info, flags);
}
