/* abikit detect: which glibc is really in use. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <gnu/libc-version.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "builtin.h"
#include "elfmodel.h"
#include "json.h"
#include "libcinfo.h"
#include "rootfs.h"

void usage_detect(FILE *out)
{
	fputs("usage: abikit detect [--root DIR | --pid PID] [--json]\n"
	      "\n"
	      "Tell which C library is really in use, read from the library file itself\n"
	      "(nothing is executed, so a root of another architecture works too):\n"
	      "  (no option)       this system: the libc new processes get (found like the\n"
	      "                    loader finds it) and the one abikit itself runs on\n"
	      "  -R, --root DIR    a distro root, chroot or unpacked image: every libc in it\n"
	      "                    (multiarch roots can hold several), and musl's loader\n"
	      "  -p, --pid PID     a running process: the libc and loader it has mapped\n"
	      "                    (/proc/PID/maps; the file is read through /proc/PID/root,\n"
	      "                    so containers report their own glibc, not the host's)\n"
	      "  -j, --json        machine-readable output\n"
	      "  -h, --help        this help\n"
	      "\n"
	      "Host, container and chroot can disagree; each answer names the file it read.\n"
	      "Exit status: 0, or 2 when nothing could be found or read.\n", out);
}

struct found {
	char context[64];
	char path[4096];    /* as the context sees it */
	struct ak_libc_info info;
	bool ok;
	char error[1100];
};

static void identify(struct found *f, const char *context, const char *shown, const char *host)
{
	struct ak_err err;

	memset(f, 0, sizeof *f);
	snprintf(f->context, sizeof f->context, "%s", context);
	snprintf(f->path, sizeof f->path, "%s", shown);
	f->ok = ak_libc_identify(host, &f->info, &err) == 0;
	if (!f->ok)
		snprintf(f->error, sizeof f->error, "%s", err.msg);
}

static void emit(struct ak_json *j, bool json, const struct found *f)
{
	if (json) {
		ak_json_obj_begin(j);
		ak_json_kstr(j, "context", f->context);
		ak_json_kstr(j, "path", f->path);
		ak_json_kstr(j, "family", f->ok ? f->info.family : NULL);
		ak_json_kstr(j, "version", f->ok && f->info.version[0] ? f->info.version : NULL);
		ak_json_kstr(j, "machine", f->ok ? ak_machine_name(f->info.machine) : NULL);
		ak_json_key(j, "bits");
		if (f->ok)
			ak_json_int(j, f->info.elfclass == ELFCLASS32 ? 32 : 64);
		else
			ak_json_null(j);
		ak_json_kstr(j, "banner", f->ok && f->info.banner[0] ? f->info.banner : NULL);
		ak_json_kstr(j, "error", f->ok ? NULL : f->error);
		ak_json_obj_end(j);
		return;
	}
	if (!f->ok) {
		fprintf(stderr, "abikit: %s\n", f->error);
		return;
	}
	printf("%s: %s %s (%s%s) at %s", f->context, f->info.family,
	       f->info.version[0] ? f->info.version : "(version unknown)",
	       ak_machine_name(f->info.machine), f->info.elfclass == ELFCLASS32 ? ", 32-bit" : "", f->path);
	if (f->info.banner[0])
		printf("\n  %s", f->info.banner);
	putchar('\n');
}

/* Every libc.so.6 and musl loader of a root, by the loader's directories. */
static size_t detect_root(const char *root, struct found **out, struct ak_err *err)
{
	static const char *const musl[] = {
		"/lib/ld-musl-x86_64.so.1", "/lib/ld-musl-aarch64.so.1", NULL
	};
	static const unsigned machines[] = { EM_X86_64, EM_AARCH64 };
	struct ak_rootfs r;
	struct ak_strvec seen = { NULL, 0, 0 };
	size_t n = 0, cap = 0;

	if (ak_rootfs_open(&r, root, err) < 0)
		return (size_t)-1;
	for (size_t mi = 0; mi < 2; mi++) {
		struct ak_strvec dirs = { NULL, 0, 0 };

		for (size_t i = 0; i < r.conf_dirs.n; i++)
			ak_strvec_push(&dirs, r.conf_dirs.v[i]);
		for (const char *const *d = ak_rootfs_default_dirs(machines[mi]); *d; d++)
			ak_strvec_push(&dirs, *d);
		for (size_t i = 0; i < dirs.n; i++) {
			char cand[4096], *res, *host;
			struct found f;

			snprintf(cand, sizeof cand, "%s/libc.so.6", dirs.v[i]);
			res = ak_rootfs_resolve(&r, cand);
			if (res == NULL)
				continue;
			if (ak_strvec_contains(&seen, res)) {
				free(res);
				continue;
			}
			ak_strvec_push(&seen, res);
			host = ak_rootfs_host_path(&r, res);
			identify(&f, "root", cand, host);
			free(host);
			free(res);
			/* A libc of another machine (lib32, another multiarch
			 * dir) is listed once, by the pass that finds it first. */
			ak_grow((void **)out, &cap, n + 1, sizeof **out);
			(*out)[n++] = f;
		}
		ak_strvec_free(&dirs);
	}
	for (size_t i = 0; musl[i]; i++) {
		char *res = ak_rootfs_resolve(&r, musl[i]), *host;
		struct found f;

		if (res == NULL)
			continue;
		host = ak_rootfs_host_path(&r, res);
		identify(&f, "root", musl[i], host);
		free(host);
		free(res);
		ak_grow((void **)out, &cap, n + 1, sizeof **out);
		(*out)[n++] = f;
	}
	ak_strvec_free(&seen);
	ak_rootfs_close(&r);
	return n;
}

