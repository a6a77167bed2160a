#include <config.h>

#include "embed.h"
#include "shim.h"

#include <elf.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "checker.h"
#include "elfmodel.h"
#include "fsutil.h"
#include "manifest.h"
#include "rewrite.h"
#include "sha256.h"
#include "spawn.h"
#include "world.h"

#ifndef ABIKIT_PKGLIBDIR
#define ABIKIT_PKGLIBDIR "/usr/local/lib/abikit"
#endif

char *ak_shim_find_compat(void)
{
	/* A build tree has it in compat/, an install in PKGLIBDIR/compat/. */
	return ak_find_companion("ABIKIT_COMPAT", "compat/" AK_COMPAT_SONAME, ABIKIT_PKGLIBDIR);
}

void ak_shim_report_free(struct ak_shim_report *r)
{
	free(r->real);
	ak_strvec_free(&r->provided);
	ak_strvec_free(&r->missing);
	ak_strvec_free(&r->other);
	ak_strvec_free(&r->weakened);
	free(r->embed_note);
	memset(r, 0, sizeof *r);
}

/* What one library defines: "NAME@VERSION" for every versioned export,
 * with its soname in `from` (same index), when from is given. */
static int lib_defs(const char *path, struct ak_strvec *defs, struct ak_strvec *from, struct ak_err *err)
{
	struct ak_elf m;

	if (ak_elf_open(&m, path, AK_READ_DEFS, err) != 0)
		return -1;
	for (size_t i = m.nundef; i < m.nsyms; i++) {
		char buf[512];

		if (m.syms[i].version == NULL)
			continue;
		snprintf(buf, sizeof buf, "%s@%s", m.syms[i].name, m.syms[i].version);
		ak_strvec_push(defs, buf);
		if (from)
			ak_strvec_push(from, m.soname ? m.soname : path);
	}
	ak_elf_close(&m);
	return 0;
}

/* The shim is a core library (libabikit-compat.so.1, needing only libc)
 * and, beside it, one library per old glibc library its forwarders call
 * (libabikit-compat-pthread.so.1, -dl, -rt, ...): a program gets only
 * those it uses, so it loads no library it would not have loaded. */
static int all_defs(const char *compat, struct ak_strvec *defs, struct ak_strvec *from, struct ak_err *err)
{
	char *copy = ak_xstrdup(compat), *dir = dirname(copy);
	DIR *d;
	struct dirent *e;
	int rc = lib_defs(compat, defs, from, err);

	d = rc == 0 ? opendir(dir) : NULL;
	while (d && rc == 0 && (e = readdir(d)) != NULL)
		if (strncmp(e->d_name, "libabikit-compat-", 17) == 0 && strstr(e->d_name, ".so.1")) {
			char *p = ak_path_join(dir, e->d_name);

			rc = lib_defs(p, defs, from, err);
			free(p);
		}
	if (d)
		closedir(d);
	free(copy);
	return rc;
}

int ak_shim_defs(const char *compat, struct ak_strvec *defs, struct ak_err *err)
{
	return all_defs(compat, defs, NULL, err);
}

/* Edit the version needs of the file at `path` in place, in one walk of
 * .gnu.version_r:
 *  - the needs on the libraries in `retarget` (sonames) point at the shim:
 *    vn_file becomes "libabikit-compat.so.1", already in .dynstr since the
 *    shim was added to DT_NEEDED. The loader then checks those nodes
 *    against the shim, which defines every glibc node name, and stays
 *    quiet; symbol lookup ignores vn_file for versioned definitions, so
 *    the old libc still provides every symbol it has, the shim the rest;
 *  - the needs "FILE NODE" in `weak` get VER_FLG_WEAK (the loader tolerates
 *    them missing, but says "weak version ... not found" at every start:
 *    the fallback).
 * Only vn_file and vna_flags change: the file keeps its size and layout. */
static int edit_verneed(const char *path, const struct ak_strvec *retarget, const struct ak_strvec *weak,
			struct ak_err *err)
{
	struct ak_elf m;
	Elf_Scn *scn = NULL;
	int fd = -1, rc = -1;

