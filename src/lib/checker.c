/* The check follows the dynamic linker's order: map the interpreter and
 * the NEEDED closure (search order DT_RPATH, DT_RUNPATH, ld.so.conf,
 * default dirs), check every version need against the version definitions
 * of the library it names (dl-version.c), then look every versioned
 * undefined symbol up in the whole scope, where the version must match by
 * name but any loaded object may define it (dl-lookup.c). */
#include <config.h>

#include "checker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "abidb.h"
#include "glibcver.h"

/* One object in the would-be process. */
struct obj {
	const char *name;         /* what NEEDED entries match */
	const char *display;      /* path or soname to report */
	const struct ak_elf *elf; /* NULL for database libraries */
	struct ak_dso *dso;
	int dblib;                /* GLIBC world */
	char *origin;             /* root-relative dir for $ORIGIN (ROOT world) */
	char *shown;              /* owned storage behind display, if any */
	bool judged;
};

struct run {
	struct ak_world *w;
	const struct ak_elf *top;
	struct ak_check_result *r;
	int arch;
	struct obj *objs;
	size_t nobjs, capobjs;
};

const char *ak_problem_kind_name(enum ak_problem_kind kind)
{
	switch (kind) {
	case AK_PB_MISSING_INTERP: return "missing-interpreter";
	case AK_PB_MISSING_LIBRARY: return "missing-library";
	case AK_PB_MISSING_VERSION: return "missing-version";
	case AK_PB_MISSING_SYMBOL: return "missing-symbol";
	case AK_PB_WEAK_VERSION: return "weak-version-missing";
	case AK_PB_NO_VERSION_INFO: return "no-version-information";
	case AK_PB_PRIVATE_VERSION: return "private-version";
	}
	return "unknown";
}

const char *ak_verdict_name(enum ak_verdict v)
{
	switch (v) {
	case AK_VERDICT_OK: return "ok";
	case AK_VERDICT_FAIL: return "fail";
	case AK_VERDICT_NOT_JUDGED: break;
	}
	return "not-judged";
}

static char *xstrdup_or_null(const char *s)
{
	return s ? ak_xstrdup(s) : NULL;
}

static void problem(struct run *run, enum ak_problem_kind kind, bool fatal, const char *lib,
		    const char *version, const char *symbol, const char *by, const char *fmt, ...)
	__attribute__((format(printf, 8, 9)));

static void problem(struct run *run, enum ak_problem_kind kind, bool fatal, const char *lib,
		    const char *version, const char *symbol, const char *by, const char *fmt, ...)
{
	struct ak_check_result *r = run->r;
	struct ak_problem *p;
	va_list ap;
	char msg[1024];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	ak_grow((void **)&r->problems, &r->capproblems, r->nproblems + 1, sizeof *r->problems);
	p = &r->problems[r->nproblems++];
	p->kind = kind;
	p->fatal = fatal;
	p->library = xstrdup_or_null(lib);
	p->version = xstrdup_or_null(version);
	p->symbol = xstrdup_or_null(symbol);
	p->required_by = xstrdup_or_null(by);
	p->message = ak_xstrdup(msg);
	if (fatal)
		r->verdict = AK_VERDICT_FAIL;
}

