/* libabikit-compat, __libc_start_main@GLIBC_2.34: a program built with
 * glibc 2.34+ crt1.o passes no init function, and its constructors must
 * still run, once each, in glibc's order: DT_PREINIT_ARRAY (run by
 * ld.so), DT_INIT (_init, which this file extends through the .init
 * section), DT_INIT_ARRAY; then main; at exit DT_FINI_ARRAY and DT_FINI
 * (_fini, extended through .fini), each once.  Built and run by
 * tests/abikit.compat/compat.exp (see unit-compat-isoc23.c).  The exit
 * checks print after totals(): compat.exp reads them as PASSED/FAILED
 * lines too. */
#define _GNU_SOURCE
#include <dejagnu.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

extern char **environ;

static char order[16];
static size_t steps;
static int ctor_argc = -1;
static char **ctor_argv, **ctor_envp;
static int fini_array_runs, fini_runs;

static void record(char c)
{
	if (steps < sizeof order - 1)
		order[steps++] = c;
}

static void preinit(int argc, char **argv, char **envp)
{
	record('P');
}
__attribute__((used, section(".preinit_array"))) static void (*const preinit_entry)(int, char **, char **) = preinit;

/* Called from _init: crti.o opens _init, crtn.o closes it, and .init
 * text of the objects between lands inside.  Global, so the assembler
 * finds the names as written. */
void init_hook(void);
void fini_hook(void);

void init_hook(void)
{
	record('I');
}
__asm__(".section .init,\"ax\",@progbits\n\tcall init_hook\n\t.previous");

__attribute__((constructor)) static void ctor(int argc, char **argv, char **envp)
{
	record('C');
	ctor_argc = argc;
	ctor_argv = argv;
	ctor_envp = envp;
}

void fini_hook(void)
{
	fini_runs++;
	printf("\tNOTE: _fini ran (%d)\n", fini_runs);
	printf("\t%s: DT_FINI runs once, after DT_FINI_ARRAY\n", fini_runs == 1 && fini_array_runs == 1 ? "PASSED" : "FAILED");
	fflush(stdout);
}
__asm__(".section .fini,\"ax\",@progbits\n\tcall fini_hook\n\t.previous");

__attribute__((destructor)) static void dtor(void)
{
	fini_array_runs++;
	printf("\tNOTE: destructor ran (%d)\n", fini_array_runs);
	printf("\t%s: DT_FINI_ARRAY entry runs once\n", fini_array_runs == 1 ? "PASSED" : "FAILED");
	fflush(stdout);
}

int main(int argc, char **argv)
{
	record('M');
	order[steps] = '\0';
	note("start-up order %s (P preinit_array, I _init, C init_array, M main)", order);
	check(strcmp(order, "PICM") == 0, "preinit_array, _init, init_array, main: each once, in that order (%s)", order);
	check(ctor_argc == argc && ctor_argv == argv && ctor_envp == environ,
	      "init_array functions get main's argc, argv and environ");
	check(fini_array_runs == 0 && fini_runs == 0, "no destructor ran before exit");
	totals();
	fflush(stdout);
	return 0;
}
