#include <config.h>

#include "sandbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"
#include "spawn.h"

void ak_sandbox_bind(struct ak_sandbox *s, const char *host, const char *inside, bool writable)
{
	ak_grow((void **)&s->binds, &s->capbinds, s->nbinds + 1, sizeof *s->binds);
	s->binds[s->nbinds].host = ak_xstrdup(host);
	s->binds[s->nbinds].inside = ak_xstrdup(inside);
	s->binds[s->nbinds].writable = writable;
	s->nbinds++;
}

void ak_sandbox_free(struct ak_sandbox *s)
{
	for (size_t i = 0; i < s->nbinds; i++) {
		free(s->binds[i].host);
		free(s->binds[i].inside);
	}
	free(s->binds);
	ak_strvec_free(&s->env);
	s->binds = NULL;
	s->nbinds = s->capbinds = 0;
}

/* Is prog an executable in PATH? (No process is started: a verification
 * cell's overhead is mostly process starts.) */
static bool on_path(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[4096];

	if (path == NULL || *path == '\0')
		path = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
	while (*path) {
		size_t n = strcspn(path, ":");

		if (n > 0 && (size_t)snprintf(buf, sizeof buf, "%.*s/%s", (int)n, path, prog) < sizeof buf &&
		    access(buf, X_OK) == 0)
			return true;
		path += n + (path[n] == ':');
	}
	return false;
}

const char *ak_sandbox_method(struct ak_err *err)
{
	const char *force = getenv("ABIKIT_SANDBOX");

	/* ABIKIT_SANDBOX=unshare forces the fallback (tests, broken bwrap). */
	if (on_path("bwrap") && !(force && strcmp(force, "unshare") == 0))
		return "bwrap";
	if (geteuid() == 0 && on_path("unshare") && (on_path("chroot") || access("/usr/sbin/chroot", X_OK) == 0))
		return "unshare+chroot";
	return ak_errf(err, "no sandbox: bubblewrap is not installed (apt-get install bubblewrap)%s",
		       geteuid() ? ", and the unshare+chroot fallback needs root" : ""),
	       NULL;
}

/* The root's top-level entries, as bwrap arguments: directories bound
 * read-only, symlinks (merged /usr) recreated. The sandbox's own / is a
 * tmpfs, so binds can go anywhere without touching the root. */
static void top_level(const struct ak_sandbox *s, struct ak_strvec *args)
{
	DIR *d = opendir(s->root);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char *p, target[4096];
		struct stat st;
		ssize_t n;

		if (e->d_name[0] == '.' || strcmp(e->d_name, "proc") == 0 || strcmp(e->d_name, "dev") == 0 ||
		    strcmp(e->d_name, "tmp") == 0)
			continue;
		p = ak_path_join(s->root, e->d_name);
		if (lstat(p, &st) == 0) {
			char inside[512];

			snprintf(inside, sizeof inside, "/%s", e->d_name);
			if (S_ISLNK(st.st_mode) && (n = readlink(p, target, sizeof target - 1)) > 0) {
				target[n] = '\0';
				ak_strvec_push(args, "--symlink");
				ak_strvec_push(args, target);
				ak_strvec_push(args, inside);
			} else if (S_ISDIR(st.st_mode)) {
				ak_strvec_push(args, "--ro-bind");
				ak_strvec_push(args, p);
				ak_strvec_push(args, inside);
			}
		}
		free(p);
	}
	closedir(d);
}

