/* The new mount API @GLIBC_2.36: fsopen, fsconfig, fsmount, fspick,
 * move_mount, open_tree (Linux 5.2) and mount_setattr (5.12).  glibc's
 * functions are the bare system calls; so are these, failing with ENOSYS
 * on an older kernel as glibc's do. */
#define _GNU_SOURCE
#include <stddef.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../compat.h"

#ifndef SYS_open_tree
#define SYS_open_tree 428
#endif
#ifndef SYS_move_mount
#define SYS_move_mount 429
#endif
#ifndef SYS_fsopen
#define SYS_fsopen 430
#endif
#ifndef SYS_fsconfig
#define SYS_fsconfig 431
#endif
#ifndef SYS_fsmount
#define SYS_fsmount 432
#endif
#ifndef SYS_fspick
#define SYS_fspick 433
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif

struct mount_attr;

int compat_fsopen(const char *fsname, unsigned int flags);
int compat_fsconfig(int fd, unsigned int cmd, const char *key, const void *value, int aux);
int compat_fsmount(int fd, unsigned int flags, unsigned int attr_flags);
int compat_fspick(int dirfd, const char *path, unsigned int flags);
int compat_move_mount(int from_dirfd, const char *from_path, int to_dirfd, const char *to_path, unsigned int flags);
int compat_open_tree(int dirfd, const char *path, unsigned int flags);
int compat_mount_setattr(int dirfd, const char *path, unsigned int flags, struct mount_attr *attr, size_t size);
COMPAT_SYMBOL(compat_fsopen, fsopen, "GLIBC_2.36");
COMPAT_SYMBOL(compat_fsconfig, fsconfig, "GLIBC_2.36");
COMPAT_SYMBOL(compat_fsmount, fsmount, "GLIBC_2.36");
COMPAT_SYMBOL(compat_fspick, fspick, "GLIBC_2.36");
COMPAT_SYMBOL(compat_move_mount, move_mount, "GLIBC_2.36");
COMPAT_SYMBOL(compat_open_tree, open_tree, "GLIBC_2.36");
COMPAT_SYMBOL(compat_mount_setattr, mount_setattr, "GLIBC_2.36");

int compat_fsopen(const char *fsname, unsigned int flags)
{
	return (int)syscall(SYS_fsopen, fsname, flags);
}

int compat_fsconfig(int fd, unsigned int cmd, const char *key, const void *value, int aux)
{
	return (int)syscall(SYS_fsconfig, fd, cmd, key, value, aux);
}

int compat_fsmount(int fd, unsigned int flags, unsigned int attr_flags)
{
	return (int)syscall(SYS_fsmount, fd, flags, attr_flags);
}

int compat_fspick(int dirfd, const char *path, unsigned int flags)
{
	return (int)syscall(SYS_fspick, dirfd, path, flags);
}

int compat_move_mount(int from_dirfd, const char *from_path, int to_dirfd, const char *to_path, unsigned int flags)
{
	return (int)syscall(SYS_move_mount, from_dirfd, from_path, to_dirfd, to_path, flags);
}

int compat_open_tree(int dirfd, const char *path, unsigned int flags)
{
	return (int)syscall(SYS_open_tree, dirfd, path, flags);
}

int compat_mount_setattr(int dirfd, const char *path, unsigned int flags, struct mount_attr *attr, size_t size)
{
	return (int)syscall(SYS_mount_setattr, dirfd, path, flags, attr, size);
}
