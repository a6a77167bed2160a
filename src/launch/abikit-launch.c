/* abikit-launch: the launcher in front of every program of a bundle made by
 * `abikit bundle`:
 *
 *   DIR/bin/NAME             a copy of this launcher
 *   DIR/libexec/NAME         the real program, PT_INTERP DIR/<ld_so>
 *   DIR/abikit-launch.conf   ld_so=, library_path=, argv0=, inhibit_cache=, env=
 *
 * It is static (built with musl-gcc -static when there is one) because it
 * must start on any system whatever its libc, and it runs before every
 * program of the bundle, so it does a few system calls and no stdio.
 *
 * Preferred is the direct mode: the real program's PT_INTERP names the
 * bundle's own ld.so, and it is executed as itself, so /proc/self/exe is
 * the real program and programs that re-execute themselves (node's
 * child_process.fork through process.execPath, anything that execs
 * /proc/self/exe) keep working.  When the bundle moved, PT_INTERP names the
 * old place; the bundler left room in it, so the first run writes a fixed
 * copy and renames it over the program.  Only when that cannot be done (a
 * read-only bundle, no room) the program runs in the ld.so mode, as
 * `ld.so --library-path ... PROGRAM ARGS`: it works, but there
 * /proc/self/exe (node's process.execPath) is ld.so itself, so a self
 * re-exec starts ld.so with the program's arguments as if they named a
 * program, and fails.  That is why it is the fallback only.
 *
 * Errors: one line "abikit-launch: FILE: reason" on stderr, exit 127, as a
 * shell says "cannot execute". */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>		/* rename() only: no stdio streams */
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define ME "abikit-launch"
#define CONF_NAME "abikit-launch.conf"
#define CONF_MAX 16384		/* a conf is a dozen short lines */
#define ENV_MAX 64
#define LIBPATH_MAX 8192
#define INTERP_MAX 4096		/* the kernel refuses longer (PATH_MAX) */

struct conf {
	char ld_so[PATH_MAX];
	char libpath[LIBPATH_MAX];
	int argv0;
	int inhibit_cache;
	char *env[ENV_MAX + 1];	/* NAME=VALUE lines, and ABIKIT_BUNDLE */
	size_t nenv;
};

/* Appends s to b (size cap, holding n bytes); returns the new length, or
 * cap when it did not fit, so the caller checks once at the end. */
static size_t put(char *b, size_t cap, size_t n, const char *s, size_t len)
{
	if (n >= cap || len >= cap - n)
		return cap;
	memcpy(b + n, s, len);
	b[n + len] = '\0';
	return n + len;
}

static size_t puts0(char *b, size_t cap, size_t n, const char *s)
{
	return put(b, cap, n, s, strlen(s));
}

static _Noreturn void die(const char *file, const char *why)
{
	char line[PATH_MAX + 512];
	size_t n = puts0(line, sizeof line - 1, 0, ME ": ");

	n = puts0(line, sizeof line - 1, n, file);
	n = puts0(line, sizeof line - 1, n, ": ");
	n = puts0(line, sizeof line - 1, n, why);
	if (n >= sizeof line - 1)	/* cut: still one line */
		n = strlen(line);
	line[n++] = '\n';
	(void)!write(2, line, n);
	_exit(127);
}

static _Noreturn void usage(const char *dir, const char *name, const char *why)
{
	char line[PATH_MAX + 512];
	size_t n = 0;

	if (why) {
		/* Named as a program of a bundle that lacks it: one line. */
		n = puts0(line, sizeof line, n, ME ": ");
		n = puts0(line, sizeof line, n, dir);
		n = puts0(line, sizeof line, n, "/libexec/");
		n = puts0(line, sizeof line, n, name);
		n = puts0(line, sizeof line, n, ": ");
		n = puts0(line, sizeof line, n, why);
		n = puts0(line, sizeof line, n,
			  " (this is " ME ", which runs DIR/libexec/NAME of a bundle made by abikit bundle)\n");
		if (n >= sizeof line)
			die(name, why);
	} else {
		n = puts0(line, sizeof line, n,
			  "Usage: DIR/bin/NAME [ARG...]\n"
			  ME " is the launcher `abikit bundle` copies to DIR/bin/NAME: it runs\n"
			  "DIR/libexec/NAME on the glibc runtime named in DIR/" CONF_NAME ".\n"
			  "Run as " ME " itself it does nothing.\n");
	}
	(void)!write(2, line, n);
	_exit(127);
}

