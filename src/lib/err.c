#include <config.h>

#include "err.h"

#include <stdio.h>
#include <string.h>

int ak_errf(struct ak_err *err, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	return -1;
}

int ak_errno(struct ak_err *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	size_t len;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	len = strlen(err->msg);
	snprintf(err->msg + len, sizeof err->msg - len, ": %s", strerror(errnum));
	return -1;
}

void ak_report(const struct ak_err *err)
{
	fprintf(stderr, "abikit: %s\n", err->msg);
}

void ak_warn(const char *fmt, ...)
{
	va_list ap;

	fputs("abikit: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
