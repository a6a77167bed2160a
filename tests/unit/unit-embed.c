/* Unit tests of ak_embed (src/lib/embed.c) on a real program (argv[1],
 * built here, so it needs __libc_start_main@GLIBC_2.34) and the real
 * libabikit-compat.so.1 (argv[2]): the result is an ELF file libelf reads
 * with the stub's symbol now defined; every truncation and thousands of
 * damaged copies of either input give an error or an image, never a crash
 * (run under ASan/UBSan by scripts/run-tests). */
#include <dejagnu.h>

#include "check.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "elfmodel.h"
#include "embed.h"
#include "fsutil.h"

static const char *stub = "__libc_start_main@GLIBC_2.34";

static int embed(const unsigned char *h, size_t hn, const unsigned char *b, size_t bn, unsigned char **o, size_t *on,
		 struct ak_err *err)
{
	struct ak_strvec stubs = { 0 };
	int rc;

	ak_strvec_push(&stubs, stub);
	rc = ak_embed("host", h, hn, "blob", b, bn, &stubs, NULL, o, on, err);
	ak_strvec_free(&stubs);
	return rc;
}

static void test_result(const unsigned char *h, size_t hn, const unsigned char *b, size_t bn, const char *dir)
{
	unsigned char *o = NULL;
	size_t on = 0;
	struct ak_err err;
	struct ak_elf m;
	char *path = ak_path_join(dir, "unit-embed.out");
	bool defined = false, needs = false;

	if (embed(h, hn, b, bn, &o, &on, &err) != 0) {
		fail("ak_embed on a real program: %s", err.msg);
		free(path);
		return;
	}
	/* (the program headers grow in place, what they displace is copied;
	 * the middle of the file, its code, is untouched) */
	check(on > hn && memcmp(o + hn / 2, h + hn / 2, 0x100) == 0, "the image grows and keeps the file's code in place");
	if (ak_write_atomic(path, o, on, 0755, &err) != 0 || ak_elf_open(&m, path, AK_READ_UNDEF, &err) != 0) {
		fail("the image is an ELF file libelf reads: %s", err.msg);
	} else {
		for (size_t i = 0; i < m.nvneeds; i++)
			needs |= strcmp(m.vneeds[i].name, "GLIBC_2.34") == 0;
		for (size_t i = 0; i < m.nundef; i++)
			defined |= strcmp(m.syms[i].name, "__libc_start_main") == 0 && m.syms[i].version &&
				   strcmp(m.syms[i].version, "GLIBC_2.34") == 0;
		check(!needs && !defined, "GLIBC_2.34 needed no more, __libc_start_main@GLIBC_2.34 not undefined");
		ak_elf_close(&m);
	}
	unlink(path);
	free(path);
	free(o);
}

/* Every `step`-th truncation of one input: an error, never a crash. */
static void test_truncated(const unsigned char *h, size_t hn, const unsigned char *b, size_t bn, bool host)
{
	size_t errors = 0, images = 0, step = (host ? hn : bn) / 2000 + 1;

	for (size_t n = 0; n < (host ? hn : bn); n += step) {
		unsigned char *o = NULL;
		size_t on;
		struct ak_err err;

		if (embed(host ? h : h, host ? n : hn, b, host ? bn : n, &o, &on, &err) == 0)
			images++;
		else
			errors += err.msg[0] != '\0';
		free(o);
	}
	check(errors + images > 0 && errors > 0, "%s cut at %zu places: %zu errors with a reason, %zu images",
	      host ? "the program" : "the shim", (host ? hn : bn) / step, errors, images);
}

/* xorshift32: the same damage on every run. */
static uint32_t next_random(uint32_t *state)
{
	uint32_t x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *state = x;
}

/* Random damage in the headers and tables: no crash either way. */
static void test_damaged(const unsigned char *h, size_t hn, const unsigned char *b, size_t bn, bool host)
{
	size_t n = host ? hn : bn, errors = 0, images = 0;
	unsigned char *copy = ak_xmalloc(n);
	uint32_t seed = 12345;

	for (int round = 0; round < 3000; round++) {
		unsigned char *o = NULL;
		size_t on;
		struct ak_err err;

		memcpy(copy, host ? h : b, n);
		for (int k = 0; k < 1 + round % 8; k++) {
			size_t at = (size_t)next_random(&seed) % (n < 0x3000 ? n : 0x3000);

			copy[at] = (unsigned char)next_random(&seed);
		}
		if (embed(host ? copy : h, hn, host ? b : copy, bn, &o, &on, &err) == 0)
			images++;
		else
			errors++;
		free(o);
	}
	free(copy);
	check(errors + images == 3000, "3000 damaged copies of %s: %zu errors, %zu images, no crash",
	      host ? "the program" : "the shim", errors, images);
}

int main(int argc, char **argv)
{
	size_t hn, bn;
	struct ak_err err;
	unsigned char *h, *b;

	if (argc < 4) {
		fail("usage: unit-embed PROGRAM LIBABIKIT-COMPAT WORKDIR");
		totals();
		return 1;
	}
	h = (unsigned char *)ak_read_file(argv[1], &hn, &err);
	b = (unsigned char *)ak_read_file(argv[2], &bn, &err);
	if (h == NULL || b == NULL) {
		fail("cannot read the inputs: %s", err.msg);
		totals();
		return 1;
	}
	test_result(h, hn, b, bn, argv[3]);
	{
		unsigned char *o = NULL;
		size_t on;
		struct ak_strvec none = { 0 };

		ak_strvec_push(&none, "no_such_symbol@GLIBC_2.99");
		check(ak_embed("host", h, hn, "blob", b, bn, &none, NULL, &o, &on, &err) != 0 &&
			      strstr(err.msg, "none of the symbols") != NULL,
		      "a stub the file does not import: refused (%s)", err.msg);
		ak_strvec_free(&none);
		free(o);
	}
	test_truncated(h, hn, b, bn, true);
	test_truncated(h, hn, b, bn, false);
	test_damaged(h, hn, b, bn, true);
	test_damaged(h, hn, b, bn, false);
	free(h);
	free(b);
	totals();
	return 0;
}
