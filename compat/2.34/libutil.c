/* GLIBC_2.34: libutil.so.1 (openpty, forkpty, login_tty, login, logout,
 * logwtmp) merged into libc.so.6: jumps to glibc 2.31's libutil.so.1. */
#include "../compat.h"

COMPAT_FORWARD(forkpty, "GLIBC_2.34", forkpty, "GLIBC_2.2.5");
COMPAT_FORWARD(login, "GLIBC_2.34", login, "GLIBC_2.2.5");
COMPAT_FORWARD(login_tty, "GLIBC_2.34", login_tty, "GLIBC_2.2.5");
COMPAT_FORWARD(logout, "GLIBC_2.34", logout, "GLIBC_2.2.5");
COMPAT_FORWARD(logwtmp, "GLIBC_2.34", logwtmp, "GLIBC_2.2.5");
COMPAT_FORWARD(openpty, "GLIBC_2.34", openpty, "GLIBC_2.2.5");