static void unchecked(struct run *run, const char *lib, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void unchecked(struct run *run, const char *lib, const char *fmt, ...)
{
	struct ak_check_result *r = run->r;
	va_list ap;
	char why[512];

	for (size_t i = 0; i < r->nunchecked; i++)
		if (strcmp(r->unchecked[i].library, lib) == 0)
			return;
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	ak_grow((void **)&r->unchecked, &r->capunchecked, r->nunchecked + 1, sizeof *r->unchecked);
	r->unchecked[r->nunchecked].library = ak_xstrdup(lib);
	r->unchecked[r->nunchecked].why = ak_xstrdup(why);
	r->nunchecked++;
}

static struct obj *add_obj(struct run *run, const char *name, const char *display)
{
	struct obj *o;

	ak_grow((void **)&run->objs, &run->capobjs, run->nobjs + 1, sizeof *run->objs);
	o = &run->objs[run->nobjs++];
	memset(o, 0, sizeof *o);
	o->name = name;
	o->display = display;
	o->dblib = -1;
	return o;
}

static struct obj *find_obj(struct run *run, const char *name)
{
	for (size_t i = 0; i < run->nobjs; i++) {
		struct obj *o = &run->objs[i];

		if (strcmp(o->name, name) == 0 ||
		    (o->elf && o->elf->soname && strcmp(o->elf->soname, name) == 0))
			return o;
	}
	return NULL;
}

/* Version needs on a glibc-named library that are not GLIBC_* mean the
 * library is someone else's (libcrypt.so.1 from libxcrypt: XCRYPT_2.0). */
static const char *foreign_version(const struct ak_elf *m, const char *lib)
{
	for (size_t i = 0; i < m->nvneeds; i++)
		if (strcmp(m->vneeds[i].file, lib) == 0 && strncmp(m->vneeds[i].name, "GLIBC_", 6) != 0)
			return m->vneeds[i].name;
	return NULL;
}

/* A glibc library that release `rel` does not ship: missing when glibc only
 * gained it later (libmvec before 2.22), not judged when glibc dropped it
 * (libcrypt after 2.38: others provide it). */
static void absent_glibc_lib(struct run *run, const char *name, int lib, int rel, const char *where)
{
	int first = -1;

	for (int i = 0; i < ak_abidb_release_count(); i++)
		if (ak_abidb_ships_lib((enum ak_arch)run->arch, i, lib)) {
			first = i;
			break;
		}
	if (rel >= 0 && first > rel)
		problem(run, AK_PB_MISSING_LIBRARY, true, name, NULL, NULL, run->top->path,
			"%s: cannot open shared object file: No such file or directory (glibc %s does not have it; glibc has it from %s)",
			name, ak_abidb_release_name(rel), ak_abidb_release_name(first));
	else
		unchecked(run, name, "not part of %s", where);
}

static void need_glibc_world(struct run *run, const char *name)
{
	struct ak_world *w = run->w;
	int lib = ak_abidb_lib_id((enum ak_arch)run->arch, name);
	const char *foreign;
	struct obj *o;
	char where[300];

	if (lib < 0) {
		unchecked(run, name, "not part of glibc");
		return;
	}
	if ((foreign = foreign_version(run->top, name)) != NULL) {
		unchecked(run, name, "needed with version %s, which is not glibc's", foreign);
		return;
	}
	if (w->mode == AK_WORLD_GLIBC) {
		if (!ak_abidb_ships_lib((enum ak_arch)run->arch, w->rel, lib)) {
			snprintf(where, sizeof where, "glibc %s", ak_abidb_release_name(w->rel));
			absent_glibc_lib(run, name, lib, w->rel, where);
			return;
		}
		o = add_obj(run, name, name);
		o->dblib = lib;
		o->judged = true;
		return;
	} else {
		size_t n = strlen(w->libc_dir) + strlen(name) + 2;
		char *path = ak_xmalloc(n);
		struct stat st;
		struct ak_dso *d;
		struct ak_err err;

		snprintf(path, n, "%s/%s", w->libc_dir, name);
		if (stat(path, &st) != 0) {
			snprintf(where, sizeof where, "%s", w->libc_dir);
			absent_glibc_lib(run, name, lib, w->rel, where);
			free(path);
			return;
		}
		d = ak_world_load(w, path, path, &err);
		free(path);
		if (d == NULL) {
			unchecked(run, name, "unreadable: %s", err.msg);
			return;
		}
		o = add_obj(run, name, d->path);
		o->elf = &d->elf;
		o->dso = d;
		o->judged = true;
	}
}

/* Expand $ORIGIN, $LIB and $PLATFORM in one search path entry. */
static char *expand_dst(const char *entry, const char *origin, unsigned machine)
{
	struct ak_sbuf b = { NULL, 0, 0 };
	const char *triplet = ak_multiarch_triplet(machine);

	ak_sbuf_add(&b, "");
	for (const char *p = entry; *p;) {
		const char *tok = NULL, *val = NULL;
		size_t len = 0;
		static const struct { const char *a, *b; } names[] = {
			{ "$ORIGIN", "${ORIGIN}" }, { "$LIB", "${LIB}" }, { "$PLATFORM", "${PLATFORM}" }
		};

		for (size_t i = 0; i < 3 && tok == NULL; i++) {
			if (strncmp(p, names[i].b, strlen(names[i].b)) == 0) {
				tok = names[i].a;
				len = strlen(names[i].b);
			} else if (strncmp(p, names[i].a, strlen(names[i].a)) == 0) {
				char c = p[strlen(names[i].a)];

				if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
					tok = names[i].a;
					len = strlen(names[i].a);
				}
			}
		}
		if (tok == NULL) {
			char c[2] = { *p++, '\0' };

			ak_sbuf_add(&b, c);
			continue;
		}
		if (strcmp(tok, "$ORIGIN") == 0)
			val = origin;
		else if (strcmp(tok, "$LIB") == 0)
			val = triplet ? NULL : "lib64";
		else
			val = ak_machine_name(machine);
		if (strcmp(tok, "$LIB") == 0 && triplet)
			ak_sbuf_addf(&b, "lib/%s", triplet);
		else if (val)
			ak_sbuf_add(&b, val);
		p += len;
	}
	return b.s;
}

