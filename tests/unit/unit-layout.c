/* Unit tests of the sandbox layouts: the shipped files parse and expand to
 * what sandbox-layouts/README.md documents, and every kind of mistake is
 * reported with its file and line. argv[1] is the source tree's
 * sandbox-layouts directory, argv[2] a scratch directory. */
#include <config.h>

#include <dejagnu.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "layout.h"

#include "check.h"

static bool eq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static const char *show(const char *s)
{
	return s ? s : "NULL";
}

/* What abikit sets before expanding. */
static void set_callers(struct ak_layout *l)
{
	ak_layout_set(l, "runtime_name", "glibc-2.41");
	ak_layout_set(l, "glibc_version", "2.41");
	ak_layout_set(l, "arch", "x86_64");
	ak_layout_set(l, "ld_so", "ld-linux-x86-64.so.2");
	ak_layout_set(l, "home", "/home/u");
}

static bool load_expanded(struct ak_layout *l, const char *name, const char *const *dirs)
{
	struct ak_err err;

	if (ak_layout_load(l, name, dirs, &err) != 0) {
		fail("load %s: %s", name, err.msg);
		return false;
	}
	set_callers(l);
	if (ak_layout_expand(l, &err) != 0) {
		fail("expand %s: %s", name, err.msg);
		ak_layout_free(l);
		return false;
	}
	pass("%s loads and expands", name);
	return true;
}

static void check_path(const struct ak_layout *l, const char *key, const char *want)
{
	const char *got = ak_layout_path(l, key);

	check(eq(got, want), "%s: %s = %s (got %s)", l->name, key, want, show(got));
}

static void check_env(const struct ak_layout *l, size_t i, const char *key, const char *want)
{
	const char *k = ak_layout_env_key(l, i), *v = ak_layout_env_value(l, i);

	check(eq(k, key) && eq(v, want), "%s: env %zu is %s=%s (got %s=%s)", l->name, i, key, want,
	      show(k), show(v));
}

static void check_binds(const struct ak_layout *l, const char *a, const char *b)
{
	check(ak_layout_bind_count(l) == 2 && eq(ak_layout_bind(l, 0), a) && eq(ak_layout_bind(l, 1), b),
	      "%s: binds %s, %s", l->name, a, b);
}

static void test_opt(const char *const *dirs)
{
	struct ak_layout l;

	if (!load_expanded(&l, "opt", dirs))
		return;
	check(eq(l.name, "opt") && l.description[0] != '\0', "opt: name and description");
	check_path(&l, "runtimes", "/opt/abikit/runtimes");
	check_path(&l, "runtime", "/opt/abikit/runtimes/glibc-2.41");
	check_path(&l, "lib", "/opt/abikit/runtimes/glibc-2.41/lib");
	check_path(&l, "linker", "/opt/abikit/runtimes/glibc-2.41/lib/ld-linux-x86-64.so.2");
	check_path(&l, "apps", "/opt/abikit/apps");
	check_path(&l, "state", "/var/lib/abikit");
	check(ak_layout_path(&l, "nonexistent") == NULL, "opt: absent key is NULL");
	check(ak_layout_env_count(&l) == 2, "opt: two env entries");
	check_env(&l, 0, "GCONV_PATH", "/opt/abikit/runtimes/glibc-2.41/lib/gconv");
	check_env(&l, 1, "LOCPATH", "/opt/abikit/runtimes/glibc-2.41/lib/locale");
	check_binds(&l, "/opt/abikit/runtimes/glibc-2.41", "/opt/abikit/apps");
	ak_layout_free(&l);
}

static void test_vscode(const char *const *dirs)
{
	struct ak_layout l;

	if (!load_expanded(&l, "vscode-server", dirs))
		return;
	check_path(&l, "runtimes", "/home/u/.abikit/runtimes");
	check_path(&l, "runtime", "/home/u/.abikit/runtimes/glibc-2.41");
	check_path(&l, "toolchain_lib", "/home/u/.abikit/runtimes/glibc-2.41/toolchain-lib");
	check_path(&l, "apps", "/home/u/.abikit/apps");
	check_path(&l, "state", "/home/u/.abikit/state");
	check(ak_layout_env_count(&l) == 3, "vscode-server: exactly the three VSCODE_SERVER_* variables");
	check_env(&l, 0, "VSCODE_SERVER_CUSTOM_GLIBC_LINKER",
		  "/home/u/.abikit/runtimes/glibc-2.41/lib/ld-linux-x86-64.so.2");
	check_env(&l, 1, "VSCODE_SERVER_CUSTOM_GLIBC_PATH",
		  "/home/u/.abikit/runtimes/glibc-2.41/lib:/home/u/.abikit/runtimes/glibc-2.41/toolchain-lib");
	check_env(&l, 2, "VSCODE_SERVER_PATCHELF_PATH", "/home/u/.abikit/runtimes/glibc-2.41/bin/patchelf");
	check_binds(&l, "/home/u/.abikit/runtimes/glibc-2.41", "/home/u/.vscode-server");
	ak_layout_free(&l);
}

