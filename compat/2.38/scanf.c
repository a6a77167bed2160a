/* __isoc23_sscanf, __isoc23_vsscanf, __isoc23_fscanf, __isoc23_vfscanf,
 * __isoc23_scanf, __isoc23_vscanf @GLIBC_2.38: the scanf family as C23
 * has it, which programs built against glibc 2.38 headers in C23 or GNU
 * mode call instead of __isoc99_*.
 *
 * What 2.38 changed (stdio-common/vfscanf-internal.c, NEWS of 2.38):
 *   - %i reads "0b"/"0B" followed by binary digits as a binary number;
 *   - %b is a new conversion: an unsigned binary number, with or without
 *     the 0b prefix (2.38 added it in every mode).
 * Everything else is C99 scanf, which glibc 2.31 has as __isoc99_*.
 *
 * So a format without %i or %b goes to glibc 2.31's __isoc99_v*scanf
 * whole, and behaves exactly as before.  One with them is run piece by
 * piece: each piece is a stretch of literal text and at most one
 * conversion, given to __isoc99_*scanf with "%n" appended to learn how
 * much input it took and whether it matched; %i and %b are read here,
 * character by character, with glibc 2.38's algorithm (sign, then "0x"
 * or "0b" prefix, then digits, all within the field width; a prefix with
 * no digit after it is the number 0 with the prefix consumed, as glibc
 * does it); %n counts the whole call's input.  Splitting is transparent
 * because scanf never looks more than one character ahead, and that
 * character is pushed back into the stream (or not taken from the
 * string) at the end of each piece.  Assignments, the EOF return for an
 * input failure before the first assignment, and errno are as glibc's.
 *
 * Limits, documented in README.md: the stream is locked per piece, not
 * for the whole call (another thread reading the same FILE can interleave
 * between pieces); with positional arguments (%1$i) or the ' and I flags
 * on %i/%b, the format goes to __isoc99_* whole, which reads %i without
 * the binary prefix and does not know %b. */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../compat.h"

int __isoc99_vfscanf(FILE *f, const char *fmt, va_list ap);
int __isoc99_vsscanf(const char *s, const char *fmt, va_list ap);
int __isoc99_fscanf(FILE *f, const char *fmt, ...);
int __isoc99_sscanf(const char *s, const char *fmt, ...);

int compat_vfscanf(FILE *f, const char *fmt, va_list ap);
int compat_vsscanf(const char *s, const char *fmt, va_list ap);
int compat_vscanf(const char *fmt, va_list ap);
int compat_fscanf(FILE *f, const char *fmt, ...);
int compat_sscanf(const char *s, const char *fmt, ...);
int compat_scanf(const char *fmt, ...);
COMPAT_SYMBOL(compat_vfscanf, __isoc23_vfscanf, "GLIBC_2.38");
COMPAT_SYMBOL(compat_vsscanf, __isoc23_vsscanf, "GLIBC_2.38");
COMPAT_SYMBOL(compat_vscanf, __isoc23_vscanf, "GLIBC_2.38");
COMPAT_SYMBOL(compat_fscanf, __isoc23_fscanf, "GLIBC_2.38");
COMPAT_SYMBOL(compat_sscanf, __isoc23_sscanf, "GLIBC_2.38");
COMPAT_SYMBOL(compat_scanf, __isoc23_scanf, "GLIBC_2.38");

/* The input: a stream or a string, and how many characters the call has
 * taken from it so far (what %n stores). */
struct input {
	FILE *f;
	const char *s;
	size_t taken;
};

static int get(struct input *in)
{
	int c;

	if (in->f)
		c = getc(in->f);
	else
		c = in->s[in->taken] ? (unsigned char)in->s[in->taken] : EOF;
	if (c != EOF)
		in->taken++;
	return c;
}

static void unget(struct input *in, int c)
{
	if (c == EOF)
		return;
	in->taken--;
	if (in->f)
		ungetc(c, in->f);
}

/* One conversion specification: where it starts ('%') and ends, and what
 * it is. */
struct spec {
	const char *start, *end;
	char conv;		/* 'i', 'd', '[', '%', ... */
	bool suppress;		/* '*': nothing assigned */
	bool plain;		/* no ' or I flag, no 'm' */
	int width;		/* -1: none */
	int size;		/* 'H' hh, 'h', 0 int, 'l' 64-bit */
};

