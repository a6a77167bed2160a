/* SHA-256 (FIPS 180-4): content keys for caches and manifests. */
#ifndef ABIKIT_SHA256_H
#define ABIKIT_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct ak_sha256 {
	uint32_t h[8];
	uint64_t len;
	unsigned char buf[64];
	size_t nbuf;
};

void ak_sha256_init(struct ak_sha256 *s);
void ak_sha256_update(struct ak_sha256 *s, const void *data, size_t n);
/* 64 hex digits and a NUL into hex. */
void ak_sha256_hex(struct ak_sha256 *s, char hex[65]);
/* Hash a whole file; -1 with err on I/O errors. */
int ak_sha256_file(const char *path, char hex[65], struct ak_err *err);

#endif
