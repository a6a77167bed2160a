/* epoll_pwait2@GLIBC_2.35: epoll_pwait with a struct timespec timeout,
 * the system call of Linux 5.11; ENOSYS on an older kernel, as with
 * glibc.  A cancellation point as in glibc: asynchronous cancellation is
 * enabled around the call (how glibc 2.31 itself makes a system call
 * cancellable), so a pending or arriving pthread_cancel acts there. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../compat.h"

#ifndef SYS_epoll_pwait2
#define SYS_epoll_pwait2 441
#endif

int compat_epoll_pwait2(int epfd, struct epoll_event *events, int maxevents,
			const struct timespec *timeout, const sigset_t *sigmask);
COMPAT_SYMBOL(compat_epoll_pwait2, epoll_pwait2, "GLIBC_2.35");

int compat_epoll_pwait2(int epfd, struct epoll_event *events, int maxevents,
			const struct timespec *timeout, const sigset_t *sigmask)
{
	int old, r;

	pthread_setcanceltype(PTHREAD_CANCEL_ASYNCHRONOUS, &old);
	r = (int)syscall(SYS_epoll_pwait2, epfd, events, maxevents, timeout, sigmask, _NSIG / 8);
	pthread_setcanceltype(old, NULL);
	return r;
}
