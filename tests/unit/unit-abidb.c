/* Unit tests of the built-in glibc ABI database (src/lib/abidb.c and the
 * generated abidb-data.c).  The expected values are facts read off glibc's
 * abilist files; counts were taken with grep on those files. */
#include <config.h>

#include <dejagnu.h>
#include <elf.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "abidb.h"

#define X86 AK_ARCH_X86_64
#define ARM AK_ARCH_AARCH64

#include "check.h"

static int rel(const char *name)
{
	return ak_abidb_release_index(name);
}

static int lib(enum ak_arch arch, const char *soname)
{
	return ak_abidb_lib_id(arch, soname);
}

/* The libraries (as a bit set) that export sym@node in release r. */
static uint32_t libs(enum ak_arch arch, const char *r, const char *sym, const char *node)
{
	return ak_abidb_symbol_libs(arch, rel(r), sym, node);
}

static uint32_t bit(enum ak_arch arch, const char *soname)
{
	int id = lib(arch, soname);
	return id < 0 ? 0 : 1u << id;
}

static void test_releases(void)
{
	static const struct { const char *name; int want; } idx[] = {
		{ "2.17", 0 }, { "2.34", 17 }, { "2.34.0", 17 }, { "GLIBC_2.34", 17 },
		{ "2.43", 26 }, { "GLIBC_2.17", 0 },
		{ "2.16", -1 }, { "2.44", -1 }, { "2.3x", -1 }, { "", -1 },
		{ "2.3", -1 }, { "2.340", -1 }, { "2.34.1", -1 }, { "2.34.", -1 },
		{ "GLIBC_", -1 }, { " 2.34", -1 }, { "GLIBC_2.2.5", -1 }, { "glibc_2.34", -1 },
	};

	check(ak_abidb_release_count() == 27, "27 releases");
	check(!strcmp(ak_abidb_release_name(0), "2.17"), "release 0 is 2.17");
	check(!strcmp(ak_abidb_release_name(17), "2.34"), "release 17 is 2.34");
	check(!strcmp(ak_abidb_release_name(26), "2.43"), "release 26 is 2.43");
	check(ak_abidb_release_name(27) == NULL && ak_abidb_release_name(-1) == NULL,
	      "release names out of range are NULL");
	for (size_t i = 0; i < sizeof idx / sizeof idx[0]; i++)
		check(rel(idx[i].name) == idx[i].want, "release_index(\"%s\") == %d",
		      idx[i].name, idx[i].want);
	check(ak_abidb_release_index(NULL) == -1, "release_index(NULL) == -1");
	for (int r = 0; r < ak_abidb_release_count(); r++)
		if (rel(ak_abidb_release_name(r)) != r)
			fail("release_index(release_name(%d)) round trip", r);
}

