/* Errors with context: a function that fails fills an ak_err with one line
 * ("FILE: reason") and returns -1 or NULL; the caller decides whether to print
 * it and go on with the other inputs. */
#ifndef ABIKIT_ERR_H
#define ABIKIT_ERR_H

#include <stdarg.h>

struct ak_err {
	char msg[1024];
};

/* Always returns -1, so callers can write `return ak_errf(err, ...)`. */
int ak_errf(struct ak_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Like ak_errf, with ": strerror(errno)" appended. */
int ak_errno(struct ak_err *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Print "abikit: MSG" on stderr. */
void ak_report(const struct ak_err *err);
void ak_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
