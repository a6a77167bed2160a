/* GLIBC_2.34: libanl.so.1 (asynchronous getaddrinfo_a) merged into
 * libc.so.6: jumps to glibc 2.31's libanl.so.1. */
#include "../compat.h"

COMPAT_FORWARD(gai_cancel, "GLIBC_2.34", gai_cancel, "GLIBC_2.2.5");
COMPAT_FORWARD(gai_error, "GLIBC_2.34", gai_error, "GLIBC_2.2.5");
COMPAT_FORWARD(gai_suspend, "GLIBC_2.34", gai_suspend, "GLIBC_2.2.5");
COMPAT_FORWARD(getaddrinfo_a, "GLIBC_2.34", getaddrinfo_a, "GLIBC_2.2.5");
