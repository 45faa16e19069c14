/* fuzz_util.h: what the libFuzzer targets share (header-only: each target
 * is one translation unit plus build/fuzz/libkb.a).
 *
 * A target checks properties the library promises and calls FUZZ_CHECK()
 * for each; a broken promise aborts with the reason, which libFuzzer
 * reports as a crash and saves the input, like a sanitizer finding. */
#ifndef KB_FUZZ_UTIL_H
#define KB_FUZZ_UTIL_H

#include <ftw.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FUZZ_CHECK(cond, ...)                                                              \
	do {                                                                                   \
		if (!(cond))                                                                       \
			fuzz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);                             \
	} while (0)

static void fuzz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 4, 5)));

static void fuzz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "\n%s:%d: property violated: %s\n  ", file, line, cond);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* Whether s[0..len) is well-formed UTF-8 (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF). */
static inline int fuzz_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		unsigned c = p[i];
		size_t n;
		unsigned min, cp;
		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xE0) == 0xC0) {
			n = 1, min = 0x80, cp = c & 0x1F;
		} else if ((c & 0xF0) == 0xE0) {
			n = 2, min = 0x800, cp = c & 0x0F;
		} else if ((c & 0xF8) == 0xF0) {
			n = 3, min = 0x10000, cp = c & 0x07;
		} else {
			return 0;
		}
		if (len - i <= n)
			return 0;
		for (size_t k = 1; k <= n; k++) {
			if ((p[i + k] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i + k] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		i += n + 1;
	}
	return 1;
}

/* A fresh directory under $TMPDIR (else /tmp), removed at exit; NULL-safe
 * callers get an abort instead, since a target cannot run without it. */
static char fuzz_tmpdir_path[4096];

static int fuzz_rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void fuzz_tmpdir_remove(void)
{
	if (fuzz_tmpdir_path[0])
		nftw(fuzz_tmpdir_path, fuzz_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static inline const char *fuzz_tmpdir(const char *name)
{
	const char *base = getenv("TMPDIR");
	if (!base || !*base)
		base = "/tmp";
	snprintf(fuzz_tmpdir_path, sizeof fuzz_tmpdir_path, "%s/kb-%s.XXXXXX", base, name);
	if (!mkdtemp(fuzz_tmpdir_path)) {
		perror(fuzz_tmpdir_path);
		abort();
	}
	atexit(fuzz_tmpdir_remove);
	return fuzz_tmpdir_path;
}

/* Writes len bytes to path, replacing it; aborts if it cannot. */
static inline void fuzz_write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f || (len && fwrite(data, 1, len, f) != len) || fclose(f) != 0) {
		perror(path);
		abort();
	}
}

#endif
