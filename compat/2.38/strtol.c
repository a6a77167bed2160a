/* __isoc23_strtol and its siblings @GLIBC_2.38: strtol, strtoul,
 * strtoll, strtoull, strtoimax, strtoumax and the _l variants as C23 has
 * them, which GCC programs built against glibc 2.38 headers call in C23
 * or GNU mode (_GNU_SOURCE, -std=gnu2x/c2x or later).
 *
 * The one difference from C11: with base 0 or 2, "0b" or "0B" followed
 * by a binary digit is a binary number ("0b101" is 5, "-0B11" is -3).
 * "0b" with no binary digit after it is the number 0, and *endptr points
 * at the 'b' (as for "0x" with no hex digit).  Everything else (leading
 * space, sign, other bases and prefixes, locales, overflow to the type's
 * limit with ERANGE, errno untouched on success) is glibc 2.31's strtol,
 * which these call.
 *
 * On x86_64 long, long long and intmax_t are all 64 bits, so one signed
 * and one unsigned reader serve every type. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <locale.h>
#include <stdbool.h>
#include <stdlib.h>

#include "../compat.h"

_Static_assert(sizeof(long) == 8 && sizeof(long long) == 8 && sizeof(intmax_t) == 8,
	       "one 64-bit reader serves long, long long and intmax_t");

long compat_strtol(const char *s, char **end, int base);
unsigned long compat_strtoul(const char *s, char **end, int base);
long compat_strtol_l(const char *s, char **end, int base, locale_t loc);
unsigned long compat_strtoul_l(const char *s, char **end, int base, locale_t loc);
COMPAT_SYMBOL(compat_strtol, __isoc23_strtol, "GLIBC_2.38");
COMPAT_SYMBOL(compat_strtol_l, __isoc23_strtol_l, "GLIBC_2.38");
COMPAT_SYMBOL(compat_strtoul, __isoc23_strtoul, "GLIBC_2.38");
COMPAT_SYMBOL(compat_strtoul_l, __isoc23_strtoul_l, "GLIBC_2.38");
/* The same functions under the other names (same types on x86_64). */
COMPAT_SYMBOL(compat_strtol, __isoc23_strtoll, "GLIBC_2.38");
COMPAT_SYMBOL(compat_strtol, __isoc23_strtoimax, "GLIBC_2.38");
COMPAT_SYMBOL(compat_strtol_l, __isoc23_strtoll_l, "GLIBC_2.38");
COMPAT_SYMBOL(compat_strtoul, __isoc23_strtoull, "GLIBC_2.38");
COMPAT_SYMBOL(compat_strtoul, __isoc23_strtoumax, "GLIBC_2.38");
COMPAT_SYMBOL(compat_strtoul_l, __isoc23_strtoull_l, "GLIBC_2.38");

/* Where the binary digits after a "0b" prefix start, or NULL when base
 * and text have no such prefix.  *neg tells the sign. */
static const char *binary_prefix(const char *s, int base, locale_t loc, bool *neg)
{
	if (base != 0 && base != 2)
		return NULL;
	while (loc ? isspace_l((unsigned char)*s, loc) : isspace((unsigned char)*s))
		s++;
	*neg = *s == '-';
	if (*s == '-' || *s == '+')
		s++;
	if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
		return s + 2;
	return NULL;
}

/* Reads the binary digits at p (there is at least one): the magnitude,
 * *overflow when it does not fit 64 bits, *end after the last digit. */
static unsigned long long binary_value(const char *p, char **end, bool *overflow)
{
	int saved = errno;
	unsigned long long v;

	errno = 0;
	v = strtoull(p, end, 2);	/* p starts with 0 or 1: no space, no sign */
	*overflow = errno == ERANGE;
	errno = saved;
	return v;
}

static long read_signed(const char *s, char **end, int base, locale_t loc)
{
	bool neg, overflow;
	const char *p = binary_prefix(s, base, loc, &neg);
	unsigned long long v;
	char *stop;

	if (p == NULL)
		return loc ? strtol_l(s, end, base, loc) : strtol(s, end, base);
	if (*p != '0' && *p != '1') {	/* "0b" alone: the 0, then 'b' */
		if (end)
			*end = (char *)(p - 1);
		return 0;
	}
	v = binary_value(p, &stop, &overflow);
	if (end)
		*end = stop;
	if (overflow || v > (neg ? (unsigned long long)LONG_MAX + 1 : (unsigned long long)LONG_MAX)) {
		errno = ERANGE;
		return neg ? LONG_MIN : LONG_MAX;
	}
	return neg ? (long)(0 - v) : (long)v;
}

static unsigned long read_unsigned(const char *s, char **end, int base, locale_t loc)
{
	bool neg, overflow;
	const char *p = binary_prefix(s, base, loc, &neg);
	unsigned long long v;
	char *stop;

	if (p == NULL)
		return loc ? strtoul_l(s, end, base, loc) : strtoul(s, end, base);
	if (*p != '0' && *p != '1') {
		if (end)
			*end = (char *)(p - 1);
		return 0;
	}
	v = binary_value(p, &stop, &overflow);
	if (end)
		*end = stop;
	if (overflow) {
		errno = ERANGE;
		return ULONG_MAX;
	}
	return neg ? 0 - v : v;	/* strtoul negates, as C says */
}

long compat_strtol(const char *s, char **end, int base)
{
	return read_signed(s, end, base, (locale_t)0);
}

unsigned long compat_strtoul(const char *s, char **end, int base)
{
	return read_unsigned(s, end, base, (locale_t)0);
}

long compat_strtol_l(const char *s, char **end, int base, locale_t loc)
{
	return read_signed(s, end, base, loc);
}

unsigned long compat_strtoul_l(const char *s, char **end, int base, locale_t loc)
{
	return read_unsigned(s, end, base, loc);
}
