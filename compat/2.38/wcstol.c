/* __isoc23_wcstol and its siblings @GLIBC_2.38: the wide-character twins
 * of strtol.c (wcstol, wcstoul, wcstoll, wcstoull, wcstoimax, wcstoumax,
 * and the _l variants), with the same one C23 difference: with base 0
 * or 2, L"0b" or L"0B" followed by a binary digit is a binary number, and
 * L"0b" alone is 0 with *endptr at the 'b'.  The rest is glibc 2.31's
 * wcstol. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <stdbool.h>
#include <wchar.h>
#include <wctype.h>

#include "../compat.h"

long compat_wcstol(const wchar_t *s, wchar_t **end, int base);
unsigned long compat_wcstoul(const wchar_t *s, wchar_t **end, int base);
long compat_wcstol_l(const wchar_t *s, wchar_t **end, int base, locale_t loc);
unsigned long compat_wcstoul_l(const wchar_t *s, wchar_t **end, int base, locale_t loc);
COMPAT_SYMBOL(compat_wcstol, __isoc23_wcstol, "GLIBC_2.38");
COMPAT_SYMBOL(compat_wcstol, __isoc23_wcstoll, "GLIBC_2.38");
COMPAT_SYMBOL(compat_wcstol, __isoc23_wcstoimax, "GLIBC_2.38");
COMPAT_SYMBOL(compat_wcstol_l, __isoc23_wcstol_l, "GLIBC_2.38");
COMPAT_SYMBOL(compat_wcstol_l, __isoc23_wcstoll_l, "GLIBC_2.38");
COMPAT_SYMBOL(compat_wcstoul, __isoc23_wcstoul, "GLIBC_2.38");
COMPAT_SYMBOL(compat_wcstoul, __isoc23_wcstoull, "GLIBC_2.38");
COMPAT_SYMBOL(compat_wcstoul, __isoc23_wcstoumax, "GLIBC_2.38");
COMPAT_SYMBOL(compat_wcstoul_l, __isoc23_wcstoul_l, "GLIBC_2.38");
COMPAT_SYMBOL(compat_wcstoul_l, __isoc23_wcstoull_l, "GLIBC_2.38");

static const wchar_t *binary_prefix(const wchar_t *s, int base, locale_t loc, bool *neg)
{
	if (base != 0 && base != 2)
		return NULL;
	while (loc ? iswspace_l((wint_t)*s, loc) : iswspace((wint_t)*s))
		s++;
	*neg = *s == L'-';
	if (*s == L'-' || *s == L'+')
		s++;
	if (s[0] == L'0' && (s[1] == L'b' || s[1] == L'B'))
		return s + 2;
	return NULL;
}

static unsigned long long binary_value(const wchar_t *p, wchar_t **end, bool *overflow)
{
	int saved = errno;
	unsigned long long v;

	errno = 0;
	v = wcstoull(p, end, 2);
	*overflow = errno == ERANGE;
	errno = saved;
	return v;
}

static long read_signed(const wchar_t *s, wchar_t **end, int base, locale_t loc)
{
	bool neg, overflow;
	const wchar_t *p = binary_prefix(s, base, loc, &neg);
	unsigned long long v;
	wchar_t *stop;

	if (p == NULL)
		return loc ? wcstol_l(s, end, base, loc) : wcstol(s, end, base);
	if (*p != L'0' && *p != L'1') {
		if (end)
			*end = (wchar_t *)(p - 1);
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

static unsigned long read_unsigned(const wchar_t *s, wchar_t **end, int base, locale_t loc)
{
	bool neg, overflow;
	const wchar_t *p = binary_prefix(s, base, loc, &neg);
	unsigned long long v;
	wchar_t *stop;

	if (p == NULL)
		return loc ? wcstoul_l(s, end, base, loc) : wcstoul(s, end, base);
	if (*p != L'0' && *p != L'1') {
		if (end)
			*end = (wchar_t *)(p - 1);
		return 0;
	}
	v = binary_value(p, &stop, &overflow);
	if (end)
		*end = stop;
	if (overflow) {
		errno = ERANGE;
		return ULONG_MAX;
	}
	return neg ? 0 - v : v;
}

long compat_wcstol(const wchar_t *s, wchar_t **end, int base)
{
	return read_signed(s, end, base, (locale_t)0);
}

unsigned long compat_wcstoul(const wchar_t *s, wchar_t **end, int base)
{
	return read_unsigned(s, end, base, (locale_t)0);
}

long compat_wcstol_l(const wchar_t *s, wchar_t **end, int base, locale_t loc)
{
	return read_signed(s, end, base, loc);
}

unsigned long compat_wcstoul_l(const wchar_t *s, wchar_t **end, int base, locale_t loc)
{
	return read_unsigned(s, end, base, loc);
}
