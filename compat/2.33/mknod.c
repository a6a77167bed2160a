/* mknod and mknodat @GLIBC_2.33: before 2.33 <sys/stat.h> and
 * libc_nonshared.a turned them into __xmknod / __xmknodat with a version
 * number (_MKNOD_VER, 0 on x86_64); 2.33 exported the plain names.  Same
 * system call (mknodat), same arguments. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/stat.h>

#include "../compat.h"

int compat_mknod(const char *path, mode_t mode, dev_t dev);
int compat_mknodat(int dirfd, const char *path, mode_t mode, dev_t dev);
COMPAT_SYMBOL(compat_mknod, mknod, "GLIBC_2.33");
COMPAT_SYMBOL(compat_mknodat, mknodat, "GLIBC_2.33");

int compat_mknod(const char *path, mode_t mode, dev_t dev)
{
	return __xmknod(_MKNOD_VER, path, mode, &dev);
}

int compat_mknodat(int dirfd, const char *path, mode_t mode, dev_t dev)
{
	return __xmknodat(_MKNOD_VER, dirfd, path, mode, &dev);
}