static void bwrap_args(const struct ak_sandbox *s, const char *const *argv, struct ak_strvec *a)
{
	ak_strvec_push(a, "bwrap");
	top_level(s, a);
	ak_strvec_push(a, "--dev");
	ak_strvec_push(a, "/dev");
	if (!s->no_proc) {
		ak_strvec_push(a, "--proc");
		ak_strvec_push(a, "/proc");
	}
	ak_strvec_push(a, "--tmpfs");
	ak_strvec_push(a, "/tmp");
	for (size_t i = 0; i < s->nbinds; i++) {
		ak_strvec_push(a, s->binds[i].writable ? "--bind" : "--ro-bind");
		ak_strvec_push(a, s->binds[i].host);
		ak_strvec_push(a, s->binds[i].inside);
	}
	if (s->read_only) {
		/* Read-only only now: the binds above may need mount points made
		 * in /tmp (a target under /tmp) or in the tmpfs root. */
		ak_strvec_push(a, "--remount-ro");
		ak_strvec_push(a, "/tmp");
		ak_strvec_push(a, "--remount-ro");
		ak_strvec_push(a, "/");
	}
	/* A PID namespace (fresh /proc, all gone with its init) and death with
	 * abikit. The session is new already (setsid below); IPC and UTS
	 * namespaces would cost 2-3 ms a run for nothing start-up depends on. */
	ak_strvec_push(a, "--unshare-pid");
	ak_strvec_push(a, "--die-with-parent");
	ak_strvec_push(a, "--clearenv");
	for (size_t i = 0; i < s->env.n; i++) {
		const char *eq = strchr(s->env.v[i], '=');
		char name[256];

		if (eq == NULL || (size_t)(eq - s->env.v[i]) >= sizeof name)
			continue;
		snprintf(name, sizeof name, "%.*s", (int)(eq - s->env.v[i]), s->env.v[i]);
		ak_strvec_push(a, "--setenv");
		ak_strvec_push(a, name);
		ak_strvec_push(a, eq + 1);
	}
	ak_strvec_push(a, "--");
	for (const char *const *p = argv; *p; p++)
		ak_strvec_push(a, *p);
}

/* The fallback: a private mount namespace and PID namespace made by
 * unshare(1), a tmpfs root assembled by a small script, then chroot. The
 * script gets every path and argument as a positional parameter, so
 * nothing is ever parsed by the shell. */
static const char fallback_script[] =
	"set -e\n"
	"t=$1; root=$2; np=$3; nb=$4; shift 4\n"
	"mount -t tmpfs abikit \"$t\"\n"
	"for e in \"$root\"/*; do n=${e##*/}\n"
	"  case $n in proc|dev|tmp) continue;; esac\n"
	"  if [ -L \"$e\" ]; then ln -s \"$(readlink \"$e\")\" \"$t/$n\"\n"
	"  elif [ -d \"$e\" ]; then mkdir \"$t/$n\"; mount --rbind \"$e\" \"$t/$n\"; mount -o remount,bind,ro \"$t/$n\"; fi\n"
	"done\n"
	"mkdir -p \"$t/dev\" \"$t/proc\" \"$t/tmp\"; mount --rbind /dev \"$t/dev\"; mount -t tmpfs tmp \"$t/tmp\"\n"
	"[ \"$np\" = 1 ] || mount -t proc proc \"$t/proc\"\n"
	"while [ \"$nb\" -gt 0 ]; do mkdir -p \"$t$3\"; mount --bind \"$2\" \"$t$3\"\n"
	"  [ \"$1\" = rw ] || mount -o remount,bind,ro \"$t$3\"; shift 3; nb=$((nb-1)); done\n"
	"exec chroot \"$t\" /usr/bin/env -i \"$@\"\n";

static void fallback_args(const struct ak_sandbox *s, const char *tmproot, const char *const *argv,
			  struct ak_strvec *a)
{
	char n[32];

