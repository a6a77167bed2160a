/* Manifests: ordered KEY=VALUE lines (like os-release), one file per
 * runtime, bundle or rewrite. Plain text, so a shell or a human can read
 * them; written atomically. */
#ifndef ABIKIT_MANIFEST_H
#define ABIKIT_MANIFEST_H

#include <stddef.h>

#include "err.h"

struct ak_manifest {
	char **keys, **values;
	size_t n, cap;
};

int ak_manifest_load(struct ak_manifest *m, const char *path, struct ak_err *err);
int ak_manifest_save(const struct ak_manifest *m, const char *path, struct ak_err *err);
const char *ak_manifest_get(const struct ak_manifest *m, const char *key);
void ak_manifest_set(struct ak_manifest *m, const char *key, const char *value);
void ak_manifest_setf(struct ak_manifest *m, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void ak_manifest_free(struct ak_manifest *m);

#endif
