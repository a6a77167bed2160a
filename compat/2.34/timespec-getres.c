/* timespec_getres@GLIBC_2.34 (C23): the resolution of time base BASE.
 * TIME_UTC (1, the only base glibc knows) is CLOCK_REALTIME's resolution
 * and the answer is BASE; any other base answers 0 and leaves *ts alone. */
#define _GNU_SOURCE
#include <time.h>

#include "../compat.h"

int compat_timespec_getres(struct timespec *ts, int base);
COMPAT_SYMBOL(compat_timespec_getres, timespec_getres, "GLIBC_2.34");

int compat_timespec_getres(struct timespec *ts, int base)
{
	if (base != TIME_UTC)
		return 0;
	clock_getres(CLOCK_REALTIME, ts);
	return base;
}
