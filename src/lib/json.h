/* A small streaming JSON writer: commas, nesting and escaping handled here
 * so the subcommands only say what they emit. */
#ifndef ABIKIT_JSON_H
#define ABIKIT_JSON_H

#include <stdbool.h>
#include <stdio.h>

enum { AK_JSON_MAX_DEPTH = 32 };

struct ak_json {
	FILE *out;
	int depth;
	bool need_comma[AK_JSON_MAX_DEPTH];
	bool after_key;
};

void ak_json_init(struct ak_json *j, FILE *out);
void ak_json_obj_begin(struct ak_json *j);
void ak_json_obj_end(struct ak_json *j);
void ak_json_arr_begin(struct ak_json *j);
void ak_json_arr_end(struct ak_json *j);
void ak_json_key(struct ak_json *j, const char *key);
void ak_json_str(struct ak_json *j, const char *s);     /* NULL -> null */
void ak_json_int(struct ak_json *j, long long v);
void ak_json_bool(struct ak_json *j, bool v);
void ak_json_null(struct ak_json *j);
/* Finish the document with a newline. */
void ak_json_end(struct ak_json *j);

/* key + value shorthands */
void ak_json_kstr(struct ak_json *j, const char *key, const char *s);
void ak_json_kint(struct ak_json *j, const char *key, long long v);
void ak_json_kbool(struct ak_json *j, const char *key, bool v);

#endif
