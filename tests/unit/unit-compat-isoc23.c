/* libabikit-compat, GLIBC_2.38: the C23 strtol and scanf families
 * (__isoc23_*), strlcpy and strlcat, fmod.  Built by
 * tests/abikit.compat/compat.exp against trixie's glibc 2.41 headers with
 * _GNU_SOURCE, so strtol, sscanf, ... are the __isoc23_* functions, as in
 * any program built on trixie; run once on glibc 2.41 and once on glibc
 * 2.31 with the compat library.  The checks hold on both; the NOTE lines
 * are what each call returned, and compat.exp wants them identical. */
#define _GNU_SOURCE
#include <dejagnu.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include "check.h"

static void test_strtol(void)
{
	static const struct {
		const char *s;
		int base;
	} cases[] = {
		{ "0b101", 0 }, { "0B101", 0 }, { "0b101", 2 }, { "101", 2 }, { "-0b11", 0 },
		{ "  +0b1", 0 }, { "0b", 0 }, { "0b2", 0 }, { "0bx", 2 }, { "0b101", 10 },
		{ "0b101", 16 }, { "0x1f", 0 }, { "0x", 0 }, { "017", 0 }, { "42", 0 },
		{ "0b111111111111111111111111111111111111111111111111111111111111111", 0 },
		{ "0b1000000000000000000000000000000000000000000000000000000000000000", 0 },
		{ "-0b1000000000000000000000000000000000000000000000000000000000000000", 0 },
		{ "0b11111111111111111111111111111111111111111111111111111111111111111", 0 },
		{ "-0b1", 0 }, { "", 0 }, { "-", 0 }, { "0b1012", 0 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *s = cases[i].s;
		int b = cases[i].base;
		char *e1, *e2, *e3, *e4;
		long v1;
		unsigned long v2;
		long long v3;
		uintmax_t v4;
		int er1, er2;

		errno = 0;
		v1 = strtol(s, &e1, b);
		er1 = errno;
		errno = 0;
		v2 = strtoul(s, &e2, b);
		er2 = errno;
		v3 = strtoll(s, &e3, b);
		v4 = strtoumax(s, &e4, b);
		note("strtol(\"%s\", %d) = %ld end %td errno %d; strtoul = %lu end %td errno %d; strtoll = %lld end %td; strtoumax = %ju end %td",
		     s, b, v1, e1 - s, er1, v2, e2 - s, er2, v3, e3 - s, v4, e4 - s);
	}
	check(strtol("0b101", NULL, 0) == 5, "strtol reads 0b101 as 5 (C23)");
	char *end;
	check(strtol("0b2", &end, 0) == 0 && *end == 'b', "strtol: 0b without a binary digit is 0, end at the b");
	check(strtol("0b101", NULL, 16) == 0xb101, "strtol base 16: 0b101 is hexadecimal");
	errno = 0;
	check(strtol("0b1000000000000000000000000000000000000000000000000000000000000000", NULL, 0) == LONG_MAX && errno == ERANGE,
	      "strtol: a binary number over LONG_MAX gives LONG_MAX and ERANGE");
	check(strtoimax("-0b11", NULL, 0) == -3 && strtoull("0b11", NULL, 2) == 3, "strtoimax, strtoull read binary too");

	wchar_t *wend;
	long w = wcstol(L"  -0b110z", &wend, 0);
	note("wcstol(L\"  -0b110z\", 0) = %ld end %td", w, wend - L"  -0b110z");
	check(w == -6 && *wend == L'z', "wcstol reads -0b110 as -6");
	w = wcstol(L"0bz", &wend, 2);
	check(w == 0 && *wend == L'b', "wcstol: 0b alone is 0, end at the b");
	note("wcstoul(L\"0b1111\") = %lu, wcstoll(L\"0B10\") = %lld, wcstoimax(L\"077\") = %jd",
	     wcstoul(L"0b1111", NULL, 0), wcstoll(L"0B10", NULL, 0), wcstoimax(L"077", NULL, 0));
}

static void test_sscanf(void)
{
	static const struct {
		const char *in, *fmt;
	} cases[] = {
		{ "0b101", "%i" }, { "0B11 7", "%i %i" }, { "-0b11", "%i" }, { "0b", "%i" },
		{ "0b2", "%i%n" }, { "0x1f 017 9", "%i %i %i" }, { "101", "%b" },
		{ "0b101", "%b" }, { "0x10", "%b" }, { "0b101", "%3i" }, { "0b101", "%2i%n" },
		{ "12 abc 0b1", "%d %s %i" }, { "  0b1  ", "%i %n" }, { "x0b1", "x%i" },
		{ "y0b1", "x%i" }, { "", "%i" }, { "   ", "%i" }, { "5 0b1", "%*i %i" },
		{ "-0b", "%i%n" }, { "+", "%i" }, { "100%0b1", "%d%%%i" }, { "0b1 2.5", "%i %lf" },
		{ "0b11111111", "%hhi" }, { "0b1111111111111111111", "%hi" },
		{ "0b1111111111111111111111111111111111111111", "%li" }, { "abc 0b1", "%[a-c] %i" },
		{ "0b101", "%d" }, { "0b101", "%x" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		long a[3] = { -7, -7, -7 };
		char s[16] = "-";
		double d = -1;
		int n = -1, r;
		const char *f = cases[i].fmt;

		/* each format's arguments, by hand: sscanf is variadic */
		if (strcmp(f, "%i %i") == 0)
			r = sscanf(cases[i].in, f, (int *)&a[0], (int *)&a[1]);
		else if (strcmp(f, "%i %i %i") == 0)
			r = sscanf(cases[i].in, f, (int *)&a[0], (int *)&a[1], (int *)&a[2]);
		else if (strcmp(f, "%i%n") == 0 || strcmp(f, "%2i%n") == 0 || strcmp(f, "%i %n") == 0)
			r = sscanf(cases[i].in, f, (int *)&a[0], &n);
		else if (strcmp(f, "%d %s %i") == 0)
			r = sscanf(cases[i].in, f, (int *)&a[0], s, (int *)&a[1]);
		else if (strcmp(f, "%d%%%i") == 0)
			r = sscanf(cases[i].in, f, (int *)&a[0], (int *)&a[1]);
		else if (strcmp(f, "%i %lf") == 0)
			r = sscanf(cases[i].in, f, (int *)&a[0], &d);
		else if (strcmp(f, "%hhi") == 0)
			r = sscanf(cases[i].in, f, (signed char *)&a[0]);
		else if (strcmp(f, "%hi") == 0)
			r = sscanf(cases[i].in, f, (short *)&a[0]);
		else if (strcmp(f, "%li") == 0)
			r = sscanf(cases[i].in, f, &a[0]);
		else if (strcmp(f, "%[a-c] %i") == 0)
			r = sscanf(cases[i].in, f, s, (int *)&a[1]);
		else
			r = sscanf(cases[i].in, f, (int *)&a[0]);
		note("sscanf(\"%s\", \"%s\") = %d: %ld %ld %ld \"%s\" %g n=%d", cases[i].in, f, r, a[0], a[1], a[2], s, d, n);
	}
	int x = 0, y = 0, n = 0;
	const char *pct_b = "%b";	/* a variable: GCC 12's -Wformat does not know %b */
	check(sscanf("0b101", "%i", &x) == 1 && x == 5, "sscanf %%i reads 0b101 as 5 (C23)");
	check(sscanf("0b101", pct_b, &x) == 1 && x == 5 && sscanf("110", pct_b, &y) == 1 && y == 6, "sscanf %%b reads binary, prefix or not");
	check(sscanf("0b2", "%i%n", &x, &n) == 1 && x == 0 && n == 2, "sscanf %%i: 0b with no digit is 0, prefix consumed");
	check(sscanf("", "%i", &x) == EOF, "sscanf: input failure before any conversion is EOF");
	check(sscanf("1 0b11 x", "%d %i", &x, &y) == 2 && x == 1 && y == 3, "sscanf: %%i after another conversion");
}

static void test_fscanf(const char *dir)
{
	char path[4096];
	FILE *f;
	int a = -1, b = -1, c = -1, n = -1, r, r2;
	char rest[32] = "";

	snprintf(path, sizeof path, "%s/isoc23-fscanf.txt", dir);
	f = fopen(path, "w+");
	if (f == NULL) {
		fail("fscanf: cannot create %s", path);
		return;
	}
	fputs("0b101 0x1f 0b tail\n0b11\n", f);
	rewind(f);
	r = fscanf(f, "%i %i %i%n", &a, &b, &c, &n);
	r2 = fscanf(f, "%31s", rest);
	note("fscanf(\"0b101 0x1f 0b tail\", \"%%i %%i %%i%%n\") = %d: %d %d %d n=%d, then %d \"%s\"", r, a, b, c, n, r2, rest);
	check(r == 3 && a == 5 && b == 31 && c == 0 && n == 13, "fscanf %%i reads binary, hex and a bare 0b from a stream");
	check(r2 == 1 && strcmp(rest, "tail") == 0, "fscanf leaves the stream just after what it read");
	r = fscanf(f, "%i", &a);
	r2 = fscanf(f, "%i", &b);
	note("fscanf then: %d (%d), at the end: %d", r, a, r2);
	check(r == 1 && a == 3 && r2 == EOF, "fscanf: 0b11 on the next line, then EOF");
	fclose(f);
	unlink(path);
}

static void test_strlcpy(void)
{
	char buf[8];
	size_t r;

	memset(buf, 'x', sizeof buf);
	r = strlcpy(buf, "hello world", sizeof buf);
	note("strlcpy(8, \"hello world\") = %zu \"%s\"", r, buf);
	check(r == 11 && strcmp(buf, "hello w") == 0, "strlcpy truncates, terminates, returns strlen(src)");
	char *volatile none = NULL;	/* no -Wnonnull: glibc allows it with size 0 */
	r = strlcpy(none, "abc", 0);
	check(r == 3, "strlcpy with size 0 touches nothing");
	strcpy(buf, "ab");
	r = strlcat(buf, "cdefghij", sizeof buf);
	note("strlcat(8, \"ab\", \"cdefghij\") = %zu \"%s\"", r, buf);
	check(r == 10 && strcmp(buf, "abcdefg") == 0, "strlcat appends what fits, returns the full length");
	memset(buf, 'x', sizeof buf);
	r = strlcat(buf, "abc", sizeof buf);
	check(r == 11 && buf[0] == 'x', "strlcat: no terminator within size leaves dst alone, returns size + strlen(src)");
	wchar_t wb[4];
	r = wcslcpy(wb, L"wide", 4);
	check(r == 4 && wcscmp(wb, L"wid") == 0, "wcslcpy truncates like strlcpy");
	r = wcslcat(wb, L"e!", 4);
	check(r == 5 && wcscmp(wb, L"wid") == 0, "wcslcat: no room, returns the full length");
}

static void test_fmod(void)
{
	static const double xs[] = { 5.5, -5.5, 1e300, 3, 0.0, INFINITY, 7, NAN };
	static const double ys[] = { 2, 2, 3e-300, 0, 1, 2, INFINITY, 1 };

	for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
		double r;
		float rf;
		int e, ef;

		errno = 0;
		r = fmod(xs[i], ys[i]);
		e = errno;
		errno = 0;
		rf = fmodf((float)xs[i], (float)ys[i]);
		ef = errno;
		note("fmod(%a, %a) = %a errno %d; fmodf = %a errno %d", xs[i], ys[i], r, e, (double)rf, ef);
	}
	errno = 0;
	check(isnan(fmod(1, 0)) && errno == EDOM, "fmod(1, 0) is NaN with EDOM");
}

int main(int argc, char **argv)
{
	test_strtol();
	test_sscanf();
	test_fscanf(argc > 1 ? argv[1] : "/tmp");
	test_strlcpy();
	test_fmod();
	totals();
	return 0;
}
