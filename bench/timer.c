/* timer N ROUNDS PROG...: in each round runs every PROG N/ROUNDS times, one
 * after another; prints, per PROG, the median over the rounds of the ns
 * per run.  Interleaved rounds spread the machine's noise over all PROGs. */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	long n = atol(argv[1]), rounds = atol(argv[2]);
	int progs = argc - 3;
	double *t = calloc((size_t)(progs * rounds), sizeof *t);

	if (!t || n < rounds || rounds < 1)
		return 2;
	for (long r = 0; r < rounds; r++) {
		for (int p = 0; p < progs; p++) {
			char *args[] = { argv[3 + p], NULL };
			struct timespec a, b;
			long k = n / rounds + (r < n % rounds);

			clock_gettime(CLOCK_MONOTONIC, &a);
			for (long i = 0; i < k; i++) {
				pid_t pid;
				int st;

				if (posix_spawn(&pid, args[0], NULL, NULL, args, environ) != 0 ||
				    waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
					fprintf(stderr, "%s: a run failed\n", args[0]);
					return 1;
				}
			}
			clock_gettime(CLOCK_MONOTONIC, &b);
			t[p * rounds + r] = ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / k;
		}
	}
	for (int p = 0; p < progs; p++) {
		qsort(t + p * rounds, (size_t)rounds, sizeof *t, cmp);
		printf("%.0f\n", t[p * rounds + rounds / 2]);
	}
	return 0;
}
