#include <config.h>

#include "world.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "abidb.h"

static uint32_t hash_name(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static void index_exports(struct ak_dso *d)
{
	size_t ndef = d->elf.nsyms - d->elf.nundef;

	d->nslot = 16;
	while (d->nslot < 2 * ndef + 1)
		d->nslot *= 2;
	d->slot = ak_xcalloc(d->nslot, sizeof *d->slot);
	for (size_t i = d->elf.nundef; i < d->elf.nsyms; i++) {
		size_t j = hash_name(d->elf.syms[i].name) & (d->nslot - 1);

		while (d->slot[j] != 0)
			j = (j + 1) & (d->nslot - 1);
		d->slot[j] = (uint32_t)i + 1;
	}
}

bool ak_dso_defines(const struct ak_dso *d, const char *name, const char *version)
{
	size_t j;

	if (d->slot == NULL)
		return false;
	for (j = hash_name(name) & (d->nslot - 1); d->slot[j] != 0; j = (j + 1) & (d->nslot - 1)) {
		const struct ak_sym *s = &d->elf.syms[d->slot[j] - 1];

		if (strcmp(s->name, name) != 0)
			continue;
		/* An object without symbol versions satisfies any version. */
		if (version == NULL || !d->elf.has_versym)
			return true;
		if (s->version != NULL && strcmp(s->version, version) == 0)
			return true;
		/* An unversioned global definition in a versioned object is
		 * accepted unless marked hidden. */
		if (s->version == NULL && !s->hidden)
			return true;
	}
	return false;
}

bool ak_dso_has_node(const struct ak_dso *d, const char *node)
{
	for (size_t i = 0; i < d->elf.nvdefs; i++)
		if (!(d->elf.vdefs[i].flags & VER_FLG_BASE) && strcmp(d->elf.vdefs[i].name, node) == 0)
			return true;
	return false;
}

struct ak_dso *ak_world_load(struct ak_world *w, const char *host_path, const char *display,
			     struct ak_err *err)
{
	struct ak_dso *d;
	const char *base;
	int rc;

	for (size_t i = 0; i < w->ncache; i++)
		if (strcmp(w->cache[i]->path, display) == 0)
			return w->cache[i];
	d = ak_xcalloc(1, sizeof *d);
	rc = ak_elf_open(&d->elf, host_path, AK_READ_UNDEF | AK_READ_DEFS, err);
	if (rc != 0) {
		free(d);
		return NULL;
	}
	d->elf.path = d->path = ak_xstrdup(display);
	d->has_elf = true;
	base = strrchr(display, '/');
	d->name = ak_xstrdup(d->elf.soname ? d->elf.soname : base ? base + 1 : display);
	d->dblib = -1;
	index_exports(d);
	ak_grow((void **)&w->cache, &w->capcache, w->ncache + 1, sizeof *w->cache);
	w->cache[w->ncache++] = d;
	return d;
}

int ak_world_glibc(struct ak_world *w, const char *release, struct ak_err *err)
{
	memset(w, 0, sizeof *w);
	w->mode = AK_WORLD_GLIBC;
	w->rel = ak_abidb_release_index(release);
	if (w->rel < 0)
		return ak_errf(err, "--glibc %s: not a release the database knows (%s to %s)", release,
			       ak_abidb_release_name(0),
			       ak_abidb_release_name(ak_abidb_release_count() - 1));
	snprintf(w->label, sizeof w->label, "glibc %s", ak_abidb_release_name(w->rel));
	return 0;
}

int ak_world_libc(struct ak_world *w, const char *libc_path, struct ak_err *err)
{
	char *slash;

	memset(w, 0, sizeof *w);
	w->mode = AK_WORLD_LIBC;
	w->rel = -1;
	if (ak_libc_identify(libc_path, &w->libc, err) < 0)
		return -1;
	if (strcmp(w->libc.family, "glibc") != 0)
		return ak_errf(err, "%s: a %s C library, not glibc", libc_path, w->libc.family);
	w->rel = ak_abidb_release_index(w->libc.version);
	w->libc_dir = ak_xstrdup(libc_path);
	slash = strrchr(w->libc_dir, '/');
	if (slash == NULL)
		strcpy(w->libc_dir, ".");
	else if (slash == w->libc_dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	snprintf(w->label, sizeof w->label, "libc %s (glibc %s)", libc_path,
		 w->libc.version[0] ? w->libc.version : "?");
	return 0;
}

int ak_world_root(struct ak_world *w, const char *root, struct ak_err *err)
{
	memset(w, 0, sizeof *w);
	w->mode = AK_WORLD_ROOT;
	w->rel = -1;
	if (ak_rootfs_open(&w->root, root, err) < 0)
		return -1;
	snprintf(w->label, sizeof w->label, "root %s", root);
	return 0;
}

void ak_world_free(struct ak_world *w)
{
	for (size_t i = 0; i < w->ncache; i++) {
		struct ak_dso *d = w->cache[i];

		ak_elf_close(&d->elf);
		free(d->slot);
		free(d->name);
		free(d->path);
		free(d);
	}
	free(w->cache);
	free(w->libc_dir);
	if (w->mode == AK_WORLD_ROOT)
		ak_rootfs_close(&w->root);
	memset(w, 0, sizeof *w);
}
