/* abikit scan: what ELF files need. */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "elfmodel.h"
#include "glibcver.h"
#include "json.h"
#include "report.h"
#include "walk.h"

void usage_scan(FILE *out)
{
	fputs("usage: abikit scan [--json] [--long] [--recursive] [--verbose] PATH...\n"
	      "\n"
	      "Read every ELF file named (directories: their entries; with --recursive,\n"
	      "their whole tree) and show what each needs at load time: its type,\n"
	      "interpreter (PT_INTERP), SONAME, NEEDED libraries, DT_RPATH / DT_RUNPATH,\n"
	      "flags, the glibc symbol versions it needs per library and per symbol, and\n"
	      "the highest glibc release those imply. Then the same for the whole set:\n"
	      "\"this set needs glibc >= 2.38: 14 files, because of __isoc23_strtol ...\".\n"
	      "\n"
	      "Options:\n"
	      "  -j, --json        machine-readable output, everything included\n"
	      "                    (schema: doc/json-schema.md, \"abikit\": \"scan\", schema 1)\n"
	      "  -l, --long        after each file's row, its full detail: libraries,\n"
	      "                    search paths, version needs and every undefined symbol\n"
	      "  -r, --recursive   descend into subdirectories (symlink loops are walked once)\n"
	      "  -v, --verbose     also say which files were skipped and why\n"
	      "  -h, --help        this help\n"
	      "\n"
	      "The table: TYPE (executable, pie, shared-library, static-executable,\n"
	      "static-pie, ...), MACHINE, GLIBC (highest release needed, '-' for none),\n"
	      "FLAGS, FILE. FLAGS letters:\n"
	      "  N  bind now (DF_BIND_NOW / DF_1_NOW)     R  has DT_RPATH\n"
	      "  O  $ORIGIN processing (DF_ORIGIN)        U  has DT_RUNPATH\n"
	      "  X  executable stack                      P  needs GLIBC_PRIVATE (tied to one build)\n"
	      "  S  static glibc: NSS, iconv and dlopen inside it need a matching glibc at run time\n"
	      "  M  musl-linked (not judged against glibc)   ?  unsupported ELF (32-bit, big-endian,\n"
	      "     another machine): only x86_64 and aarch64 ELF64 little-endian are read\n"
	      "\n"
	      "Files that are not ELF are skipped silently inside directories (--verbose\n"
	      "names them) and are errors when named directly. Unreadable or corrupt files\n"
	      "get one line on stderr each; the scan goes on.\n"
	      "\n"
	      "Exit status: 0, or 2 when some input could not be read.\n"
	      "\n"
	      "Example: abikit scan -r /opt/app    abikit scan --json -l /usr/bin/jq\n", out);
}

struct scan {
	bool json, longfmt, verbose;
	struct ak_json j;
	size_t files, errors, nonelf, unsupported, statics, static_glibc, musl;
	struct ak_ver max;
	size_t files_at_max;
	struct ak_tally max_syms;        /* symbols behind the set's highest need */
	struct ak_strvec error_lines;    /* for --json */
	struct ak_strvec error_paths;
};

static void flags_letters(const struct ak_elf *m, const struct ak_need *need, char *buf)
{
	char *p = buf;

	if (m->unsupported)
		*p++ = '?';
	if (ak_elf_bind_now(m))
		*p++ = 'N';
	if ((m->dt_flags & DF_ORIGIN) || (m->dt_flags_1 & DF_1_ORIGIN))
		*p++ = 'O';
	if (m->rpath)
		*p++ = 'R';
	if (m->runpath)
		*p++ = 'U';
	if (m->execstack)
		*p++ = 'X';
	if (need->uses_private)
		*p++ = 'P';
	if (m->static_glibc)
		*p++ = 'S';
	if (m->libc == AK_LIBC_MUSL)
		*p++ = 'M';
	if (p == buf)
		*p++ = '-';
	*p = '\0';
}

