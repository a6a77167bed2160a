/* abikit-audit.so: an rtld-audit module (LD_AUDIT, see rtld-audit(7)) that
 * records every object the dynamic linker loads and every symbol binding
 * it reports, for `abikit verify`.
 *
 * It must load into any glibc process, 2.17 to 2.43, whichever glibc that
 * process runs on.  An audit module lives in a link-map namespace of its
 * own, where a DT_NEEDED libc.so.6 is looked up through the system's paths
 * and ld.so.cache, not the program's RPATH: under a private runtime's ld.so
 * that finds the root's libc, the GLIBC_PRIVATE versions do not match, and
 * the loader ignores the module.  So this file is freestanding: built with
 * -nostdlib, no DT_NEEDED, no version needs, no libc call.  Headers are used
 * for types and constants only; output is raw Linux system calls.
 *
 * Protocol (where the lines go), decided once in la_version:
 *   1. ABIKIT_AUDIT_OUT=FILE: FILE is opened O_APPEND|O_CREAT (0644), so
 *      every process of a tree that inherits LD_AUDIT appends to it.
 *   2. else ABIKIT_AUDIT_FD=N: the runner keeps descriptor N open.
 *   3. else fd 1023 (AK_DEFAULT_FD).
 * Without libc there is no environ, so the variables are read from
 * /proc/self/environ (the environment the process was executed with).
 * Where /proc is not mounted (abikit verify can run a root without it)
 * nothing can be read and the lines go to fd 1023: a runner that may lack
 * /proc opens its output on fd 1023.  If the chosen output cannot be
 * written, the lines are lost silently: the audited program must never
 * notice the module.
 *
 * Lines: one write() each, so lines of concurrent threads (and, on a file
 * opened O_APPEND or a pipe, of forked children) never mix.  A line is at
 * most AK_LINE bytes (PIPE_BUF on Linux: atomic on a pipe too); a longer
 * one is cut and still ends in '\n'.  PID is the writing process.
 *   V PID VERSION              la_version: the interface version ld.so
 *                              offers (1 before glibc 2.35, 2 since)
 *   O PID LMID 0xL_ADDR PATH   la_objopen: an object, its namespace and
 *                              load bias; PATH "<main>" for the program
 *   P PID                      la_preinit: start-up done, main comes next
 *   B PID REFPATH DEFPATH SYM  la_symbind: REFPATH's reference to SYM
 *                              bound to DEFPATH's definition
 *   C PID PATH                 la_objclose
 * PATH and SYM are escaped: space, backslash and bytes below 0x21 or from
 * 0x7f as \ooo (octal, as in /proc/mounts), so fields split on spaces.
 *
 * What la_symbind reports depends on the glibc.  Checked in glibc's own
 * sources (2.31 elf/dl-runtime.c; 2.36 and 2.43 elf/do-rel.h; the 2.35
 * NEWS: "LAV_CURRENT is increased to enable proper bind-now support") and
 * measured by tests/abikit.audit/audit.exp on 2.31, 2.36, 2.41 and 2.43:
 *   - glibc < 2.35: only from _dl_profile_fixup, i.e. lazy PLT binding at
 *     a function's first call (after the P line).  With LD_BIND_NOW=1 or
 *     -z now it is never called: no B line at all.
 *   - glibc >= 2.35: also at start-up (before the P line) for every
 *     R_*_JUMP_SLOT relocation resolved then (LD_BIND_NOW, -z now, and
 *     libraries linked -z now even in a lazy run), with flags
 *     LA_SYMB_NOPLTENTER|LA_SYMB_NOPLTEXIT.
 *   - Never for GLOB_DAT or other data relocations (variables, function
 *     pointers, -fno-plt calls), on any version.
 * Before 2.35 ld.so offers interface version 1, since then 2.
 * So B lines are a lower bound; abikit verify gets the rest from
 * LD_DEBUG=bindings. */
#define _GNU_SOURCE
#include <link.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <asm/unistd.h>

#define AK_DEFAULT_FD 1023	/* under the usual RLIMIT_NOFILE of 1024 */
#define AK_HIGH_FD 900		/* where an opened ABIKIT_AUDIT_OUT is moved */
#define AK_LINE 4096
#define AK_ENTRY 4200		/* one environment entry: a path and a name */

/* Version 2 (glibc 2.35) changed only the aarch64 register structures of
 * la_pltenter/la_pltexit, which this module does not define; glibc 2.35+
 * on aarch64 loads nothing but version 2.  So 2 is the ceiling even when
 * built against older headers, and lower versions are accepted as offered. */
#if LAV_CURRENT > 2
#define AK_LAV LAV_CURRENT
#else
#define AK_LAV 2
#endif

