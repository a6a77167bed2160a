/* exp10@GLIBC_2.39: 2.39 gave it the node when it dropped the SVID
 * error-handling wrapper (see ../2.38/forward.c for fmod); in POSIX mode
 * glibc 2.31's exp10 sets errno (ERANGE on overflow and underflow) as
 * 2.39's does.  2.39 also brought a new exp10 algorithm: both are within
 * glibc's documented error bound, but a result can differ in the last bit
 * (tests/abikit.compat compares a set of inputs). */
#include "../compat.h"

COMPAT_FORWARD(exp10, "GLIBC_2.39", exp10, "GLIBC_2.2.5");