/* Undefined symbols grouped by library and version, for --long. */
static void print_symbols(const struct ak_elf *m)
{
	bool *done = ak_xcalloc(m->nundef ? m->nundef : 1, sizeof *done);

	for (size_t i = 0; i < m->nundef; i++) {
		const struct ak_sym *s = &m->syms[i];
		size_t col;

		if (done[i])
			continue;
		col = (size_t)printf("    %s %s:", s->file ? s->file : "(any)", s->version ? s->version : "(unversioned)");
		for (size_t k = i; k < m->nundef; k++) {
			const struct ak_sym *t = &m->syms[k];

			if (done[k] || (t->version == NULL) != (s->version == NULL) ||
			    (t->version && strcmp(t->version, s->version) != 0) ||
			    (t->file == NULL) != (s->file == NULL) || (t->file && strcmp(t->file, s->file) != 0))
				continue;
			done[k] = true;
			if (col + strlen(t->name) + 1 > 78) {
				fputs("\n     ", stdout);
				col = 5;
			}
			col += (size_t)printf(" %s%s", t->name, t->bind == STB_WEAK ? "(weak)" : "");
		}
		putchar('\n');
	}
	free(done);
}

static void print_long(const struct ak_elf *m, const struct ak_need *need)
{
	struct ak_sbuf b = { NULL, 0, 0 };
	char vbuf[32];

	if (m->unsupported) {
		printf("  unsupported: %s (%s, %s); nothing more is read\n", m->unsupported,
		       m->elfclass == ELFCLASS32 ? "ELF32" : "ELF64", ak_machine_name(m->machine));
		return;
	}
	printf("  class: ELF64  libc: %s  execstack: %s\n", ak_libc_name(m->libc), m->execstack ? "yes" : "no");
	if (m->interp)
		printf("  interpreter: %s\n", m->interp);
	if (m->soname)
		printf("  soname: %s\n", m->soname);
	if (m->nneeded) {
		fputs("  needed:", stdout);
		for (size_t i = 0; i < m->nneeded; i++)
			printf(" %s", m->needed[i]);
		putchar('\n');
	}
	if (m->rpath)
		printf("  rpath (DT_RPATH): %s\n", m->rpath);
	if (m->runpath)
		printf("  runpath (DT_RUNPATH): %s\n", m->runpath);
	if (m->dt_flags) {
		ak_dt_flags_names(m->dt_flags, &b);
		printf("  flags: %s\n", b.s);
		b.len = 0;
	}
	if (m->dt_flags_1) {
		ak_dt_flags_1_names(m->dt_flags_1, &b);
		printf("  flags_1: %s\n", b.s);
	}
	ak_sbuf_free(&b);
	if (m->static_glibc)
		printf("  static glibc: NSS, iconv and dlopen need a matching glibc at run time%s\n",
		       m->machine == EM_AARCH64 ? "; -static -pthread is known to break on aarch64" : "");
	if (need->node) {
		printf("  needs glibc >= %s (%s) because of:", ak_ver_format(&need->ver, vbuf, sizeof vbuf), need->node);
		for (size_t i = 0; i < need->nsyms; i++)
			printf(" %s", need->syms[i]);
		putchar('\n');
	}
	if (m->nvneeds) {
		fputs("  version needs:\n", stdout);
		for (size_t i = 0; i < m->nvneeds; i++) {
			if (i > 0 && strcmp(m->vneeds[i - 1].file, m->vneeds[i].file) == 0)
				continue;
			printf("    %s:", m->vneeds[i].file);
			for (size_t k = i; k < m->nvneeds && strcmp(m->vneeds[k].file, m->vneeds[i].file) == 0; k++)
				printf(" %s%s", m->vneeds[k].name, m->vneeds[k].flags & VER_FLG_WEAK ? "(weak)" : "");
			putchar('\n');
		}
	}
	if (m->nundef) {
		printf("  undefined symbols (%zu):\n", m->nundef);
		print_symbols(m);
	}
}

