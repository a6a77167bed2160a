#include <config.h>

#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

long ak_monotonic_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec;
}

/* Lines in the log so far: make's steps, roughly one per compiled file. */
static long count_lines(const char *log, off_t *off, long lines)
{
	char buf[65536];
	ssize_t n;
	int fd = open(log, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return lines;
	while ((n = pread(fd, buf, sizeof buf, *off)) > 0) {
		for (ssize_t i = 0; i < n; i++)
			lines += buf[i] == '\n';
		*off += n;
	}
	close(fd);
	return lines;
}

int ak_spawn_run(const struct ak_spawn *sp, struct ak_err *err)
{
	int status, fd = -1, pipefd[2];
	pid_t pid;
	long lines = 0, last = -1;
	off_t off = 0;
	bool tty = sp->progress && isatty(STDERR_FILENO);

	if (sp->log) {
		fd = open(sp->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (fd < 0)
			return ak_errno(err, errno, "%s: cannot open the log", sp->log);
		{
			struct stat st;

			if (fstat(fd, &st) == 0)
				off = st.st_size;
		}
		dprintf(fd, "\n### abikit: %s:", sp->phase ? sp->phase : "run");
		for (const char *const *a = sp->argv; *a; a++)
			dprintf(fd, " %s", *a);
		dprintf(fd, "%s%s\n", sp->cwd ? "   (in " : "", sp->cwd ? sp->cwd : "");
	}
	/* A pipe the child holds open until exec, to report exec failures. */
	if (pipe2(pipefd, O_CLOEXEC) != 0) {
		if (fd >= 0)
			close(fd);
		return ak_errno(err, errno, "pipe");
	}
	pid = fork();
	if (pid < 0) {
		if (fd >= 0)
			close(fd);
		close(pipefd[0]);
		close(pipefd[1]);
		return ak_errno(err, errno, "fork");
	}
	if (pid == 0) {
		int e;

		close(pipefd[0]);
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		{
			int nul = open("/dev/null", O_RDONLY);

			if (nul >= 0) {
				dup2(nul, STDIN_FILENO);
				close(nul);
			}
		}
		if (sp->cwd && chdir(sp->cwd) != 0)
			goto child_fail;
		for (const char *const *e2 = sp->env; e2 && *e2; e2++)
			putenv((char *)*e2);
		execvp(sp->argv[0], (char *const *)sp->argv);
child_fail:
		e = errno;
		if (write(pipefd[1], &e, sizeof e) < 0)
			_exit(127);
		_exit(127);
	}
	close(pipefd[1]);
	{
		int e = 0;
		ssize_t n = read(pipefd[0], &e, sizeof e);

		close(pipefd[0]);
		if (n == (ssize_t)sizeof e) {
			waitpid(pid, &status, 0);
			if (fd >= 0)
				close(fd);
			return ak_errno(err, e, "cannot run %s%s%s", sp->argv[0], sp->cwd ? " in " : "",
					sp->cwd ? sp->cwd : "");
		}
	}
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			if (fd >= 0)
				close(fd);
			return ak_errno(err, errno, "waitpid");
		}
		if (sp->progress && sp->log) {
			long now = ak_monotonic_seconds() - sp->started;

			lines = count_lines(sp->log, &off, lines);
			if (tty)
				fprintf(stderr, "\r  %-10s %3ld:%02ld elapsed, %ld log lines ", sp->phase ? sp->phase : "",
					now / 60, now % 60, lines);
			else if (last < 0 || now - last >= 30) {
				fprintf(stderr, "  %s: %ld:%02ld elapsed, %ld log lines\n", sp->phase ? sp->phase : "",
					now / 60, now % 60, lines);
				last = now;
			}
		}
		poll(NULL, 0, 500);
	}
	if (tty)
		fputs("\r\033[K", stderr);
	if (fd >= 0)
		close(fd);
	if (WIFSIGNALED(status))
		return ak_errf(err, "%s died from signal %d", sp->argv[0], WTERMSIG(status));
	return WEXITSTATUS(status);
}

int ak_spawn_first_line(const char *const *argv, char *buf, size_t size)
{
	int p[2], status;
	pid_t pid;
	ssize_t n;

	buf[0] = '\0';
	if (pipe2(p, O_CLOEXEC) != 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		dup2(p[1], STDOUT_FILENO);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(p[1]);
	n = read(p[0], buf, size - 1);
	close(p[0]);
	waitpid(pid, &status, 0);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

int ak_spawn_capture(const char *const *argv, char *out, size_t size, struct ak_err *err)
{
	int p[2], status;
	size_t len = 0;
	pid_t pid;
	ssize_t n;
	char sink[4096];

	out[0] = '\0';
	if (pipe2(p, O_CLOEXEC) != 0)
		return ak_errno(err, errno, "pipe");
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return ak_errno(err, errno, "fork");
	}
	if (pid == 0) {
		int nul = open("/dev/null", O_RDONLY);

		if (nul >= 0)
			dup2(nul, STDIN_FILENO);
		dup2(p[1], STDOUT_FILENO);
		dup2(p[1], STDERR_FILENO);
		execvp(argv[0], (char *const *)argv);
		dprintf(STDERR_FILENO, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(p[1]);
	/* Read to the end even past `size`, so the child never blocks on a full pipe. */
	for (;;) {
		char *dst = len + 1 < size ? out + len : sink;
		size_t room = len + 1 < size ? size - 1 - len : sizeof sink;

		n = read(p[0], dst, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (dst != sink)
			len += (size_t)n;
	}
	out[len] = '\0';
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return ak_errno(err, errno, "waitpid");
	if (WIFSIGNALED(status))
		return ak_errf(err, "%s died from signal %d", argv[0], WTERMSIG(status));
	return WEXITSTATUS(status);
}

#ifndef ABIKIT_PKGDATADIR
#define ABIKIT_PKGDATADIR "/usr/local/share/abikit"
#endif

static char *executable_in(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);

	if (p == NULL)
		return NULL;
	snprintf(p, n, "%s/%s", dir, name);
	if (access(p, X_OK) == 0)
		return p;
	free(p);
	return NULL;
}

char *ak_find_script(const char *name)
{
	const char *env = getenv("ABIKIT_SCRIPTS");
	char self[4096], *p;
	ssize_t n;

	if (env && *env && (p = executable_in(env, name)))
		return p;
	n = readlink("/proc/self/exe", self, sizeof self - 16);
	if (n > 0) {
		char *slash;

		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			strcpy(slash, "/scripts");
			if ((p = executable_in(self, name)))
				return p;
		}
	}
	return executable_in(ABIKIT_PKGDATADIR "/scripts", name);
}