/* "DIR/rel", or rel when it is absolute; 0, or -1 when it is too long. */
static int in_dir(char *out, size_t cap, const char *dir, const char *rel, size_t len)
{
	size_t n = 0;

	if (len && rel[0] != '/') {
		n = puts0(out, cap, n, dir);
		n = put(out, cap, n, "/", 1);
	}
	n = put(out, cap, n, rel, len);
	return n < cap ? 0 : -1;
}

static int yes_no(const char *v, int *out)
{
	if (strcmp(v, "yes") == 0)
		*out = 1;
	else if (strcmp(v, "no") == 0)
		*out = 0;
	else
		return -1;
	return 0;
}

/* Sets NAME=VALUE in the conf's environment; a later line wins. */
static const char *set_env(struct conf *c, char *kv)
{
	size_t name = strcspn(kv, "=");

	for (size_t i = 0; i < c->nenv; i++) {
		if (strncmp(c->env[i], kv, name + 1) == 0) {
			free(c->env[i]);
			c->env[i] = kv;
			return NULL;
		}
	}
	if (c->nenv == sizeof c->env / sizeof c->env[0])
		return "too many env= lines";
	c->env[c->nenv++] = kv;
	return NULL;
}

/* env=NAME=VALUE: a leading "@/" in VALUE is the bundle directory. */
static const char *conf_env(struct conf *c, const char *dir, const char *v)
{
	const char *eq = strchr(v, '=');
	size_t cap, n;
	char *kv;

	if (!eq || eq == v)
		return "env= needs NAME=VALUE";
	if (c->nenv == ENV_MAX)	/* one place kept for ABIKIT_BUNDLE */
		return "too many env= lines";
	cap = strlen(v) + strlen(dir) + 2;
	kv = malloc(cap);
	if (!kv)
		return strerror(ENOMEM);
	n = put(kv, cap, 0, v, (size_t)(eq - v) + 1);
	if (strncmp(eq + 1, "@/", 2) == 0) {
		n = puts0(kv, cap, n, dir);
		n = puts0(kv, cap, n, eq + 2);
	} else {
		n = puts0(kv, cap, n, eq + 1);
	}
	return set_env(c, kv);
}

/* library_path=a:b: each relative entry made DIR/entry; empty ones
 * dropped, since an empty entry would mean the current directory. */
static const char *conf_libpath(struct conf *c, const char *dir, const char *v)
{
	char one[PATH_MAX];
	size_t n = 0;

	c->libpath[0] = '\0';
	while (*v) {
		size_t len = strcspn(v, ":");

		if (len) {
			if (in_dir(one, sizeof one, dir, v, len) != 0)
				return "library_path entry too long";
			if (n)
				n = put(c->libpath, sizeof c->libpath, n, ":", 1);
			n = puts0(c->libpath, sizeof c->libpath, n, one);
			if (n >= sizeof c->libpath)
				return "library_path too long";
		}
		v += len + (v[len] == ':');
	}
	return NULL;
}

static const char *conf_line(struct conf *c, const char *dir, char *line)
{
	char *v = strchr(line, '=');

	if (!v)
		return "expected KEY=VALUE";
	*v++ = '\0';
	if (strcmp(line, "ld_so") == 0) {
		if (!*v || in_dir(c->ld_so, sizeof c->ld_so, dir, v, strlen(v)) != 0)
			return "ld_so empty or too long";
	} else if (strcmp(line, "library_path") == 0) {
		return conf_libpath(c, dir, v);
	} else if (strcmp(line, "argv0") == 0) {
		if (yes_no(v, &c->argv0) != 0)
			return "argv0 must be yes or no";
	} else if (strcmp(line, "inhibit_cache") == 0) {
		if (yes_no(v, &c->inhibit_cache) != 0)
			return "inhibit_cache must be yes or no";
	} else if (strcmp(line, "env") == 0) {
		return conf_env(c, dir, v);
	} else {
		return "unknown key";
	}
	return NULL;
}

