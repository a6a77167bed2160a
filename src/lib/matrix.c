#include <config.h>

#include "matrix.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"

/* Split a line into words: blanks separate, 'quotes' keep blanks. -1 on an
 * unterminated quote. */
static int split(const char *line, struct ak_strvec *words)
{
	const char *p = line;

	for (;;) {
		struct ak_sbuf w = { 0 };
		bool any = false;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0' || *p == '#')
			return 0;
		while (*p && *p != ' ' && *p != '\t') {
			if (*p == '\'') {
				const char *end = strchr(p + 1, '\'');

				if (end == NULL) {
					ak_sbuf_free(&w);
					return -1;
				}
				ak_sbuf_addf(&w, "%.*s", (int)(end - p - 1), p + 1);
				p = end + 1;
			} else {
				ak_sbuf_addf(&w, "%c", *p++);
			}
			any = true;
		}
		if (any)
			ak_strvec_push(words, w.s ? w.s : "");
		ak_sbuf_free(&w);
	}
}

static void add_item(struct ak_matrix_item **v, size_t *n, size_t *cap, const char *name, const char *value)
{
	ak_grow((void **)v, cap, *n + 1, sizeof **v);
	(*v)[*n].name = ak_xstrdup(name);
	(*v)[*n].value = ak_xstrdup(value);
	(*n)++;
}

int ak_matrix_load(struct ak_matrix *m, const char *file, struct ak_err *err)
{
	char *text = ak_read_file(file, NULL, err);
	unsigned lineno = 0;
	int rc = 0;

	memset(m, 0, sizeof *m);
	m->plain = true;
	m->timeout = 30;
	if (text == NULL)
		return -1;
	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line && rc == 0;
	     line = strtok_r(NULL, "\n", &save)) {
		struct ak_strvec w = { 0 };

		lineno++;  /* blank lines are skipped by strtok_r: numbers are of non-blank lines */
		if (split(line, &w) < 0) {
			rc = ak_errf(err, "%s: \"%s\": unterminated quote", file, line);
		} else if (w.n == 0) {
			/* comment */
		} else if (strcmp(w.v[0], "target") == 0 && w.n >= 3) {
			struct ak_matrix_target *t;

			ak_grow((void **)&m->targets, &m->captargets, m->ntargets + 1, sizeof *m->targets);
			t = &m->targets[m->ntargets++];
			memset(t, 0, sizeof *t);
			t->name = ak_xstrdup(w.v[1]);
			t->path = ak_xstrdup(w.v[2]);
			for (size_t i = 3; i < w.n; i++)
				ak_strvec_push(&t->args, w.v[i]);
		} else if (strcmp(w.v[0], "expect") == 0 && w.n == 3) {
			size_t i;

			for (i = 0; i < m->ntargets && strcmp(m->targets[i].name, w.v[1]) != 0; i++)
				;
			if (i == m->ntargets)
				rc = ak_errf(err, "%s: expect %s: no target of that name above", file, w.v[1]);
			else {
				free(m->targets[i].expect);
				m->targets[i].expect = ak_xstrdup(w.v[2]);
			}
		} else if (strcmp(w.v[0], "root") == 0 && w.n == 3) {
			add_item(&m->roots, &m->nroots, &m->caproots, w.v[1], w.v[2]);
		} else if (strcmp(w.v[0], "runtime") == 0 && w.n == 3) {
			add_item(&m->runtimes, &m->nruntimes, &m->capruntimes, w.v[1], w.v[2]);
		} else if (strcmp(w.v[0], "restricted") == 0 && w.n == 2 &&
			   (strcmp(w.v[1], "no") == 0 || strcmp(w.v[1], "yes") == 0 || strcmp(w.v[1], "both") == 0)) {
			m->plain = strcmp(w.v[1], "yes") != 0;
			m->restricted = strcmp(w.v[1], "no") != 0;
		} else if (strcmp(w.v[0], "timeout") == 0 && w.n == 2 && atoi(w.v[1]) > 0) {
			m->timeout = atoi(w.v[1]);
		} else {
			rc = ak_errf(err, "%s: \"%s\": not a matrix line (target, expect, root, runtime, restricted, "
				     "timeout; see abikit verify --help)", file, line);
		}
		ak_strvec_free(&w);
	}
	free(text);
	if (rc == 0 && (m->ntargets == 0 || m->nroots == 0))
		rc = ak_errf(err, "%s: a matrix needs at least one target and one root", file);
	if (rc == 0 && m->nruntimes == 0)
		add_item(&m->runtimes, &m->nruntimes, &m->capruntimes, "none", "-");
	if (rc < 0)
		ak_matrix_free(m);
	return rc;
}

struct ak_matrix_cell *ak_matrix_cells(const struct ak_matrix *m, size_t *n)
{
	size_t variants = (m->plain ? 1 : 0) + (m->restricted ? 1 : 0), k = 0;
	struct ak_matrix_cell *c = ak_xcalloc(m->ntargets * m->nroots * m->nruntimes * variants + 1, sizeof *c);

	for (size_t t = 0; t < m->ntargets; t++)
		for (size_t r = 0; r < m->nroots; r++)
			for (size_t u = 0; u < m->nruntimes; u++)
				for (int v = 0; v < 2; v++) {
					if ((v == 0 && !m->plain) || (v == 1 && !m->restricted))
						continue;
					c[k].target = t;
					c[k].root = r;
					c[k].runtime = u;
					c[k].restricted = v == 1;
					snprintf(c[k].name, sizeof c[k].name, "%s/%s/%s%s", m->targets[t].name,
						 m->roots[r].name, m->runtimes[u].name, v ? "/restricted" : "");
					k++;
				}
	*n = k;
	return c;
}

void ak_matrix_free(struct ak_matrix *m)
{
	for (size_t i = 0; i < m->ntargets; i++) {
		free(m->targets[i].name);
		free(m->targets[i].path);
		free(m->targets[i].expect);
		ak_strvec_free(&m->targets[i].args);
	}
	for (size_t i = 0; i < m->nroots; i++) {
		free(m->roots[i].name);
		free(m->roots[i].value);
	}
	for (size_t i = 0; i < m->nruntimes; i++) {
		free(m->runtimes[i].name);
		free(m->runtimes[i].value);
	}
	free(m->targets);
	free(m->roots);
	free(m->runtimes);
	memset(m, 0, sizeof *m);
}
