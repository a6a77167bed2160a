#include <config.h>

#include "buf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void die_oom(void)
{
	fputs("abikit: out of memory\n", stderr);
	abort();
}

void *ak_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		die_oom();
	return p;
}

void *ak_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		die_oom();
	return p;
}

void *ak_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		die_oom();
	return p;
}

char *ak_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(ak_xmalloc(n), s, n);
}

void ak_grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t ncap;

	if (need <= *cap)
		return;
	ncap = *cap ? *cap * 2 : 8;
	while (ncap < need)
		ncap *= 2;
	if (ncap > SIZE_MAX / size)
		die_oom();
	*p = ak_xrealloc(*p, ncap * size);
	*cap = ncap;
}

struct ak_arena_block {
	struct ak_arena_block *next;
	size_t used, size;
	max_align_t data[];
};

enum { ARENA_BLOCK = 16384 };

void *ak_arena_alloc(struct ak_arena *a, size_t n)
{
	struct ak_arena_block *b = a->head;
	size_t align = sizeof(max_align_t);
	void *p;

	n = (n + align - 1) / align * align;
	if (b == NULL || b->size - b->used < n) {
		size_t size = n > ARENA_BLOCK ? n : ARENA_BLOCK;

		b = ak_xmalloc(sizeof *b + size);
		b->size = size;
		b->used = 0;
		b->next = a->head;
		a->head = b;
	}
	p = (char *)b->data + b->used;
	b->used += n;
	return p;
}

char *ak_arena_strdup(struct ak_arena *a, const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(ak_arena_alloc(a, n), s, n);
}

void ak_arena_free(struct ak_arena *a)
{
	struct ak_arena_block *b = a->head, *next;

	for (; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	a->head = NULL;
}

void ak_strvec_push(struct ak_strvec *sv, const char *s)
{
	ak_grow((void **)&sv->v, &sv->cap, sv->n + 1, sizeof *sv->v);
	sv->v[sv->n++] = ak_xstrdup(s);
}

int ak_strvec_contains(const struct ak_strvec *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++)
		if (strcmp(sv->v[i], s) == 0)
			return 1;
	return 0;
}

void ak_strvec_free(struct ak_strvec *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
}

void ak_sbuf_addf(struct ak_sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	ak_grow((void **)&b->s, &b->cap, b->len + (size_t)n + 1, 1);
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void ak_sbuf_add(struct ak_sbuf *b, const char *s)
{
	size_t n = strlen(s);

	ak_grow((void **)&b->s, &b->cap, b->len + n + 1, 1);
	memcpy(b->s + b->len, s, n + 1);
	b->len += n;
}

void ak_sbuf_free(struct ak_sbuf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}