	if (ak_elf_open(&m, path, 0, err) != 0)
		return -1;
	if (m.data != ELFDATA2LSB || m.elfclass != ELFCLASS64) {
		ak_errf(err, "%s: only little-endian 64-bit files are shimmed", path);
		goto out;
	}
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ak_errno(err, errno, "%s", path);
		goto out;
	}
	while ((scn = elf_nextscn(m.elf, scn)) != NULL) {
		GElf_Shdr sh;
		Elf_Data *str;
		size_t off = 0, shim_off = 0, len = strlen(AK_COMPAT_SONAME) + 1;
		bool have_shim = false;

		if (gelf_getshdr(scn, &sh) == NULL || sh.sh_type != SHT_GNU_verneed)
			continue;
		str = elf_getdata(elf_getscn(m.elf, sh.sh_link), NULL);
		for (size_t i = 0; str && i + len <= str->d_size && !have_shim; i++)
			if ((i == 0 || ((const char *)str->d_buf)[i - 1] == '\0') &&
			    memcmp((const char *)str->d_buf + i, AK_COMPAT_SONAME, len) == 0) {
				shim_off = i;
				have_shim = true;
			}
		if (retarget->n > 0 && !have_shim) {
			ak_errf(err, "%s: %s is not in the dynamic string table", path, AK_COMPAT_SONAME);
			goto out;
		}
		for (size_t i = 0; i < sh.sh_info && off + sizeof(Elf64_Verneed) <= sh.sh_size; i++) {
			Elf64_Verneed vn;
			const char *file;
			size_t aoff;

			if (pread(fd, &vn, sizeof vn, (off_t)(sh.sh_offset + off)) != (ssize_t)sizeof vn) {
				ak_errf(err, "%s: cannot read .gnu.version_r", path);
				goto out;
			}
			file = elf_strptr(m.elf, sh.sh_link, vn.vn_file);
			aoff = off + vn.vn_aux;
			for (size_t k = 0; file && k < vn.vn_cnt && aoff + sizeof(Elf64_Vernaux) <= sh.sh_size; k++) {
				Elf64_Vernaux va;
				const char *name;
				char pair[512];

				if (pread(fd, &va, sizeof va, (off_t)(sh.sh_offset + aoff)) != (ssize_t)sizeof va)
					break;
				name = elf_strptr(m.elf, sh.sh_link, va.vna_name);
				snprintf(pair, sizeof pair, "%s %s", file, name ? name : "");
				if (ak_strvec_contains(weak, pair)) {
					uint16_t flags = (uint16_t)(va.vna_flags | VER_FLG_WEAK);

					if (pwrite(fd, &flags, sizeof flags,
						   (off_t)(sh.sh_offset + aoff + offsetof(Elf64_Vernaux, vna_flags))) != (ssize_t)sizeof flags) {
						ak_errno(err, errno, "%s: cannot write", path);
						goto out;
					}
				}
				if (va.vna_next == 0)
					break;
				aoff += va.vna_next;
			}
			if (file && ak_strvec_contains(retarget, file)) {
				uint32_t v = (uint32_t)shim_off;

				if (pwrite(fd, &v, sizeof v, (off_t)(sh.sh_offset + off + offsetof(Elf64_Verneed, vn_file))) !=
				    (ssize_t)sizeof v) {
					ak_errno(err, errno, "%s: cannot write", path);
					goto out;
				}
			}
			if (vn.vn_next == 0)
				break;
			off += vn.vn_next;
		}
	}
	rc = 0;
out:
	if (fd >= 0 && close(fd) != 0 && rc == 0)
		rc = ak_errno(err, errno, "%s", path);
	ak_elf_close(&m);
	return rc;
}

/* Version nodes the shim defines (its verdefs). */
static void shim_nodes(const char *compat, struct ak_strvec *nodes)
{
	struct ak_elf m;
	struct ak_err e;

	if (ak_elf_open(&m, compat, 0, &e) != 0)
		return;
	for (size_t i = 0; i < m.nvdefs; i++)
		if (!(m.vdefs[i].flags & VER_FLG_BASE))
			ak_strvec_push(nodes, m.vdefs[i].name);
	ak_elf_close(&m);
}

