/* __libc_start_main@GLIBC_2.34.
 *
 * Since glibc 2.34 the program's crt1.o passes init = fini = NULL, and libc
 * itself runs the main program's constructors (csu/libc-start.c, call_init):
 * the function DT_INIT names, then every entry of DT_INIT_ARRAY, each
 * called (argc, argv, environ).  glibc 2.31's __libc_start_main@GLIBC_2.2.5
 * calls only the init function it is given (older crt1.o passed
 * __libc_csu_init, linked into the program), so with init = NULL the
 * program's constructors would never run.  This stub passes an init
 * function that does what 2.34's call_init does, found through the main
 * program's dynamic section (its program headers from the auxiliary
 * vector, else dl_iterate_phdr, which reports the main program first).
 *
 * What is deliberately not done here, because 2.31's ld.so already does it
 * exactly as 2.34 does:
 *   - DT_PREINIT_ARRAY: run by ld.so's _dl_init before any library's
 *     constructor, on 2.31 as on 2.34 (call_init's comment says so too);
 *     running it here would run it twice.
 *   - DT_FINI_ARRAY and DT_FINI: run at exit by ld.so's _dl_fini (passed as
 *     rtld_fini), which on 2.31 covers the main program too (its
 *     l_init_called is set by _dl_init).  2.34 ignores fini; so do we, and
 *     pass NULL, so nothing is registered twice.
 * A legacy caller (a crt1.o older than 2.34 linked against a newer libc)
 * passes its own init; 2.34 calls that instead of call_init, and so do we
 * by passing it through. */
#define _GNU_SOURCE
#include <elf.h>
#include <link.h>
#include <stdbool.h>
#include <stddef.h>
#include <unistd.h>

#include "../compat.h"

/* glibc declares init with main's type (csu/libc-start.c); what it calls
 * through DT_INIT and DT_INIT_ARRAY returns nothing. */
typedef int main_fn(int, char **, char **);
typedef void ctor_fn(int, char **, char **);

int compat_old_libc_start_main(main_fn *, int, char **, main_fn *, void (*)(void), void (*)(void), void *);
COMPAT_OLD(compat_old_libc_start_main, __libc_start_main, "GLIBC_2.2.5");

int compat_libc_start_main(main_fn *, int, char **, main_fn *, void (*)(void), void (*)(void), void *);
COMPAT_SYMBOL(compat_libc_start_main, __libc_start_main, "GLIBC_2.34");

struct main_dyn {
	ElfW(Addr) base;
	const ElfW(Dyn) *dyn;
};

static int first_object(struct dl_phdr_info *info, size_t size, void *data)
{
	struct main_dyn *m = data;

	m->base = info->dlpi_addr;
	for (int i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_DYNAMIC)
			m->dyn = (const ElfW(Dyn) *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
	return 1;	/* the main program comes first: stop there */
}

/* The main program's phdrs from the auxiliary vector, which follows the
 * environment that follows argv on the initial stack (argv[argc] is NULL;
 * ld.so run as a command adjusts AT_PHDR to the program's). Reading it
 * calls nothing: dl_iterate_phdr would touch a page of libc and one of
 * ld.so that a small program never otherwise runs, two page faults that
 * cost more than the rest of the stub (bench/shim). */
static int main_from_auxv(int argc, char **argv, struct main_dyn *m)
{
	char **p = argv + argc + 1;
	const ElfW(Phdr) *phdr = NULL;
	size_t phnum = 0;
	bool have_bias = false;

	while (*p != NULL)
		p++;
	for (const ElfW(auxv_t) *av = (const ElfW(auxv_t) *)(p + 1); av->a_type != AT_NULL; av++) {
		if (av->a_type == AT_PHDR)
			phdr = (const ElfW(Phdr) *)av->a_un.a_val;
		else if (av->a_type == AT_PHNUM)
			phnum = av->a_un.a_val;
	}
	if (phdr == NULL)
		return -1;
	for (size_t i = 0; i < phnum; i++)
		if (phdr[i].p_type == PT_PHDR) {
			m->base = (ElfW(Addr))phdr - phdr[i].p_vaddr;
			have_bias = true;
		}
	if (!have_bias)
		return -1;
	for (size_t i = 0; i < phnum; i++)
		if (phdr[i].p_type == PT_DYNAMIC)
			m->dyn = (const ElfW(Dyn) *)(m->base + phdr[i].p_vaddr);
	return 0;
}

/* ld.so relocates only some d_ptr entries in place (the ones it uses
 * itself: DT_STRTAB, DT_SYMTAB, ...), never DT_INIT or DT_INIT_ARRAY, so
 * these are link-time addresses: add the load bias. */
static int run_main_constructors(int argc, char **argv, char **envp)
{
	struct main_dyn m = { 0, NULL };
	ElfW(Addr) init = 0, array = 0, arraysz = 0;

	if (main_from_auxv(argc, argv, &m) < 0)
		dl_iterate_phdr(first_object, &m);   /* no PT_PHDR: ask ld.so */
	if (m.dyn == NULL)
		return 0;
	for (const ElfW(Dyn) *d = m.dyn; d->d_tag != DT_NULL; d++) {
		if (d->d_tag == DT_INIT)
			init = d->d_un.d_ptr;
		else if (d->d_tag == DT_INIT_ARRAY)
			array = d->d_un.d_ptr;
		else if (d->d_tag == DT_INIT_ARRAYSZ)
			arraysz = d->d_un.d_val;
	}
	if (init != 0)
		((ctor_fn *)(m.base + init))(argc, argv, envp);
	if (array != 0) {
		ElfW(Addr) *fns = (ElfW(Addr) *)(m.base + array);
		for (size_t i = 0; i < arraysz / sizeof *fns; i++)
			((ctor_fn *)fns[i])(argc, argv, envp);
	}
	return 0;
}

int compat_libc_start_main(main_fn *main, int argc, char **argv, main_fn *init,
			   void (*fini)(void), void (*rtld_fini)(void), void *stack_end)
{
	(void)fini;
	return compat_old_libc_start_main(main, argc, argv, init ? init : run_main_constructors,
					  NULL, rtld_fini, stack_end);
}
