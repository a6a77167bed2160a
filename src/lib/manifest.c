#include <config.h>

#include "manifest.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fsutil.h"

const char *ak_manifest_get(const struct ak_manifest *m, const char *key)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->keys[i], key) == 0)
			return m->values[i];
	return NULL;
}

void ak_manifest_set(struct ak_manifest *m, const char *key, const char *value)
{
	char *v = ak_xstrdup(value ? value : "");

	/* Values are one line each: newlines would break the format. */
	for (char *p = v; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->keys[i], key) == 0) {
			free(m->values[i]);
			m->values[i] = v;
			return;
		}
	if (m->n == m->cap) {
		size_t cap = m->cap;

		ak_grow((void **)&m->keys, &cap, m->n + 1, sizeof *m->keys);
		ak_grow((void **)&m->values, &m->cap, m->n + 1, sizeof *m->values);
	}
	m->keys[m->n] = ak_xstrdup(key);
	m->values[m->n++] = v;
}

void ak_manifest_setf(struct ak_manifest *m, const char *key, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	ak_manifest_set(m, key, buf);
}

int ak_manifest_load(struct ak_manifest *m, const char *path, struct ak_err *err)
{
	char *text = ak_read_file(path, NULL, err), *save = NULL;
	int lineno = 0;

	memset(m, 0, sizeof *m);
	if (text == NULL)
		return -1;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');

		lineno++;
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (eq == NULL) {
			ak_errf(err, "%s:%d: not KEY=VALUE", path, lineno);
			free(text);
			ak_manifest_free(m);
			return -1;
		}
		*eq = '\0';
		ak_manifest_set(m, line, eq + 1);
	}
	free(text);
	return 0;
}

int ak_manifest_save(const struct ak_manifest *m, const char *path, struct ak_err *err)
{
	struct ak_sbuf b = { NULL, 0, 0 };
	int rc;

	ak_sbuf_add(&b, "# abikit manifest: KEY=VALUE, one per line\n");
	for (size_t i = 0; i < m->n; i++)
		ak_sbuf_addf(&b, "%s=%s\n", m->keys[i], m->values[i]);
	rc = ak_write_atomic(path, b.s, b.len, 0644, err);
	ak_sbuf_free(&b);
	return rc;
}

void ak_manifest_free(struct ak_manifest *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->keys[i]);
		free(m->values[i]);
	}
	free(m->keys);
	free(m->values);
	memset(m, 0, sizeof *m);
}
