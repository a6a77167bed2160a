#include <config.h>

#include "patchelf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spawn.h"

/* The first executable `name` in PATH (or name itself if it has a '/'). */
static int search_path(const char *name, char *out, size_t size)
{
	const char *path = getenv("PATH");

	if (strchr(name, '/')) {
		if (access(name, X_OK) != 0)
			return -1;
		snprintf(out, size, "%s", name);
		return 0;
	}
	if (path == NULL || *path == '\0')
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");

		if (n > 0 && (size_t)snprintf(out, size, "%.*s/%s", (int)n, path, name) < size &&
		    access(out, X_OK) == 0)
			return 0;
		path += n + (path[n] == ':');
	}
	return -1;
}

int ak_patchelf_find(struct ak_patchelf *pe, const char *want, struct ak_err *err)
{
	const char *name = want && *want ? want : getenv("ABIKIT_PATCHELF");
	const char *argv[3];
	char line[256];
	const char *v;
	struct ak_err e2;

	memset(pe, 0, sizeof *pe);
	if (name == NULL || *name == '\0')
		name = "patchelf";
	if (search_path(name, pe->path, sizeof pe->path) != 0)
		return ak_errf(err, "%s: not found; install Debian's patchelf (apt-get install patchelf), "
			       "version %d.%d or newer, or name one with ABIKIT_PATCHELF",
			       name, AK_PATCHELF_MIN_MAJOR, AK_PATCHELF_MIN_MINOR);
	argv[0] = pe->path;
	argv[1] = "--version";
	argv[2] = NULL;
	if (ak_spawn_capture(argv, line, sizeof line, &e2) != 0)
		return ak_errf(err, "%s: --version failed: %s", pe->path, line[0] ? line : e2.msg);
	line[strcspn(line, "\n")] = '\0';
	/* "patchelf 0.14.3" */
	v = strrchr(line, ' ');
	v = v ? v + 1 : line;
	if (sscanf(v, "%d.%d", &pe->major, &pe->minor) != 2)
		return ak_errf(err, "%s: cannot read its version from \"%s\"", pe->path, line);
	snprintf(pe->version, sizeof pe->version, "%.63s", v);
	if (pe->major < AK_PATCHELF_MIN_MAJOR ||
	    (pe->major == AK_PATCHELF_MIN_MAJOR && pe->minor < AK_PATCHELF_MIN_MINOR))
		return ak_errf(err, "%s: version %s is too old; abikit needs %d.%d or newer for --force-rpath",
			       pe->path, pe->version, AK_PATCHELF_MIN_MAJOR, AK_PATCHELF_MIN_MINOR);
	return 0;
}

static int run(const struct ak_patchelf *pe, const char *const *argv, const char *file, struct ak_err *err)
{
	char out[1024];
	struct ak_err e2;
	int status = ak_spawn_capture(argv, out, sizeof out, &e2);

	if (status < 0)
		return ak_errf(err, "%s: %s", file, e2.msg);
	if (status != 0) {
		char *nl;

		/* patchelf's message is one line, sometimes after a warning. */
		while ((nl = strrchr(out, '\n')) && nl[1] == '\0')
			*nl = '\0';
		nl = strrchr(out, '\n');
		return ak_errf(err, "%s: patchelf %s failed (exit %d): %s", file, pe->version, status,
			       nl ? nl + 1 : out[0] ? out : "no message");
	}
	return 0;
}

int ak_patchelf_set(const struct ak_patchelf *pe, const char *file, const char *rpath,
		    const char *interp, struct ak_err *err)
{
	if (rpath) {
		const char *argv[] = { pe->path, "--force-rpath", "--set-rpath", rpath, file, NULL };

		if (run(pe, argv, file, err) != 0)
			return -1;
	}
	if (interp) {
		const char *argv[] = { pe->path, "--set-interpreter", interp, file, NULL };

		if (run(pe, argv, file, err) != 0)
			return -1;
	}
	return 0;
}
