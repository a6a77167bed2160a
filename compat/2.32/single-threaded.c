/* __libc_single_threaded@GLIBC_2.32: a char the C library keeps true
 * while the process is known to have one thread; libstdc++ and others read
 * it directly to skip atomic operations (reference counts, locks).
 *
 * How it is kept correct: it is always false.  glibc's contract allows
 * that (false only means "maybe several threads": readers then take the
 * thread-safe path, which is always correct, only slower), while a true
 * value with two threads running would make those readers race.  On glibc
 * 2.31 threads are created by libpthread's pthread_create, by librt's
 * SIGEV_THREAD timers and mq_notify, by libanl's getaddrinfo_a and by
 * aio_*, most of them called from code built for 2.31 that never goes
 * through this library, so there is no place here that would learn of
 * every new thread and could ever clear a true value in time.  glibc 2.41
 * reads 1 in a fresh process and 0 after the first pthread_create; this
 * library reads 0 throughout (tests/abikit.compat checks both, and that
 * neither claims a single thread once a second one exists). */
#include "../compat.h"

extern char compat_libc_single_threaded;
char compat_libc_single_threaded = 0;
COMPAT_SYMBOL(compat_libc_single_threaded, __libc_single_threaded, "GLIBC_2.32");