static void json_file(struct ak_json *j, const struct ak_elf *m, const struct ak_need *need)
{
	struct ak_sbuf b = { NULL, 0, 0 };
	char vbuf[32];

	ak_json_obj_begin(j);
	ak_json_kstr(j, "path", m->path);
	ak_json_kstr(j, "type", ak_kind_name(m->kind));
	ak_json_kstr(j, "class", m->elfclass == ELFCLASS32 ? "ELF32" : "ELF64");
	ak_json_kstr(j, "byte_order", m->data == ELFDATA2MSB ? "big-endian" : "little-endian");
	ak_json_kstr(j, "machine", ak_machine_name(m->machine));
	ak_json_kstr(j, "unsupported", m->unsupported);
	ak_json_kstr(j, "libc", ak_libc_name(m->libc));
	if (m->unsupported) {
		ak_json_obj_end(j);
		return;
	}
	ak_json_kstr(j, "interpreter", m->interp);
	ak_json_kstr(j, "soname", m->soname);
	ak_json_key(j, "needed");
	ak_json_arr_begin(j);
	for (size_t i = 0; i < m->nneeded; i++)
		ak_json_str(j, m->needed[i]);
	ak_json_arr_end(j);
	ak_json_path_list(j, "rpath", m->rpath);
	ak_json_path_list(j, "runpath", m->runpath);
	ak_dt_flags_names(m->dt_flags, &b);
	ak_json_flag_array(j, "flags", b.s);
	b.len = 0;
	ak_dt_flags_1_names(m->dt_flags_1, &b);
	ak_json_flag_array(j, "flags_1", b.s);
	ak_sbuf_free(&b);
	ak_json_kbool(j, "bind_now", ak_elf_bind_now(m));
	ak_json_kbool(j, "execstack", m->execstack);
	ak_json_kbool(j, "static_glibc", m->static_glibc);
	ak_json_kbool(j, "glibc_private", need->uses_private);
	ak_json_kstr(j, "needs_glibc", need->node ? ak_ver_format(&need->ver, vbuf, sizeof vbuf) : NULL);
	ak_json_kstr(j, "needs_glibc_node", need->node);
	ak_json_key(j, "needs_glibc_symbols");
	ak_json_arr_begin(j);
	for (size_t i = 0; i < need->nsyms; i++)
		ak_json_str(j, need->syms[i]);
	ak_json_arr_end(j);
	ak_json_key(j, "version_needs");
	ak_json_arr_begin(j);
	for (size_t i = 0; i < m->nvneeds; i++) {
		if (i > 0 && strcmp(m->vneeds[i - 1].file, m->vneeds[i].file) == 0)
			continue;
		ak_json_obj_begin(j);
		ak_json_kstr(j, "library", m->vneeds[i].file);
		ak_json_key(j, "versions");
		ak_json_arr_begin(j);
		for (size_t k = i; k < m->nvneeds && strcmp(m->vneeds[k].file, m->vneeds[i].file) == 0; k++) {
			ak_json_obj_begin(j);
			ak_json_kstr(j, "name", m->vneeds[k].name);
			ak_json_kbool(j, "weak", (m->vneeds[k].flags & VER_FLG_WEAK) != 0);
			ak_json_obj_end(j);
		}
		ak_json_arr_end(j);
		ak_json_obj_end(j);
	}
	ak_json_arr_end(j);
	ak_json_key(j, "symbols");
	ak_json_arr_begin(j);
	for (size_t i = 0; i < m->nundef; i++) {
		const struct ak_sym *s = &m->syms[i];

		ak_json_obj_begin(j);
		ak_json_kstr(j, "name", s->name);
		ak_json_kstr(j, "library", s->file);
		ak_json_kstr(j, "version", s->version);
		ak_json_kbool(j, "weak", s->bind == STB_WEAK);
		ak_json_obj_end(j);
	}
	ak_json_arr_end(j);
	ak_json_obj_end(j);
}

