#include <config.h>

#include "bundle.h"

#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "closure.h"
#include "elfmodel.h"
#include "fsutil.h"
#include "manifest.h"
#include "rewrite.h"
#include "sha256.h"
#include "spawn.h"

#ifndef ABIKIT_PKGLIBEXECDIR
#define ABIKIT_PKGLIBEXECDIR "/usr/local/libexec/abikit"
#endif

char *ak_bundle_find_launcher(void)
{
	return ak_find_companion("ABIKIT_LAUNCH", "abikit-launch", ABIKIT_PKGLIBEXECDIR);
}

/* Static archives and start files are for linking, not for running. */
static int skip_link_time(const char *name)
{
	size_t n = strlen(name);

	return (n > 2 && strcmp(name + n - 2, ".a") == 0) || (n > 2 && strcmp(name + n - 2, ".o") == 0);
}

/* The Debian package a file came from: dpkg's database for installed
 * files; for a package unpacked by scripts/fetch-debs (the tree PKG/root, with
 * PKG/control beside it), that control file. "" when unknown. */
static void package_of(const char *path, char *out, size_t size)
{
	char real[PATH_MAX], line[1024];
	const char *argv[] = { "dpkg-query", "-S", path, NULL };
	char *root;

	out[0] = '\0';
	root = NULL;
	if (realpath(path, real) != NULL)
		for (char *p = strstr(real, "/root"); p; p = strstr(p + 1, "/root"))
			if (p[5] == '/')
				root = p;  /* the last one: $HOME may be /root itself */
	if (root != NULL) {
		char *control, *text;
		struct ak_err e;

		*root = '\0';
		control = ak_path_join(real, "control");
		text = ak_read_file(control, NULL, &e);
		if (text) {
			const char *p = strstr(text, "Package: "), *v = strstr(text, "\nVersion: ");

			if (p && v)
				snprintf(out, size, "%.*s %.*s", (int)strcspn(p + 9, "\n"), p + 9,
					 (int)strcspn(v + 10, "\n"), v + 10);
			free(text);
		}
		free(control);
		if (out[0])
			return;
	}
	/* dpkg knows a file under the path its package shipped it at, which
	 * after the /usr merge may differ from ours by a leading /usr. */
	{
		char alt[4][PATH_MAX + 8];
		size_t nalt = 0;
		struct ak_err e;

		snprintf(alt[nalt++], sizeof alt[0], "%s", path);
		if (realpath(path, real) != NULL && strcmp(real, path) != 0)
			snprintf(alt[nalt++], sizeof alt[0], "%s", real);
		for (size_t i = 0, n = nalt; i < n; i++) {
			if (strncmp(alt[i], "/usr/", 5) == 0)
				snprintf(alt[nalt++], sizeof alt[0], "%.4090s", alt[i] + 4);
			else
				snprintf(alt[nalt++], sizeof alt[0], "/usr%.4090s", alt[i]);
		}
		for (size_t i = 0; i < nalt; i++) {
			char *colon;
			const char *qargv[] = { "dpkg-query", "-W", "-f", "${Version}", NULL, NULL };
			char pkg[256], ver[256];

			argv[2] = alt[i];
			if (ak_spawn_capture(argv, line, sizeof line, &e) != 0)
				continue;
			/* "libjq1:amd64: /usr/lib/x86_64-linux-gnu/libjq.so.1" */
			colon = strstr(line, ": ");
			if (colon == NULL)
				continue;
			snprintf(pkg, sizeof pkg, "%.*s", (int)(colon - line), line);
			qargv[4] = pkg;
			if (ak_spawn_capture(qargv, ver, sizeof ver, &e) == 0)
				snprintf(out, size, "%s %s", pkg, ver);
			else
				snprintf(out, size, "%s", pkg);
			return;
		}
	}
}

static int record(struct ak_manifest *m, const char *staging, const char *rel, const char *origin,
		  const char *soname, struct ak_err *err)
{
	char hex[65], pkg[512];
	char *path = ak_path_join(staging, rel), *key = ak_path_join("file", rel);
	int rc = ak_sha256_file(path, hex, err);

	if (rc == 0) {
		char real[PATH_MAX];

		/* The file itself, not the chain of links and ../ that led to it. */
		if (realpath(origin, real) != NULL)
			origin = real;
		package_of(origin, pkg, sizeof pkg);
		ak_manifest_setf(m, key, "sha256=%s origin=%s soname=%s package=%s", hex, origin,
				 soname && *soname ? soname : "-", pkg[0] ? pkg : "unknown");
	}
	free(key);
	free(path);
	return rc;
}