static void test_libs(void)
{
	static const char *const sonames[] = {
		"libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "librt.so.1",
		"libresolv.so.2", "libutil.so.1", "libanl.so.1", "libnsl.so.1",
		"libcrypt.so.1", "libthread_db.so.1", "libBrokenLocale.so.1",
		"libmvec.so.1", "libc_malloc_debug.so.0",
	};

	check(ak_abidb_lib_count() == 15, "15 libraries");
	for (size_t i = 0; i < sizeof sonames / sizeof sonames[0]; i++) {
		for (int a = 0; a < AK_ARCH_COUNT; a++) {
			int id = lib(a, sonames[i]);
			check(id >= 0 && !strcmp(ak_abidb_lib_soname(a, id), sonames[i]),
			      "%s: %s round trips", ak_arch_name(a), sonames[i]);
		}
	}
	check(lib(X86, "ld-linux-x86-64.so.2") >= 0, "x86_64 ld.so soname");
	check(lib(ARM, "ld-linux-aarch64.so.1") >= 0, "aarch64 ld.so soname");
	check(lib(X86, "ld-linux-x86-64.so.2") == lib(ARM, "ld-linux-aarch64.so.1"),
	      "ld.so has one id on both arches");
	check(lib(X86, "ld-linux-aarch64.so.1") == -1, "x86_64 has no aarch64 ld.so");
	check(lib(ARM, "ld-linux-x86-64.so.2") == -1, "aarch64 has no x86_64 ld.so");
	check(lib(X86, "libstdc++.so.6") == -1, "libstdc++.so.6 is not glibc");
	check(lib(X86, "libssl.so.3") == -1, "libssl.so.3 is not glibc");
	check(lib(X86, "libc.so") == -1 && lib(X86, "libc.so.6.1") == -1, "near-miss sonames");
	check(lib(X86, NULL) == -1, "lib_id(NULL) == -1");
	check(ak_abidb_lib_soname(X86, -1) == NULL && ak_abidb_lib_soname(X86, 15) == NULL,
	      "lib_soname out of range is NULL");
	check(lib(X86, "libc.so.6") != lib(X86, "libm.so.6"), "libc and libm differ");

	for (int a = 0; a < AK_ARCH_COUNT; a++) {
		int crypt = lib(a, "libcrypt.so.1"), dbg = lib(a, "libc_malloc_debug.so.0");
		check(ak_abidb_ships_lib(a, rel("2.38"), crypt), "%s 2.38 ships libcrypt", ak_arch_name(a));
		check(!ak_abidb_ships_lib(a, rel("2.39"), crypt), "%s 2.39 lacks libcrypt", ak_arch_name(a));
		check(!ak_abidb_ships_lib(a, rel("2.43"), crypt), "%s 2.43 lacks libcrypt", ak_arch_name(a));
		check(ak_abidb_ships_lib(a, rel("2.17"), crypt), "%s 2.17 ships libcrypt", ak_arch_name(a));
		check(!ak_abidb_ships_lib(a, rel("2.33"), dbg), "%s 2.33 lacks libc_malloc_debug", ak_arch_name(a));
		check(ak_abidb_ships_lib(a, rel("2.34"), dbg), "%s 2.34 ships libc_malloc_debug", ak_arch_name(a));
		check(ak_abidb_ships_lib(a, rel("2.43"), lib(a, "libpthread.so.0")),
		      "%s 2.43 still ships libpthread", ak_arch_name(a));
	}
	check(!ak_abidb_ships_lib(X86, rel("2.21"), lib(X86, "libmvec.so.1")), "x86_64 2.21 lacks libmvec");
	check(ak_abidb_ships_lib(X86, rel("2.22"), lib(X86, "libmvec.so.1")), "x86_64 2.22 ships libmvec");
	check(!ak_abidb_ships_lib(ARM, rel("2.37"), lib(ARM, "libmvec.so.1")), "aarch64 2.37 lacks libmvec");
	check(ak_abidb_ships_lib(ARM, rel("2.38"), lib(ARM, "libmvec.so.1")), "aarch64 2.38 ships libmvec");
	check(!ak_abidb_ships_lib(X86, -1, 0) && !ak_abidb_ships_lib(X86, 27, 0) &&
	      !ak_abidb_ships_lib(X86, 0, 15) && !ak_abidb_ships_lib((enum ak_arch)2, 0, 0),
	      "ships_lib out of range is false");
}

static int count_fn(const char *sym, const char *node, void *ctx)
{
	(void)sym;
	(void)node;
	++*(int *)ctx;
	return 0;
}

static int stop_fn(const char *sym, const char *node, void *ctx)
{
	(void)sym;
	(void)node;
	return ++*(int *)ctx == 3 ? 7 : 0;
}

static int count_symbols(enum ak_arch arch, const char *r, const char *soname)
{
	int n = 0;
	ak_abidb_each_symbol(arch, rel(r), lib(arch, soname), count_fn, &n);
	return n;
}

static int count_nodes(enum ak_arch arch, const char *r, const char *soname)
{
	int n = 0;
	ak_abidb_each_node(arch, rel(r), lib(arch, soname), count_fn, &n);
	return n;
}

