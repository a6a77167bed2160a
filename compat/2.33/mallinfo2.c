/* mallinfo2@GLIBC_2.33: mallinfo with size_t fields.  glibc 2.31 has only
 * mallinfo, whose int fields are the allocator's size_t counters cut to
 * 32 bits; read as unsigned, each field is exact below 4 GiB and the true
 * value modulo 2^32 above.  That limit is this stub's only difference
 * from 2.33 (mallinfo2 exists because of it), documented in README.md;
 * tests/abikit.compat compares the fields with mallinfo's on the same
 * heap. */
#include <malloc.h>
#include <stddef.h>

#include "../compat.h"

struct mallinfo2_fields {
	size_t arena, ordblks, smblks, hblks, hblkhd, usmblks, fsmblks, uordblks, fordblks, keepcost;
};

struct mallinfo2_fields compat_mallinfo2(void);
COMPAT_SYMBOL(compat_mallinfo2, mallinfo2, "GLIBC_2.33");

struct mallinfo2_fields compat_mallinfo2(void)
{
	struct mallinfo m = mallinfo();
	struct mallinfo2_fields r = {
		(unsigned)m.arena, (unsigned)m.ordblks, (unsigned)m.smblks,
		(unsigned)m.hblks, (unsigned)m.hblkhd, (unsigned)m.usmblks,
		(unsigned)m.fsmblks, (unsigned)m.uordblks, (unsigned)m.fordblks,
		(unsigned)m.keepcost,
	};
	return r;
}