/* PT_INTERP with room to grow: extra leading slashes name the same file. */
static char *padded_interp(const char *path)
{
	size_t n = strlen(path), pad = n + 1 < AK_BUNDLE_INTERP_ROOM ? AK_BUNDLE_INTERP_ROOM - 1 - n : 0;
	char *s = ak_xmalloc(n + pad + 1);

	memset(s, '/', pad);
	memcpy(s + pad, path, n + 1);
	return s;
}

static int set_paths(const struct ak_bundle_opts *o, const char *file, const char *rpath, const char *interp,
		     struct ak_err *err)
{
	unsigned long long size;

	if (ak_patchelf_set(o->pe, file, rpath, interp, err) < 0)
		return -1;
	return ak_rewrite_validate(file, interp, rpath, &size, err);
}

/* The runtime's launch_env with ${prefix} made bundle-relative ("@/runtime"). */
static void conf_env(struct ak_sbuf *conf, const char *launch_env)
{
	char *copy = ak_xstrdup(launch_env);

	for (char *save = NULL, *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		char *at = strstr(w, "${prefix}");

		if (at)
			ak_sbuf_addf(conf, "env=%.*s@/runtime%s\n", (int)(at - w), w, at + 9);
		else
			ak_sbuf_addf(conf, "env=%s\n", w);
	}
	free(copy);
}

/* The ELF files below dir (relative names under rel), recursively. */
static void collect_elf(const char *dir, const char *rel, struct ak_strvec *out)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char *p, *r;
		struct stat st;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		p = ak_path_join(dir, e->d_name);
		r = ak_path_join(rel, e->d_name);
		if (lstat(p, &st) == 0) {
			struct ak_err err;

			if (S_ISDIR(st.st_mode))
				collect_elf(p, r, out);
			else if (S_ISREG(st.st_mode) && ak_elf_is_elf(p, &err) == 1)
				ak_strvec_push(out, r);
		}
		free(p);
		free(r);
	}
	closedir(d);
}

/* "../" once per directory level of rel (a path below the bundle root). */
static void up_to_root(struct ak_sbuf *b, const char *rel)
{
	for (const char *p = strchr(rel, '/'); p; p = strchr(p + 1, '/'))
		ak_sbuf_add(b, "../");
}

/* --data SRC=REL: copy the tree, then treat its ELF files like libraries:
 * their needs join the closure, and their DT_RPATH points at the bundle's
 * lib/ and runtime from wherever they sit. */
static int add_data(const struct ak_bundle_opts *o, struct ak_closure *c, const char *staging, const char *spec,
		    struct ak_manifest *man, struct ak_err *err)
{
	const char *eq = strchr(spec, '=');
	char *src = eq ? strndup(spec, (size_t)(eq - spec)) : ak_xstrdup(spec), *rel, *dst;
	struct ak_strvec elfs = { 0 };
	int rc = -1;

	if (eq)
		rel = ak_xstrdup(eq + 1);
	else {
		char *copy = ak_xstrdup(src);

		rel = ak_path_join("share", basename(copy));
		free(copy);
	}
	dst = ak_path_join(staging, rel);
	if (rel[0] == '/' || strstr(rel, "..") || !ak_is_dir(src)) {
		ak_errf(err, "--data %s: needs an existing directory and a relative destination inside the bundle", spec);
		goto out;
	}
	{
		char *parent = ak_xstrdup(dst);

		rc = ak_mkdir_p(dirname(parent), 0755, err);
		free(parent);
		if (rc < 0 || ak_copy_tree(src, dst, NULL, err) < 0) {
			rc = -1;
			goto out;
		}
	}
	/* The ELF files of this tree only: several --data may share a REL. */
	collect_elf(src, rel, &elfs);
	rc = 0;
	for (size_t i = 0; rc == 0 && i < elfs.n; i++) {
		char *copy = ak_path_join(staging, elfs.v[i]), *orig = ak_path_join(src, elfs.v[i] + strlen(rel) + 1);
		struct ak_sbuf rp = { 0 };
		struct ak_elf m;

		if (ak_elf_open(&m, copy, 0, err) == 0) {
			bool dynamic = m.has_dynamic && m.kind != AK_KIND_STATIC && m.kind != AK_KIND_RELOC;

			ak_elf_close(&m);
			if (dynamic) {
				ak_sbuf_add(&rp, "$ORIGIN/");
				up_to_root(&rp, elfs.v[i]);
				ak_sbuf_add(&rp, "lib:");
				if (o->absolute)
					ak_sbuf_add(&rp, o->rt->lib);
				else {
					ak_sbuf_add(&rp, "$ORIGIN/");
					up_to_root(&rp, elfs.v[i]);
					ak_sbuf_add(&rp, "runtime/lib");
				}
				rc = ak_closure_add(c, orig, err);
				if (rc == 0)
					rc = set_paths(o, copy, rp.s, NULL, err);
				if (rc == 0)
					rc = record(man, staging, elfs.v[i], orig, NULL, err);
			}
		}
		ak_sbuf_free(&rp);
		free(orig);
		free(copy);
	}
out:
	ak_strvec_free(&elfs);
	free(dst);
	free(rel);
	free(src);
	return rc;
}