void ak_search_path_expand(const char *path, const char *origin, unsigned machine, bool with_plain,
			   struct ak_strvec *out)
{
	for (const char *p = path; p && *p;) {
		const char *colon = strchr(p, ':');
		size_t n = colon ? (size_t)(colon - p) : strlen(p);
		char *entry = strndup(p, n);

		if (entry == NULL)
			abort();
		if (strchr(entry, '$') != NULL) {
			char *x = expand_dst(entry, origin, machine);

			ak_strvec_push(out, x);
			free(x);
		} else if (with_plain && n > 0) {
			ak_strvec_push(out, entry);
		}
		free(entry);
		p = colon ? colon + 1 : NULL;
	}
}

/* Look for `name` in `dir` of the root; *as gets the path the loader would
 * name it by (the unresolved candidate, as in its error messages). */
static struct ak_dso *try_dir(struct run *run, const char *dir, const char *name, char **as)
{
	struct ak_world *w = run->w;
	size_t n = strlen(dir) + strlen(name) + 2;
	char *cand = ak_xmalloc(n), *resolved, *host;
	struct ak_dso *d = NULL;
	struct ak_err err;
	struct stat st;

	snprintf(cand, n, "%s%s%s", dir, dir[0] && dir[strlen(dir) - 1] != '/' ? "/" : "", name);
	resolved = ak_rootfs_resolve(&w->root, cand);
	if (resolved == NULL) {
		free(cand);
		return NULL;
	}
	host = ak_rootfs_host_path(&w->root, resolved);
	if (stat(host, &st) == 0 && S_ISREG(st.st_mode)) {
		d = ak_world_load(w, host, resolved, &err);
		/* The loader passes over files of another class or machine. */
		if (d != NULL && (d->elf.machine != run->top->machine || d->elf.elfclass != run->top->elfclass ||
				  d->elf.unsupported != NULL))
			d = NULL;
	}
	free(host);
	free(resolved);
	if (d != NULL && as != NULL) {
		free(*as);
		*as = ak_xstrdup(cand);
	}
	free(cand);
	return d;
}

static struct ak_dso *search_path(struct run *run, const char *list, const struct obj *o,
				  const char *name, char **as)
{
	char *copy, *save = NULL;
	struct ak_dso *d = NULL;

	if (list == NULL)
		return NULL;
	copy = ak_xstrdup(list);
	for (char *e = strtok_r(copy, ":", &save); e && !d; e = strtok_r(NULL, ":", &save)) {
		char *dir = expand_dst(e, o->origin ? o->origin : "/", run->top->machine);

		d = try_dir(run, dir, name, as);
		free(dir);
	}
	free(copy);
	return d;
}

