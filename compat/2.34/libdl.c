/* GLIBC_2.34: libdl.so.2 merged into libc.so.6.  Jumps to glibc 2.31's
 * libdl: a jump keeps the caller's return address, which dlopen (the
 * caller's RPATH/RUNPATH and namespace), dlsym (RTLD_NEXT) and dlmopen
 * use to find the calling object; a call from here would make this
 * library the caller. */
#include "../compat.h"

COMPAT_FORWARD(dladdr, "GLIBC_2.34", dladdr, "GLIBC_2.2.5");
COMPAT_FORWARD(dladdr1, "GLIBC_2.34", dladdr1, "GLIBC_2.3.3");
COMPAT_FORWARD(dlclose, "GLIBC_2.34", dlclose, "GLIBC_2.2.5");
COMPAT_FORWARD(dlerror, "GLIBC_2.34", dlerror, "GLIBC_2.2.5");
COMPAT_FORWARD(dlinfo, "GLIBC_2.34", dlinfo, "GLIBC_2.3.3");
COMPAT_FORWARD(dlmopen, "GLIBC_2.34", dlmopen, "GLIBC_2.3.4");
COMPAT_FORWARD(dlopen, "GLIBC_2.34", dlopen, "GLIBC_2.2.5");
COMPAT_FORWARD(dlsym, "GLIBC_2.34", dlsym, "GLIBC_2.2.5");
COMPAT_FORWARD(dlvsym, "GLIBC_2.34", dlvsym, "GLIBC_2.2.5");
