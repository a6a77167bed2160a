/* Pieces of output several subcommands share: flag names, symbol tallies. */
#ifndef ABIKIT_REPORT_H
#define ABIKIT_REPORT_H

#include <stddef.h>

#include "buf.h"
#include "elfmodel.h"
#include "json.h"

/* Names of the set bits of DT_FLAGS / DT_FLAGS_1, space-separated into b. */
void ak_dt_flags_names(uint64_t flags, struct ak_sbuf *b);
void ak_dt_flags_1_names(uint64_t flags, struct ak_sbuf *b);
void ak_json_flag_array(struct ak_json *j, const char *key, const char *names);
/* A search path as a JSON array of its entries (null when absent). */
void ak_json_path_list(struct ak_json *j, const char *key, const char *list);
bool ak_elf_bind_now(const struct ak_elf *m);

/* Counting names (symbols) across many files. */
struct ak_tally_entry {
	char *name;
	size_t count;
};
struct ak_tally {
	struct ak_tally_entry *v;
	size_t n, cap;
	uint32_t *slot;
	size_t nslot;
};
void ak_tally_add(struct ak_tally *t, const char *name);
/* Sort by count, most first, then by name. */
void ak_tally_sort(struct ak_tally *t);
void ak_tally_free(struct ak_tally *t);

#endif