static char *dir_of(const char *path)
{
	char *d = ak_xstrdup(path), *slash = strrchr(d, '/');

	if (slash == d)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		strcpy(d, ".");
	return d;
}

static void need_root_world(struct run *run, size_t from, const char *name)
{
	struct ak_world *w = run->w;
	const struct obj *o = &run->objs[from];
	const struct ak_elf *exe = run->objs[0].elf;
	struct ak_dso *d = NULL;
	struct obj *n;
	char *as = NULL;

	if (strchr(name, '/')) {
		/* The loader expands $ORIGIN and the other tokens in a DT_NEEDED
		 * path too ("$ORIGIN/libabikit-compat.so.1", as abikit shim writes). */
		char *x = strchr(name, '$') ? expand_dst(name, o->origin ? o->origin : "/", run->top->machine) : NULL;

		d = try_dir(run, "", x ? x : name, &as);
		free(x);
	} else {
		if (o->elf->runpath == NULL) {
			d = search_path(run, o->elf->rpath, o, name, &as);
			if (!d && from != 0 && exe->runpath == NULL)
				d = search_path(run, exe->rpath, &run->objs[0], name, &as);
		}
		if (!d)
			d = search_path(run, o->elf->runpath, o, name, &as);
		for (size_t i = 0; !d && i < w->root.conf_dirs.n; i++)
			d = try_dir(run, w->root.conf_dirs.v[i], name, &as);
		for (const char *const *dir = ak_rootfs_default_dirs(run->top->machine); !d && *dir; dir++)
			d = try_dir(run, *dir, name, &as);
	}
	if (d == NULL) {
		problem(run, AK_PB_MISSING_LIBRARY, true, name, NULL, NULL, o->display,
			"%s: cannot open shared object file: No such file or directory (needed by %s)",
			name, o->display);
		return;
	}
	/* Two names for one file (a NEEDED path and a soname) load it once. */
	for (size_t i = 0; i < run->nobjs; i++)
		if (run->objs[i].dso == d) {
			free(as);
			return;
		}
	n = add_obj(run, name, as);
	n->shown = as;
	n->elf = &d->elf;
	n->dso = d;
	n->judged = true;
	/* $ORIGIN is the directory of the name the loader opened. */
	n->origin = dir_of(as);
}

/* In a root, the top file's $ORIGIN is its place inside the root when it
 * lies there. */
static char *top_origin(struct ak_world *w, const char *path)
{
	size_t n = strlen(w->root.root);
	char *dir = dir_of(path);

	if (n > 0 && strncmp(dir, w->root.root, n) == 0 && (dir[n] == '/' || dir[n] == '\0')) {
		char *inside = ak_xstrdup(dir[n] ? dir + n : "/");

		free(dir);
		return inside;
	}
	return dir;
}

static bool not_judged(struct run *run, const struct ak_elf *m)
{
	struct ak_check_result *r = run->r;
	char why[256];

	why[0] = '\0';
	if (m->unsupported)
		snprintf(why, sizeof why, "unsupported: %s (%s, %s)", m->unsupported,
			 m->elfclass == ELFCLASS32 ? "ELF32" : "ELF64", ak_machine_name(m->machine));
	else if (m->libc == AK_LIBC_MUSL)
		snprintf(why, sizeof why, "musl binary (interpreter %s): not judged against glibc",
			 m->interp ? m->interp : "none");
	else if (m->kind == AK_KIND_STATIC || m->kind == AK_KIND_STATIC_PIE)
		snprintf(why, sizeof why, "%s: loads no shared libraries%s", ak_kind_name(m->kind),
			 m->static_glibc ? " (static glibc: NSS, iconv and dlopen still need a matching glibc at run time)" : "");
	else if (m->kind == AK_KIND_RELOC || m->kind == AK_KIND_CORE || m->kind == AK_KIND_OTHER)
		snprintf(why, sizeof why, "%s file: not loadable", ak_kind_name(m->kind));
	else if (!m->has_dynamic)
		snprintf(why, sizeof why, "no dynamic section: not loadable");
	else if (run->w->mode == AK_WORLD_LIBC && m->machine != run->w->libc.machine)
		snprintf(why, sizeof why, "built for %s, the libc is %s", ak_machine_name(m->machine),
			 ak_machine_name(run->w->libc.machine));
	if (why[0] == '\0')
		return false;
	r->verdict = AK_VERDICT_NOT_JUDGED;
	r->not_judged_why = ak_xstrdup(why);
	return true;
}

