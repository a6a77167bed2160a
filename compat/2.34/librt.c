/* GLIBC_2.34: librt.so.1 (POSIX message queues, timers, shared memory,
 * asynchronous I/O) merged into libc.so.6, unchanged in behaviour: jumps to
 * glibc 2.31's librt.so.1. */
#include "../compat.h"

COMPAT_FORWARD(__mq_open_2, "GLIBC_2.34", __mq_open_2, "GLIBC_2.7");
COMPAT_FORWARD(aio_cancel, "GLIBC_2.34", aio_cancel, "GLIBC_2.2.5");
COMPAT_FORWARD(aio_cancel64, "GLIBC_2.34", aio_cancel64, "GLIBC_2.2.5");
COMPAT_FORWARD(aio_error, "GLIBC_2.34", aio_error, "GLIBC_2.2.5");
COMPAT_FORWARD(aio_error64, "GLIBC_2.34", aio_error64, "GLIBC_2.2.5");
COMPAT_FORWARD(aio_fsync, "GLIBC_2.34", aio_fsync, "GLIBC_2.2.5");
COMPAT_FORWARD(aio_fsync64, "GLIBC_2.34", aio_fsync64, "GLIBC_2.2.5");
COMPAT_FORWARD(aio_init, "GLIBC_2.34", aio_init, "GLIBC_2.2.5");
COMPAT_FORWARD(aio_read, "GLIBC_2.34", aio_read, "GLIBC_2.2.5");
COMPAT_FORWARD(aio_read64, "GLIBC_2.34", aio_read64, "GLIBC_2.2.5");
COMPAT_FORWARD(aio_return, "GLIBC_2.34", aio_return, "GLIBC_2.2.5");
COMPAT_FORWARD(aio_return64, "GLIBC_2.34", aio_return64, "GLIBC_2.2.5");
COMPAT_FORWARD(aio_suspend, "GLIBC_2.34", aio_suspend, "GLIBC_2.2.5");
COMPAT_FORWARD(aio_suspend64, "GLIBC_2.34", aio_suspend64, "GLIBC_2.2.5");
COMPAT_FORWARD(aio_write, "GLIBC_2.34", aio_write, "GLIBC_2.2.5");
COMPAT_FORWARD(aio_write64, "GLIBC_2.34", aio_write64, "GLIBC_2.2.5");
COMPAT_FORWARD(lio_listio, "GLIBC_2.34", lio_listio, "GLIBC_2.4");
COMPAT_FORWARD(lio_listio64, "GLIBC_2.34", lio_listio64, "GLIBC_2.4");
COMPAT_FORWARD(mq_close, "GLIBC_2.34", mq_close, "GLIBC_2.3.4");
COMPAT_FORWARD(mq_getattr, "GLIBC_2.34", mq_getattr, "GLIBC_2.3.4");
COMPAT_FORWARD(mq_notify, "GLIBC_2.34", mq_notify, "GLIBC_2.3.4");
COMPAT_FORWARD(mq_open, "GLIBC_2.34", mq_open, "GLIBC_2.3.4");
COMPAT_FORWARD(mq_receive, "GLIBC_2.34", mq_receive, "GLIBC_2.3.4");
COMPAT_FORWARD(mq_send, "GLIBC_2.34", mq_send, "GLIBC_2.3.4");
COMPAT_FORWARD(mq_setattr, "GLIBC_2.34", mq_setattr, "GLIBC_2.3.4");
COMPAT_FORWARD(mq_timedreceive, "GLIBC_2.34", mq_timedreceive, "GLIBC_2.3.4");
COMPAT_FORWARD(mq_timedsend, "GLIBC_2.34", mq_timedsend, "GLIBC_2.3.4");
COMPAT_FORWARD(mq_unlink, "GLIBC_2.34", mq_unlink, "GLIBC_2.3.4");
COMPAT_FORWARD(shm_open, "GLIBC_2.34", shm_open, "GLIBC_2.2.5");
COMPAT_FORWARD(shm_unlink, "GLIBC_2.34", shm_unlink, "GLIBC_2.2.5");
COMPAT_FORWARD(timer_create, "GLIBC_2.34", timer_create, "GLIBC_2.3.3");
COMPAT_FORWARD(timer_delete, "GLIBC_2.34", timer_delete, "GLIBC_2.3.3");
COMPAT_FORWARD(timer_getoverrun, "GLIBC_2.34", timer_getoverrun, "GLIBC_2.3.3");
COMPAT_FORWARD(timer_gettime, "GLIBC_2.34", timer_gettime, "GLIBC_2.3.3");
COMPAT_FORWARD(timer_settime, "GLIBC_2.34", timer_settime, "GLIBC_2.3.3");