static void test_rollback(const char *const *dirs)
{
	struct ak_layout l;

	if (!load_expanded(&l, "rollback", dirs))
		return;
	check_path(&l, "runtimes", "/var/lib/abikit/rollback");
	check_path(&l, "runtime", "/var/lib/abikit/rollback/glibc-2.41");
	check_path(&l, "apps", "/var/lib/abikit/rollback-apps");
	check_path(&l, "state", "/var/lib/abikit");
	check(ak_layout_env_count(&l) == 0, "rollback: nothing in [env]");
	check_binds(&l, "/var/lib/abikit/rollback/glibc-2.41", "/var/lib/abikit/rollback-apps");
	ak_layout_free(&l);
}

static void test_names(const char *const *dirs)
{
	struct ak_strvec names = { NULL, 0, 0 };

	ak_layout_names(dirs, &names);
	check(names.n == 3 && eq(names.v[0], "opt") && eq(names.v[1], "rollback") &&
	      eq(names.v[2], "vscode-server"), "layout names listed, sorted");
	ak_strvec_free(&names);
}

/* DejaGnu reads one result a line: show newlines as '|'. */
static const char *oneline(const char *s, char *buf, size_t size)
{
	size_t i;

	for (i = 0; s && s[i] && i + 1 < size; i++)
		buf[i] = s[i] == '\n' ? '|' : s[i];
	buf[i] = '\0';
	return buf;
}

static char *write_file(const char *dir, const char *name, const char *text)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *path = malloc(n);
	FILE *f;

	snprintf(path, n, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f == NULL) {
		fail("write %s", path);
		return path;
	}
	fputs(text, f);
	fclose(f);
	return path;
}

#define HEAD "[layout]\nname = t\n[paths]\nruntimes = /r\nruntime = ${runtimes}/x\napps = /a\nstate = /s\n"

/* Lines 1-7 are HEAD; mistakes start at line 8. */
static void test_error(const char *dir, const char *what, const char *text, const char *line,
		       const char *reason)
{
	struct ak_layout l;
	struct ak_err err;
	char *path = write_file(dir, "bad.layout", text);
	char prefix[1200];
	int rc;

	snprintf(prefix, sizeof prefix, "%s:%s:", path, line);
	rc = ak_layout_load(&l, path, NULL, &err);
	if (rc == 0) {
		set_callers(&l);
		rc = ak_layout_expand(&l, &err);
		ak_layout_free(&l);
	}
	check(rc != 0 && strncmp(err.msg, prefix, strlen(prefix)) == 0 && strstr(err.msg, reason),
	      "%s: \"%s\"", what, rc ? err.msg : "no error");
	free(path);
}

static void test_errors(const char *scratch)
{
	test_error(scratch, "unknown section", HEAD "[envv]\nA = b\n", "8", "unknown section [envv]");
	test_error(scratch, "duplicate key", HEAD "apps = /b\n", "8", "duplicate key 'apps' (first at line 6)");
	test_error(scratch, "duplicate env key", HEAD "[env]\nA = 1\nA = 2\n", "10", "duplicate key 'A'");
	test_error(scratch, "undefined variable", HEAD "lib = ${runtime}/${nope}\n", "8", "undefined variable ${nope}");
	test_error(scratch, "undefined variable in [bind]", HEAD "[bind]\n${nope}\n", "9", "${nope}");
	test_error(scratch, "cycle", HEAD "a = /${b}\nb = /${c}\nc = ${a}\n", "10", "cycle: ${a} -> ${b} -> ${c} -> ${a}");
	test_error(scratch, "self reference", HEAD "a = ${a}\n", "8", "cycle");
	test_error(scratch, "missing '='", HEAD "lib /x\n", "8", "expected KEY = VALUE");
	test_error(scratch, "bare $", HEAD "lib = $runtime/lib\n", "8", "'$'");
	test_error(scratch, "unclosed ${", HEAD "lib = ${runtime/lib\n", "8", "without '}'");
	test_error(scratch, "bad key", HEAD "9lib = /x\n", "8", "bad key '9lib'");
	test_error(scratch, "unknown [layout] key", "[layout]\nname = t\nnmae = u\n", "3", "unknown key 'nmae'");
	test_error(scratch, "section twice", HEAD "[paths]\n", "8", "again (first at line 3)");
	test_error(scratch, "text before a section", "name = t\n", "1", "before the first");
	test_error(scratch, "relative path", HEAD "lib = lib\n", "8", "not an absolute path");
	test_error(scratch, "relative bind", HEAD "[bind]\nx = /y\n", "9", "not absolute");
}

