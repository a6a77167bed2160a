/* arc4random, arc4random_buf, arc4random_uniform @GLIBC_2.36.
 *
 * As glibc 2.36 to 2.41 do it: the bytes come from the getrandom system
 * call (Linux 3.17), retried when a signal interrupts it.  On a kernel
 * without getrandom (ENOSYS) they come from /dev/urandom, read after
 * /dev/random once became readable (the kernel's pool was initialised).
 * Any other failure is fatal: "Fatal glibc error: cannot get entropy for
 * arc4random" on standard error, then abort(), since these functions
 * cannot return an error.  (glibc 2.42 added a vDSO getrandom fast path;
 * the bytes are the same kind.)
 *
 * arc4random_uniform(n) is uniform on [0, n) by rejection: values below
 * 2^32 mod n are drawn again, so every residue is equally likely; n = 0
 * and n = 1 give 0, as in glibc. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../compat.h"

void compat_arc4random_buf(void *p, size_t n);
uint32_t compat_arc4random(void);
uint32_t compat_arc4random_uniform(uint32_t n);
COMPAT_SYMBOL(compat_arc4random_buf, arc4random_buf, "GLIBC_2.36");
COMPAT_SYMBOL(compat_arc4random, arc4random, "GLIBC_2.36");
COMPAT_SYMBOL(compat_arc4random_uniform, arc4random_uniform, "GLIBC_2.36");

static void no_entropy(void)
{
	static const char msg[] = "Fatal glibc error: cannot get entropy for arc4random\n";

	if (write(STDERR_FILENO, msg, sizeof msg - 1) < 0) {
		/* nothing more to say */
	}
	abort();
}

static int open_retry(const char *path)
{
	int fd;

	do
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	while (fd < 0 && errno == EINTR);
	return fd;
}

static void from_urandom(unsigned char *p, size_t n)
{
	static int seeded;	/* /dev/random was readable once */
	ssize_t r;
	int fd;

	if (!__atomic_load_n(&seeded, __ATOMIC_RELAXED)) {
		struct pollfd pfd = { .fd = open_retry("/dev/random"), .events = POLLIN };
		int pr;

		if (pfd.fd < 0)
			no_entropy();
		do
			pr = poll(&pfd, 1, -1);
		while (pr < 0 && errno == EINTR);
		if (pr < 0 || close(pfd.fd) < 0)
			no_entropy();
		__atomic_store_n(&seeded, 1, __ATOMIC_RELAXED);
	}
	if ((fd = open_retry("/dev/urandom")) < 0)
		no_entropy();
	while (n > 0) {
		do
			r = read(fd, p, n);
		while (r < 0 && errno == EINTR);
		if (r <= 0)
			no_entropy();
		p += r;
		n -= (size_t)r;
	}
	if (close(fd) < 0)
		no_entropy();
}

void compat_arc4random_buf(void *buf, size_t n)
{
	unsigned char *p = buf;

	while (n > 0) {
		long r = syscall(SYS_getrandom, p, n, 0);

		if (r > 0) {
			p += r;
			n -= (size_t)r;
		} else if (r < 0 && errno == EINTR) {
			continue;
		} else if (r < 0 && errno == ENOSYS) {
			from_urandom(p, n);
			return;
		} else {
			no_entropy();
		}
	}
}

uint32_t compat_arc4random(void)
{
	uint32_t r;

	compat_arc4random_buf(&r, sizeof r);
	return r;
}

uint32_t compat_arc4random_uniform(uint32_t n)
{
	uint32_t min, r;

	if (n <= 1)
		return 0;
	min = -n % n;	/* 2^32 mod n */
	do
		r = compat_arc4random();
	while (r < min);
	return r % n;
}