	ak_strvec_push(a, "unshare");
	ak_strvec_push(a, "--mount");
	ak_strvec_push(a, "--pid");
	ak_strvec_push(a, "--fork");
	ak_strvec_push(a, "--kill-child");
	ak_strvec_push(a, "--propagation");
	ak_strvec_push(a, "private");
	ak_strvec_push(a, "sh");
	ak_strvec_push(a, "-c");
	ak_strvec_push(a, fallback_script);
	ak_strvec_push(a, "abikit-sandbox");
	ak_strvec_push(a, tmproot);
	ak_strvec_push(a, s->root);
	ak_strvec_push(a, s->no_proc ? "1" : "0");
	snprintf(n, sizeof n, "%zu", s->nbinds);
	ak_strvec_push(a, n);
	for (size_t i = 0; i < s->nbinds; i++) {
		ak_strvec_push(a, s->binds[i].writable ? "rw" : "ro");
		ak_strvec_push(a, s->binds[i].host);
		ak_strvec_push(a, s->binds[i].inside);
	}
	for (size_t i = 0; i < s->env.n; i++)
		ak_strvec_push(a, s->env.v[i]);
	for (const char *const *p = argv; *p; p++)
		ak_strvec_push(a, *p);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int ak_sandbox_run(const struct ak_sandbox *s, const char *const *argv, struct ak_sandbox_result *r,
		   struct ak_err *err)
{
	struct ak_strvec a = { 0 };
	char tmproot[] = "/tmp/abikit-sandbox-XXXXXX";
	bool made_tmproot = false;
	double start, deadline;
	int status = 0;
	pid_t pid;

	memset(r, 0, sizeof *r);
	r->method = ak_sandbox_method(err);
	if (r->method == NULL)
		return -1;
	if (strcmp(r->method, "bwrap") == 0) {
		bwrap_args(s, argv, &a);
	} else {
		if (mkdtemp(tmproot) == NULL)
			return ak_errno(err, errno, "%s", tmproot);
		made_tmproot = true;
		fallback_args(s, tmproot, argv, &a);
	}
	/* execvp wants the vector NULL-terminated; the NULL is not counted. */
	ak_grow((void **)&a.v, &a.cap, a.n + 1, sizeof *a.v);
	a.v[a.n] = NULL;

	start = now();
	pid = fork();
	if (pid < 0) {
		ak_errno(err, errno, "fork");
		goto fail;
	}
	if (pid == 0) {
		int in = open("/dev/null", O_RDONLY);
		int out = open(s->stdout_path ? s->stdout_path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int er = open(s->stderr_path ? s->stderr_path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);

		/* Its own session and process group: the whole tree can be killed,
		 * and it has no controlling terminal to inject input into. */
		setsid();
		if (in >= 0)
			dup2(in, STDIN_FILENO);
		if (out >= 0)
			dup2(out, STDOUT_FILENO);
		if (er >= 0)
			dup2(er, STDERR_FILENO);
		if (s->audit_fd_path) {
			int fd = open(s->audit_fd_path, O_WRONLY | O_CREAT | O_APPEND, 0644);

			if (fd >= 0 && fd != 1023) {
				dup2(fd, 1023);
				close(fd);
			}
		}
		execvp(a.v[0], a.v);
		dprintf(STDERR_FILENO, "abikit: cannot run %s: %s\n", a.v[0], strerror(errno));
		_exit(127);
	}
	deadline = s->timeout > 0 ? start + s->timeout : 0;
	{
		/* Wait on a pidfd when the kernel has them (5.3+): woken at the
		 * exit, not at the next poll tick. */
		int pfd = (int)syscall(SYS_pidfd_open, pid, 0);

		for (;;) {
			pid_t w = waitpid(pid, &status, WNOHANG);

			if (w == pid)
				break;
			if (w < 0 && errno != EINTR) {
				ak_errno(err, errno, "waitpid");
				if (pfd >= 0)
					close(pfd);
				goto fail;
			}
			if (deadline > 0 && now() > deadline) {
				kill(-pid, SIGKILL);
				r->timed_out = true;
				waitpid(pid, &status, 0);
				break;
			}
			if (pfd >= 0) {
				struct pollfd p = { .fd = pfd, .events = POLLIN };

				poll(&p, 1, 100);
			} else {
				poll(NULL, 0, 2);
			}
		}
		if (pfd >= 0)
			close(pfd);
	}
	/* Whatever is left of the group (a daemonising program) goes too. */
	kill(-pid, SIGKILL);
	r->seconds = now() - start;
	r->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	if (made_tmproot)
		rmdir(tmproot);
	ak_strvec_free(&a);
	return 0;
fail:
	if (made_tmproot)
		rmdir(tmproot);
	ak_strvec_free(&a);
	return -1;
}