static bool scope_defines(struct run *run, const char *sym, const char *version)
{
	uint32_t mask = 0;

	if (run->w->mode == AK_WORLD_GLIBC) {
		for (size_t i = 0; i < run->nobjs; i++)
			if (run->objs[i].judged && run->objs[i].dblib >= 0)
				mask |= 1u << run->objs[i].dblib;
		return (ak_abidb_symbol_libs((enum ak_arch)run->arch, run->w->rel, sym, version) & mask) != 0;
	}
	for (size_t i = 0; i < run->nobjs; i++)
		if (run->objs[i].dso && ak_dso_defines(run->objs[i].dso, sym, version))
			return true;
	return false;
}

static void check_versions(struct run *run, const struct obj *o)
{
	const struct ak_elf *m = o->elf;

	for (size_t i = 0; i < m->nvneeds; i++) {
		const struct ak_vneed *vn = &m->vneeds[i];
		struct obj *t = find_obj(run, vn->file);
		bool has;

		if (t == NULL || !t->judged)
			continue;
		if (t->elf != NULL) {
			if (t->elf->nvdefs == 0) {
				problem(run, AK_PB_NO_VERSION_INFO, false, t->display, vn->name, NULL, o->display,
					"%s: no version information available (required by %s)", t->display, o->display);
				continue;
			}
			has = ak_dso_has_node(t->dso, vn->name);
		} else if (strcmp(vn->name, "GLIBC_PRIVATE") == 0) {
			/* glibc's own tools bind to internals of their exact build;
			 * the published ABI lists do not describe them. */
			problem(run, AK_PB_PRIVATE_VERSION, false, t->display, vn->name, NULL, o->display,
				"%s: needs GLIBC_PRIVATE of %s, which only the glibc build it came from provides (not judged from the database)",
				o->display, t->display);
			continue;
		} else {
			has = ak_abidb_has_node((enum ak_arch)run->arch, run->w->rel, t->dblib, vn->name);
		}
		if (has)
			continue;
		if (vn->flags & VER_FLG_WEAK)
			problem(run, AK_PB_WEAK_VERSION, false, t->display, vn->name, NULL, o->display,
				"%s: weak version `%s' not found (required by %s)", t->display, vn->name, o->display);
		else
			problem(run, AK_PB_MISSING_VERSION, true, t->display, vn->name, NULL, o->display,
				"%s: version `%s' not found (required by %s)", t->display, vn->name, o->display);
	}
	for (size_t i = 0; i < m->nundef; i++) {
		const struct ak_sym *s = &m->syms[i];
		struct obj *t;

		if (s->version == NULL || s->file == NULL)
			continue;
		t = find_obj(run, s->file);
		if (t == NULL || !t->judged || (t->elf != NULL && t->elf->nvdefs == 0))
			continue;
		if (t->elf == NULL && strcmp(s->version, "GLIBC_PRIVATE") == 0)
			continue;
		if (scope_defines(run, s->name, s->version) || s->bind == STB_WEAK)
			continue;
		problem(run, AK_PB_MISSING_SYMBOL, true, t->display, s->version, s->name, o->display,
			"%s: undefined symbol: %s, version %s", o->display, s->name, s->version);
	}
}

