/* Shared by every file of libabikit-compat: how a definition gets the
 * version node of the real glibc symbol, and how a symbol that only moved
 * (from libpthread, libdl, librt, ... into libc, or to a new version node
 * with the same behaviour) is forwarded to the old glibc's definition.
 *
 * The library is compiled against glibc 2.31's headers, which often declare
 * the very name we define (stat, pthread_create, ...) with another meaning,
 * so every definition has a C name of its own (compat_NAME) and the
 * assembler gives it the public name and version:
 *     COMPAT_SYMBOL(compat_stat, stat, "GLIBC_2.33")
 * makes compat_stat the default definition stat@@GLIBC_2.33.  The version
 * node must also be listed in the folder's .map file (GNU ld version
 * script), which also hides the compat_* names (local: *). */
#ifndef ABIKIT_COMPAT_H
#define ABIKIT_COMPAT_H

#define COMPAT_SYMBOL(impl, name, version) \
	__asm__(".symver " #impl ", " #name "@@" version)

/* A reference to the old glibc's NAME@VERSION under the C name REF, so the
 * replacement can call the function it replaces without binding to itself. */
#define COMPAT_OLD(ref, name, version) \
	__asm__(".symver " #ref ", " #name "@" version)

/* COMPAT_FORWARD(pthread_create, "GLIBC_2.34", pthread_create, "GLIBC_2.2.5")
 * defines pthread_create@@GLIBC_2.34 as a jump to the old glibc's
 * pthread_create@GLIBC_2.2.5 (libpthread.so.0 on 2.31).  A jump, not a
 * call: the callee sees its real caller's return address, which dlopen,
 * dlsym (RTLD_NEXT) and dladdr use to find the calling object, and the
 * arguments (varargs included) pass through untouched.  The target goes
 * through a GOT slot filled at load time (R_X86_64_GLOB_DAT), not a PLT.
 * Each in a section of its own (.text.compat_fwd_NAME), whose one
 * relocation names the target: compat/build reads the forwards from it,
 * and abikit shim, embedding, rewrites a program's need to the target
 * instead of copying any code. */
#if defined(__x86_64__)
#define COMPAT_FORWARD(name, version, oldname, oldversion) \
	__asm__(".pushsection .text.compat_fwd_" #name ",\"ax\",@progbits\n" \
		".globl compat_fwd_" #name "\n" \
		".type compat_fwd_" #name ", @function\n" \
		".p2align 4\n" \
		"compat_fwd_" #name ":\n" \
		"\tjmp *compat_old_" #name "@GOTPCREL(%rip)\n" \
		".size compat_fwd_" #name ", . - compat_fwd_" #name "\n" \
		".symver compat_fwd_" #name ", " #name "@@" version "\n" \
		".symver compat_old_" #name ", " #oldname "@" oldversion "\n" \
		".popsection\n")
#else
#error "libabikit-compat: COMPAT_FORWARD is written for x86_64 only"
#endif

#endif