/* Reads DIR/abikit-launch.conf; any error ends the launch. */
static void read_conf(struct conf *c, const char *dir)
{
	char path[PATH_MAX], text[CONF_MAX + 1], why[128];
	ssize_t len = 0, r;
	int fd, lineno = 0;
	const char *err;

	if (in_dir(path, sizeof path, dir, CONF_NAME, strlen(CONF_NAME)) != 0)
		die(dir, strerror(ENAMETOOLONG));
	fd = open(path, O_RDONLY);	/* no O_CLOEXEC: closed before any exec */
	if (fd < 0)
		die(path, strerror(errno));
	while ((r = read(fd, text + len, sizeof text - (size_t)len)) > 0 && len + r < (ssize_t)sizeof text)
		len += r;
	if (r < 0)
		die(path, strerror(errno));
	if (r > 0)
		die(path, "larger than 16 KiB");
	close(fd);
	text[len] = '\0';

	memset(c, 0, sizeof *c);
	for (char *line = text, *next; line < text + len; line = next) {
		char *end = strchr(line, '\n');

		lineno++;
		next = end ? end + 1 : text + len;
		if (end)
			*end = '\0';
		if (end > line && end[-1] == '\r')
			end[-1] = '\0';
		line += strspn(line, " \t");
		if (!*line || *line == '#')
			continue;
		err = conf_line(c, dir, line);
		if (err) {
			/* "line N: why": path stays the FILE of the message. */
			size_t n = puts0(why, sizeof why, 0, "line ");
			char num[12], *p = num + sizeof num - 1;

			*p = '\0';
			do
				*--p = (char)('0' + lineno % 10);
			while ((lineno /= 10) > 0);
			n = puts0(why, sizeof why, n, p);
			n = puts0(why, sizeof why, n, ": ");
			n = puts0(why, sizeof why, n, err);
			die(path, why);
		}
	}
	if (!c->ld_so[0])
		die(path, "no ld_so= line");
	if (!c->libpath[0]) {
		/* Default: the bundle's lib, then the runtime's (ld.so's) dir. */
		size_t n = puts0(c->libpath, sizeof c->libpath, 0, dir);

		n = puts0(c->libpath, sizeof c->libpath, n, "/lib:");
		n = put(c->libpath, sizeof c->libpath, n, c->ld_so, (size_t)(strrchr(c->ld_so, '/') - c->ld_so));
		if (n >= sizeof c->libpath)
			die(path, "library_path too long");
	}
}

enum interp { I_NONE, I_SAME, I_OTHER, I_BAD };

/* Skips the leading slashes a bundler may pad PT_INTERP with. */
static const char *unpad(const char *p)
{
	while (p[0] == '/' && p[1] == '/')
		p++;
	return p;
}

/* Where the real program's PT_INTERP is, and whether it names want.
 * I_NONE: not ELF or no interpreter (static, a script): run it as it is. */
static enum interp find_interp(int fd, off_t size, const char *want, Elf64_Phdr *out)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph[32];
	char path[INTERP_MAX];
	ssize_t got = pread(fd, &eh, sizeof eh, 0);

	if (got < SELFMAG || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0)
		return I_NONE;
	if (got != (ssize_t)sizeof eh || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_phentsize != sizeof(Elf64_Phdr) ||
	    eh.e_phnum == PN_XNUM || eh.e_phoff > (uint64_t)size ||
	    (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr) > (uint64_t)size - eh.e_phoff)
		return I_BAD;
	/* The table in pieces of 32: one read for any ordinary program. */
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		unsigned k = i % 32;

		if (k == 0) {
			size_t len = (eh.e_phnum - i < 32 ? eh.e_phnum - i : 32) * sizeof ph[0];

			if (pread(fd, ph, len, (off_t)(eh.e_phoff + i * sizeof ph[0])) != (ssize_t)len)
				return I_BAD;
		}
		if (ph[k].p_type != PT_INTERP)
			continue;
		/* The kernel wants it NUL-terminated and shorter than PATH_MAX. */
		if (ph[k].p_filesz < 2 || ph[k].p_filesz > sizeof path || ph[k].p_offset > (uint64_t)size ||
		    ph[k].p_filesz > (uint64_t)size - ph[k].p_offset ||
		    pread(fd, path, ph[k].p_filesz, (off_t)ph[k].p_offset) != (ssize_t)ph[k].p_filesz ||
		    path[ph[k].p_filesz - 1] != '\0')
			return I_BAD;
		*out = ph[k];
		return strcmp(unpad(path), unpad(want)) == 0 ? I_SAME : I_OTHER;
	}
	return I_NONE;
}