static void scan_walk_error(const char *path, const char *msg, void *ctx)
{
	struct scan *s = ctx;

	if (s->json) {
		ak_strvec_push(&s->error_paths, path);
		ak_strvec_push(&s->error_lines, msg);
	}
}

static void scan_error(struct scan *s, const char *path, const struct ak_err *err)
{
	ak_report(err);
	s->errors++;
	if (s->json) {
		ak_strvec_push(&s->error_paths, path);
		ak_strvec_push(&s->error_lines, err->msg);
	}
}

static void scan_one(const char *path, bool explicit, void *ctx)
{
	struct scan *s = ctx;
	struct ak_elf m;
	struct ak_need need;
	struct ak_err err;
	int rc = ak_elf_open(&m, path, AK_READ_UNDEF, &err);
	char vbuf[32], flags[16];

	if (rc == AK_NOT_ELF && !explicit) {
		s->nonelf++;
		if (s->verbose)
			ak_warn("%s: not ELF, skipped", path);
		return;
	}
	if (rc != 0) {
		scan_error(s, path, &err);
		return;
	}
	s->files++;
	ak_need_compute(&m, &need);
	if (m.unsupported)
		s->unsupported++;
	if (m.kind == AK_KIND_STATIC || m.kind == AK_KIND_STATIC_PIE)
		s->statics++;
	if (m.static_glibc)
		s->static_glibc++;
	if (m.libc == AK_LIBC_MUSL)
		s->musl++;
	if (need.node) {
		int c = ak_ver_cmp(&need.ver, &s->max);

		if (c > 0) {
			s->max = need.ver;
			s->files_at_max = 0;
			ak_tally_free(&s->max_syms);
		}
		if (c >= 0) {
			s->files_at_max++;
			for (size_t i = 0; i < need.nsyms; i++)
				ak_tally_add(&s->max_syms, need.syms[i]);
		}
	}
	if (s->json) {
		json_file(&s->j, &m, &need);
	} else {
		flags_letters(&m, &need, flags);
		printf("%-17s %-7s %-6s %-5s %s\n", ak_kind_name(m.kind), ak_machine_name(m.machine),
		       need.node ? ak_ver_format(&need.ver, vbuf, sizeof vbuf) : "-", flags, path);
		if (s->longfmt)
			print_long(&m, &need);
	}
	ak_need_free(&need);
	ak_elf_close(&m);
}

static void print_summary(struct scan *s)
{
	char vbuf[32];

	printf("\n%zu ELF file%s", s->files, s->files == 1 ? "" : "s");
	if (s->statics)
		printf(", %zu static (%zu with static glibc)", s->statics, s->static_glibc);
	if (s->musl)
		printf(", %zu musl", s->musl);
	if (s->unsupported)
		printf(", %zu unsupported", s->unsupported);
	if (s->nonelf)
		printf("; %zu non-ELF file%s skipped", s->nonelf, s->nonelf == 1 ? "" : "s");
	if (s->errors)
		printf("; %zu unreadable", s->errors);
	printf(".\n");
	if (s->files_at_max == 0) {
		printf("This set needs no versioned glibc symbols.\n");
	} else {
		printf("This set needs glibc >= %s: %zu file%s, because of", ak_ver_format(&s->max, vbuf, sizeof vbuf),
		       s->files_at_max, s->files_at_max == 1 ? "" : "s");
		ak_tally_sort(&s->max_syms);
		for (size_t i = 0; i < s->max_syms.n && i < 8; i++)
			printf("%s %s (%zu)", i ? "," : "", s->max_syms.v[i].name, s->max_syms.v[i].count);
		if (s->max_syms.n > 8)
			printf(", and %zu more", s->max_syms.n - 8);
		printf(".\n");
	}
	if (s->static_glibc)
		printf("Static glibc inside %zu file%s: NSS, iconv and dlopen there need a matching glibc at run time.\n",
		       s->static_glibc, s->static_glibc == 1 ? "" : "s");
}