int ak_bundle_make(const struct ak_bundle_opts *o, struct ak_err *err)
{
	char parent[PATH_MAX], *outcopy = ak_xstrdup(o->out), *pcopy = ak_xstrdup(o->out);
	char *final = NULL, *staging = NULL, *old = NULL;
	struct ak_closure c;
	struct ak_manifest man = { 0 };
	struct ak_strvec names = { 0 };
	bool have_closure = false;
	const char *ld_rel;
	int rc = -1;
	unsigned machine = 0;
	unsigned long long size;

	if (ak_mkdir_p(dirname(pcopy), 0755, err) < 0)
		goto out;
	if (realpath(pcopy, parent) == NULL) {
		ak_errno(err, errno, "%s: its parent directory", o->out);
		goto out;
	}
	{
		struct ak_sbuf b = { 0 };

		ak_sbuf_addf(&b, "%s/%s", strcmp(parent, "/") == 0 ? "" : parent, basename(outcopy));
		final = b.s;
		b = (struct ak_sbuf){ 0 };
		ak_sbuf_addf(&b, "%s/.%s.abikit-XXXXXX", strcmp(parent, "/") == 0 ? "" : parent, basename(outcopy));
		staging = b.s;
	}
	if (ak_exists(final) && !o->force) {
		ak_errf(err, "%s: exists; --force replaces it", final);
		goto out;
	}
	if (!o->absolute && o->launcher == NULL) {
		ak_errf(err, "abikit-launch not found (set ABIKIT_LAUNCH, or use --absolute)");
		goto out;
	}
	if (mkdtemp(staging) == NULL) {
		ak_errno(err, errno, "%s: cannot create a staging directory", staging);
		free(staging);
		staging = NULL;
		goto out;
	}
	{
		const char *sub[] = { "bin", "lib", o->absolute ? NULL : "libexec" };

		for (size_t i = 0; i < 3; i++) {
			char *d;

			if (!sub[i])
				continue;
			d = ak_path_join(staging, sub[i]);
			if (ak_mkdir_p(d, 0755, err) < 0) {
				free(d);
				goto out;
			}
			free(d);
		}
	}
	ld_rel = o->rt->ld_so + strlen(o->rt->prefix) + 1;

	/* The programs, checked as patch checks them. */
	for (size_t i = 0; i < o->nprograms; i++) {
		char real[PATH_MAX], *ncopy = ak_xstrdup(o->programs[i]), *name = basename(ncopy);
		char *rel, *dst;
		struct ak_elf m;
		struct stat st;
		int e;

		if (realpath(o->programs[i], real) == NULL || stat(real, &st) != 0) {
			ak_errno(err, errno, "%s", o->programs[i]);
			free(ncopy);
			goto out;
		}
		e = ak_rewrite_refusal(real, &st, o->rt, err);
		if (e == 0) {
			e = ak_elf_open(&m, real, 0, err);
			if (e == AK_NOT_ELF)
				e = (ak_errf(err, "%s: not an ELF file", o->programs[i]), AK_REFUSED);
		}
		if (e != 0) {
			rc = e;
			free(ncopy);
			goto out;
		}
		e = ak_rewrite_check_elf(real, &m, o->rt, err);
		if (e == 0 && (m.kind == AK_KIND_SHLIB || m.interp == NULL))
			e = (ak_errf(err, "%s: a shared library, not a program (add libraries with --extra)", real),
			     AK_REFUSED);
		machine = m.machine;
		ak_elf_close(&m);
		if (e == 0 && ak_strvec_contains(&names, name))
			e = ak_errf(err, "%s: a second program named %s", o->programs[i], name);
		if (e != 0) {
			rc = e;
			free(ncopy);
			goto out;
		}
		ak_strvec_push(&names, name);
		if (!have_closure) {
			if (ak_closure_init(&c, machine, o->rt->lib, err) < 0) {
				free(ncopy);
				goto out;
			}
			have_closure = true;
			for (size_t k = 0; k < o->nlibrary_path; k++)
				ak_strvec_push(&c.library_path, o->library_path[k]);
		}
		if (ak_closure_add(&c, real, err) < 0) {
			free(ncopy);
			goto out;
		}
		rel = ak_path_join(o->absolute ? "bin" : "libexec", name);
		dst = ak_path_join(staging, rel);
		e = ak_copy_file(real, dst, err);
		if (e == 0) {
			struct ak_sbuf rp = { 0 };
			char *interp;

			ak_sbuf_addf(&rp, "$ORIGIN/../lib:%s", o->absolute ? o->rt->lib : "$ORIGIN/../runtime/lib");
			if (o->absolute)
				interp = ak_xstrdup(o->rt->ld_so);
			else {
				char *ld = ak_path_join(final, "runtime");
				char *full = ak_path_join(ld, ld_rel);

				interp = padded_interp(full);
				free(full);
				free(ld);
			}
			e = set_paths(o, dst, rp.s, interp, err);
			if (e == 0)
				e = record(&man, staging, rel, real, NULL, err);
			free(interp);
			ak_sbuf_free(&rp);
		}
		free(dst);
		free(rel);
		free(ncopy);
		if (e != 0)
			goto out;
	}
	for (size_t i = 0; i < o->nextras; i++)
		if (ak_closure_add(&c, o->extras[i], err) < 0)
			goto out;
	for (size_t i = 0; i < o->ndata; i++)
		if (add_data(o, &c, staging, o->data[i], &man, err) < 0)
			goto out;
	if (c.missing.n > 0) {
		struct ak_sbuf b = { 0 };

		for (size_t i = 0; i < c.missing.n; i++)
			ak_sbuf_addf(&b, "%s%s", i ? ", " : "", c.missing.v[i]);
		ak_errf(err, "%s: libraries not found on this system: %.900s", final, b.s);
		ak_sbuf_free(&b);
		goto out;
	}

	/* The libraries: the extras under their own names, then the closure. */
	for (size_t i = 0; i < o->nextras + c.nlibs; i++) {
		const char *src = i < o->nextras ? o->extras[i] : c.libs[i - o->nextras].path;
		char *ncopy = ak_xstrdup(src);
		const char *name = i < o->nextras ? basename(ncopy) : c.libs[i - o->nextras].name;
		char *rel = ak_path_join("lib", name), *dst = ak_path_join(staging, rel);
		struct ak_sbuf rp = { 0 };
		int e = 0;

		if (!ak_exists(dst)) {
			ak_sbuf_addf(&rp, "$ORIGIN:%s", o->absolute ? o->rt->lib : "$ORIGIN/../runtime/lib");
			e = ak_copy_file(src, dst, err);
			if (e == 0)
				e = set_paths(o, dst, rp.s, NULL, err);
			if (e == 0)
				e = record(&man, staging, rel, src, i < o->nextras ? NULL : c.libs[i - o->nextras].soname, err);
		}
		ak_sbuf_free(&rp);
		free(dst);
		free(rel);
		free(ncopy);
		if (e != 0)
			goto out;
	}

	if (!o->absolute) {
		char *rtdir = ak_path_join(staging, "runtime"), *rtlib = ak_path_join(rtdir, "lib");
		char *man_src = ak_path_join(o->rt->prefix, AK_RUNTIME_MANIFEST);
		char *man_dst = ak_path_join(rtdir, AK_RUNTIME_MANIFEST), *share = ak_path_join(o->rt->prefix, "share");
		struct ak_sbuf conf = { 0 };
		int e = ak_mkdir_p(rtdir, 0755, err);

		if (e == 0)
			e = ak_copy_tree(o->rt->lib, rtlib, skip_link_time, err);
		/* zoneinfo: a relocatable runtime looks in lib/../share/zoneinfo. */
		if (e == 0 && ak_is_dir(share)) {
			char *sd = ak_path_join(rtdir, "share");

			e = ak_copy_tree(share, sd, NULL, err);
			free(sd);
		}
		if (e == 0)
			e = ak_copy_file(man_src, man_dst, err);
		ak_sbuf_addf(&conf, "# abikit-launch configuration, written by abikit bundle; paths are\n"
				    "# relative to the bundle directory.\n"
				    "ld_so=runtime/%s\nlibrary_path=lib:runtime/lib\nargv0=%s\ninhibit_cache=yes\n",
			     ld_rel, o->rt->argv0 ? "yes" : "no");
		conf_env(&conf, o->rt->launch_env);
		if (e == 0) {
			char *cpath = ak_path_join(staging, AK_LAUNCH_CONF);

			e = ak_write_atomic(cpath, conf.s, conf.len, 0644, err);
			free(cpath);
		}
		for (size_t i = 0; e == 0 && i < names.n; i++) {
			char *rel = ak_path_join("bin", names.v[i]), *dst = ak_path_join(staging, rel);

			e = ak_copy_file(o->launcher, dst, err);
			if (e == 0 && chmod(dst, 0755) != 0)
				e = ak_errno(err, errno, "%s", dst);
			if (e == 0)
				e = record(&man, staging, rel, o->launcher, NULL, err);
			free(dst);
			free(rel);
		}
		ak_sbuf_free(&conf);
		free(share);
		free(man_dst);
		free(man_src);
		free(rtlib);
		free(rtdir);
		if (e != 0)
			goto out;
	}

	{
		char when[32], *mpath = ak_path_join(staging, AK_BUNDLE_MANIFEST);
		time_t t = time(NULL);
		struct tm tm;
		struct ak_sbuf progs = { 0 };
		int e;

		gmtime_r(&t, &tm);
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
		for (size_t i = 0; i < names.n; i++)
			ak_sbuf_addf(&progs, "%s%s", i ? " " : "", names.v[i]);
		/* Header keys first: ak_manifest_set keeps insertion order, so move
		 * the file records after them by rebuilding. */
		{
			struct ak_manifest head = { 0 };

			ak_manifest_set(&head, "created", when);
			ak_manifest_set(&head, "mode", o->absolute ? "absolute" : "launcher");
			ak_manifest_set(&head, "programs", progs.s ? progs.s : "");
			ak_manifest_set(&head, "runtime", o->rt->name);
			ak_manifest_set(&head, "runtime_glibc", o->rt->glibc);
			ak_manifest_set(&head, "runtime_kind", o->rt->kind);
			ak_manifest_set(&head, "runtime_prefix", o->absolute ? o->rt->prefix : "runtime");
			ak_manifest_setf(&head, "glibc_libraries", "%zu from the runtime", c.glibc.n);
			ak_manifest_setf(&head, "patchelf", "%s", o->pe->version);
			for (size_t i = 0; i < man.n; i++)
				ak_manifest_set(&head, man.keys[i], man.values[i]);
			e = ak_manifest_save(&head, mpath, err);
			ak_manifest_free(&head);
		}
		ak_sbuf_free(&progs);
		free(mpath);
		if (e < 0)
			goto out;
	}

	/* Into place: an old bundle is moved aside first, removed after. */
	if (ak_exists(final)) {
		struct ak_sbuf b = { 0 };

		ak_sbuf_addf(&b, "%s.old-XXXXXX", staging);
		old = b.s;
		if (mkdtemp(old) == NULL || rename(final, old) != 0) {
			ak_errno(err, errno, "%s: cannot move the old bundle aside", final);
			goto out;
		}
	}
	if (rename(staging, final) != 0) {
		ak_errno(err, errno, "%s: cannot rename the bundle into place", final);
		if (old)
			rename(old, final);
		goto out;
	}
	free(staging);
	staging = NULL;
	if (old) {
		struct ak_err e2;

		ak_rm_rf(old, &e2);
	}
	size = ak_tree_size(final);
	printf("bundled %zu program%s and %zu librar%s into %s (%.1f MB)\n", names.n, names.n == 1 ? "" : "s",
	       c.nlibs + o->nextras, c.nlibs + o->nextras == 1 ? "y" : "ies", final, (double)size / 1e6);
	printf("  glibc %s from the runtime %s (%s)%s\n", o->rt->glibc, o->rt->name,
	       o->absolute ? "used at its install path" : "copied into runtime/",
	       o->absolute ? "; the bundle must stay where the runtime is installed" : "");
	for (size_t i = 0; i < names.n; i++)
		printf("  run %s/bin/%s\n", final, names.v[i]);
	rc = 0;
out:
	if (staging) {
		struct ak_err e2;

		ak_rm_rf(staging, &e2);
	}
	if (have_closure)
		ak_closure_free(&c);
	ak_manifest_free(&man);
	ak_strvec_free(&names);
	free(old);
	free(staging);
	free(final);
	free(outcopy);
	free(pcopy);
	return rc;
}
