/* Embedding the shim: libabikit-compat.so.1's code and data copied into the
 * binary itself, so a shimmed program maps no extra library at start-up
 * (each library costs open, mmaps and page faults: more than 5% of a small
 * program's start). The result is what a static link of the shim into the
 * file would give:
 *  - the shim's segments become two new PT_LOADs of the file, and a third
 *    holds the program headers (moved: there is no room for more in
 *    place) and the dynamic tables that grow: .dynsym, .dynstr,
 *    .gnu.version, .gnu.version_r, .gnu.hash (.hash), .rela.dyn, .dynamic;
 *  - the file's references to the stubbed NAME@VERSION become
 *    R_X86_64_RELATIVE (data and GOT) or R_X86_64_IRELATIVE (.rela.plt,
 *    through a two-instruction resolver) to the stub, and the symbol turns
 *    into a weak unversioned reference no lookup binds, so no need on the
 *    missing version node remains;
 *  - the shim's own relocations are appended to the file's, its imports
 *    (the old glibc functions the stubs call, with their versions) to the
 *    file's .dynsym and version needs, bound eagerly at load.
 * Every existing byte keeps its offset and address; section headers are
 * updated (the tables' new places, .abikit.text and .abikit.data added).
 * x86_64 only. The shim's constructors are not run (it has none of its
 * own: compat/build checks), and its .eh_frame is not registered. */
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