static void json_summary(struct scan *s)
{
	char vbuf[32];

	ak_json_arr_end(&s->j);
	ak_json_key(&s->j, "errors");
	ak_json_arr_begin(&s->j);
	for (size_t i = 0; i < s->error_lines.n; i++) {
		ak_json_obj_begin(&s->j);
		ak_json_kstr(&s->j, "path", s->error_paths.v[i]);
		ak_json_kstr(&s->j, "error", s->error_lines.v[i]);
		ak_json_obj_end(&s->j);
	}
	ak_json_arr_end(&s->j);
	ak_json_key(&s->j, "summary");
	ak_json_obj_begin(&s->j);
	ak_json_kint(&s->j, "files", (long long)s->files);
	ak_json_kint(&s->j, "errors", (long long)s->errors);
	ak_json_kint(&s->j, "skipped_non_elf", (long long)s->nonelf);
	ak_json_kint(&s->j, "unsupported", (long long)s->unsupported);
	ak_json_kint(&s->j, "static", (long long)s->statics);
	ak_json_kint(&s->j, "static_glibc", (long long)s->static_glibc);
	ak_json_kint(&s->j, "musl", (long long)s->musl);
	ak_json_kstr(&s->j, "needs_glibc", s->files_at_max ? ak_ver_format(&s->max, vbuf, sizeof vbuf) : NULL);
	ak_json_kint(&s->j, "files_at_max", (long long)s->files_at_max);
	ak_json_key(&s->j, "symbols_at_max");
	ak_json_arr_begin(&s->j);
	ak_tally_sort(&s->max_syms);
	for (size_t i = 0; i < s->max_syms.n; i++) {
		ak_json_obj_begin(&s->j);
		ak_json_kstr(&s->j, "name", s->max_syms.v[i].name);
		ak_json_kint(&s->j, "files", (long long)s->max_syms.v[i].count);
		ak_json_obj_end(&s->j);
	}
	ak_json_arr_end(&s->j);
	ak_json_obj_end(&s->j);
	ak_json_obj_end(&s->j);
	ak_json_end(&s->j);
}

int cmd_scan(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "long", no_argument, NULL, 'l' },
		{ "recursive", no_argument, NULL, 'r' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct ak_walk_opts wo = { false, false, NULL };
	struct scan s;
	int c;

	memset(&s, 0, sizeof s);
	optind = 1;
	while ((c = getopt_long(argc, argv, "jlrvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': s.json = true; break;
		case 'l': s.longfmt = true; break;
		case 'r': wo.recursive = true; break;
		case 'v': s.verbose = wo.verbose = true; break;
		case 'h': usage_scan(stdout); return AK_EXIT_OK;
		default: return ak_usage_error("scan", "unknown option");
		}
	}
	if (optind >= argc)
		return ak_usage_error("scan", "no PATH given");
	if (s.json) {
		ak_json_init(&s.j, stdout);
		ak_json_obj_begin(&s.j);
		ak_json_kstr(&s.j, "abikit", "scan");
		ak_json_kint(&s.j, "schema", 1);
		ak_json_key(&s.j, "files");
		ak_json_arr_begin(&s.j);
	} else {
		printf("%-17s %-7s %-6s %-5s %s\n", "TYPE", "MACHINE", "GLIBC", "FLAGS", "FILE");
	}
	wo.on_error = scan_walk_error;
	s.errors += ak_walk(argv + optind, (size_t)(argc - optind), &wo, scan_one, &s);
	if (s.json) {
		/* Walk errors (unreadable directories...) were printed on stderr. */
		json_summary(&s);
	} else {
		print_summary(&s);
	}
	ak_tally_free(&s.max_syms);
	ak_strvec_free(&s.error_lines);
	ak_strvec_free(&s.error_paths);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		ak_warn("scan: cannot write output");
		return AK_EXIT_ERROR;
	}
	return s.errors ? AK_EXIT_ERROR : AK_EXIT_OK;
}
