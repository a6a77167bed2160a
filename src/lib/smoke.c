#include <config.h>

#include "smoke.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "fsutil.h"
#include "spawn.h"

/* One program, one test per argument. Each test prints "ok" or a reason;
 * "libc" prints the version of the libc really loaded and where it is, so
 * a runtime that silently falls back to the system's libc is caught. */
static const char smoke_source[] =
	"#define _GNU_SOURCE\n"
	"#include <dlfcn.h>\n#include <gnu/libc-version.h>\n#include <iconv.h>\n#include <locale.h>\n"
	"#include <netdb.h>\n#include <pthread.h>\n#include <pwd.h>\n#include <stdio.h>\n#include <string.h>\n"
	"#include <wchar.h>\n#include <link.h>\n"
	"static void *worker(void *p) { *(int *)p += 41; return p; }\n"
	"static int where(struct dl_phdr_info *i, size_t n, void *d) {\n"
	"  (void)n; if (strstr(i->dlpi_name, \"libc.so.6\")) { snprintf(d, 4096, \"%s\", i->dlpi_name); return 1; } return 0; }\n"
	"static int module(struct dl_phdr_info *i, size_t n, void *d) {\n"
	"  (void)n; if (strstr(i->dlpi_name, \"CP1252.so\")) { snprintf(d, 4096, \"%s\", i->dlpi_name); return 1; } return 0; }\n"
	"int main(int argc, char **argv) {\n"
	"  const char *t = argc > 1 ? argv[1] : \"hello\";\n"
	"  if (!strcmp(t, \"hello\")) { puts(\"ok\"); return 0; }\n"
	"  if (!strcmp(t, \"libc\")) { char d[4096] = \"?\"; dl_iterate_phdr(where, d); printf(\"%s %s\\n\", gnu_get_libc_version(), d); return 0; }\n"
	"  if (!strcmp(t, \"threads\")) { pthread_t th; int v = 1; void *r;\n"
	"    if (pthread_create(&th, NULL, worker, &v) || pthread_join(th, &r) || v != 42) { puts(\"pthread_create/join failed\"); return 1; }\n"
	"    puts(\"ok\"); return 0; }\n"
	"  if (!strcmp(t, \"dlopen\")) { void *h = dlopen(\"libm.so.6\", RTLD_NOW); Dl_info di; double (*c)(double);\n"
	"    if (!h) { printf(\"dlopen libm.so.6: %s\\n\", dlerror()); return 1; }\n"
	"    c = (double (*)(double))dlsym(h, \"cos\"); if (!c || c(0.0) != 1.0) { puts(\"cos from libm wrong\"); return 1; }\n"
	"    if (!dladdr((void *)c, &di)) { puts(\"dladdr failed\"); return 1; }\n"
	"    printf(\"ok %s\\n\", di.dli_fname); return 0; }\n"
	"  if (!strcmp(t, \"iconv\")) { iconv_t cd = iconv_open(\"WINDOWS-1252\", \"UTF-8\"); char in[] = \"\\xe2\\x82\\xac\", out[8] = {0};\n"
	"    char *ip = in, *op = out; size_t il = 3, ol = sizeof out;\n"
	"    if (cd == (iconv_t)-1) { perror(\"iconv_open WINDOWS-1252 (a gconv module)\"); return 1; }\n"
	"    if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1 || (unsigned char)out[0] != 0x80) { puts(\"iconv UTF-8 -> WINDOWS-1252 wrong\"); return 1; }\n"
	"    { char d[4096] = \"(builtin)\"; dl_iterate_phdr(module, d); printf(\"ok %s\\n\", d); }\n"
	"    iconv_close(cd); return 0; }\n"
	"  if (!strcmp(t, \"nss\")) { struct passwd *pw = getpwnam(\"root\"); struct addrinfo *ai = NULL;\n"
	"    if (!pw || pw->pw_uid != 0) { puts(\"getpwnam(root) through NSS failed\"); return 1; }\n"
	"    if (getaddrinfo(\"localhost\", NULL, NULL, &ai) != 0) { puts(\"getaddrinfo(localhost) failed\"); return 1; }\n"
	"    freeaddrinfo(ai); puts(\"ok\"); return 0; }\n"
	"  if (!strcmp(t, \"locale\")) { wchar_t w; mbstate_t st; memset(&st, 0, sizeof st);\n"
	"    if (!setlocale(LC_ALL, \"C.UTF-8\")) { puts(\"setlocale C.UTF-8 failed\"); return 1; }\n"
	"    if (mbrtowc(&w, \"\\xc3\\xa9\", 2, &st) != 2 || w != 0xe9) { puts(\"C.UTF-8 does not decode UTF-8\"); return 1; }\n"
	"    puts(\"ok\"); return 0; }\n"
	"  printf(\"unknown test %s\\n\", t); return 2; }\n";

static const char *const tests[] = { "hello", "threads", "dlopen", "iconv", "nss", "locale", NULL };