#define AK_EXPORT __attribute__((visibility("default")))

/* The one mutable global, forced by the interface: the callbacks get no
 * context of ours but per-object cookies, so the output chosen in
 * la_version must live here.  Written once before any other callback. */
static int out_fd = AK_DEFAULT_FD;

/* --- system calls: return the result or -errno */

#if defined(__x86_64__)
static long sys4(long n, long a, long b, long c, long d)
{
	register long r10 __asm__("r10") = d;
	long r;
	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10)
			 : "rcx", "r11", "memory");
	return r;
}
#elif defined(__aarch64__)
static long sys4(long n, long a, long b, long c, long d)
{
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;
	__asm__ volatile("svc 0"
			 : "+r"(x0)
			 : "r"(x8), "r"(x1), "r"(x2), "r"(x3)
			 : "memory");
	return x0;
}
#elif defined(__i386__)
static long sys4(long n, long a, long b, long c, long d)
{
	long r;
	__asm__ volatile("int $0x80"
			 : "=a"(r)
			 : "a"(n), "b"(a), "c"(b), "d"(c), "S"(d)
			 : "memory");
	return r;
}
#else
#error "abikit-audit: no system call stub for this architecture"
#endif

static int sys_openat(const char *path, int flags, int mode)
{
	return (int)sys4(__NR_openat, AT_FDCWD, (long)path, flags, mode);
}

static long sys_read(int fd, void *buf, size_t n)
{
	return sys4(__NR_read, fd, (long)buf, (long)n, 0);
}

static long sys_write(int fd, const void *buf, size_t n)
{
	return sys4(__NR_write, fd, (long)buf, (long)n, 0);
}

static void sys_close(int fd)
{
	sys4(__NR_close, fd, 0, 0, 0);
}

static int sys_dupfd_cloexec(int fd, int min)
{
	return (int)sys4(__NR_fcntl, fd, F_DUPFD_CLOEXEC, min, 0);
}

static long sys_getpid(void)
{
	return sys4(__NR_getpid, 0, 0, 0, 0);
}

/* --- small string helpers (no libc) */

static int has_prefix(const char *s, size_t n, const char *p)
{
	size_t i;

	for (i = 0; p[i]; i++)
		if (i >= n || s[i] != p[i])
			return 0;
	return 1;
}

/* A descriptor number: digits only, at most 7 of them; else -1. */
static int parse_fd(const char *s, size_t n)
{
	int v = 0;
	size_t i;

	if (n == 0 || n > 7)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* --- the output */

/* Opens FILE for appending and moves it to a high descriptor, so a program
 * that closes and reuses its low descriptors does not get our lines in its
 * own files.  The low one is kept if the move fails (low RLIMIT_NOFILE). */
static int open_out(const char *path)
{
	int fd = sys_openat(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	int hi;

	if (fd < 0)
		return -1;
	hi = sys_dupfd_cloexec(fd, AK_HIGH_FD);
	if (hi < 0)
		return fd;
	sys_close(fd);
	return hi;
}

/* Decides the output as the protocol at the top says. */
static int choose_out(void)
{
	static const char out_var[] = "ABIKIT_AUDIT_OUT=";
	static const char fd_var[] = "ABIKIT_AUDIT_FD=";
	char buf[512];
	char ent[AK_ENTRY];
	size_t n = 0;
	int too_long = 0, fd = -1, env, done = 0;
	long got;

	env = sys_openat("/proc/self/environ", O_RDONLY | O_CLOEXEC, 0);
	if (env < 0)
		return AK_DEFAULT_FD;
	/* Entries are NUL-terminated; one longer than ent cannot be ours. */
	while (!done && (got = sys_read(env, buf, sizeof buf)) != 0) {
		long i;

		if (got == -4)	/* EINTR */
			continue;
		if (got < 0)
			break;
		for (i = 0; i < got && !done; i++) {
			if (buf[i] != '\0') {
				if (n < sizeof ent - 1)
					ent[n++] = buf[i];
				else
					too_long = 1;
				continue;
			}
			if (!too_long && has_prefix(ent, n, out_var)) {
				ent[n] = '\0';
				done = 1;	/* it wins whatever follows */
			} else if (!too_long && has_prefix(ent, n, fd_var)) {
				fd = parse_fd(ent + sizeof fd_var - 1, n - (sizeof fd_var - 1));
			}
			if (!done)
				n = 0;
			too_long = 0;
		}
	}
	sys_close(env);
	if (done)
		return open_out(ent + sizeof out_var - 1);
	return fd >= 0 ? fd : AK_DEFAULT_FD;
}

struct line {
	char b[AK_LINE];
	size_t n;
};

/* Appends one byte, leaving room for the final '\n'. */
static void put_c(struct line *l, char c)
{
	if (l->n < sizeof l->b - 1)
		l->b[l->n++] = c;
}

static void put_s(struct line *l, const char *s)
{
	while (*s)
		put_c(l, *s++);
}

/* Appends s escaped, so a name never breaks the fields of a line. */
static void put_esc(struct line *l, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c <= ' ' || c == '\\' || c >= 0x7f) {
			put_c(l, '\\');
			put_c(l, (char)('0' + (c >> 6)));
			put_c(l, (char)('0' + ((c >> 3) & 7)));
			put_c(l, (char)('0' + (c & 7)));
		} else {
			put_c(l, (char)c);
		}
	}
}

