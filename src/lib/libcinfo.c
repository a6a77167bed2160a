#include <config.h>

#include "libcinfo.h"

#include <string.h>

#include "elfmodel.h"
#include "glibcver.h"

/* Find `needle` in the file's bytes and copy the printable run around it. */
static bool find_banner(const struct ak_elf *m, struct ak_libc_info *info)
{
	static const char key[] = "release version ";
	size_t size = 0;
	const char *raw = elf_rawfile(m->elf, &size);
	const char *hit, *start, *end;

	if (raw == NULL)
		return false;
	for (const char *p = raw; (hit = memmem(p, size - (size_t)(p - raw), key, sizeof key - 1)) != NULL;
	     p = hit + 1) {
		const char *v = hit + sizeof key - 1;
		size_t n = 0;

		start = hit;
		while (start > raw && start[-1] >= 0x20 && start[-1] < 0x7f && hit - start < 100)
			start--;
		if (strncmp(start, "GNU C Library", 13) != 0)
			continue;
		while (v + n < raw + size && ((v[n] >= '0' && v[n] <= '9') || v[n] == '.') && n < sizeof info->version - 1)
			n++;
		while (n > 0 && v[n - 1] == '.')
			n--;
		memcpy(info->version, v, n);
		info->version[n] = '\0';
		end = v + n;
		while (end < raw + size && *end >= 0x20 && *end < 0x7f && end - start < (long)sizeof info->banner - 1)
			end++;
		n = (size_t)(end - start);
		if (n >= sizeof info->banner)
			n = sizeof info->banner - 1;
		memcpy(info->banner, start, n);
		info->banner[n] = '\0';
		return info->version[0] != '\0';
	}
	return false;
}

int ak_libc_identify(const char *path, struct ak_libc_info *info, struct ak_err *err)
{
	struct ak_elf m;
	int rc;

	memset(info, 0, sizeof *info);
	rc = ak_elf_open(&m, path, 0, err);
	if (rc != 0)
		return -1;
	info->machine = m.machine;
	info->elfclass = m.elfclass;
	if (m.unsupported) {
		/* The banner is plain bytes: readable whatever the ELF flavour. */
		if (!find_banner(&m, info)) {
			ak_errf(err, "%s: unsupported: %s (%s), and no glibc banner in it", path,
				m.unsupported, ak_machine_name(m.machine));
			ak_elf_close(&m);
			return -1;
		}
		strcpy(info->family, "glibc");
		ak_elf_close(&m);
		return 0;
	}
	if ((m.soname && (strstr(m.soname, "musl") != NULL)) || strstr(path, "ld-musl-") != NULL) {
		strcpy(info->family, "musl");
		ak_elf_close(&m);
		return 0;
	}
	if (find_banner(&m, info)) {
		strcpy(info->family, "glibc");
	} else {
		struct ak_ver best = { 0, 0, 0 }, v;

		for (size_t i = 0; i < m.nvdefs; i++)
			if (strncmp(m.vdefs[i].name, "GLIBC_", 6) == 0 &&
			    ak_ver_parse(m.vdefs[i].name + 6, &v) && ak_ver_cmp(&v, &best) > 0)
				best = v;
		if (best.major == 0) {
			ak_elf_close(&m);
			return ak_errf(err, "%s: not a glibc or musl C library (no banner, no GLIBC_ versions)", path);
		}
		strcpy(info->family, "glibc");
		ak_ver_format(&best, info->version, sizeof info->version);
	}
	ak_elf_close(&m);
	return 0;
}
