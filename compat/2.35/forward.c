/* GLIBC_2.35 names whose behaviour glibc 2.31 already has.
 *
 * hypot and hypotf got the node when 2.35 dropped their SVID error
 * handling wrapper (matherr, _LIB_VERSION: gone from the API since 2.27,
 * so no program built for 2.35 can switch it on); in the default POSIX
 * mode the 2.31 wrapper sets errno (ERANGE on overflow) exactly as the
 * 2.35 function does.  2.35 also brought a new hypot algorithm; both are
 * within glibc's documented error bound, but a result can differ in the
 * last bit (tests/abikit.compat compares a set of inputs).
 *
 * __memcmpeq is what GCC 12 calls for memcmp(...) == 0: zero when equal,
 * anything else otherwise, which memcmp is. */
#include "../compat.h"

COMPAT_FORWARD(hypot, "GLIBC_2.35", hypot, "GLIBC_2.2.5");
COMPAT_FORWARD(hypotf, "GLIBC_2.35", hypotf, "GLIBC_2.2.5");
COMPAT_FORWARD(__memcmpeq, "GLIBC_2.35", memcmp, "GLIBC_2.2.5");