/* Does the shim define anything in version node `node`? */
static bool defines_node(const struct ak_strvec *defs, const char *node)
{
	size_t n = strlen(node);

	for (size_t i = 0; i < defs->n; i++) {
		const char *at = strchr(defs->v[i], '@');

		if (at && strncmp(at + 1, node, n) == 0 && at[1 + n] == '\0')
			return true;
	}
	return false;
}

/* Judge `elf` against the base (with the shim's directory shown in the
 * root when it lies beside the file): the problems, split into what the
 * shim provides, what it lacks, and what it cannot help with. */
static int judge(const struct ak_shim_opts *o, const struct ak_elf *elf, const char *mount_dir,
		 const struct ak_strvec *defs, struct ak_shim_report *r, struct ak_strvec *weak, struct ak_err *err)
{
	struct ak_world w;
	struct ak_check_result cr;

	if ((o->root ? ak_world_root(&w, o->root, err) : ak_world_glibc(&w, o->base_glibc, err)) < 0)
		return -1;
	if (o->root && mount_dir)
		ak_rootfs_mount(&w.root, mount_dir, mount_dir);
	/* The file's own directories (its dir, $ORIGIN/../lib ...) lie outside
	 * the root: show them inside at the same paths, as the file will be
	 * installed with them. */
	if (o->root) {
		char *fcopy = ak_xstrdup(elf->path), *origin = dirname(fcopy);
		char real[PATH_MAX];

		if (realpath(origin, real) != NULL)
			ak_rootfs_mount(&w.root, real, real);
		struct ak_strvec dirs = { 0 };

		ak_search_path_expand(elf->rpath, origin, elf->machine, false, &dirs);
		ak_search_path_expand(elf->runpath, origin, elf->machine, false, &dirs);
		for (size_t i = 0; i < dirs.n; i++)
			if (realpath(dirs.v[i], real) != NULL && ak_is_dir(real))
				ak_rootfs_mount(&w.root, real, real);
		ak_strvec_free(&dirs);
		free(fcopy);
	}
	ak_check(&w, elf, &cr);
	for (size_t i = 0; i < cr.nproblems; i++) {
		const struct ak_problem *p = &cr.problems[i];
		char buf[1024];

		if (!p->fatal)
			continue;
		if (p->kind == AK_PB_MISSING_VERSION && strncmp(p->version, "GLIBC_ABI_", 10) == 0) {
			/* A loader feature (DT_RELR, GNU2 TLS ...), not symbols: the old
			 * ld.so would misload the file whatever the shim defines. */
			snprintf(buf, sizeof buf, "%s needs %s, a feature of the newer dynamic linker", p->required_by,
				 p->version);
			ak_strvec_push(&r->other, buf);
		} else if (p->kind == AK_PB_MISSING_VERSION && !defines_node(defs, p->version)) {
			/* A version node the shim does not have (GLIBCXX_3.4.32 of
			 * an old libstdc++): no stub can provide it. */
			ak_strvec_push(&r->other, p->message);
		} else if (p->kind == AK_PB_MISSING_VERSION && weak == NULL) {
			/* Judged after the rewrite: the loader would refuse the file
			 * itself (a library it loads is shimmed, or not, on its own). */
			if (p->required_by && strcmp(p->required_by, elf->path) == 0)
				ak_strvec_push(&r->other, p->message);
		} else if (p->kind == AK_PB_MISSING_VERSION) {
			const char *base = strrchr(p->library, '/') ? strrchr(p->library, '/') + 1 : p->library;

			snprintf(buf, sizeof buf, "%s %s", base, p->version);
			if (weak && !ak_strvec_contains(weak, buf))
				ak_strvec_push(weak, buf);
		} else if (p->kind == AK_PB_MISSING_SYMBOL) {
			snprintf(buf, sizeof buf, "%s@%s", p->symbol, p->version);
			if (ak_strvec_contains(defs, buf)) {
				if (!ak_strvec_contains(&r->provided, buf))
					ak_strvec_push(&r->provided, buf);
			} else if (!ak_strvec_contains(&r->missing, buf)) {
				ak_strvec_push(&r->missing, buf);
			}
		} else if (p->kind == AK_PB_MISSING_LIBRARY && elf->kind == AK_KIND_SHLIB) {
			/* A library's needs are found through the program that loads
			 * it (its DT_RPATH); they are shimmed, or not, on their own. */
			continue;
		} else {
			ak_strvec_push(&r->other, p->message);
		}
	}
	ak_check_result_free(&cr);
	ak_world_free(&w);
	return 0;
}

