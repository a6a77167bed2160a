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
		fputc(',', j->out);
	if (j->depth > 0 && j->depth <= 2)
		fputs("\n", j->out);
	if (j->depth < AK_JSON_MAX_DEPTH)
		j->need_comma[j->depth] = true;
}

static void open_scope(struct ak_json *j, int c)
{
	before_value(j);
	fputc(c, j->out);
	if (j->depth + 1 < AK_JSON_MAX_DEPTH)
		j->depth++;
	j->need_comma[j->depth] = false;
}

static void close_scope(struct ak_json *j, int c)
{
	if (j->depth > 0 && j->depth <= 2 && j->need_comma[j->depth])
		fputc('\n', j->out);
	if (j->depth > 0)
		j->depth--;
	fputc(c, j->out);
}

void ak_json_obj_begin(struct ak_json *j) { open_scope(j, '{'); }
void ak_json_obj_end(struct ak_json *j) { close_scope(j, '}'); }
void ak_json_arr_begin(struct ak_json *j) { open_scope(j, '['); }
void ak_json_arr_end(struct ak_json *j) { close_scope(j, ']'); }

static void put_string(FILE *out, const char *s)
{
	static const char hex[] = "0123456789abcdef";

	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\t': fputs("\\t", out); break;
		case '\r': fputs("\\r", out); break;
		default:
			if (*p < 0x20 || *p == 0x7f) {
				fputs("\\u00", out);
				fputc(hex[*p >> 4], out);
				fputc(hex[*p & 15], out);
			} else {
				/* Bytes >= 0x80 pass through: paths are bytes, and
				 * consumers of file names must take them as given. */
				fputc(*p, out);
			}
		}
	}
	fputc('"', out);
}

void ak_json_key(struct ak_json *j, const char *key)
{
	before_value(j);
	put_string(j->out, key);
	fputc(':', j->out);
	j->after_key = true;
}

void ak_json_str(struct ak_json *j, const char *s)
{
	before_value(j);
	if (s == NULL)
		fputs("null", j->out);
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
	fputs(v ? "true" : "false", j->out);
}

void ak_json_null(struct ak_json *j)
{
	before_value(j);
	fputs("null", j->out);
}

void ak_json_end(struct ak_json *j)
{
	fputc('\n', j->out);
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