static void test_missing(const char *scratch, const char *const *dirs)
{
	struct ak_layout l;
	struct ak_err err;
	char *path = write_file(scratch, "bad.layout", "[layout]\nname = t\n[paths]\nruntime = /r\n");

	check(ak_layout_load(&l, path, NULL, &err) != 0 && strstr(err.msg, "lacks runtimes"),
	      "required path missing: \"%s\"", err.msg);
	free(path);
	check(ak_layout_load(&l, "nope", dirs, &err) != 0 && strstr(err.msg, "'nope' not found") &&
	      strstr(err.msg, "opt, rollback, vscode-server"), "unknown layout lists the known ones: \"%s\"",
	      err.msg);
}

static void test_syntax(const char *scratch, const char *const *dirs)
{
	struct ak_layout l;
	struct ak_err err;
	const char *const both[] = { scratch, dirs[0], NULL };
	char *out = NULL, line[300];
	size_t outlen = 0;
	FILE *f;
	char *path = write_file(scratch, "opt.layout",
		"  # shadows the shipped opt\n"
		"[layout]\r\n"
		"name=mine   # no blanks needed around '='\n"
		"[paths]\n"
		"runtimes = /srv/rt\n"
		"tag = /t#1\t# '#' inside a word is text\n"
		"runtime=${runtimes}/${runtime_name}\n"
		"apps = /srv/a\n"
		"state = /srv/s\n"
		"price = /cost/$$5\n"
		"[env]\n"
		"Q = it's ${home}\n"
		"EMPTY =\n"
		"[bind]\n");

	free(path);
	if (ak_layout_load(&l, "opt", both, &err) != 0) {
		fail("first directory wins: %s", err.msg);
		return;
	}
	check(eq(l.name, "mine") && eq(l.description, ""), "first directory wins, no description is \"\"");
	set_callers(&l);
	ak_layout_set(&l, "runtimes", "/prefix");
	if (ak_layout_expand(&l, &err) != 0) {
		fail("expand: %s", err.msg);
		ak_layout_free(&l);
		return;
	}
	check_path(&l, "runtime", "/prefix/glibc-2.41");
	check_path(&l, "price", "/cost/$5");
	check_path(&l, "tag", "/t#1");
	check_path(&l, "runtime_name", "glibc-2.41");
	check(ak_layout_bind_count(&l) == 0, "empty [bind]");
	check_env(&l, 1, "EMPTY", "");
	f = open_memstream(&out, &outlen);
	ak_layout_write_env(&l, f, AK_LAYOUT_ENV_SH, &err);
	fclose(f);
	check(eq(out, "export Q='it'\\''s /home/u'\nexport EMPTY=''\n"), "shell quoting: %s", oneline(out, line, sizeof line));
	free(out);
	f = open_memstream(&out, &outlen);
	ak_layout_write_env(&l, f, AK_LAYOUT_ENV_PLAIN, &err);
	fclose(f);
	check(eq(out, "Q=it's /home/u\nEMPTY=\n"), "plain lines: %s", oneline(out, line, sizeof line));
	free(out);
	ak_layout_free(&l);

	/* An undefined caller variable can be set after the failure. */
	check(ak_layout_load(&l, "vscode-server", dirs, &err) == 0, "reload vscode-server");
	ak_layout_set(&l, "runtime_name", "r");
	ak_layout_set(&l, "ld_so", "ld.so");
	check(ak_layout_expand(&l, &err) != 0 && strstr(err.msg, "${home}"), "home unset: %s", err.msg);
	ak_layout_set(&l, "home", "/h");
	check(ak_layout_expand(&l, &err) == 0 && eq(ak_layout_env_value(&l, 2), "/h/.abikit/runtimes/r/bin/patchelf"),
	      "expanding again once home is set");
	ak_layout_free(&l);
}

int main(int argc, char **argv)
{
	const char *layouts = argc > 1 ? argv[1] : "sandbox-layouts";
	const char *scratch = argc > 2 ? argv[2] : "/tmp";
	const char *const dirs[] = { layouts, NULL };
	char work[1024];

	snprintf(work, sizeof work, "%s/unit-layout-work", scratch);
	if (mkdir(work, 0777) != 0 && errno != EEXIST)
		fail("scratch directory %s", work);
	test_opt(dirs);
	test_vscode(dirs);
	test_rollback(dirs);
	test_names(dirs);
	test_errors(work);
	test_missing(work, dirs);
	test_syntax(work, dirs);
	totals();
	return 0;
}