static int copy_all(int in, int out, off_t size)
{
	char buf[65536];
	off_t done = 0;
	ssize_t n;

	/* copy_file_range may share blocks (reflink) and skips user space. */
	while (done < size && (n = copy_file_range(in, NULL, out, NULL, (size_t)(size - done), 0)) > 0)
		done += n;
	if (done == size)
		return 0;
	if (done != 0)
		return -1;
	/* Not on this kernel or between these file systems: by hand. */
	while ((n = pread(in, buf, sizeof buf, done)) > 0) {
		for (ssize_t w = 0, k; w < n; w += k) {
			k = write(out, buf + w, (size_t)(n - w));
			if (k <= 0)
				return -1;
		}
		done += n;
	}
	return n == 0 && done == size ? 0 : -1;
}

/* The bundle moved: writes a copy of the real program whose PT_INTERP is
 * want, NUL-padded to the room the bundler left, and renames it over the
 * program.  Every concurrent first run has its own temporary file and the
 * rename is atomic, so a run sees the old program or the fixed one, never
 * half of one.  0 when done; the program is unchanged otherwise. */
static int fix_interp(int fd, const struct stat *st, const char *dir, const char *name,
		      const char *real, const char *want, const Elf64_Phdr *ph)
{
	char tmp[PATH_MAX], path[INTERP_MAX];
	size_t len = strlen(want);
	size_t n = 0;
	int out;

	if (len + 1 > ph->p_filesz)
		return -1;
	n = puts0(tmp, sizeof tmp, n, dir);
	n = puts0(tmp, sizeof tmp, n, "/libexec/.");
	n = puts0(tmp, sizeof tmp, n, name);
	n = puts0(tmp, sizeof tmp, n, ".XXXXXX");
	if (n >= sizeof tmp)
		return -1;
	out = mkstemp(tmp);
	if (out < 0)
		return -1;
	memset(path, 0, ph->p_filesz);
	memcpy(path, want, len);
	if (copy_all(fd, out, st->st_size) != 0 ||
	    pwrite(out, path, ph->p_filesz, (off_t)ph->p_offset) != (ssize_t)ph->p_filesz)
		goto fail;
	/* Root would leave a root-owned program; others cannot chown and own
	 * it anyway.  Before fchmod, since chown clears set-id bits. */
	(void)!fchown(out, st->st_uid, st->st_gid);
	if (fchmod(out, st->st_mode & 07777) != 0 || fsync(out) != 0)
		goto fail;
	if (close(out) != 0) {
		out = -1;
		goto fail;
	}
	if (rename(tmp, real) == 0)
		return 0;
	out = -1;
fail:
	if (out >= 0)
		close(out);
	unlink(tmp);
	return -1;
}

/* How to run the real program (fd, open on it): I_SAME and I_NONE
 * directly, after fixing PT_INTERP when the bundle moved.  Concurrent first
 * runs queue on a lock of the program they opened: the first fixes it, the
 * others then find the fixed one at the path.  Without the lock a slower run
 * would rename its copy over a program that already started, whose
 * /proc/self/exe would then end in " (deleted)", breaking a self re-exec.
 * The caller's close(fd) drops the lock. */
static enum interp prepare(int fd, const char *dir, const char *name, const char *real, const char *want)
{
	struct stat st;
	Elf64_Phdr ph;
	enum interp how;
	int cur;

	if (fstat(fd, &st) != 0)
		return I_BAD;
	how = find_interp(fd, st.st_size, want, &ph);
	if (how != I_OTHER || strlen(want) >= ph.p_filesz)
		return how;	/* nothing to fix, or no room to: ld.so mode */
	/* Where flock is not supported (some NFS), unlocked is still safe. */
	(void)flock(fd, LOCK_EX);
	cur = open(real, O_RDONLY);
	if (cur < 0)
		return I_BAD;
	if (fstat(cur, &st) != 0)
		how = I_BAD;
	else
		how = find_interp(cur, st.st_size, want, &ph);
	if (how == I_OTHER && fix_interp(cur, &st, dir, name, real, want, &ph) == 0)
		how = I_SAME;
	close(cur);
	return how;
}

