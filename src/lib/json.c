#include <config.h>

#include "json.h"

#include <string.h>

void ak_json_init(struct ak_json *j, FILE *out)
{
	memset(j, 0, sizeof *j);
	j->out = out;
}

/* Before any value: a comma after a sibling, and a line break at the top
 * levels so large documents stay greppable. */
static void before_value(struct ak_json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->depth > 0 && j->need_comma[j->depth])
		putc_unlocked(',', j->out);
	if (j->depth > 0 && j->depth <= 2)
		fputs_unlocked("\n", j->out);
	if (j->depth < AK_JSON_MAX_DEPTH)
		j->need_comma[j->depth] = true;
}

static void open_scope(struct ak_json *j, int c)
{
	before_value(j);
	putc_unlocked(c, j->out);
	if (j->depth + 1 < AK_JSON_MAX_DEPTH)
		j->depth++;
	j->need_comma[j->depth] = false;
}

static void close_scope(struct ak_json *j, int c)
{
	if (j->depth > 0 && j->depth <= 2 && j->need_comma[j->depth])
		putc_unlocked('\n', j->out);
	if (j->depth > 0)
		j->depth--;
	putc_unlocked(c, j->out);
}

void ak_json_obj_begin(struct ak_json *j) { open_scope(j, '{'); }
void ak_json_obj_end(struct ak_json *j) { close_scope(j, '}'); }
void ak_json_arr_begin(struct ak_json *j) { open_scope(j, '['); }
void ak_json_arr_end(struct ak_json *j) { close_scope(j, ']'); }

/* Runs of plain bytes go out in one write: this is the hot path of
 * `scan --json` over thousands of files. */
static void put_string(FILE *out, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s, *run = p;

	putc_unlocked('"', out);
	for (;; p++) {
		unsigned char c = *p;

		/* Bytes >= 0x80 pass through: paths are bytes, and consumers of
		 * file names must take them as given. */
		if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f)
			continue;
		fwrite_unlocked(run, 1, (size_t)(p - run), out);
		if (c == '\0')
			break;
		run = p + 1;
		switch (c) {
		case '"': fputs_unlocked("\\\"", out); break;
		case '\\': fputs_unlocked("\\\\", out); break;
		case '\n': fputs_unlocked("\\n", out); break;
		case '\t': fputs_unlocked("\\t", out); break;
		case '\r': fputs_unlocked("\\r", out); break;
		default:
			fputs_unlocked("\\u00", out);
			putc_unlocked(hex[c >> 4], out);
			putc_unlocked(hex[c & 15], out);
		}
	}
	putc_unlocked('"', out);
}

void ak_json_key(struct ak_json *j, const char *key)
{
	before_value(j);
	put_string(j->out, key);
	putc_unlocked(':', j->out);
	j->after_key = true;
}

void ak_json_str(struct ak_json *j, const char *s)
{
	before_value(j);
	if (s == NULL)
		fputs_unlocked("null", j->out);
	else
		put_string(j->out, s);
}

void ak_json_int(struct ak_json *j, long long v)
{
	before_value(j);
	fprintf(j->out, "%lld", v);
}

void ak_json_bool(struct ak_json *j, bool v)
{
	before_value(j);
	fputs_unlocked(v ? "true" : "false", j->out);
}

void ak_json_null(struct ak_json *j)
{
	before_value(j);
	fputs_unlocked("null", j->out);
}

void ak_json_end(struct ak_json *j)
{
	putc_unlocked('\n', j->out);
}

void ak_json_kstr(struct ak_json *j, const char *key, const char *s)
{
	ak_json_key(j, key);
	ak_json_str(j, s);
}

void ak_json_kint(struct ak_json *j, const char *key, long long v)
{
	ak_json_key(j, key);
	ak_json_int(j, v);
}

void ak_json_kbool(struct ak_json *j, const char *key, bool v)
{
	ak_json_key(j, key);
	ak_json_bool(j, v);
}
