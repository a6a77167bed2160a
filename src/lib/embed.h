/* Embedding the shim: libabikit-compat.so.1's code and data copied into the
 * binary itself, so a shimmed program maps no extra library at start-up
 * (each library costs open, mmaps and page faults: more than 5% of a small
 * program's start). The result is what a static link of the shim into the
 * file would give:
 *  - two new PT_LOADs: the dynamic tables that grow (.hash, .gnu.hash,
 *    .dynsym, .dynstr, .gnu.version, .gnu.version_r, .rela.dyn) with the
 *    shim's code, and the shim's data (with .dynamic when it must grow);
 *    the program header table grows in place, the .interp and notes it
 *    covers copied out, so strip and objcopy can still rewrite the file;
 *  - the file's references to a stubbed NAME@VERSION become
 *    R_X86_64_RELATIVE (data and GOT) or R_X86_64_IRELATIVE (.rela.plt,
 *    through a two-instruction resolver) to the stub, and the symbol a weak
 *    unversioned reference no lookup binds, so no need on the missing
 *    version node remains; a program's copy relocation of a data stub
 *    that starts as zeros is dropped;
 *  - a forward (.abikit.deps: the stub only calls an older symbol) is not
 *    copied: the need is rewritten to that symbol, its library added to
 *    DT_NEEDED before libc.so.6;
 *  - the shim's own relocations against the old glibc functions the used
 *    stubs call (.abikit.deps) are appended to the file's, with those
 *    imports and their versions, bound eagerly at load.
 * Every other byte keeps its offset and address; section headers follow
 * (.abikit.plt, .abikit.text, .abikit.data, .abikit.bss added). x86_64
 * only. The shim has no constructors to run (compat/build checks); its
 * .eh_frame is not registered. */
#ifndef ABIKIT_EMBED_H
#define ABIKIT_EMBED_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

/* Build the new image of `host` (the file's bytes; `host_name` for
 * messages) with the stubs of `blob` (libabikit-compat.so.1's bytes) for
 * the symbols "NAME@VERSION" in `stubs`, and for the weak ones whose
 * version node is in `missing` ("FILE NODE", the nodes the base lacks;
 * those left without a stub get VER_FLG_WEAK). On success 0 and *out, *out_len
 * (malloc'd). -1 with a reason when this file cannot take the shim
 * embedded (its layout, a relocation kind, a data symbol ...): the caller
 * then uses the library instead. Nothing is written anywhere. */
int ak_embed(const char *host_name, const unsigned char *host, size_t host_len, const char *blob_name,
	     const unsigned char *blob, size_t blob_len, const struct ak_strvec *stubs,
	     const struct ak_strvec *missing, unsigned char **out, size_t *out_len, struct ak_err *err);

#endif