static void test_nodes(void)
{
	int libc = lib(X86, "libc.so.6"), pthr = lib(X86, "libpthread.so.0");
	int ld = lib(X86, "ld-linux-x86-64.so.2"), libm = lib(X86, "libm.so.6");

	check(!ak_abidb_has_node(X86, rel("2.33"), libc, "GLIBC_2.34"), "x86_64 2.33 libc lacks GLIBC_2.34");
	check(ak_abidb_has_node(X86, rel("2.34"), libc, "GLIBC_2.34"), "x86_64 2.34 libc has GLIBC_2.34");
	check(ak_abidb_node_first_release(X86, libc, "GLIBC_2.34") == rel("2.34"), "GLIBC_2.34 first in 2.34");
	check(ak_abidb_node_first_release(X86, libc, "GLIBC_2.2.5") == 0, "GLIBC_2.2.5 gives 0 on x86_64");
	check(ak_abidb_node_first_release(X86, -1, "GLIBC_2.2.5") == 0, "GLIBC_2.2.5 in some x86_64 library");
	check(ak_abidb_node_first_release(X86, libc, "GLIBC_2.38") == rel("2.38"), "GLIBC_2.38 first in 2.38");
	check(ak_abidb_node_first_release(X86, -1, "GLIBC_2.37") == -1, "no library has GLIBC_2.37");
	check(ak_abidb_node_first_release(X86, -1, "GLIBC_2.44") == -1, "GLIBC_2.44 is unknown");
	check(ak_abidb_node_first_release(X86, -1, "GLIBC_PRIVATE") == -1, "GLIBC_PRIVATE is never listed");
	check(ak_abidb_node_first_release(X86, -1, NULL) == -1, "node NULL gives -1");
	check(ak_abidb_node_first_release(X86, 15, "GLIBC_2.2.5") == -1, "bad library gives -1");
	check(ak_abidb_node_first_release(ARM, -1, "GLIBC_2.2.5") == -1, "aarch64 has no GLIBC_2.2.5");
	check(ak_abidb_node_first_release(ARM, -1, "GLIBC_2.17") == 0, "aarch64 GLIBC_2.17 gives 0");
	check(ak_abidb_has_node(ARM, 0, lib(ARM, "libc.so.6"), "GLIBC_2.17"), "aarch64 2.17 libc has GLIBC_2.17");
	check(!ak_abidb_has_node(ARM, 0, lib(ARM, "libc.so.6"), "GLIBC_2.2.5"), "aarch64 2.17 libc lacks GLIBC_2.2.5");

	/* GLIBC_ABI_DT_RELR: omitted by the abilists, added by gen-abidb. */
	for (int a = 0; a < AK_ARCH_COUNT; a++) {
		int c = lib(a, "libc.so.6");
		check(ak_abidb_node_first_release(a, c, "GLIBC_ABI_DT_RELR") == rel("2.36"),
		      "%s GLIBC_ABI_DT_RELR first in libc 2.36", ak_arch_name(a));
		check(!ak_abidb_has_node(a, rel("2.35"), c, "GLIBC_ABI_DT_RELR") &&
		      ak_abidb_has_node(a, rel("2.43"), c, "GLIBC_ABI_DT_RELR"),
		      "%s GLIBC_ABI_DT_RELR absent in 2.35, present in 2.43", ak_arch_name(a));
		check(ak_abidb_node_first_release(a, lib(a, "libm.so.6"), "GLIBC_ABI_DT_RELR") == -1,
		      "%s libm has no GLIBC_ABI_DT_RELR", ak_arch_name(a));
	}

	/* 2.34 emptied libpthread, but its nodes stay for old binaries. */
	check(ak_abidb_has_node(X86, rel("2.34"), pthr, "GLIBC_2.2.5"), "x86_64 2.34 libpthread keeps GLIBC_2.2.5");
	check(ak_abidb_has_node(X86, rel("2.43"), pthr, "GLIBC_2.3.2"), "x86_64 2.43 libpthread keeps GLIBC_2.3.2");
	check(!ak_abidb_has_node(X86, rel("2.43"), pthr, "GLIBC_2.34"), "x86_64 libpthread never gets GLIBC_2.34");
	check(ak_abidb_has_node(ARM, rel("2.34"), lib(ARM, "libdl.so.2"), "GLIBC_2.17"), "aarch64 2.34 libdl keeps GLIBC_2.17");

	/* Symbol-less nodes: listed only as "A" lines, which stop in 2.28. */
	check(ak_abidb_has_node(X86, rel("2.17"), ld, "GLIBC_2.4"), "x86_64 2.17 ld.so has GLIBC_2.4");
	check(ak_abidb_has_node(X86, rel("2.43"), ld, "GLIBC_2.4"), "x86_64 2.43 ld.so keeps GLIBC_2.4");
	check(ak_abidb_has_node(X86, rel("2.36"), libm, "GLIBC_2.4"), "x86_64 2.36 libm keeps GLIBC_2.4");
	check(!ak_abidb_has_node(X86, rel("2.43"), ld, "GLIBC_2.5"), "x86_64 ld.so lacks GLIBC_2.5");

	/* A library that is gone defines nothing. */
	check(ak_abidb_has_node(X86, rel("2.38"), lib(X86, "libcrypt.so.1"), "GLIBC_2.2.5") &&
	      !ak_abidb_has_node(X86, rel("2.39"), lib(X86, "libcrypt.so.1"), "GLIBC_2.2.5"),
	      "libcrypt's GLIBC_2.2.5 goes with libcrypt in 2.39");
	check(!ak_abidb_has_node(X86, rel("2.34"), libc, NULL) && !ak_abidb_has_node(X86, -1, libc, "GLIBC_2.2.5") &&
	      !ak_abidb_has_node(X86, 27, libc, "GLIBC_2.2.5") && !ak_abidb_has_node(X86, 0, -1, "GLIBC_2.2.5"),
	      "has_node out of range is false");

	/* 36 GLIBC_2.x nodes in the 2.36 list, plus GLIBC_ABI_DT_RELR. */
	check(count_nodes(X86, "2.36", "libc.so.6") == 37, "x86_64 2.36 libc has 37 nodes");
	check(count_nodes(X86, "2.36", "ld-linux-x86-64.so.2") == 5, "x86_64 2.36 ld.so has 5 nodes");
	check(count_nodes(X86, "2.39", "libcrypt.so.1") == 0, "x86_64 2.39 libcrypt has no nodes");
}

