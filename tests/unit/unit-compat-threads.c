/* libabikit-compat: what glibc 2.32 and 2.34 moved into libc.so.6 (from
 * libpthread, libdl, librt, libutil, libresolv), pthread_kill's 2.34
 * behaviour, and __libc_single_threaded.  Built and run by
 * tests/abikit.compat/compat.exp (see unit-compat-isoc23.c); on glibc
 * 2.31 every call here goes through the compat library's forwarders. */
#define _GNU_SOURCE
#include <sys/wait.h>
#define wait dejagnu_wait	/* dejagnu.h defines a wait() of its own */
void dejagnu_wait(void);
#include <dejagnu.h>
#undef wait
#include <arpa/nameser.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <pthread.h>
#include <pty.h>
#include <resolv.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/single_threaded.h>
#include <threads.h>
#include <time.h>
#include <unistd.h>
#include <utmp.h>

#include "check.h"

static pthread_key_t key;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int once_runs;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void once_fn(void)
{
	once_runs++;
}

static void *worker(void *arg)
{
	pthread_once(&once, once_fn);
	pthread_setspecific(key, arg);
	return pthread_getspecific(key);
}

static void *quick(void *arg)
{
	return arg;
}

static int c11_worker(void *arg)
{
	return *(int *)arg + 1;
}

static void test_pthread(void)
{
	pthread_t t[4], q;
	pthread_attr_t attr;
	pthread_mutexattr_t ma;
	pthread_rwlock_t rw;
	size_t stack = 0;
	void *ret;
	int ok = 1, r;
	sigset_t set, old;

	/* not a NOTE: the one value that differs by design (see
	 * compat/2.32/single-threaded.c); compat.exp logs it */
	printf("\tVALUE: __libc_single_threaded at start: %d (glibc 2.41: 1; the compat library: always 0)\n",
	       __libc_single_threaded);
	check(pthread_key_create(&key, NULL) == 0, "pthread_key_create");
	pthread_attr_init(&attr);
	check(pthread_attr_setstacksize(&attr, 1 << 20) == 0 && pthread_attr_getstacksize(&attr, &stack) == 0 && stack == 1 << 20,
	      "pthread_attr_setstacksize / getstacksize");
	for (int i = 0; i < 4; i++)
		ok &= pthread_create(&t[i], &attr, worker, (void *)(long)(i + 1)) == 0;
	check(!__libc_single_threaded, "__libc_single_threaded is 0 once a thread exists");
	for (int i = 0; i < 4; i++)
		ok &= pthread_join(t[i], &ret) == 0 && ret == (void *)(long)(i + 1);
	check(ok, "pthread_create and pthread_join, thread-specific values per thread");
	check(once_runs == 1, "pthread_once ran its function once");
	pthread_attr_destroy(&attr);
	check(pthread_key_delete(key) == 0, "pthread_key_delete");

	pthread_mutexattr_init(&ma);
	pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_t m;
	pthread_mutex_init(&m, &ma);
	check(pthread_mutex_lock(&m) == 0 && pthread_mutex_trylock(&m) == 0, "recursive mutex: lock, then trylock again");
	pthread_mutex_unlock(&m);
	pthread_mutex_unlock(&m);
	pthread_mutexattr_destroy(&ma);
	check(pthread_mutex_trylock(&lock) == 0 && pthread_mutex_trylock(&lock) == EBUSY, "pthread_mutex_trylock: EBUSY when held");
	pthread_mutex_unlock(&lock);

	pthread_rwlock_init(&rw, NULL);
	check(pthread_rwlock_rdlock(&rw) == 0 && pthread_rwlock_tryrdlock(&rw) == 0 && pthread_rwlock_trywrlock(&rw) == EBUSY,
	      "pthread_rwlock: readers share, a writer waits");
	pthread_rwlock_unlock(&rw);
	pthread_rwlock_unlock(&rw);
	check(pthread_rwlock_wrlock(&rw) == 0 && pthread_rwlock_unlock(&rw) == 0 && pthread_rwlock_destroy(&rw) == 0,
	      "pthread_rwlock_wrlock, unlock, destroy");

	/* 2.34: pthread_kill of a thread that exited but is not joined is 0 */
	pthread_create(&q, NULL, quick, NULL);
	usleep(100000);
	r = pthread_kill(q, 0);
	note("pthread_kill(exited thread, 0) = %d", r);
	check(r == 0, "pthread_kill of an exited, unjoined thread: 0 (glibc 2.34), not ESRCH");
	check(pthread_kill(pthread_self(), 0) == 0, "pthread_kill(self, 0)");
	r = pthread_kill(pthread_self(), 32);
	note("pthread_kill(self, SIGCANCEL) = %d", r);
	pthread_join(q, NULL);

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	check(pthread_sigmask(SIG_BLOCK, &set, &old) == 0 && pthread_sigmask(SIG_SETMASK, &old, &set) == 0 && sigismember(&set, SIGUSR1),
	      "pthread_sigmask (GLIBC_2.32) blocks and restores");
	pthread_attr_t got;
	void *addr;
	size_t size, guard;
	check(pthread_getattr_np(pthread_self(), &got) == 0 && pthread_attr_getstack(&got, &addr, &size) == 0 && size > 0 &&
	      pthread_attr_getguardsize(&got, &guard) == 0,
	      "pthread_getattr_np (GLIBC_2.32), getstack, getguardsize");
	pthread_attr_destroy(&got);
	char name[16] = "";
	check(pthread_setname_np(pthread_self(), "compat-test") == 0 && pthread_getname_np(pthread_self(), name, sizeof name) == 0 &&
	      strcmp(name, "compat-test") == 0, "pthread_setname_np / getname_np");

	thrd_t ct;
	int in = 41, out = 0;
	check(thrd_create(&ct, c11_worker, &in) == thrd_success && thrd_join(ct, &out) == thrd_success && out == 42,
	      "C11 thrd_create / thrd_join");
}