/* Parses the specification at p (a '%'); false at a malformed one. */
static bool parse_spec(const char *p, struct spec *sp)
{
	sp->start = p++;
	sp->suppress = false;
	sp->plain = true;
	sp->width = -1;
	sp->size = 0;
	for (; *p == '*' || *p == '\'' || *p == 'I'; p++) {
		if (*p == '*')
			sp->suppress = true;
		else
			sp->plain = false;
	}
	if (isdigit((unsigned char)*p)) {
		sp->width = 0;
		while (isdigit((unsigned char)*p))
			sp->width = sp->width * 10 + (*p++ - '0');
		if (sp->width == 0)	/* as glibc: an explicit 0 is no width */
			sp->width = -1;
	}
	for (;; p++) {
		if (*p == 'h')
			sp->size = sp->size == 'h' ? 'H' : 'h';
		else if (strchr("lLqjzt", *p))
			sp->size = 'l';
		else if (*p == 'm')
			sp->plain = false;
		else
			break;
	}
	if (*p == '\0')
		return false;
	sp->conv = *p;
	if (*p == '[') {
		p++;
		if (*p == '^')
			p++;
		if (*p == ']')
			p++;
		while (*p && *p != ']')
			p++;
		if (*p == '\0')
			return false;
	}
	sp->end = p + 1;
	return true;
}

/* Does the format need this file's own reader: a %i or %b, and nothing
 * that makes splitting it unsafe (positional arguments, a malformed
 * specification)? */
static bool needs_c23(const char *fmt)
{
	bool found = false;
	struct spec sp;

	for (const char *p = strchr(fmt, '%'); p; p = strchr(p, '%')) {
		if (p[1] == '%') {
			p += 2;
			continue;
		}
		for (const char *q = p + 1; isdigit((unsigned char)*q); q++)
			if (q[1] == '$')
				return false;
		if (!parse_spec(p, &sp))
			return false;
		if ((sp.conv == 'i' || sp.conv == 'b') && sp.plain)
			found = true;
		p = sp.end;
	}
	return found;
}

/* Runs the text [from, to) (literal text and at most one conversion)
 * through glibc 2.31's C99 scanf on the input.  arg is the conversion's
 * pointer or NULL.  Returns 1 when it all matched, 0 at a matching
 * failure, EOF at an input failure; *assigned is set when the conversion
 * stored a value. */
static int run_piece(struct input *in, const char *from, const char *to, void *arg, bool *assigned)
{
	char small[128], *fmt = small;
	size_t len = (size_t)(to - from);
	int n = -1, r;

	*assigned = false;
	if (len == 0)
		return 1;
	if (len + 3 > sizeof small && (fmt = malloc(len + 3)) == NULL)
		return EOF;
	memcpy(fmt, from, len);
	memcpy(fmt + len, "%n", 3);
	if (in->f)
		r = arg ? __isoc99_fscanf(in->f, fmt, arg, &n) : __isoc99_fscanf(in->f, fmt, &n);
	else
		r = arg ? __isoc99_sscanf(in->s + in->taken, fmt, arg, &n) : __isoc99_sscanf(in->s + in->taken, fmt, &n);
	if (fmt != small)
		free(fmt);
	if (n >= 0) {
		in->taken += (size_t)n;
		*assigned = r == 1;
		return 1;
	}
	return r == EOF ? EOF : 0;
}

/* The characters of a number, on the stack unless it is very long (glibc
 * keeps them all too: strtol decides about overflow). */
struct digits {
	char *p;
	size_t len, cap;
	char small[64];
};

static bool add(struct digits *d, int c)
{
	if (d->len + 1 == d->cap) {
		char *p = malloc(d->cap * 2);

		if (p == NULL)
			return false;
		memcpy(p, d->p, d->len);
		if (d->p != d->small)
			free(d->p);
		d->p = p;
		d->cap *= 2;
	}
	d->p[d->len++] = (char)c;
	d->p[d->len] = '\0';
	return true;
}

static void store_number(const struct spec *sp, void *arg, const char *text, int base)
{
	if (sp->conv == 'i') {
		long v = strtol(text, NULL, base);

		if (sp->size == 'H')
			*(signed char *)arg = (signed char)v;
		else if (sp->size == 'h')
			*(short *)arg = (short)v;
		else if (sp->size == 'l')
			*(long *)arg = v;
		else
			*(int *)arg = (int)v;
	} else {
		unsigned long v = strtoul(text, NULL, base);

		if (sp->size == 'H')
			*(unsigned char *)arg = (unsigned char)v;
		else if (sp->size == 'h')
			*(unsigned short *)arg = (unsigned short)v;
		else if (sp->size == 'l')
			*(unsigned long *)arg = v;
		else
			*(unsigned *)arg = (unsigned)v;
	}
}

/* %i or %b by glibc 2.38's rules.  Returns 1 read (and stored unless
 * suppressed), 0 matching failure, EOF input failure. */