/* Embed the shim's code into the file at `tmp` (a private copy); with
 * `dry_run`, only find out whether it can be done. */
static int embed_into(const char *compat, const char *tmp, const struct ak_strvec *provided,
		      const struct ak_strvec *missing, bool dry_run, struct ak_err *err)
{
	size_t hn, bn, on;
	unsigned char *h = (unsigned char *)ak_read_file(tmp, &hn, err), *b = NULL, *o = NULL;
	int fd = -1, rc = -1;

	if (h == NULL || (b = (unsigned char *)ak_read_file(compat, &bn, err)) == NULL ||
	    ak_embed(tmp, h, hn, compat, b, bn, provided, missing, &o, &on, err) < 0)
		goto out;
	if (dry_run) {
		rc = 0;
		goto out;
	}
	fd = open(tmp, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0) {
		ak_errno(err, errno, "%s", tmp);
		goto out;
	}
	for (size_t done = 0; done < on;) {
		ssize_t w = write(fd, o + done, on - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			ak_errno(err, errno, "%s: cannot write", tmp);
			goto out;
		}
		done += (size_t)w;
	}
	rc = 0;
out:
	if (fd >= 0 && close(fd) != 0 && rc == 0)
		rc = ak_errno(err, errno, "%s", tmp);
	free(h);
	free(b);
	free(o);
	return rc;
}

static int run_patchelf(const struct ak_patchelf *pe, const char *const *argv, const char *file, struct ak_err *err)
{
	char out[1024];
	struct ak_err e2;
	int st = ak_spawn_capture(argv, out, sizeof out, &e2);

	if (st != 0)
		return ak_errf(err, "%s: patchelf %s failed: %s", file, pe->version, st < 0 ? e2.msg : out);
	return 0;
}

