/* libabikit-compat on a kernel that lacks the new system calls: a seccomp
 * filter makes getrandom, close_range, execveat, epoll_pwait2, the pidfd
 * calls, the mount API, process_madvise and sched_[gs]etattr fail with
 * ENOSYS, as an old kernel would.  Each stub must then do what glibc
 * itself does: fail with ENOSYS where glibc has no fallback, fall back
 * where glibc does (arc4random reads /dev/urandom, closefrom walks
 * /proc/self/fd).  Built and run by tests/abikit.compat/compat.exp (see
 * unit-compat-isoc23.c); the NOTE lines of both runs must match. */
#define _GNU_SOURCE
#include <dejagnu.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "check.h"

static const int blocked[] = {
	SYS_getrandom, SYS_close_range, SYS_execveat, SYS_epoll_pwait2, SYS_pidfd_open, SYS_pidfd_getfd,
	SYS_pidfd_send_signal, SYS_fsopen, SYS_fsmount, SYS_fsconfig, SYS_fspick, SYS_move_mount,
	SYS_open_tree, SYS_mount_setattr, SYS_process_madvise, SYS_process_mrelease, SYS_sched_setattr,
	SYS_sched_getattr,
};
#define NBLOCKED (sizeof blocked / sizeof blocked[0])

static int old_kernel(void)
{
	struct sock_filter f[3 + 2 * NBLOCKED + 1];
	struct sock_fprog prog = { .len = 0, .filter = f };
	size_t n = 0;

	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 2 * NBLOCKED + 1);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
	for (size_t i = 0; i < NBLOCKED; i++) {
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)blocked[i], 0, 1);
		f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
	}
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	prog.len = (unsigned short)n;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

#define SHOW(call)                                                        \
	do {                                                              \
		errno = 0;                                                \
		long r_ = (long)(call);                                   \
		note("%s = %ld errno %d", #call, r_, r_ == -1 ? errno : 0); \
	} while (0)

int main(void)
{
	unsigned char buf[256] = { 0 };
	int zeros = 0, base = 100, null;
	struct timespec zero = { 0, 0 };
	struct epoll_event ev;
	struct sched_attr attr = { .size = sizeof attr };

	if (old_kernel() != 0) {
		untested("seccomp filter not installed: %s", strerror(errno));
		totals();
		return 0;
	}
	errno = 0;
	check(syscall(SYS_getrandom, buf, 1, 0) == -1 && errno == ENOSYS, "the filter works: getrandom is ENOSYS");

	arc4random_buf(buf, sizeof buf);
	for (size_t i = 0; i < sizeof buf; i++)
		zeros += buf[i] == 0;
	check(zeros < 32, "arc4random_buf without getrandom: bytes from /dev/urandom");
	check(arc4random_uniform(1000) < 1000, "arc4random_uniform without getrandom");

	SHOW(close_range(1000, 1001, 0));
	null = open("/dev/null", O_RDONLY);
	for (int i = 0; i < 4; i++)
		dup2(null, base + i);
	close(null);
	closefrom(base + 1);
	check(fcntl(base, F_GETFD) != -1 && fcntl(base + 1, F_GETFD) == -1 && fcntl(base + 3, F_GETFD) == -1,
	      "closefrom without close_range: descriptors closed through /proc/self/fd");
	close(base);

	SHOW(execveat(AT_FDCWD, "/bin/true", (char *[]){ "true", NULL }, (char *[]){ NULL }, 0));
	int ep = epoll_create1(0);
	SHOW(epoll_pwait2(ep, &ev, 1, &zero, NULL));
	close(ep);
	SHOW(pidfd_open(getpid(), 0));
	SHOW(pidfd_getfd(3, 0, 0));
	SHOW(pidfd_send_signal(3, 0, NULL, 0));
	SHOW(fsopen("tmpfs", 0));
	SHOW(fsmount(3, 0, 0));
	SHOW(fsconfig(3, FSCONFIG_CMD_CREATE, NULL, NULL, 0));
	SHOW(fspick(AT_FDCWD, "/", 0));
	SHOW(move_mount(AT_FDCWD, "/", AT_FDCWD, "/", 0));
	SHOW(open_tree(AT_FDCWD, "/", 0));
	SHOW(mount_setattr(AT_FDCWD, "/", 0, NULL, 0));
	SHOW(process_madvise(3, NULL, 0, MADV_COLD, 0));
	SHOW(process_mrelease(3, 0));
	SHOW(sched_getattr(0, &attr, sizeof attr, 0));
	SHOW(sched_setattr(0, &attr, 0));
	errno = 0;
	check(pidfd_open(getpid(), 0) == -1 && errno == ENOSYS, "pidfd_open: ENOSYS, as glibc");
	totals();
	return 0;
}
