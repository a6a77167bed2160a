/* _dl_find_object@GLIBC_2.35: which loaded object contains ADDRESS, and
 * where its exception-handling data are.  libgcc_s's unwinder (GCC 12 and
 * later) asks it for every frame it unwinds, so C++ exceptions and
 * pthread_cancel depend on it.
 *
 * glibc keeps a lock-free sorted table for this; here the loaded objects
 * are walked with dl_iterate_phdr, which answers the same question
 * (slower, and taking the loader's lock: do not call it from a signal
 * handler that interrupted dlopen).  An object contains ADDRESS when it
 * lies in [l_map_start, l_map_end): from the first PT_LOAD's page to the
 * end of the last PT_LOAD's memory, as ld.so computes those.  On success
 * the result has dlfo_flags 0, that span, the object's link map and the
 * address of its PT_GNU_EH_FRAME segment (NULL without one), and the
 * answer is 0; otherwise -1. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "../compat.h"

struct compat_dl_find_object {
	unsigned long long dlfo_flags;
	void *dlfo_map_start;
	void *dlfo_map_end;
	struct link_map *dlfo_link_map;
	void *dlfo_eh_frame;
	unsigned long long reserved[7];
};

int compat_dl_find_object(void *address, struct compat_dl_find_object *result);
COMPAT_SYMBOL(compat_dl_find_object, _dl_find_object, "GLIBC_2.35");

struct search {
	uintptr_t pc, pagesize;
	uintptr_t start, end, eh_frame, inside;
	int found;
};

static int find(struct dl_phdr_info *info, size_t size, void *data)
{
	struct search *s = data;
	uintptr_t start = UINTPTR_MAX, end = 0, eh = 0, inside = 0;

	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t at = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type == PT_LOAD) {
			if ((at & -s->pagesize) < start)
				start = at & -s->pagesize;
			if (at + ph->p_memsz > end)
				end = at + ph->p_memsz;
			if (inside == 0 && ph->p_memsz > 0)
				inside = at;
		} else if (ph->p_type == PT_GNU_EH_FRAME) {
			eh = at;
		}
	}
	if (s->pc < start || s->pc >= end)
		return 0;
	s->start = start;
	s->end = end;
	s->eh_frame = eh;
	s->inside = inside;
	s->found = 1;
	return 1;
}

int compat_dl_find_object(void *address, struct compat_dl_find_object *result)
{
	struct search s = { (uintptr_t)address, (uintptr_t)sysconf(_SC_PAGESIZE), 0, 0, 0, 0, 0 };
	struct link_map *map = NULL;
	Dl_info info;

	dl_iterate_phdr(find, &s);
	/* The link map, asked for once the loader's lock is released
	 * (dladdr1 takes the other loader lock: asking inside the callback
	 * could deadlock against a concurrent dlopen). */
	if (!s.found || dladdr1((void *)s.inside, &info, (void **)&map, RTLD_DL_LINKMAP) == 0)
		return -1;
	memset(result, 0, sizeof *result);
	result->dlfo_map_start = (void *)s.start;
	result->dlfo_map_end = (void *)s.end;
	result->dlfo_link_map = map;
	result->dlfo_eh_frame = (void *)s.eh_frame;
	return 0;
}
