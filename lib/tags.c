/* tags.c: what an audience tag may look like (lowercase ASCII). */
#include <string.h>

#include "kb-private.h"

int kb_tag_is_valid(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n > 32)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		         (i > 0 && (c == '_' || c == '-'));
		if (!ok)
			return 0;
	}
	return 1;
}