/* Run `prog test` with the runtime; output (one line) into out. */
static int run_with(const char *prefix, const struct ak_manifest *m, const char *prog, const char *test,
		    const char *log, char *out, size_t outsize, struct ak_err *err)
{
	char *ldso = ak_path_join(prefix, ak_manifest_get(m, "ld_so"));
	char *libdir = ak_path_join(prefix, "lib");
	char *outfile = ak_path_join(log, "");
	const char *argv[8];
	char *env[4];
	int n = 0, ne = 0, rc;
	struct ak_spawn sp;
	char *text;
	size_t len;

	free(outfile);
	outfile = ak_xmalloc(strlen(log) + 8);
	sprintf(outfile, "%s.out", log);
	unlink(outfile);
	argv[n++] = ldso;
	/* Harvested loaders have the distro's paths compiled in; keep them
	 * away from the host's cache and directories. */
	argv[n++] = "--inhibit-cache";
	argv[n++] = "--library-path";
	argv[n++] = libdir;
	argv[n++] = prog;
	argv[n++] = test;
	argv[n] = NULL;
	env[ne] = ak_xmalloc(strlen(prefix) + 32);
	sprintf(env[ne++], "GCONV_PATH=%s/lib/gconv", prefix);
	env[ne] = ak_xmalloc(strlen(prefix) + 32);
	sprintf(env[ne++], "LOCPATH=%s/lib/locale", prefix);
	env[ne] = NULL;
	memset(&sp, 0, sizeof sp);
	sp.argv = argv;
	sp.log = outfile;
	sp.env = (const char *const *)env;
	sp.phase = test;
	rc = ak_spawn_run(&sp, err);
	text = ak_read_file(outfile, &len, NULL);
	out[0] = '\0';
	if (text) {
		/* Skip the log's own header line. */
		char *body = strstr(text, "\n###");
		char *nl;

		body = body ? strchr(body + 1, '\n') : text;
		body = body ? body + 1 : text;
		nl = strchr(body, '\n');
		if (nl)
			*nl = '\0';
		snprintf(out, outsize, "%s", body);
		free(text);
	}
	unlink(outfile);
	free(outfile);
	free(ldso);
	free(libdir);
	free(env[0]);
	free(env[1]);
	return rc;
}

int ak_smoke_run(const char *prefix, struct ak_manifest *m, const char *workdir, struct ak_err *err)
{
	char *src = ak_path_join(workdir, "smoke.c");
	char *prog = ak_path_join(workdir, "smoke");
	char *log = ak_path_join(workdir, "smoke");
	const char *cc[] = { "cc", "-O1", "-o", prog, src, "-ldl", "-lpthread", NULL };
	char out[512], *libdir;
	struct ak_spawn sp;
	int failed = 0, rc;

	if (ak_manifest_get(m, "ld_so") == NULL) {
		ak_errf(err, "%s: the manifest names no ld_so", prefix);
		failed = -1;
		goto out;
	}
	if (ak_write_atomic(src, smoke_source, sizeof smoke_source - 1, 0644, err) < 0) {
		failed = -1;
		goto out;
	}
	memset(&sp, 0, sizeof sp);
	sp.argv = cc;
	sp.phase = "compile";
	/* Linked against the host's libc, the program binds the host's symbol
	 * versions (pthread_create@GLIBC_2.34 on a 2.36 host), which a runtime
	 * older than the host lacks. A built runtime has its own headers,
	 * crt1.o and libc.so: cc is pointed at them (gcc's C_INCLUDE_PATH, and
	 * LIBRARY_PATH, also searched for crt files). */
	{
		char *hdr = ak_path_join(prefix, "include/features.h"), *so = ak_path_join(prefix, "lib/libc.so");
		struct ak_sbuf inc = { 0 }, lib = { 0 };
		const char *env[3] = { NULL, NULL, NULL };

		if (ak_exists(hdr) && ak_exists(so)) {
			ak_sbuf_addf(&inc, "C_INCLUDE_PATH=%s/include", prefix);
			ak_sbuf_addf(&lib, "LIBRARY_PATH=%s/lib", prefix);
			env[0] = inc.s;
			env[1] = lib.s;
			sp.env = env;
		}
		rc = ak_spawn_run(&sp, err);
		ak_sbuf_free(&inc);
		ak_sbuf_free(&lib);
		free(hdr);
		free(so);
	}
	if (rc != 0) {
		if (rc > 0)
			ak_errf(err, "smoke test: the host compiler (cc) failed on %s", src);
		failed = -1;
		goto out;
	}
	/* The libc really loaded must be the runtime's own. */
	libdir = ak_path_join(prefix, "lib");
	rc = run_with(prefix, m, prog, "libc", log, out, sizeof out, err);
	if (rc != 0 || strncmp(out, ak_manifest_get(m, "glibc") ? ak_manifest_get(m, "glibc") : "?",
			      strlen(ak_manifest_get(m, "glibc") ? ak_manifest_get(m, "glibc") : "?")) != 0 ||
	    strstr(out, libdir) == NULL) {
		ak_manifest_setf(m, "smoke_libc", "fail: %s", out[0] ? out : "did not start");
		failed++;
	} else {
		ak_manifest_setf(m, "smoke_libc", "pass: %s", out);
	}
	free(libdir);
	for (const char *const *t = tests; *t; t++) {
		char key[64];

		snprintf(key, sizeof key, "smoke_%s", *t);
		rc = run_with(prefix, m, prog, *t, log, out, sizeof out, err);
		libdir = ak_path_join(prefix, "lib/");
		/* libm and the gconv module must come from the runtime, not from
		 * the system (a harvested loader falls back to its compiled-in
		 * distro paths when the runtime lacks a file). */
		if (rc == 0 && (strcmp(*t, "dlopen") == 0 || strcmp(*t, "iconv") == 0) &&
		    strstr(out, libdir) == NULL) {
			ak_manifest_setf(m, key, "fail: loaded from outside the runtime: %s", out);
			failed++;
		} else if (rc == 0 && strncmp(out, "ok", 2) == 0) {
			ak_manifest_set(m, key, "pass");
		} else {
			ak_manifest_setf(m, key, "fail: %s", out[0] ? out : "no output (did not start?)");
			failed++;
		}
		free(libdir);
	}
	ak_manifest_set(m, "smoke", failed ? "fail" : "pass");
out:
	free(src);
	free(prog);
	free(log);
	return failed;
}
