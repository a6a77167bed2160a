/* Unit tests of the small library pieces: glibc version arithmetic, what a
 * version node implies, root-relative path resolution, the JSON writer and
 * the tally. argv[1] is a scratch directory. */
#include <config.h>

#include <dejagnu.h>
#include <elf.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "glibcver.h"
#include "json.h"
#include "report.h"
#include "rootfs.h"

#include "check.h"

static void test_versions(void)
{
	struct ak_ver a, b;
	char buf[32];

	check(ak_ver_parse("2.34", &a) && a.major == 2 && a.minor == 34 && a.patch == 0, "parse 2.34");
	check(ak_ver_parse("2.2.5", &b) && b.patch == 5, "parse 2.2.5");
	check(ak_ver_cmp(&b, &a) < 0, "2.2.5 < 2.34");
	ak_ver_parse("2.4", &b);
	check(ak_ver_cmp(&b, &a) < 0, "2.4 < 2.34 (numeric, not text)");
	check(!ak_ver_parse("2", &a) && !ak_ver_parse("2.x", &a) && !ak_ver_parse("", &a) &&
	      !ak_ver_parse("2.34.", &a) && !ak_ver_parse("2.3.4.5", &a), "bad versions refused");
	ak_ver_parse("2.3.4", &a);
	check(strcmp(ak_ver_format(&a, buf, sizeof buf), "2.3.4") == 0, "format 2.3.4");
	check(ak_glibc_node_version(EM_X86_64, "libc.so.6", "GLIBC_2.38", &a) && a.minor == 38, "GLIBC_2.38 -> 2.38");
	check(ak_glibc_node_version(EM_X86_64, "libc.so.6", "GLIBC_ABI_DT_RELR", &a) && a.minor == 36,
	      "GLIBC_ABI_DT_RELR -> 2.36 (from the database)");
	check(ak_glibc_node_version(EM_X86_64, "libc.so.6", "GLIBC_ABI_GNU2_TLS", &a) && a.minor == 42,
	      "GLIBC_ABI_GNU2_TLS -> 2.42");
	check(!ak_glibc_node_version(EM_X86_64, "libc.so.6", "GLIBC_PRIVATE", &a), "GLIBC_PRIVATE implies no release");
	check(!ak_glibc_node_version(EM_X86_64, "libfoo.so", "FOO_1.0", &a), "foreign nodes imply nothing");
	check(ak_is_glibc_lib(EM_X86_64, "libpthread.so.0") && ak_is_glibc_lib(EM_AARCH64, "ld-linux-aarch64.so.1") &&
	      !ak_is_glibc_lib(EM_X86_64, "ld-linux-aarch64.so.1") && !ak_is_glibc_lib(EM_X86_64, "libstdc++.so.6"),
	      "glibc library names per machine");
}

static void test_rootfs(const char *scratch)
{
	char root[1024], p[8192];
	struct ak_rootfs r;
	struct ak_err err;
	char *res;
	FILE *f;

	snprintf(root, sizeof root, "%s/unit-root", scratch);
	snprintf(p, sizeof p, "rm -rf '%s' && mkdir -p '%s/usr/lib/x86_64-linux-gnu' '%s/etc/ld.so.conf.d' '%s/opt/x'",
		 root, root, root, root);
	if (system(p) != 0) {
		fail("scratch root");
		return;
	}
	snprintf(p, sizeof p, "%s/usr/lib/x86_64-linux-gnu/libc.so.6", root);
	f = fopen(p, "w");
	fclose(f);
	snprintf(p, sizeof p, "%s/lib", root);
	check(symlink("usr/lib", p) == 0, "merged-/usr symlink");
	snprintf(p, sizeof p, "%s/lib64", root);
	check(symlink("/usr/lib/x86_64-linux-gnu", p) == 0, "absolute symlink");
	snprintf(p, sizeof p, "%s/loop", root);
	check(symlink("loop", p) == 0, "looping symlink");
	snprintf(p, sizeof p, "%s/etc/ld.so.conf", root);
	f = fopen(p, "w");
	fputs("# comment\ninclude ld.so.conf.d/*.conf\n/usr/local/lib\n", f);
	fclose(f);
	snprintf(p, sizeof p, "%s/etc/ld.so.conf.d/x.conf", root);
	f = fopen(p, "w");
	fputs("/opt/x   # trailing comment\n", f);
	fclose(f);

	if (ak_rootfs_open(&r, root, &err) != 0) {
		fail("open root: %s", err.msg);
		return;
	}
	res = ak_rootfs_resolve(&r, "/lib/x86_64-linux-gnu/libc.so.6");
	check(res && strcmp(res, "/usr/lib/x86_64-linux-gnu/libc.so.6") == 0, "resolve through merged /usr: %s", res ? res : "NULL");
	free(res);
	res = ak_rootfs_resolve(&r, "/lib64/libc.so.6");
	check(res && strcmp(res, "/usr/lib/x86_64-linux-gnu/libc.so.6") == 0, "absolute symlink stays inside the root: %s", res ? res : "NULL");
	free(res);
	res = ak_rootfs_resolve(&r, "/../../../lib64/libc.so.6");
	check(res && strcmp(res, "/usr/lib/x86_64-linux-gnu/libc.so.6") == 0, ".. cannot leave the root");
	free(res);
	res = ak_rootfs_resolve(&r, "/loop/x");
	check(res == NULL, "symlink loop ends (ELOOP)");
	free(res);
	res = ak_rootfs_resolve(&r, "/nonexistent");
	check(res == NULL, "missing path gives NULL");
	free(res);
	check(r.conf_dirs.n == 2 && strcmp(r.conf_dirs.v[0], "/opt/x") == 0 &&
	      strcmp(r.conf_dirs.v[1], "/usr/local/lib") == 0, "ld.so.conf with a relative include, in order");
	ak_rootfs_close(&r);
}

static void test_json(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct ak_json j;

	ak_json_init(&j, f);
	ak_json_obj_begin(&j);
	ak_json_kstr(&j, "s", "a\"b\\c\n\x01");
	ak_json_key(&j, "a");
	ak_json_arr_begin(&j);
	ak_json_int(&j, 1);
	ak_json_null(&j);
	ak_json_bool(&j, true);
	ak_json_arr_end(&j);
	ak_json_obj_end(&j);
	fclose(f);
	check(strcmp(text, "{\n\"s\":\"a\\\"b\\\\c\\n\\u0001\",\n\"a\":[\n1,\nnull,\ntrue\n]\n}") == 0, "json escaping and commas: %s", text);
	free(text);
}

static void test_tally(void)
{
	struct ak_tally t;

	memset(&t, 0, sizeof t);
	for (int i = 0; i < 1000; i++) {
		char name[16];

		snprintf(name, sizeof name, "s%d", i % 100);
		ak_tally_add(&t, name);
	}
	ak_tally_add(&t, "s7");
	ak_tally_sort(&t);
	check(t.n == 100 && strcmp(t.v[0].name, "s7") == 0 && t.v[0].count == 11 && t.v[1].count == 10,
	      "tally counts and sorts");
	ak_tally_add(&t, "s8");
	check(t.n == 100, "tally still finds names after sorting");
	ak_tally_free(&t);
}

int main(int argc, char **argv)
{
	test_versions();
	test_rootfs(argc > 1 ? argv[1] : "/tmp");
	test_json();
	test_tally();
	totals();
	return 0;
}
