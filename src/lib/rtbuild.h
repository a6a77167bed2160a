/* abikit runtime build: glibc from source, patched, into its own prefix. */
#ifndef ABIKIT_RTBUILD_H
#define ABIKIT_RTBUILD_H

int ak_rtbuild_main(int argc, char **argv);

#endif