static void put_u(struct line *l, unsigned long v, unsigned base)
{
	char d[24];
	int i = 0;

	do {
		d[i++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (i)
		put_c(l, d[--i]);
}

static void put_d(struct line *l, long v)
{
	if (v < 0) {
		put_c(l, '-');
		put_u(l, -(unsigned long)v, 10);
	} else {
		put_u(l, (unsigned long)v, 10);
	}
}

/* Starts a line: its tag and the writing process. */
static void begin(struct line *l, char tag)
{
	l->n = 0;
	put_c(l, tag);
	put_c(l, ' ');
	put_d(l, sys_getpid());
}

static void put_path(struct line *l, const struct link_map *map)
{
	put_c(l, ' ');
	if (map == NULL)
		put_s(l, "<unknown>");
	else if (map->l_name == NULL || map->l_name[0] == '\0')
		put_s(l, "<main>");	/* the program's l_name is "" */
	else
		put_esc(l, map->l_name);
}

/* One write() for the whole line: that is what keeps lines whole. */
static void emit(struct line *l)
{
	const char *p = l->b;
	long w;

	if (out_fd < 0)
		return;
	l->b[l->n++] = '\n';
	while (l->n > 0) {
		w = sys_write(out_fd, p, l->n);
		if (w == -4)	/* EINTR */
			continue;
		if (w <= 0)
			return;
		p += w;
		l->n -= (size_t)w;
	}
}

/* --- the rtld-audit interface */

AK_EXPORT unsigned int la_version(unsigned int version)
{
	struct line l;

	out_fd = choose_out();
	begin(&l, 'V');
	put_c(&l, ' ');
	put_u(&l, version, 10);
	emit(&l);
	return version <= AK_LAV ? version : AK_LAV;
}

AK_EXPORT unsigned int la_objopen(struct link_map *map, Lmid_t lmid, uintptr_t *cookie)
{
	struct line l;

	*cookie = (uintptr_t)map;	/* la_symbind names objects from it */
	begin(&l, 'O');
	put_c(&l, ' ');
	put_d(&l, (long)lmid);
	put_s(&l, " 0x");
	put_u(&l, (unsigned long)map->l_addr, 16);
	put_path(&l, map);
	emit(&l);
	return LA_FLG_BINDTO | LA_FLG_BINDFROM;
}

AK_EXPORT void la_preinit(uintptr_t *cookie)
{
	struct line l;

	(void)cookie;
	begin(&l, 'P');
	emit(&l);
}

AK_EXPORT unsigned int la_objclose(uintptr_t *cookie)
{
	struct line l;

	begin(&l, 'C');
	put_path(&l, (const struct link_map *)*cookie);
	emit(&l);
	return 0;
}

static void bound(uintptr_t *refcook, uintptr_t *defcook, const char *symname)
{
	struct line l;

	begin(&l, 'B');
	put_path(&l, refcook ? (const struct link_map *)*refcook : NULL);
	put_path(&l, defcook ? (const struct link_map *)*defcook : NULL);
	put_c(&l, ' ');
	put_esc(&l, symname ? symname : "");
	emit(&l);
}

#if __ELF_NATIVE_CLASS == 64
AK_EXPORT uintptr_t la_symbind64(Elf64_Sym *sym, unsigned int ndx, uintptr_t *refcook,
				 uintptr_t *defcook, unsigned int *flags, const char *symname)
{
	(void)ndx;
	(void)flags;
	bound(refcook, defcook, symname);
	return sym->st_value;
}
#else
AK_EXPORT uintptr_t la_symbind32(Elf32_Sym *sym, unsigned int ndx, uintptr_t *refcook,
				 uintptr_t *defcook, unsigned int *flags, const char *symname)
{
	(void)ndx;
	(void)flags;
	bound(refcook, defcook, symname);
	return sym->st_value;
}
#endif
