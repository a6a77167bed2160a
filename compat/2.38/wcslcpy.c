/* wcslcpy, wcslcat, __wcslcpy_chk, __wcslcat_chk @GLIBC_2.38: strlcpy.c
 * for wide strings; sizes count wide characters. */
#define _GNU_SOURCE
#include <stddef.h>
#include <wchar.h>

#include "../compat.h"

void __chk_fail(void) __attribute__((noreturn));

size_t compat_wcslcpy(wchar_t *dst, const wchar_t *src, size_t size);
size_t compat_wcslcat(wchar_t *dst, const wchar_t *src, size_t size);
size_t compat_wcslcpy_chk(wchar_t *dst, const wchar_t *src, size_t size, size_t dstlen);
size_t compat_wcslcat_chk(wchar_t *dst, const wchar_t *src, size_t size, size_t dstlen);
COMPAT_SYMBOL(compat_wcslcpy, wcslcpy, "GLIBC_2.38");
COMPAT_SYMBOL(compat_wcslcat, wcslcat, "GLIBC_2.38");
COMPAT_SYMBOL(compat_wcslcpy_chk, __wcslcpy_chk, "GLIBC_2.38");
COMPAT_SYMBOL(compat_wcslcat_chk, __wcslcat_chk, "GLIBC_2.38");

size_t compat_wcslcpy(wchar_t *dst, const wchar_t *src, size_t size)
{
	size_t len = wcslen(src);

	if (size > 0) {
		size_t n = len < size ? len : size - 1;

		wmemcpy(dst, src, n);
		dst[n] = L'\0';
	}
	return len;
}

size_t compat_wcslcat(wchar_t *dst, const wchar_t *src, size_t size)
{
	size_t len = wcslen(src), have;

	if (size == 0)
		return len;
	have = wcsnlen(dst, size);
	if (have < size) {
		size_t n = size - have - 1;

		if (n > len)
			n = len;
		wmemcpy(dst + have, src, n);
		dst[have + n] = L'\0';
	}
	return have + len;
}

size_t compat_wcslcpy_chk(wchar_t *dst, const wchar_t *src, size_t size, size_t dstlen)
{
	if (dstlen < size)
		__chk_fail();
	return compat_wcslcpy(dst, src, size);
}

size_t compat_wcslcat_chk(wchar_t *dst, const wchar_t *src, size_t size, size_t dstlen)
{
	if (dstlen < size)
		__chk_fail();
	return compat_wcslcat(dst, src, size);
}