static void test_symbols(void)
{
	uint32_t c = bit(X86, "libc.so.6"), p = bit(X86, "libpthread.so.0");
	uint32_t rt = bit(X86, "librt.so.1"), m = bit(X86, "libm.so.6");
	uint32_t ac = bit(ARM, "libc.so.6"), ap = bit(ARM, "libpthread.so.0");
	int n;

	check(libs(X86, "2.33", "__libc_start_main", "GLIBC_2.34") == 0, "__libc_start_main@GLIBC_2.34 not in 2.33");
	check(libs(X86, "2.34", "__libc_start_main", "GLIBC_2.34") == c, "__libc_start_main@GLIBC_2.34 in 2.34 libc");
	check(libs(X86, "2.17", "__libc_start_main", "GLIBC_2.2.5") == c, "__libc_start_main@GLIBC_2.2.5 in 2.17 libc");
	check(libs(X86, "2.43", "__libc_start_main", "GLIBC_2.2.5") == c, "__libc_start_main@GLIBC_2.2.5 in 2.43 libc");
	check(libs(X86, "2.37", "__isoc23_strtol", "GLIBC_2.38") == 0, "__isoc23_strtol not in 2.37");
	check(libs(X86, "2.38", "__isoc23_strtol", "GLIBC_2.38") == c, "__isoc23_strtol@GLIBC_2.38 in 2.38 libc");
	check(libs(X86, "2.35", "arc4random", "GLIBC_2.36") == 0, "arc4random not in 2.35");
	check(libs(X86, "2.36", "arc4random", "GLIBC_2.36") == c, "arc4random@GLIBC_2.36 in 2.36 libc");
	check(libs(ARM, "2.36", "arc4random", "GLIBC_2.36") == ac, "aarch64 arc4random@GLIBC_2.36 in 2.36 libc");
	check(libs(X86, "2.36", "arc4random", "GLIBC_2.2.5") == 0, "arc4random has no GLIBC_2.2.5 version");

	check(libs(X86, "2.33", "pthread_create", "GLIBC_2.2.5") == p, "pthread_create@GLIBC_2.2.5 in 2.33 libpthread");
	check(libs(X86, "2.34", "pthread_create", "GLIBC_2.2.5") == c, "pthread_create@GLIBC_2.2.5 in 2.34 libc");
	check(libs(X86, "2.34", "pthread_create", "GLIBC_2.34") == c, "pthread_create@GLIBC_2.34 in 2.34 libc");
	check(libs(X86, "2.33", "pthread_create", "GLIBC_2.34") == 0, "pthread_create@GLIBC_2.34 not in 2.33");
	check(libs(ARM, "2.33", "pthread_create", "GLIBC_2.17") == ap, "aarch64 pthread_create in 2.33 libpthread");
	check(libs(ARM, "2.34", "pthread_create", "GLIBC_2.17") == ac, "aarch64 pthread_create in 2.34 libc");

	check(libs(X86, "2.17", "clock_gettime", "GLIBC_2.17") == c, "clock_gettime@GLIBC_2.17 in 2.17 libc");
	check(libs(X86, "2.17", "clock_gettime", "GLIBC_2.2.5") == rt, "clock_gettime@GLIBC_2.2.5 in 2.17 librt");
	check(libs(X86, "2.34", "clock_gettime", "GLIBC_2.2.5") == c, "clock_gettime@GLIBC_2.2.5 in 2.34 libc");
	check(libs(ARM, "2.17", "clock_gettime", "GLIBC_2.17") == ac, "aarch64 clock_gettime@GLIBC_2.17 in libc");

	check(libs(X86, "2.38", "crypt", "GLIBC_2.2.5") == bit(X86, "libcrypt.so.1"), "crypt in 2.38 libcrypt");
	check(libs(X86, "2.39", "crypt", "GLIBC_2.2.5") == 0, "no crypt in 2.39");
	check(libs(X86, "2.30", "ldexp", "GLIBC_2.2.5") == (c | m), "ldexp in both libc and libm");
	check(libs(X86, "2.30", "memcpy", "GLIBC_2.14") == c && libs(X86, "2.30", "memcpy", "GLIBC_2.2.5") == c,
	      "memcpy at both of its versions");
	check(libs(X86, "2.43", "_dl_mcount", "GLIBC_2.2.5") == bit(X86, "ld-linux-x86-64.so.2"), "_dl_mcount in ld.so");

	/* The ends of each sorted table. */
	check(libs(X86, "2.17", "_Exit", "GLIBC_2.2.5") == c, "first x86_64 entry _Exit");
	check(libs(X86, "2.43", "ypprot_err", "GLIBC_2.2.5") == bit(X86, "libnsl.so.1"), "last x86_64 entry ypprot_err");
	check(libs(ARM, "2.17", "_Exit", "GLIBC_2.17") == ac, "first aarch64 entry _Exit");
	check(libs(ARM, "2.43", "ypprot_err", "GLIBC_2.17") == bit(ARM, "libnsl.so.1"), "last aarch64 entry ypprot_err");

	check(libs(X86, "2.43", "no_such_symbol", "GLIBC_2.2.5") == 0, "unknown symbol");
	check(libs(X86, "2.43", "", "GLIBC_2.2.5") == 0, "empty symbol");
	check(libs(X86, "2.43", "A", "GLIBC_2.2.5") == 0 && libs(X86, "2.43", "zzzz", "GLIBC_2.2.5") == 0,
	      "symbols before and after the table");
	check(libs(X86, "2.43", "malloc", "GLIBC_2.17") == 0, "malloc has no x86_64 GLIBC_2.17");
	check(libs(X86, "2.43", "malloc", "GLIBC_9.9") == 0, "unknown node");
	check(libs(X86, "2.17", "GLIBC_2.2.5", "GLIBC_2.2.5") == 0, "A lines are no symbols");
	check(ak_abidb_symbol_libs(X86, 27, "malloc", "GLIBC_2.2.5") == 0 &&
	      ak_abidb_symbol_libs(X86, -1, "malloc", "GLIBC_2.2.5") == 0 &&
	      ak_abidb_symbol_libs(X86, 0, NULL, "GLIBC_2.2.5") == 0 &&
	      ak_abidb_symbol_libs(X86, 0, "malloc", NULL) == 0,
	      "symbol_libs out of range is 0");

	/* Counts from the abilists: grep -vc ' A$' x86_64/2.36/libc.abilist
	 * (one symbol a line), and the indented non-A lines of the grouped
	 * aarch64/2.17/libc.abilist and x86_64/2.22/libm.abilist. */
	check(count_symbols(X86, "2.36", "libc.so.6") == 2703, "x86_64 2.36 libc exports 2703 symbols");
	check(count_symbols(ARM, "2.17", "libc.so.6") == 2077, "aarch64 2.17 libc exports 2077 symbols");
	check(count_symbols(X86, "2.22", "libm.so.6") == 398, "x86_64 2.22 libm exports 398 symbols");
	check(count_symbols(ARM, "2.43", "libmvec.so.1") == 195, "aarch64 2.43 libmvec exports 195 symbols");
	check(count_symbols(X86, "2.39", "libcrypt.so.1") == 0, "x86_64 2.39 libcrypt exports nothing");
	check(count_symbols(X86, "2.34", "libutil.so.1") == 1, "x86_64 2.34 libutil is one placeholder");

	n = 0;
	check(ak_abidb_each_symbol(X86, 0, lib(X86, "libc.so.6"), stop_fn, &n) == 7 && n == 3,
	      "each_symbol stops at the first non-zero return");
	n = 0;
	check(ak_abidb_each_node(X86, 0, lib(X86, "libc.so.6"), stop_fn, &n) == 7 && n == 3,
	      "each_node stops at the first non-zero return");
	check(ak_abidb_each_symbol(X86, 0, 15, count_fn, &n) == 0 && n == 3, "each_symbol with a bad library");
}

