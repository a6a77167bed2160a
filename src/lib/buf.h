/* Memory helpers: an arena for the many small strings of one ELF model,
 * growable string vectors, and allocation that dies loudly on exhaustion
 * (an out-of-memory scanner cannot report anything useful). */
#ifndef ABIKIT_BUF_H
#define ABIKIT_BUF_H

#include <stddef.h>

void *ak_xmalloc(size_t n);
void *ak_xcalloc(size_t n, size_t size);
void *ak_xrealloc(void *p, size_t n);
char *ak_xstrdup(const char *s);
/* Grow *p (holding *cap elements of size `size`) to hold at least `need`. */
void ak_grow(void **p, size_t *cap, size_t need, size_t size);

struct ak_arena_block;
struct ak_arena {
	struct ak_arena_block *head;
};
void *ak_arena_alloc(struct ak_arena *a, size_t n);
char *ak_arena_strdup(struct ak_arena *a, const char *s);
void ak_arena_free(struct ak_arena *a);

struct ak_strvec {
	char **v;
	size_t n, cap;
};
void ak_strvec_push(struct ak_strvec *sv, const char *s);   /* copies s */
int ak_strvec_contains(const struct ak_strvec *sv, const char *s);
void ak_strvec_free(struct ak_strvec *sv);

/* A growable text buffer. */
struct ak_sbuf {
	char *s;
	size_t len, cap;
};
void ak_sbuf_addf(struct ak_sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ak_sbuf_add(struct ak_sbuf *b, const char *s);
void ak_sbuf_free(struct ak_sbuf *b);

#endif