static bool is_libc_name(const char *base)
{
	return strcmp(base, "libc.so.6") == 0 ||
	       (strncmp(base, "libc-2.", 7) == 0 && strstr(base, ".so") != NULL) ||
	       strncmp(base, "ld-musl-", 8) == 0 || strncmp(base, "libc.musl-", 10) == 0;
}

/* The C library a process has mapped, read through its own root. */
static size_t detect_pid(const char *pid, struct found **out, struct ak_err *err)
{
	char maps[64], line[8192];
	struct ak_strvec seen = { NULL, 0, 0 };
	size_t n = 0, cap = 0;
	FILE *f;

	for (const char *p = pid; *p && strcmp(pid, "self") != 0; p++)
		if (*p < '0' || *p > '9')
			return (size_t)ak_errf(err, "--pid %s: not a process id", pid);
	snprintf(maps, sizeof maps, "/proc/%s/maps", pid);
	f = fopen(maps, "re");
	if (f == NULL)
		return (size_t)ak_errno(err, errno, "%s", maps);
	while (fgets(line, sizeof line, f)) {
		char *path = strchr(line, '/'), *base, host[8300];
		struct found fd;
		struct stat st;

		if (path == NULL)
			continue;
		path[strcspn(path, "\n")] = '\0';
		if (strstr(path, " (deleted)"))
			*strstr(path, " (deleted)") = '\0';
		base = strrchr(path, '/') + 1;
		if (!is_libc_name(base) || ak_strvec_contains(&seen, path))
			continue;
		ak_strvec_push(&seen, path);
		snprintf(host, sizeof host, "/proc/%s/root%s", pid, path);
		if (stat(host, &st) != 0)
			snprintf(host, sizeof host, "%s", path);
		identify(&fd, "process", path, host);
		snprintf(fd.context, sizeof fd.context, "process %s", pid);
		ak_grow((void **)out, &cap, n + 1, sizeof **out);
		(*out)[n++] = fd;
	}
	fclose(f);
	ak_strvec_free(&seen);
	if (n == 0)
		return (size_t)ak_errf(err, "process %s: no C library mapped (static, or not a dynamic process)", pid);
	return n;
}

int cmd_detect(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "root", required_argument, NULL, 'R' },
		{ "pid", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *root = NULL, *pid = NULL;
	bool json = false;
	struct found *found = NULL;
	size_t n;
	struct ak_err err;
	struct ak_json j;
	int opt, bad = 0;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "R:p:jh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'R': root = optarg; break;
		case 'p': pid = optarg; break;
		case 'j': json = true; break;
		case 'h': usage_detect(stdout); return AK_EXIT_OK;
		default: return ak_usage_error("detect", "unknown option");
		}
	}
	if (root && pid)
		return ak_usage_error("detect", "--root and --pid exclude each other");
	if (optind < argc)
		return ak_usage_error("detect", "unexpected argument '%s'", argv[optind]);
	if (root) {
		n = detect_root(root, &found, &err);
	} else if (pid) {
		n = detect_pid(pid, &found, &err);
	} else {
		/* The system: what a new process gets, and what abikit runs on. */
		struct found *sys = NULL, *self = NULL;
		size_t ns = detect_root("/", &sys, &err), nself = detect_pid("self", &self, &err);

		n = 0;
		if (ns != (size_t)-1)
			for (size_t i = 0; i < ns; i++) {
				snprintf(sys[i].context, sizeof sys[i].context, "system");
				
				found = realloc(found, (n + 1) * sizeof *found);
				found[n++] = sys[i];
			}
		if (nself != (size_t)-1)
			for (size_t i = 0; i < nself; i++) {
				snprintf(self[i].context, sizeof self[i].context, "abikit itself");
				found = realloc(found, (n + 1) * sizeof *found);
				found[n++] = self[i];
			}
		free(sys);
		free(self);
		if (n == 0)
			n = (size_t)-1;
	}
	if (n == (size_t)-1) {
		ak_report(&err);
		return AK_EXIT_ERROR;
	}
	if (n == 0) {
		ak_warn("%s: no C library found (looked for libc.so.6 in ld.so.conf and default dirs, and ld-musl-*.so.1)",
			root ? root : "/");
		free(found);
		return AK_EXIT_ERROR;
	}
	if (json) {
		ak_json_init(&j, stdout);
		ak_json_obj_begin(&j);
		ak_json_kstr(&j, "abikit", "detect");
		ak_json_kint(&j, "schema", 1);
		ak_json_key(&j, "libcs");
		ak_json_arr_begin(&j);
	}
	for (size_t i = 0; i < n; i++) {
		emit(&j, json, &found[i]);
		bad += !found[i].ok;
	}
	if (json) {
		ak_json_arr_end(&j);
		if (!root && !pid)
			ak_json_kstr(&j, "running_glibc", gnu_get_libc_version());
		ak_json_obj_end(&j);
		ak_json_end(&j);
	}
	free(found);
	return bad == (int)n ? AK_EXIT_ERROR : AK_EXIT_OK;
}