struct agree {
	enum ak_arch arch;
	int rel, lib, bad, seen;
};

static int agree_fn(const char *sym, const char *node, void *ctx)
{
	struct agree *g = ctx;

	g->seen++;
	if (!(ak_abidb_symbol_libs(g->arch, g->rel, sym, node) >> g->lib & 1) ||
	    !ak_abidb_has_node(g->arch, g->rel, g->lib, node) ||
	    ak_abidb_node_first_release(g->arch, g->lib, node) > g->rel) {
		if (g->bad++ < 5)
			note("%s %s lib %d: %s@%s disagrees", ak_arch_name(g->arch),
			     ak_abidb_release_name(g->rel), g->lib, sym, node);
	}
	return 0;
}

/* Every enumerated symbol must be found again by the binary search: this
 * catches a table that is not sorted the way abidb.c searches it. */
static void test_agreement(void)
{
	for (int a = 0; a < AK_ARCH_COUNT; a++) {
		struct agree g = { .arch = a };
		for (g.rel = 0; g.rel < ak_abidb_release_count(); g.rel++)
			for (g.lib = 0; g.lib < ak_abidb_lib_count(); g.lib++)
				ak_abidb_each_symbol(a, g.rel, g.lib, agree_fn, &g);
		check(g.bad == 0 && g.seen > 50000, "%s: all %d enumerated symbols found by lookup",
		      ak_arch_name(a), g.seen);
	}
}

static void test_arch(void)
{
	check(ak_arch_from_machine(EM_X86_64) == AK_ARCH_X86_64, "EM_X86_64 is x86_64");
	check(ak_arch_from_machine(EM_AARCH64) == AK_ARCH_AARCH64, "EM_AARCH64 is aarch64");
	check(ak_arch_from_machine(EM_386) == -1 && ak_arch_from_machine(EM_RISCV) == -1 &&
	      ak_arch_from_machine(EM_NONE) == -1, "other machines are -1");
	check(!strcmp(ak_arch_name(AK_ARCH_X86_64), "x86_64"), "x86_64 name");
	check(!strcmp(ak_arch_name(AK_ARCH_AARCH64), "aarch64"), "aarch64 name");
	check(ak_arch_name(AK_ARCH_COUNT) == NULL, "no name past the last arch");
}

int main(void)
{
	test_releases();
	test_libs();
	test_nodes();
	test_symbols();
	test_agreement();
	test_arch();
	totals();
	return failed ? 1 : 0;
}
