/* sched_setattr and sched_getattr @GLIBC_2.41: the system calls (Linux
 * 3.14), which is all glibc's functions are; ENOSYS on an older kernel.
 * struct sched_attr is the kernel's (glibc 2.41 declares the same one). */
#define _GNU_SOURCE
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include "../compat.h"

#ifndef SYS_sched_setattr
#define SYS_sched_setattr 314
#endif
#ifndef SYS_sched_getattr
#define SYS_sched_getattr 315
#endif

struct sched_attr;

int compat_sched_setattr(pid_t tid, struct sched_attr *attr, unsigned int flags);
int compat_sched_getattr(pid_t tid, struct sched_attr *attr, unsigned int size, unsigned int flags);
COMPAT_SYMBOL(compat_sched_setattr, sched_setattr, "GLIBC_2.41");
COMPAT_SYMBOL(compat_sched_getattr, sched_getattr, "GLIBC_2.41");

int compat_sched_setattr(pid_t tid, struct sched_attr *attr, unsigned int flags)
{
	return (int)syscall(SYS_sched_setattr, tid, attr, flags);
}

int compat_sched_getattr(pid_t tid, struct sched_attr *attr, unsigned int size, unsigned int flags)
{
	return (int)syscall(SYS_sched_getattr, tid, attr, size, flags);
}
