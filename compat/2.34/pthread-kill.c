/* pthread_kill@GLIBC_2.34.  Since 2.34 (BZ #19193) a thread that has
 * exited or is exiting but has not been joined is still a valid target:
 * pthread_kill does not send the signal (it could only be lost or reach an
 * unrelated thread that reuses the TID) and returns 0.  glibc 2.31 returns
 * ESRCH there, and 2.34 keeps that for its old pthread_kill@GLIBC_2.2.5.
 * A live thread never gets ESRCH from 2.31's pthread_kill, so mapping it
 * to 0 gives 2.34's answer in every case. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>

#include "../compat.h"

int compat_old_pthread_kill(pthread_t thread, int sig);
COMPAT_OLD(compat_old_pthread_kill, pthread_kill, "GLIBC_2.2.5");
int compat_pthread_kill(pthread_t thread, int sig);
COMPAT_SYMBOL(compat_pthread_kill, pthread_kill, "GLIBC_2.34");

int compat_pthread_kill(pthread_t thread, int sig)
{
	int r = compat_old_pthread_kill(thread, sig);

	return r == ESRCH ? 0 : r;
}
