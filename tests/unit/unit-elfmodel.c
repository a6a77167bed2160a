/* Unit tests of the ELF model against a real binary (argv[1]): read it,
 * then truncate it at every offset and corrupt every header field that
 * points into the file; each damaged copy must be rejected with a reason
 * naming the file, and nothing may crash (the suite also runs this under
 * ASan/UBSan). */
#include <config.h>

#include <dejagnu.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elfmodel.h"

static unsigned char *slurp(const char *path, size_t *size)
{
	struct stat st;
	unsigned char *buf;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st) != 0)
		return NULL;
	buf = malloc((size_t)st.st_size);
	if (buf == NULL || read(fd, buf, (size_t)st.st_size) != st.st_size) {
		free(buf);
		close(fd);
		return NULL;
	}
	close(fd);
	*size = (size_t)st.st_size;
	return buf;
}

/* A scratch file holding `len` bytes of buf. */
static int put(int fd, const unsigned char *buf, size_t len)
{
	if (ftruncate(fd, 0) != 0 || pwrite(fd, buf, len, 0) != (ssize_t)len)
		return -1;
	return 0;
}

/* Open the scratch file; returns 1 when rejected with a reason naming it. */
static int rejected(const char *path, int *crashed_reason)
{
	struct ak_elf m;
	struct ak_err err;
	int rc = ak_elf_open(&m, path, AK_READ_UNDEF | AK_READ_DEFS, &err);

	if (rc == 0) {
		ak_elf_close(&m);
		return 0;
	}
	if (strncmp(err.msg, path, strlen(path)) != 0 || strlen(err.msg) <= strlen(path) + 2)
		*crashed_reason = 1;
	return 1;
}

static void test_read(const char *path)
{
	struct ak_elf m;
	struct ak_err err;
	bool libc = false, v225 = false, undef_versioned = false;

	if (ak_elf_open(&m, path, AK_READ_UNDEF, &err) != 0) {
		fail("read %s: %s", path, err.msg);
		return;
	}
	pass("read a real binary");
	for (size_t i = 0; i < m.nneeded; i++)
		libc |= strcmp(m.needed[i], "libc.so.6") == 0;
	for (size_t i = 0; i < m.nvneeds; i++)
		v225 |= strcmp(m.vneeds[i].file, "libc.so.6") == 0 && strcmp(m.vneeds[i].name, "GLIBC_2.2.5") == 0;
	for (size_t i = 0; i < m.nundef; i++)
		undef_versioned |= m.syms[i].version != NULL && m.syms[i].file != NULL;
	if (libc && v225 && undef_versioned && m.interp != NULL && m.kind == AK_KIND_PIE)
		pass("real binary: pie, interpreter, NEEDED libc.so.6, GLIBC_2.2.5 need, versioned symbols");
	else
		fail("real binary model: libc %d v225 %d undef %d interp %s kind %s", libc, v225,
		     undef_versioned, m.interp ? m.interp : "-", ak_kind_name(m.kind));
	ak_elf_close(&m);
}

static void test_truncation(const unsigned char *buf, size_t size, int fd, const char *path)
{
	size_t accepted = 0, first_accepted = 0, badmsg = 0;

	/* Shrink one offset at a time: the tail goes, the rest stays. */
	if (put(fd, buf, size) != 0) {
		fail("scratch file: %s", strerror(errno));
		return;
	}
	for (size_t k = size; k-- > 0;) {
		int bad_reason = 0;

		if (ftruncate(fd, (off_t)k) != 0) {
			fail("ftruncate: %s", strerror(errno));
			return;
		}
		if (!rejected(path, &bad_reason)) {
			if (accepted++ == 0)
				first_accepted = k;
		}
		badmsg += (size_t)bad_reason;
	}
	if (accepted == 0)
		pass("truncated at each of %zu offsets: every copy rejected", size);
	else
		fail("truncated copies accepted: %zu (e.g. at %zu of %zu bytes)", accepted, first_accepted, size);
	if (badmsg == 0)
		pass("truncated copies: every error names the file and a reason");
	else
		fail("truncated copies: %zu errors without the file name and a reason", badmsg);
}

/* Corrupt one 64-bit or 32-bit field at `off` and expect rejection. */
static void corrupt(const unsigned char *buf, size_t size, int fd, const char *path, size_t off,
		    size_t width, uint64_t value, const char *what, size_t *tried, size_t *missed)
{
	unsigned char *copy = malloc(size);
	int bad_reason = 0;

	memcpy(copy, buf, size);
	if (off + width <= size) {
		memcpy(copy + off, &value, width);
		(*tried)++;
		if (put(fd, copy, size) != 0 || !rejected(path, &bad_reason) || bad_reason) {
			(*missed)++;
			note("not rejected: %s", what);
		}
	}
	free(copy);
}

