/* strlcpy, strlcat, __strlcpy_chk, __strlcat_chk @GLIBC_2.38 (from
 * OpenBSD, now POSIX 2024).
 *
 * strlcpy copies at most size - 1 bytes of src and always terminates dst
 * when size > 0; strlcat appends to the string in dst, but only if dst has
 * a terminator within its first size bytes (else dst is left alone).
 * Both return the length they tried to create (strlen(src), plus the
 * length of dst for strlcat), so a result >= size means truncation.  With
 * size 0, dst is not touched (it may be NULL).  The _chk variants are what
 * _FORTIFY_SOURCE calls: they abort through glibc's __chk_fail ("***
 * buffer overflow detected ***") when size exceeds the destination's
 * known size. */
#define _GNU_SOURCE
#include <stddef.h>
#include <string.h>

#include "../compat.h"

void __chk_fail(void) __attribute__((noreturn));

size_t compat_strlcpy(char *dst, const char *src, size_t size);
size_t compat_strlcat(char *dst, const char *src, size_t size);
size_t compat_strlcpy_chk(char *dst, const char *src, size_t size, size_t dstlen);
size_t compat_strlcat_chk(char *dst, const char *src, size_t size, size_t dstlen);
COMPAT_SYMBOL(compat_strlcpy, strlcpy, "GLIBC_2.38");
COMPAT_SYMBOL(compat_strlcat, strlcat, "GLIBC_2.38");
COMPAT_SYMBOL(compat_strlcpy_chk, __strlcpy_chk, "GLIBC_2.38");
COMPAT_SYMBOL(compat_strlcat_chk, __strlcat_chk, "GLIBC_2.38");

size_t compat_strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size > 0) {
		size_t n = len < size ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

size_t compat_strlcat(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src), have;

	if (size == 0)
		return len;
	have = strnlen(dst, size);
	if (have < size) {
		size_t n = size - have - 1;

		if (n > len)
			n = len;
		memcpy(dst + have, src, n);
		dst[have + n] = '\0';
	}
	return have + len;
}

size_t compat_strlcpy_chk(char *dst, const char *src, size_t size, size_t dstlen)
{
	if (dstlen < size)
		__chk_fail();
	return compat_strlcpy(dst, src, size);
}

size_t compat_strlcat_chk(char *dst, const char *src, size_t size, size_t dstlen)
{
	if (dstlen < size)
		__chk_fail();
	return compat_strlcat(dst, src, size);
}
