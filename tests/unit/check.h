/* One assertion for the C unit tests: DejaGnu's pass() or fail() with a
 * formatted message. Include after <dejagnu.h>. */
#ifndef ABIKIT_UNIT_CHECK_H
#define ABIKIT_UNIT_CHECK_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

__attribute__((format(printf, 2, 3)))
static void check(bool ok, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (ok)
		pass("%s", msg);
	else
		fail("%s", msg);
}

#endif