static int read_number(struct input *in, const struct spec *sp, void *arg)
{
	struct digits d = { NULL, 0, sizeof d.small, { 0 } };
	int base = sp->conv == 'b' ? 2 : 0;
	int width = sp->width;
	int c, r = 1;

	d.p = d.small;
	do
		c = get(in);
	while (c != EOF && isspace(c));
	if (c == EOF)
		return EOF;
	if (c == '-' || c == '+') {
		add(&d, c);
		if (width > 0)
			width--;
		c = get(in);
	}
	if (width != 0 && c == '0') {
		if (width > 0)
			width--;
		add(&d, '0');
		c = get(in);
		if (width != 0 && tolower(c) == 'x') {
			if (base == 0)
				base = 16;
			if (base == 16) {
				if (width > 0)
					width--;
				c = get(in);
			}
		} else if (width != 0 && tolower(c) == 'b') {
			base = 2;	/* %i in C23, or %b */
			if (width > 0)
				width--;
			c = get(in);
		} else if (base == 0) {
			base = 8;
		}
	}
	if (base == 0)
		base = 10;
	while (c != EOF && width != 0) {
		if (base == 16 ? !isxdigit(c) : (!isdigit(c) || c - '0' >= base))
			break;
		if (!add(&d, c)) {
			r = EOF;	/* out of memory: glibc fails the call too */
			break;
		}
		if (width > 0)
			width--;
		c = get(in);
	}
	unget(in, c);
	if (r == 1 && (d.len == 0 || (d.len == 1 && (d.p[0] == '-' || d.p[0] == '+'))))
		r = 0;
	if (r == 1 && !sp->suppress)
		store_number(sp, arg, d.p, base);
	if (d.p != d.small)
		free(d.p);
	return r;
}

static void store_count(const struct spec *sp, void *arg, size_t n)
{
	if (sp->size == 'H')
		*(signed char *)arg = (signed char)n;
	else if (sp->size == 'h')
		*(short *)arg = (short)n;
	else if (sp->size == 'l')
		*(long *)arg = (long)n;
	else
		*(int *)arg = (int)n;
}

static int scan(struct input *in, const char *fmt, va_list ap)
{
	const char *p = fmt;
	int done = 0;

	while (*p) {
		const char *lit = p, *q = p;
		struct spec sp;
		void *arg = NULL;
		bool assigned;
		int r;

		/* literal text up to the next conversion ("%%" is literal) */
		while (*q && !(q[0] == '%' && q[1] != '%'))
			q += q[0] == '%' ? 2 : 1;
		if (*q == '\0') {
			r = run_piece(in, lit, q, NULL, &assigned);
			if (r == EOF)
				return done ? done : EOF;
			return done;
		}
		if (!parse_spec(q, &sp))	/* needs_c23 ruled this out */
			return done;
		if (!sp.suppress)
			arg = va_arg(ap, void *);
		if (((sp.conv == 'i' || sp.conv == 'b') && sp.plain) || sp.conv == 'n') {
			r = run_piece(in, lit, q, NULL, &assigned);
			if (r == 1 && sp.conv == 'n') {
				if (arg)
					store_count(&sp, arg, in->taken);
			} else if (r == 1) {
				r = read_number(in, &sp, arg);
				assigned = r == 1 && !sp.suppress;
			}
		} else {
			r = run_piece(in, lit, sp.end, arg, &assigned);
		}
		if (r == EOF)
			return done ? done : EOF;
		if (r == 0)
			return done;
		done += assigned;
		p = sp.end;
	}
	return done;
}

int compat_vfscanf(FILE *f, const char *fmt, va_list ap)
{
	struct input in = { f, NULL, 0 };

	if (!needs_c23(fmt))
		return __isoc99_vfscanf(f, fmt, ap);
	return scan(&in, fmt, ap);
}

int compat_vsscanf(const char *s, const char *fmt, va_list ap)
{
	struct input in = { NULL, s, 0 };

	if (!needs_c23(fmt))
		return __isoc99_vsscanf(s, fmt, ap);
	return scan(&in, fmt, ap);
}

int compat_vscanf(const char *fmt, va_list ap)
{
	return compat_vfscanf(stdin, fmt, ap);
}

int compat_fscanf(FILE *f, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = compat_vfscanf(f, fmt, ap);
	va_end(ap);
	return r;
}

int compat_sscanf(const char *s, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = compat_vsscanf(s, fmt, ap);
	va_end(ap);
	return r;
}

int compat_scanf(const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = compat_vfscanf(stdin, fmt, ap);
	va_end(ap);
	return r;
}