/* The program's environment: the conf's env= and ABIKIT_BUNDLE first, then
 * the caller's, without the names the conf sets. */
static char **environment(const struct conf *c)
{
	size_t n = 0, k = 0;
	char **env;

	while (environ[n])
		n++;
	env = malloc((n + c->nenv + 1) * sizeof *env);
	if (!env)
		die(ME, strerror(ENOMEM));
	for (size_t i = 0; i < c->nenv; i++)
		env[k++] = c->env[i];
	for (size_t i = 0; i < n; i++) {
		size_t name = strcspn(environ[i], "=");
		size_t j = 0;

		while (j < c->nenv && strncmp(c->env[j], environ[i], name + 1) != 0)
			j++;
		if (j == c->nenv)
			env[k++] = environ[i];
	}
	env[k] = NULL;
	return env;
}

int main(int argc, char **argv)
{
	char self[PATH_MAX], real[PATH_MAX], bundle[PATH_MAX + 16];
	const char *dir, *name;
	struct conf c;
	enum interp how;
	char **env, **ldargv;
	char *slash;
	ssize_t len;
	size_t n;
	int fd;

	/* Where this copy really is; argv[0] may be anything. */
	len = readlink("/proc/self/exe", self, sizeof self - 1);
	if (len < 0)
		die("/proc/self/exe", strerror(errno));
	if ((size_t)len >= sizeof self - 1)
		die("/proc/self/exe", strerror(ENAMETOOLONG));
	self[len] = '\0';
	slash = strrchr(self, '/');
	if (!slash)
		die(self, "not an absolute path");
	*slash = '\0';
	name = slash + 1;
	slash = strrchr(self, '/');
	if (slash)
		*slash = '\0';
	dir = self;		/* "" when the bundle is / */
	if (strcmp(name, ME) == 0)
		usage(dir, name, NULL);

	n = puts0(real, sizeof real, 0, dir);
	n = puts0(real, sizeof real, n, "/libexec/");
	n = puts0(real, sizeof real, n, name);
	if (n >= sizeof real)
		die(dir, strerror(ENAMETOOLONG));
	fd = open(real, O_RDONLY);	/* closed before the exec */
	if (fd < 0 && errno == ENOENT)
		usage(dir, name, strerror(ENOENT));

	read_conf(&c, dir);
	n = puts0(bundle, sizeof bundle, 0, "ABIKIT_BUNDLE=");
	n = puts0(bundle, sizeof bundle, n, dir[0] ? dir : "/");
	(void)set_env(&c, bundle);	/* last: the conf cannot change it */
	env = environment(&c);

	/* An unreadable program (execute-only) is tried directly as it is. */
	how = fd < 0 ? I_NONE : prepare(fd, dir, name, real, c.ld_so);
	if (fd >= 0)
		close(fd);	/* and the lock with it */

	/* Direct mode.  inhibit_cache cannot apply here, but the DT_RPATH
	 * finds the bundle's libraries before ld.so asks its cache. */
	if (how == I_SAME || how == I_NONE) {
		execve(real, argv, env);
		if (how == I_NONE)
			die(real, strerror(errno));
	}

	/* ld.so mode, the fallback (see the top of this file). */
	ldargv = malloc(((size_t)argc + 8) * sizeof *ldargv);
	if (!ldargv)
		die(ME, strerror(ENOMEM));
	n = 0;
	ldargv[n++] = c.ld_so;
	if (c.inhibit_cache)
		ldargv[n++] = "--inhibit-cache";
	ldargv[n++] = "--library-path";
	ldargv[n++] = c.libpath;
	if (c.argv0 && argc > 0) {
		ldargv[n++] = "--argv0";
		ldargv[n++] = argv[0];
	}
	ldargv[n++] = real;
	for (int i = 1; i < argc; i++)
		ldargv[n++] = argv[i];
	ldargv[n] = NULL;
	execve(c.ld_so, ldargv, env);
	die(c.ld_so, strerror(errno));
}
