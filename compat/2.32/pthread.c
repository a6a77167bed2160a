/* GLIBC_2.32: pthread functions that glibc 2.32 moved from libpthread into
 * libc under a new version node, with the behaviour they had: forwarded to
 * glibc 2.31's libpthread.so.0.  (pthread_getattr_np and
 * pthread_attr_setaffinity_np got the node because 2.32's pthread_attr_t
 * grew a signal-mask extension; the 2.31 attribute objects they fill are
 * the ones 2.31's pthread_attr_* functions read and free.) */
#include "../compat.h"

COMPAT_FORWARD(pthread_attr_setaffinity_np, "GLIBC_2.32", pthread_attr_setaffinity_np, "GLIBC_2.3.4");
COMPAT_FORWARD(pthread_getaffinity_np, "GLIBC_2.32", pthread_getaffinity_np, "GLIBC_2.3.4");
COMPAT_FORWARD(pthread_getattr_np, "GLIBC_2.32", pthread_getattr_np, "GLIBC_2.2.5");
COMPAT_FORWARD(pthread_sigmask, "GLIBC_2.32", pthread_sigmask, "GLIBC_2.2.5");
