#include <config.h>

#include "layout.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

enum section { SEC_NONE, SEC_LAYOUT, SEC_PATHS, SEC_ENV, SEC_BIND, SEC_COUNT };

static const char *const section_names[SEC_COUNT] = {
	[SEC_LAYOUT] = "layout", [SEC_PATHS] = "paths", [SEC_ENV] = "env", [SEC_BIND] = "bind"
};

/* Expansion marks: a variable being expanded is BUSY, so meeting it again is
 * a cycle. */
enum { MARK_RAW, MARK_BUSY, MARK_DONE };

/* The four paths every command relies on; a typo in one would otherwise
 * just leave it undefined until some command needs it. */
static const char *const required_paths[] = { "runtimes", "runtime", "apps", "state" };

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_key(const char *s, size_t n)
{
	if (n == 0 || !(s[0] == '_' || (s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z')))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!(s[i] == '_' || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}

/* Trim s in place, dropping a comment: '#' first on the line or after a
 * blank (so "a#b" stays text). */
static char *clean_line(char *s)
{
	char *end;

	while (is_space(*s))
		s++;
	for (char *p = s; *p; p++)
		if (*p == '#' && (p == s || p[-1] == ' ' || p[-1] == '\t')) {
			*p = '\0';
			break;
		}
	end = s + strlen(s);
	while (end > s && is_space(end[-1]))
		*--end = '\0';
	return s;
}

static struct ak_layout_entry *find_n(const struct ak_layout_list *list, const char *key, size_t n)
{
	for (size_t i = 0; i < list->n; i++)
		if (strncmp(list->v[i].key, key, n) == 0 && list->v[i].key[n] == '\0')
			return &list->v[i];
	return NULL;
}

static struct ak_layout_entry *find(const struct ak_layout_list *list, const char *key)
{
	return find_n(list, key, strlen(key));
}

static struct ak_layout_entry *push(struct ak_layout_list *list, const char *key, const char *value,
				    unsigned line)
{
	struct ak_layout_entry *e;

	ak_grow((void **)&list->v, &list->cap, list->n + 1, sizeof *list->v);
	e = &list->v[list->n++];
	e->key = key ? ak_xstrdup(key) : NULL;
	e->value = ak_xstrdup(value);
	e->line = line;
	e->mark = line ? MARK_RAW : MARK_DONE;
	return e;
}

static void free_list(struct ak_layout_list *list)
{
	for (size_t i = 0; i < list->n; i++) {
		free(list->v[i].key);
		free(list->v[i].value);
	}
	free(list->v);
	list->v = NULL;
	list->n = list->cap = 0;
}

/* What expansion needs besides the layout: the chain of variables being
 * expanded, to name a cycle. */
struct expander {
	struct ak_layout *l;
	size_t *stack;
	size_t depth;
};

static int expand_var(struct expander *x, struct ak_layout_entry *e, struct ak_err *err);

/* Replace ${NAME} and $$ in `text` (from `line`) into out. With x NULL only
 * the syntax is checked, as the parser does. */
static int subst(const char *file, unsigned line, const char *text, struct expander *x,
		 struct ak_sbuf *out, struct ak_err *err)
{
	const char *p = text, *dollar, *name, *close;

	while ((dollar = strchr(p, '$')) != NULL) {
		if (out)
			ak_sbuf_addf(out, "%.*s", (int)(dollar - p), p);
		if (dollar[1] == '$') {
			if (out)
				ak_sbuf_add(out, "$");
			p = dollar + 2;
			continue;
		}
		if (dollar[1] != '{')
			return ak_errf(err, "%s:%u: '$' must start ${NAME} or be doubled ($$)", file, line);
		name = dollar + 2;
		close = strchr(name, '}');
		if (close == NULL)
			return ak_errf(err, "%s:%u: '${' without '}'", file, line);
		if (!is_key(name, (size_t)(close - name)))
			return ak_errf(err, "%s:%u: bad variable name '${%.*s}'", file, line,
				       (int)(close - name), name);
		if (x) {
			struct ak_layout_entry *v = find_n(&x->l->vars, name, (size_t)(close - name));

			if (v == NULL)
				return ak_errf(err, "%s:%u: undefined variable ${%.*s}", file, line,
					       (int)(close - name), name);
			if (expand_var(x, v, err) != 0)
				return -1;
			ak_sbuf_add(out, v->value);
		}
		p = close + 1;
	}
	if (out)
		ak_sbuf_add(out, p);
	return 0;
}

static int cycle_error(struct expander *x, const struct ak_layout_entry *e, struct ak_err *err)
{
	const struct ak_layout_list *vars = &x->l->vars;
	struct ak_sbuf chain = { NULL, 0, 0 };
	size_t from = 0;

	while (&vars->v[x->stack[from]] != e)
		from++;
	for (size_t i = from; i < x->depth; i++)
		ak_sbuf_addf(&chain, "${%s} -> ", vars->v[x->stack[i]].key);
	ak_sbuf_addf(&chain, "${%s}", e->key);
	ak_errf(err, "%s:%u: variable cycle: %s", x->l->file,
		vars->v[x->stack[x->depth - 1]].line, chain.s);
	ak_sbuf_free(&chain);
	return -1;
}

static int expand_var(struct expander *x, struct ak_layout_entry *e, struct ak_err *err)
{
	struct ak_sbuf out = { NULL, 0, 0 };
	int rc;

	if (e->mark == MARK_DONE)
		return 0;
	if (e->mark == MARK_BUSY)
		return cycle_error(x, e, err);
	e->mark = MARK_BUSY;
	x->stack[x->depth++] = (size_t)(e - x->l->vars.v);
	ak_sbuf_add(&out, "");
	rc = subst(x->l->file, e->line, e->value, x, &out, err);
	x->depth--;
	if (rc != 0) {
		ak_sbuf_free(&out);
		return -1;
	}
	free(e->value);
	e->value = out.s;
	e->mark = MARK_DONE;
	return 0;
}

/* [env] and [bind] entries: expanded once, like variables, but never
 * referred to. */
static int expand_entry(struct expander *x, struct ak_layout_entry *e, struct ak_err *err)
{
	struct ak_sbuf out = { NULL, 0, 0 };

	if (e->mark == MARK_DONE)
		return 0;
	ak_sbuf_add(&out, "");
	if (subst(x->l->file, e->line, e->value, x, &out, err) != 0) {
		ak_sbuf_free(&out);
		return -1;
	}
	free(e->value);
	e->value = out.s;
	e->mark = MARK_DONE;
	return 0;
}

int ak_layout_expand(struct ak_layout *l, struct ak_err *err)
{
	struct expander x = { l, ak_xcalloc(l->vars.n, sizeof *x.stack), 0 };
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < l->vars.n; i++)
		rc = expand_var(&x, &l->vars.v[i], err);
	for (size_t i = 0; rc == 0 && i < l->env.n; i++)
		rc = expand_entry(&x, &l->env.v[i], err);
	for (size_t i = 0; rc == 0 && i < l->binds.n; i++)
		rc = expand_entry(&x, &l->binds.v[i], err);
	free(x.stack);
	if (rc != 0) {
		/* Values are replaced only once expanded, so a later try can
		 * start over from what is left. */
		for (size_t i = 0; i < l->vars.n; i++)
			if (l->vars.v[i].mark == MARK_BUSY)
				l->vars.v[i].mark = MARK_RAW;
		return -1;
	}
	/* Relative paths would resolve against whatever directory a command
	 * runs in; caller values (line 0) are the caller's business. */
	for (size_t i = 0; i < l->vars.n; i++) {
		const struct ak_layout_entry *e = &l->vars.v[i];

		if (e->line && e->value[0] != '/')
			return ak_errf(err, "%s:%u: %s is not an absolute path: '%s'", l->file, e->line,
				       e->key, e->value);
	}
	for (size_t i = 0; i < l->binds.n; i++) {
		const struct ak_layout_entry *e = &l->binds.v[i];

		if (e->value[0] != '/')
			return ak_errf(err, "%s:%u: bind path is not absolute: '%s'", l->file, e->line,
				       e->value);
	}
	return 0;
}

/* One "KEY = VALUE" line of a key section. */
static int parse_pair(struct ak_layout *l, enum section sec, char *s, unsigned line,
		      unsigned layout_lines[2], struct ak_err *err)
{
	char *eq = strchr(s, '='), *key = s, *value, *end;
	struct ak_layout_list *list = sec == SEC_PATHS ? &l->vars : &l->env;
	const struct ak_layout_entry *dup;

	if (eq == NULL)
		return ak_errf(err, "%s:%u: expected KEY = VALUE in [%s]", l->file, line, section_names[sec]);
	end = eq;
	while (end > key && is_space(end[-1]))
		end--;
	*end = '\0';
	value = eq + 1;
	while (is_space(*value))
		value++;
	if (!is_key(key, strlen(key)))
		return ak_errf(err, "%s:%u: bad key '%s' (letters, digits and _, not first a digit)",
			       l->file, line, key);
	if (sec == SEC_LAYOUT) {
		bool is_name = strcmp(key, "name") == 0;
		unsigned *seen = &layout_lines[is_name ? 0 : 1];

		if (!is_name && strcmp(key, "description") != 0)
			return ak_errf(err, "%s:%u: unknown key '%s' in [layout] (name, description)",
				       l->file, line, key);
		if (*seen)
			return ak_errf(err, "%s:%u: duplicate key '%s' (first at line %u)", l->file, line,
				       key, *seen);
		*seen = line;
		*(is_name ? &l->name : &l->description) = ak_xstrdup(value);
		return 0;
	}
	if ((dup = find(list, key)) != NULL)
		return ak_errf(err, "%s:%u: duplicate key '%s' (first at line %u)", l->file, line, key,
			       dup->line);
	if (subst(l->file, line, value, NULL, NULL, err) != 0)
		return -1;
	push(list, key, value, line);
	return 0;
}

static int parse(struct ak_layout *l, FILE *f, struct ak_err *err)
{
	unsigned opened[SEC_COUNT] = { 0 }, layout_lines[2] = { 0, 0 }, line = 0;
	enum section sec = SEC_NONE;
	char *buf = NULL;
	size_t cap = 0;
	ssize_t len;
	int rc = 0;

	while (rc == 0 && (len = getline(&buf, &cap, f)) >= 0) {
		char *s;

		line++;
		if ((size_t)len != strlen(buf)) {
			rc = ak_errf(err, "%s:%u: NUL byte in a text file", l->file, line);
			break;
		}
		s = clean_line(buf);
		if (*s == '\0')
			continue;
		if (*s == '[') {
			size_t n = strlen(s);
			int i;

			if (s[n - 1] != ']') {
				rc = ak_errf(err, "%s:%u: expected [SECTION]", l->file, line);
				break;
			}
			s[n - 1] = '\0';
			for (i = SEC_LAYOUT; i < SEC_COUNT && strcmp(s + 1, section_names[i]) != 0; i++)
				;
			if (i == SEC_COUNT) {
				rc = ak_errf(err, "%s:%u: unknown section [%s] (layout, paths, env, bind)",
					     l->file, line, s + 1);
				break;
			}
			if (opened[i]) {
				rc = ak_errf(err, "%s:%u: section [%s] again (first at line %u)", l->file,
					     line, s + 1, opened[i]);
				break;
			}
			opened[i] = line;
			sec = (enum section)i;
			continue;
		}
		if (sec == SEC_NONE) {
			rc = ak_errf(err, "%s:%u: text before the first [section]", l->file, line);
		} else if (sec == SEC_BIND) {
			rc = subst(l->file, line, s, NULL, NULL, err);
			if (rc == 0)
				push(&l->binds, NULL, s, line);
		} else {
			rc = parse_pair(l, sec, s, line, layout_lines, err);
		}
	}
	if (rc == 0 && ferror(f))
		rc = ak_errno(err, errno, "%s", l->file);
	free(buf);
	if (rc != 0)
		return -1;
	if (l->name == NULL || l->name[0] == '\0')
		return ak_errf(err, "%s: no name in [layout]", l->file);
	for (size_t i = 0; i < sizeof required_paths / sizeof *required_paths; i++)
		if (find(&l->vars, required_paths[i]) == NULL)
			return ak_errf(err, "%s: [paths] lacks %s (required: runtimes, runtime, apps, state)",
				       l->file, required_paths[i]);
	if (l->description == NULL)
		l->description = ak_xstrdup("");
	return 0;
}

static int not_found(const char *name, const char *const *dirs, struct ak_err *err)
{
	struct ak_strvec names = { NULL, 0, 0 };
	struct ak_sbuf msg = { NULL, 0, 0 };

	ak_sbuf_addf(&msg, "layout '%s' not found", name);
	for (size_t i = 0; dirs && dirs[i]; i++)
		ak_sbuf_addf(&msg, "%s%s", i ? ", " : " in ", dirs[i]);
	ak_layout_names(dirs, &names);
	for (size_t i = 0; i < names.n; i++)
		ak_sbuf_addf(&msg, "%s%s", i ? ", " : " (there are: ", names.v[i]);
	if (names.n)
		ak_sbuf_add(&msg, ")");
	ak_errf(err, "%s", msg.s);
	ak_sbuf_free(&msg);
	ak_strvec_free(&names);
	return -1;
}

/* Open NAME.layout in the first directory holding it; l->file names it. */
static FILE *find_layout(struct ak_layout *l, const char *name, const char *const *dirs,
			 struct ak_err *err)
{
	if (name[0] == '\0' || name[0] == '.') {
		ak_errf(err, "bad layout name '%s'", name);
		return NULL;
	}
	for (size_t i = 0; dirs && dirs[i]; i++) {
		struct ak_sbuf path = { NULL, 0, 0 };
		FILE *f;

		ak_sbuf_addf(&path, "%s/%s.layout", dirs[i], name);
		if ((f = fopen(path.s, "re")) != NULL) {
			l->file = path.s;
			return f;
		}
		if (errno != ENOENT && errno != ENOTDIR) {
			ak_errno(err, errno, "%s", path.s);
			ak_sbuf_free(&path);
			return NULL;
		}
		ak_sbuf_free(&path);
	}
	not_found(name, dirs, err);
	return NULL;
}

int ak_layout_load(struct ak_layout *l, const char *name, const char *const *dirs,
		   struct ak_err *err)
{
	FILE *f;
	int rc;

	memset(l, 0, sizeof *l);
	if (strchr(name, '/')) {
		if ((f = fopen(name, "re")) == NULL)
			return ak_errno(err, errno, "%s", name);
		l->file = ak_xstrdup(name);
	} else if ((f = find_layout(l, name, dirs, err)) == NULL) {
		return -1;
	}
	rc = parse(l, f, err);
	fclose(f);
	if (rc != 0)
		ak_layout_free(l);
	return rc;
}

void ak_layout_set(struct ak_layout *l, const char *key, const char *value)
{
	struct ak_layout_entry *e = find(&l->vars, key);

	if (e == NULL) {
		push(&l->vars, key, value, 0);
		return;
	}
	free(e->value);
	e->value = ak_xstrdup(value);
	e->line = 0;
	e->mark = MARK_DONE;
}

const char *ak_layout_path(const struct ak_layout *l, const char *key)
{
	const struct ak_layout_entry *e = find(&l->vars, key);

	return e ? e->value : NULL;
}

size_t ak_layout_env_count(const struct ak_layout *l)
{
	return l->env.n;
}

const char *ak_layout_env_key(const struct ak_layout *l, size_t i)
{
	return i < l->env.n ? l->env.v[i].key : NULL;
}

const char *ak_layout_env_value(const struct ak_layout *l, size_t i)
{
	return i < l->env.n ? l->env.v[i].value : NULL;
}

size_t ak_layout_bind_count(const struct ak_layout *l)
{
	return l->binds.n;
}

const char *ak_layout_bind(const struct ak_layout *l, size_t i)
{
	return i < l->binds.n ? l->binds.v[i].value : NULL;
}

int ak_layout_write_env(const struct ak_layout *l, FILE *out, enum ak_layout_env_style style,
			struct ak_err *err)
{
	struct ak_sbuf text = { NULL, 0, 0 };

	ak_sbuf_add(&text, "");
	for (size_t i = 0; i < l->env.n; i++) {
		const struct ak_layout_entry *e = &l->env.v[i];

		if (style == AK_LAYOUT_ENV_PLAIN) {
			if (strchr(e->value, '\n')) {
				ak_sbuf_free(&text);
				return ak_errf(err, "%s:%u: %s has a newline, which NAME=VALUE lines cannot hold",
					       l->file, e->line, e->key);
			}
			ak_sbuf_addf(&text, "%s=%s\n", e->key, e->value);
			continue;
		}
		/* Single quotes keep everything literal; a quote itself is
		 * closed, escaped and reopened. */
		ak_sbuf_addf(&text, "export %s='", e->key);
		for (const char *p = e->value; *p; ) {
			size_t run = strcspn(p, "'");

			ak_sbuf_addf(&text, "%.*s", (int)run, p);
			p += run;
			if (*p == '\'') {
				ak_sbuf_add(&text, "'\\''");
				p++;
			}
		}
		ak_sbuf_add(&text, "'\n");
	}
	fputs(text.s, out);
	ak_sbuf_free(&text);
	return 0;
}

void ak_layout_free(struct ak_layout *l)
{
	free(l->file);
	free(l->name);
	free(l->description);
	free_list(&l->vars);
	free_list(&l->env);
	free_list(&l->binds);
	memset(l, 0, sizeof *l);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void ak_layout_names(const char *const *dirs, struct ak_strvec *names)
{
	static const char suffix[] = ".layout";
	const size_t slen = sizeof suffix - 1;

	for (size_t i = 0; dirs && dirs[i]; i++) {
		DIR *d = opendir(dirs[i]);
		struct dirent *de;

		if (d == NULL)
			continue;
		while ((de = readdir(d)) != NULL) {
			size_t n = strlen(de->d_name);

			if (n <= slen || de->d_name[0] == '.' || strcmp(de->d_name + n - slen, suffix) != 0)
				continue;
			de->d_name[n - slen] = '\0';
			if (!ak_strvec_contains(names, de->d_name))
				ak_strvec_push(names, de->d_name);
		}
		closedir(d);
	}
	if (names->n > 1)
		qsort(names->v, names->n, sizeof *names->v, cmp_str);
}