static void test_corruption(const unsigned char *buf, size_t size, int fd, const char *path)
{
	Elf64_Ehdr eh;
	size_t tried = 0, missed = 0;
	char what[128];

	memcpy(&eh, buf, sizeof eh);
	corrupt(buf, size, fd, path, offsetof(Elf64_Ehdr, e_phoff), 8, size + 8, "e_phoff", &tried, &missed);
	corrupt(buf, size, fd, path, offsetof(Elf64_Ehdr, e_shoff), 8, size - 8, "e_shoff", &tried, &missed);
	corrupt(buf, size, fd, path, offsetof(Elf64_Ehdr, e_shoff), 8, UINT64_MAX - 16, "e_shoff (wraps)", &tried, &missed);
	corrupt(buf, size, fd, path, offsetof(Elf64_Ehdr, e_phnum), 2, 0xfff0, "e_phnum", &tried, &missed);
	for (size_t i = 1; i < eh.e_shnum; i++) {
		size_t sh = eh.e_shoff + i * sizeof(Elf64_Shdr);
		Elf64_Shdr s;

		if (sh + sizeof s > size)
			break;
		memcpy(&s, buf + sh, sizeof s);
		if (s.sh_type == SHT_NOBITS || s.sh_size == 0)
			continue;
		snprintf(what, sizeof what, "section %zu sh_offset", i);
		corrupt(buf, size, fd, path, sh + offsetof(Elf64_Shdr, sh_offset), 8, size + 4096, what, &tried, &missed);
		snprintf(what, sizeof what, "section %zu sh_offset (wraps)", i);
		corrupt(buf, size, fd, path, sh + offsetof(Elf64_Shdr, sh_offset), 8, UINT64_MAX - 4, what, &tried, &missed);
		snprintf(what, sizeof what, "section %zu sh_size", i);
		corrupt(buf, size, fd, path, sh + offsetof(Elf64_Shdr, sh_size), 8, (uint64_t)size * 4, what, &tried, &missed);
	}
	for (size_t i = 0; i < eh.e_phnum; i++) {
		size_t ph = eh.e_phoff + i * sizeof(Elf64_Phdr);
		Elf64_Phdr p;

		memcpy(&p, buf + ph, sizeof p);
		if (p.p_type != PT_LOAD && p.p_type != PT_DYNAMIC && p.p_type != PT_INTERP)
			continue;
		snprintf(what, sizeof what, "segment %zu p_filesz", i);
		corrupt(buf, size, fd, path, ph + offsetof(Elf64_Phdr, p_filesz), 8, (uint64_t)size * 2, what, &tried, &missed);
	}
	if (missed == 0)
		pass("%zu header corruptions: every one rejected with a reason", tried);
	else
		fail("%zu of %zu header corruptions not rejected", missed, tried);
}

/* Random byte damage anywhere: must never crash or read out of bounds
 * (ASan says so); accepted or rejected are both fine. */
static void test_fuzz(const unsigned char *buf, size_t size, int fd, const char *path)
{
	unsigned char *copy = malloc(size);
	unsigned long seed = 12345;
	int dummy;

	for (int round = 0; round < 3000; round++) {
		memcpy(copy, buf, size);
		for (int k = 0; k < 8; k++) {
			seed = seed * 6364136223846793005ul + 1442695040888963407ul;
			copy[(seed >> 17) % size] = (unsigned char)(seed >> 40);
		}
		if (put(fd, copy, size) != 0)
			break;
		rejected(path, &dummy);
	}
	free(copy);
	pass("3000 randomly damaged copies read without a crash");
}

int main(int argc, char **argv)
{
	unsigned char *buf;
	size_t size = 0;
	char path[64];
	int fd;

	if (argc < 2) {
		fail("usage: unit-elfmodel REAL-BINARY");
		totals();
		return 1;
	}
	buf = slurp(argv[1], &size);
	if (buf == NULL) {
		fail("cannot read %s", argv[1]);
		totals();
		return 1;
	}
	test_read(argv[1]);
	fd = memfd_create("abikit-unit", 0);
	if (fd < 0) {
		fail("memfd_create: %s", strerror(errno));
		totals();
		return 1;
	}
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	test_truncation(buf, size, fd, path);
	test_corruption(buf, size, fd, path);
	test_fuzz(buf, size, fd, path);
	close(fd);
	free(buf);
	totals();
	return 0;
}