int ak_shim_apply(const struct ak_shim_opts *o, const char *path, struct ak_shim_report *r, struct ak_err *err)
{
	char real[PATH_MAX], cur_sha[65], new_sha[65], compat_sha[65];
	struct ak_strvec defs = { 0 }, from = { 0 }, libs = { 0 }, weak = { 0 };
	struct ak_manifest man = { 0 };
	struct ak_elf m, after;
	bool have_m = false;
	char *dircopy = NULL, *dir, *mpath = NULL, *tmp = NULL, *beside = NULL;
	struct stat st;
	int rc = -1, fd = -1, e_rt;
	bool embedded = false;

	memset(r, 0, sizeof *r);
	if (realpath(path, real) == NULL || stat(real, &st) != 0)
		return ak_errno(err, errno, "%s", path);
	r->real = ak_xstrdup(real);
	dircopy = ak_xstrdup(real);
	dir = dirname(dircopy);
	if (!S_ISREG(st.st_mode) || (st.st_mode & (S_ISUID | S_ISGID))) {
		ak_errf(err, "%s: %s", path, S_ISREG(st.st_mode) ? "set-user-ID or set-group-ID: not shimmed" : "not a regular file");
		rc = AK_REFUSED;
		goto out;
	}
	mpath = ak_rewrite_manifest_path(o->state, real);
	if (ak_exists(mpath)) {
		if (ak_manifest_load(&man, mpath, err) < 0 || ak_sha256_file(real, cur_sha, err) < 0)
			goto out;
		if (strcmp(cur_sha, ak_manifest_get(&man, "new_sha256") ? ak_manifest_get(&man, "new_sha256") : "") == 0) {
			const char *kind = ak_manifest_get(&man, "kind");

			if (kind && strcmp(kind, "shim") == 0) {
				r->action = "unchanged";
				rc = 0;
			} else {
				ak_errf(err, "%s: patched onto a runtime by abikit patch; unpatch it first", path);
				rc = AK_REFUSED;
			}
			goto out;
		}
		ak_manifest_free(&man);
	}
	if (all_defs(o->compat, &defs, &from, err) < 0)
		goto out;
	{
		int e = ak_elf_open(&m, real, AK_READ_UNDEF, err);

		if (e == AK_NOT_ELF) {
			ak_errf(err, "%s: not an ELF file", path);
			rc = AK_REFUSED;
			goto out;
		}
		if (e != 0)
			goto out;
		have_m = true;
	}
	if (m.unsupported || m.kind == AK_KIND_STATIC || m.kind == AK_KIND_STATIC_PIE || m.libc != AK_LIBC_GLIBC) {
		ak_errf(err, "%s: %s", path, m.unsupported ? m.unsupported : "statically linked, or not linked with glibc");
		rc = AK_REFUSED;
		goto out;
	}
	if (judge(o, &m, NULL, &defs, r, &weak, err) < 0)
		goto out;
	if (r->provided.n == 0 && r->missing.n == 0 && r->other.n == 0) {
		r->action = "not-needed";
		rc = 0;
		goto out;
	}
	if (r->missing.n > 0 || r->other.n > 0) {
		ak_errf(err, "%s: not shimmable: %s%s%s; bundle it with a runtime instead (abikit bundle)", path,
			r->missing.n ? "no stub for " : "", r->missing.n ? r->missing.v[0] : r->other.v[0],
			(r->missing.n ? r->missing.n : r->other.n) > 1 ? " and more" : "");
		r->action = "not-shimmable";
		rc = AK_REFUSED;
		goto out;
	}
	for (size_t i = 0; i < weak.n; i++)
		ak_strvec_push(&r->weakened, weak.v[i]);
	/* The core always (it takes the version needs), the others when used. */
	ak_strvec_push(&libs, AK_COMPAT_SONAME);
	for (size_t i = 0; i < r->provided.n; i++)
		for (size_t k = 0; k < defs.n; k++)
			if (strcmp(defs.v[k], r->provided.v[i]) == 0) {
				if (!ak_strvec_contains(&libs, from.v[k]))
					ak_strvec_push(&libs, from.v[k]);
				break;
			}
	if (o->dry_run) {
		struct ak_err why;

		r->action = "would-shim";
		r->how = "library";
		if (o->embed && embed_into(o->compat, real, &r->provided, &weak, true, &why) < 0)
			r->embed_note = ak_xstrdup(why.msg);
		else if (o->embed)
			r->how = "embedded";
		rc = 0;
		goto out;
	}

	/* The rewrite, on a copy beside the file. */
	tmp = ak_rewrite_temp_copy(real, real, err);
	if (tmp == NULL)
		goto out;
	if (o->embed) {
		struct ak_err why;

		if (embed_into(o->compat, tmp, &r->provided, &weak, false, &why) < 0) {
			r->embed_note = ak_xstrdup(why.msg);
		} else {
			embedded = true;
			ak_strvec_free(&r->weakened);
			goto judge_again;
		}
	}
	/* DT_NEEDED gets each shim library twice: "$ORIGIN/NAME" first, which
	 * the loader opens as that very file, with no search, then the plain
	 * NAME, which it finds already loaded (its soname) and so adds to the
	 * object's names: the version needs that name the shim then match it.
	 * No DT_RPATH entry is needed, so nothing (not libc.so.6 either) is
	 * first looked for in the file's directory and, on glibc 2.31, in its
	 * tls/ and x86_64/ subdirectories (14 failed calls each start).
	 * patchelf --add-needed puts a name first: plain names go in first. */
	for (int pass = 0; pass < (o->system ? 1 : 2); pass++)
		for (size_t i = 0; i < libs.n; i++) {
			struct ak_sbuf name = { 0 };
			const char *add[] = { o->pe->path, "--add-needed", NULL, tmp, NULL };

			ak_sbuf_addf(&name, "%s%s", pass ? "$ORIGIN/" : "", libs.v[i]);
			add[2] = name.s;
			e_rt = run_patchelf(o->pe, add, tmp, err);
			ak_sbuf_free(&name);
			if (e_rt < 0)
				goto fail;
		}
	/* Retarget whole version needs to the shim where it defines all their
	 * nodes (silent); mark the rest weak (the loader then prints "weak
	 * version ... not found" on every start, so it is the fallback). */
	{
		struct ak_strvec nodes = { 0 }, rt_libs = { 0 }, rest = { 0 };

		shim_nodes(o->compat, &nodes);
		for (size_t i = 0; i < weak.n; i++) {
			char lib[256];
			bool all = true;

			snprintf(lib, sizeof lib, "%.*s", (int)strcspn(weak.v[i], " "), weak.v[i]);
			for (size_t k = 0; k < m.nvneeds; k++)
				if (strcmp(m.vneeds[k].file, lib) == 0 && !ak_strvec_contains(&nodes, m.vneeds[k].name))
					all = false;
			if (all) {
				if (!ak_strvec_contains(&rt_libs, lib))
					ak_strvec_push(&rt_libs, lib);
			} else {
				ak_strvec_push(&rest, weak.v[i]);
			}
		}
		ak_strvec_free(&r->weakened);
		for (size_t i = 0; i < rt_libs.n; i++) {
			char buf[320];

			snprintf(buf, sizeof buf, "%s -> %s", rt_libs.v[i], AK_COMPAT_SONAME);
			ak_strvec_push(&r->weakened, buf);
		}
		for (size_t i = 0; i < rest.n; i++)
			ak_strvec_push(&r->weakened, rest.v[i]);
		ak_strvec_free(&weak);
		weak = rest;
		e_rt = edit_verneed(tmp, &rt_libs, &weak, err);
		ak_strvec_free(&rt_libs);
		ak_strvec_free(&nodes);
		if (e_rt < 0)
			goto fail;
	}
	/* Check the result as the loader will see it: the weak needs, the
	 * shim in DT_NEEDED, and the whole file judged again with the shim. */
	if (ak_elf_open(&after, tmp, AK_READ_UNDEF, err) != 0)
		goto fail;
	{
		bool needed = false;

		for (size_t i = 0; i < after.nneeded; i++)
			needed |= strcmp(after.needed[i], AK_COMPAT_SONAME) == 0;
		for (size_t i = 0; i < after.nvneeds; i++) {
			char pair[512];

			snprintf(pair, sizeof pair, "%s %s", after.vneeds[i].file, after.vneeds[i].name);
			if (ak_strvec_contains(&weak, pair) && !(after.vneeds[i].flags & VER_FLG_WEAK)) {
				ak_errf(err, "%s: after the rewrite %s is not weak", tmp, pair);
				ak_elf_close(&after);
				goto fail;
			}
		}
		if (!needed) {
			ak_errf(err, "%s: after the rewrite %s is not in DT_NEEDED", tmp, AK_COMPAT_SONAME);
			ak_elf_close(&after);
			goto fail;
		}
	}
	ak_elf_close(&after);

	/* The shim libraries beside the file (the same bytes, or fresh copies). */
	for (size_t i = 0; !o->system && i < libs.n; i++) {
		char have[65], *ccopy = ak_xstrdup(o->compat), *src = ak_path_join(dirname(ccopy), libs.v[i]);
		char *dst = ak_path_join(dir, libs.v[i]);
		int e = 0;

		if (ak_sha256_file(src, compat_sha, err) < 0)
			e = -1;
		else if (!ak_exists(dst) || ak_sha256_file(dst, have, err) < 0 || strcmp(have, compat_sha) != 0) {
			char *ctmp = ak_rewrite_temp_copy(dst, src, err);
			int cfd = ctmp ? open(ctmp, O_RDONLY | O_CLOEXEC) : -1;

			if (ctmp == NULL)
				e = -1;
			else if (cfd < 0 || fchmod(cfd, 0644) != 0 || fsync(cfd) != 0 || rename(ctmp, dst) != 0) {
				e = ak_errno(err, errno, "%s: cannot install the shim", dst);
				unlink(ctmp);
			}
			if (cfd >= 0)
				close(cfd);
			free(ctmp);
		}
		if (i == 0 && beside == NULL)
			beside = ak_xstrdup(dst);
		free(dst);
		free(src);
		free(ccopy);
		if (e < 0)
			goto fail;
	}
	/* Judged again as the loader will load it: against the base, with the
	 * shim found where the file now looks for it. */
judge_again:
	{
		struct ak_shim_report again;
		struct ak_elf re;
		int e;

		memset(&again, 0, sizeof again);
		if (ak_elf_open(&re, tmp, AK_READ_UNDEF, err) != 0)
			goto fail;
		e = judge(o, &re, o->system || embedded ? NULL : dir, &defs, &again, NULL, err);
		ak_elf_close(&re);
		if (e == 0 && (again.missing.n > 0 || again.other.n > 0))
			e = ak_errf(err, "%s: after the rewrite it still would not load: %s", path,
				    again.missing.n ? again.missing.v[0] : again.other.v[0]);
		ak_shim_report_free(&again);
		if (e < 0)
			goto fail;
	}
	if (ak_sha256_file(real, cur_sha, err) < 0 || ak_sha256_file(tmp, new_sha, err) < 0 ||
	    ak_rewrite_keep_original(o->state, real, cur_sha, err) < 0)
		goto fail;
	{
		char when[32], *pdir = ak_path_join(o->state, "patched");
		time_t t = time(NULL);
		struct tm tm;
		struct ak_sbuf provided = { 0 }, weakened = { 0 };

		gmtime_r(&t, &tm);
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
		for (size_t i = 0; i < r->provided.n; i++)
			ak_sbuf_addf(&provided, "%s%s", i ? " " : "", r->provided.v[i]);
		for (size_t i = 0; i < r->weakened.n; i++)
			ak_sbuf_addf(&weakened, "%s%s", i ? ", " : "", r->weakened.v[i]);
		ak_manifest_set(&man, "kind", "shim");
		ak_manifest_set(&man, "path", real);
		ak_manifest_set(&man, "original_sha256", cur_sha);
		ak_manifest_setf(&man, "original_size", "%llu", (unsigned long long)st.st_size);
		ak_manifest_set(&man, "original_rpath", m.rpath ? m.rpath : "");
		ak_manifest_set(&man, "original_runpath", m.runpath ? m.runpath : "");
		ak_manifest_set(&man, "base", o->root ? o->root : o->base_glibc);
		ak_manifest_set(&man, "shim", embedded ? "embedded" : o->system ? AK_COMPAT_SONAME " (system library path)" : beside);
		ak_manifest_set(&man, "provided", provided.s ? provided.s : "");
		ak_manifest_set(&man, "version_needs", weakened.s ? weakened.s : "");
		ak_manifest_set(&man, "new_sha256", new_sha);
		ak_manifest_set(&man, "patched", when);
		ak_sbuf_free(&provided);
		ak_sbuf_free(&weakened);
		rc = ak_mkdir_p(pdir, 0700, err);
		free(pdir);
		if (rc < 0 || ak_manifest_save(&man, mpath, err) < 0) {
			rc = -1;
			goto fail;
		}
		rc = -1;
	}
	fd = open(tmp, O_RDWR | O_CLOEXEC);
	if (fd < 0 || ak_replace_file(real, tmp, fd, &st, err) < 0) {
		if (fd < 0)
			ak_errno(err, errno, "%s", tmp);
		goto fail;
	}
	r->action = "shimmed";
	r->how = embedded ? "embedded" : "library";
	rc = 0;
	goto out;
fail:
	if (tmp)
		unlink(tmp);
out:
	if (fd >= 0)
		close(fd);
	if (have_m)
		ak_elf_close(&m);
	ak_manifest_free(&man);
	ak_strvec_free(&defs);
	ak_strvec_free(&from);
	ak_strvec_free(&libs);
	ak_strvec_free(&weak);
	free(beside);
	free(tmp);
	free(mpath);
	free(dircopy);
	return rc;
}