void ak_check(struct ak_world *w, const struct ak_elf *m, struct ak_check_result *r)
{
	struct run run;
	struct obj *top;

	memset(r, 0, sizeof *r);
	memset(&run, 0, sizeof run);
	run.w = w;
	run.top = m;
	run.r = r;
	r->verdict = AK_VERDICT_OK;
	if (not_judged(&run, m))
		return;
	run.arch = ak_arch_from_machine(m->machine);
	top = add_obj(&run, m->soname ? m->soname : m->path, m->path);
	top->elf = m;
	top->judged = true;

	if (w->mode == AK_WORLD_ROOT) {
		top->origin = top_origin(w, m->path);
		if (m->interp != NULL && ak_elf_is_executable(m)) {
			char *as = NULL;
			struct ak_dso *ld = try_dir(&run, "", m->interp, &as);

			if (ld == NULL) {
				problem(&run, AK_PB_MISSING_INTERP, true, m->interp, NULL, NULL, m->path,
					"%s: cannot execute: interpreter %s not found in the root (No such file or directory)",
					m->path, m->interp);
			} else {
				struct obj *o = add_obj(&run, ld->name, as);

				o->shown = as;
				o->elf = &ld->elf;
				o->dso = ld;
				o->judged = true;
				o->origin = dir_of(as);
			}
		}
		/* Breadth first, like the loader; objects append as found. */
		for (size_t i = 0; i < run.nobjs; i++) {
			if (run.objs[i].elf == NULL)
				continue;
			for (size_t j = 0; j < run.objs[i].elf->nneeded; j++) {
				const char *name = run.objs[i].elf->needed[j];

				if (find_obj(&run, name) == NULL)
					need_root_world(&run, i, name);
			}
		}
		for (size_t i = 0; i < run.nobjs; i++)
			if (run.objs[i].elf != NULL)
				check_versions(&run, &run.objs[i]);
	} else {
		static const char *const implied[] = { "libc.so.6", NULL };

		for (size_t j = 0; j < m->nneeded; j++)
			if (find_obj(&run, m->needed[j]) == NULL)
				need_glibc_world(&run, m->needed[j]);
		/* Every glibc process has libc and the dynamic linker in scope. */
		for (size_t j = 0; implied[j]; j++)
			if (find_obj(&run, implied[j]) == NULL)
				need_glibc_world(&run, implied[j]);
		{
			const char *ld = ak_abidb_lib_soname((enum ak_arch)run.arch, 0);
			int ldid = -1;

			for (int k = 0; k < ak_abidb_lib_count(); k++) {
				const char *so = ak_abidb_lib_soname((enum ak_arch)run.arch, k);

				if (so && strncmp(so, "ld-", 3) == 0) {
					ld = so;
					ldid = k;
				}
			}
			if (ldid >= 0 && find_obj(&run, ld) == NULL)
				need_glibc_world(&run, ld);
		}
		check_versions(&run, top);
	}
	for (size_t i = 1; i < run.nobjs; i++) {
		struct ak_loaded *l;

		if (run.objs[i].elf == NULL)
			continue;
		ak_grow((void **)&r->loaded, &r->caploaded, r->nloaded + 1, sizeof *r->loaded);
		l = &r->loaded[r->nloaded++];
		l->name = ak_xstrdup(run.objs[i].name);
		l->path = ak_xstrdup(run.objs[i].display);
		l->file = ak_xstrdup(run.objs[i].dso ? run.objs[i].dso->path : run.objs[i].display);
	}
	for (size_t i = 0; i < run.nobjs; i++) {
		free(run.objs[i].origin);
		free(run.objs[i].shown);
	}
	free(run.objs);
}

void ak_check_result_free(struct ak_check_result *r)
{
	for (size_t i = 0; i < r->nproblems; i++) {
		free(r->problems[i].library);
		free(r->problems[i].version);
		free(r->problems[i].symbol);
		free(r->problems[i].required_by);
		free(r->problems[i].message);
	}
	for (size_t i = 0; i < r->nunchecked; i++) {
		free(r->unchecked[i].library);
		free(r->unchecked[i].why);
	}
	for (size_t i = 0; i < r->nloaded; i++) {
		free(r->loaded[i].name);
		free(r->loaded[i].path);
		free(r->loaded[i].file);
	}
	free(r->problems);
	free(r->unchecked);
	free(r->loaded);
	free(r->not_judged_why);
	memset(r, 0, sizeof *r);
}