static void test_sem(void)
{
	sem_t s;
	int v = -1;
	struct timespec ts;

	check(sem_init(&s, 0, 1) == 0 && sem_trywait(&s) == 0 && sem_trywait(&s) == -1 && errno == EAGAIN,
	      "sem_init, sem_trywait");
	check(sem_post(&s) == 0 && sem_getvalue(&s, &v) == 0 && v == 1 && sem_wait(&s) == 0, "sem_post, sem_getvalue, sem_wait");
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_nsec += 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	errno = 0;
	check(sem_clockwait(&s, CLOCK_MONOTONIC, &ts) == -1 && errno == ETIMEDOUT, "sem_clockwait times out");
	sem_destroy(&s);
}

static void test_dl(void)
{
	void *h = dlopen("libm.so.6", RTLD_NOW);
	double (*cosine)(double);
	Dl_info info;

	check(h != NULL, "dlopen(libm.so.6)");
	if (h == NULL)
		return;
	*(void **)&cosine = dlsym(h, "cos");
	check(cosine != NULL && cosine(0.0) == 1.0, "dlsym(cos) and a call");
	check(dladdr((void *)cosine, &info) != 0 && strstr(info.dli_fname, "libm") != NULL, "dladdr names libm");
	check(dlvsym(h, "cos", "GLIBC_2.2.5") == (void *)cosine, "dlvsym(cos, GLIBC_2.2.5)");
	/* dlsym(RTLD_NEXT) from the program: the next object after it defines
	 * printf; a forwarder that called instead of jumping would make the
	 * compat library the caller and return a different answer */
	check(dlsym(RTLD_NEXT, "printf") == dlsym(RTLD_DEFAULT, "printf"), "dlsym(RTLD_NEXT) is relative to the caller");
	check(dlsym(h, "no_such_symbol_here") == NULL && dlerror() != NULL, "dlsym of a missing name sets dlerror");
	check(dlerror() == NULL, "dlerror is cleared after reading");
	check(dlclose(h) == 0, "dlclose");
	check(dlopen("libno-such-library.so.9", RTLD_NOW) == NULL, "dlopen of a missing library fails");
	const char *e = dlerror();
	note("dlerror after a missing library: %s", e ? e : "(null)");
}

static void test_rt(void)
{
	timer_t timer;
	struct sigevent ev = { .sigev_notify = SIGEV_NONE };
	struct itimerspec its = { .it_value = { 100, 0 } }, cur;
	char name[64];
	int fd;

	check(timer_create(CLOCK_MONOTONIC, &ev, &timer) == 0 && timer_settime(timer, 0, &its, NULL) == 0 &&
	      timer_gettime(timer, &cur) == 0 && cur.it_value.tv_sec > 90 && timer_delete(timer) == 0,
	      "timer_create, timer_settime, timer_gettime, timer_delete");
	snprintf(name, sizeof name, "/abikit-compat-%d", (int)getpid());
	fd = shm_open(name, O_CREAT | O_RDWR | O_EXCL, 0600);
	note("shm_open = %s errno %d", fd >= 0 ? "fd" : "-1", fd >= 0 ? 0 : errno);
	if (fd >= 0) {
		check(shm_unlink(name) == 0, "shm_unlink");
		close(fd);
	}
	errno = 0;
	mqd_t mq = mq_open(name, O_RDONLY);
	note("mq_open of a missing queue = %d errno %d", (int)mq, errno);
}

static void test_util(void)
{
	int master = -1, slave = -1;
	pid_t pid;
	char buf[16] = "";

	check(openpty(&master, &slave, NULL, NULL, NULL) == 0, "openpty");
	if (master < 0)
		return;
	close(master);
	close(slave);
	pid = forkpty(&master, NULL, NULL, NULL);
	if (pid == 0) {
		/* the child: its stdio is the pty */
		ssize_t w = write(1, "hi", 2);
		_exit(w == 2 && isatty(0) ? 0 : 1);
	}
	check(pid > 0, "forkpty");
	if (pid > 0) {
		int st = 0;
		ssize_t n = read(master, buf, sizeof buf - 1);
		waitpid(pid, &st, 0);
		check(n >= 2 && strncmp(buf, "hi", 2) == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
		      "forkpty: the child writes to the pty, its stdin is a tty");
		close(master);
	}
	check(login_tty(-1) == -1, "login_tty(-1) fails");
}

static void test_resolv(void)
{
	unsigned char msg[64], *dnptrs[4] = { msg, NULL }, **lastdnptr = dnptrs + 4;
	char name[256];
	int n, m;

	n = dn_comp("www.example.org", msg, sizeof msg, dnptrs, lastdnptr);
	note("dn_comp(www.example.org) = %d", n);
	m = n > 0 ? dn_expand(msg, msg + n, msg, name, sizeof name) : -1;
	check(n == 17 && m == 17 && strcmp(name, "www.example.org") == 0, "dn_comp then dn_expand round-trip");
	check(dn_skipname(msg, msg + n) == 17, "dn_skipname");
	check(res_hnok("good-host.example") && !res_hnok("bad_host!"), "res_hnok");
}

int main(void)
{
	test_pthread();
	test_sem();
	test_dl();
	test_rt();
	test_util();
	test_resolv();
	totals();
	return 0;
}
