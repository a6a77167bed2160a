/* fmod and fmodf @GLIBC_2.38: 2.38 gave them the node when it dropped
 * their SVID error-handling wrapper (matherr and _LIB_VERSION, gone from
 * the API since 2.27, so no program built for 2.38 can turn SVID mode on).
 * In the default POSIX mode glibc 2.31's fmod sets errno (EDOM for an
 * infinite x or a zero y) and returns what 2.38's does; fmod is exact, so
 * 2.38's new algorithm gives the same bits.  Jumps to 2.31's libm. */
#include "../compat.h"

COMPAT_FORWARD(fmod, "GLIBC_2.38", fmod, "GLIBC_2.2.5");
COMPAT_FORWARD(fmodf, "GLIBC_2.38", fmodf, "GLIBC_2.2.5");
